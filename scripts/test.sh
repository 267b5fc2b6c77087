#!/usr/bin/env bash
# npm test — every check and every test suite, in the order CI runs them: static checks,
# unit tests, integration and fault tests against a real local control plane (on SQLite, then
# again on a real PostgreSQL server when the postgresql package is installed, as .ci/run does),
# then browser tests against the production build of the dashboard.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck" && npm run -s typecheck
step "lint" && npm run -s lint
step "format" && npm run -s format:check
step "unit tests" && npm run -s test:unit
step "dashboard queries on SQLite (no cluster)" && npm run -s test:store
step "integration tests (real control plane)" && npm run -s test:int
step "fault injection (crashes, outages, lock contention)" && npm run -s test:faults
if [[ -n "${FLEETDECK_POSTGRES_BIN:-}" ]] || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  step "dashboard queries on PostgreSQL" && npm run -s test:store:pg
  step "integration tests on PostgreSQL" && npm run -s test:int:pg
  step "fault injection on PostgreSQL" && npm run -s test:faults:pg
elif [[ -n "${CI:-}" ]]; then
  echo "PostgreSQL is not installed: CI runs the suites on it too (apt-get install postgresql)" >&2
  exit 1
else
  step "PostgreSQL pass skipped: the postgresql package is not installed (apt-get install postgresql; .ci/run installs it)"
fi
step "production build" && npm run -s build
step "browser tests (Chromium)" && npm run -s test:e2e
