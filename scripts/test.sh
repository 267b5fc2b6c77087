#!/usr/bin/env bash
# npm test — every check and every test suite, in the order CI runs them: static checks,
# unit tests, integration tests against a real local control plane, then browser tests
# against the production build of the dashboard.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck" && npm run -s typecheck
step "lint" && npm run -s lint
step "format" && npm run -s format:check
step "unit tests" && npm run -s test:unit
step "integration tests (real control plane)" && npm run -s test:int
step "fault injection (crashes, outages, lock contention)" && npm run -s test:faults
step "production build" && npm run -s build
step "browser tests (Chromium)" && npm run -s test:e2e
