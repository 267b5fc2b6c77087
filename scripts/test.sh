#!/usr/bin/env bash
# npm test — every check and every test suite, in the order CI runs them: static checks, unit
# tests, then against real local control planes started here: the integration and fault tests
# (on SQLite), the store-specific tests again on a real PostgreSQL
# server (vitest.config.ts, POSTGRESQL_STORE_TESTS and POSTGRESQL_CLUSTER_TESTS; when the
# postgresql package is installed, as .ci/run does), and the browser tests against the
# production build of the dashboard. Work that leaves a core idle runs beside other work. Each
# step prints its duration, the run ends with a table of them, and each test run writes its
# per-file durations to .fleetdeck/durations/ (docs/testing.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1
source scripts/steps.sh

# Each check uses one core: side by side they take the time of the longest.
step "static checks" side_by_side \
  "typecheck" npm run -s typecheck -- \
  "lint" npm run -s lint -- \
  "format" npm run -s format:check
step "unit tests" npm run -s test:unit

# Two local clusters for the run, fresh, deleted when the run ends however it ends: the run's
# (every pass that can share it; each test file has its own namespaces) and a second for the
# other half of the integration tests (below). Only the tests that must own a cluster create
# theirs (testing/local-cluster.int.test.ts, the fleets' other clusters). Created one after the
# other: kwokctl picks its components' ports among those free when it creates a cluster, so two
# created at once can pick the same one (a kube-scheduler then fails to listen).
# FLEETDECK_TEST_KUBECONFIG (an existing cluster) replaces them.
if [[ -z "${FLEETDECK_TEST_KUBECONFIG:-}" ]]; then
  export FLEETDECK_TEST_SHARED_CLUSTER="${FLEETDECK_TEST_CLUSTER:-fleetdeck-test}"
  clusters=("$FLEETDECK_TEST_SHARED_CLUSTER" "$FLEETDECK_TEST_SHARED_CLUSTER-2")
  cluster() { FLEETDECK_CLUSTER="$1" npx tsx hack/cluster.ts "$2"; }
  fresh_clusters() { for c in "${clusters[@]}"; do cluster "$c" down >/dev/null && cluster "$c" up || return 1; done; }
  delete_clusters() { for c in "${clusters[@]}"; do cluster "$c" down; done; }
  step "local clusters (fresh)" fresh_clusters
  [[ "${FLEETDECK_TEST_KEEP_CLUSTER:-}" == 1 ]] || at_exit "local clusters (delete)" delete_clusters
fi

# Next's build cache (.next/cache: Turbopack's and the build's type check's) is kept outside
# the checkout between runs, as Next advises for CI, so a fresh clone builds in half the time or
# less. It is one folder per Next version, and Next checks every entry against the sources; a
# build that fails with it is tried again without it.
NEXT_CACHE="${FLEETDECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetdeck}/next-build/$(node -p 'require("next/package.json").version')"
build() {
  local restored=""
  if [[ ! -d .next/cache && -d $NEXT_CACHE ]]; then
    mkdir -p .next && cp -r "$NEXT_CACHE" .next/cache && restored=1 && echo "build cache: $NEXT_CACHE"
  fi
  if ! npm run -s build; then
    [[ -n $restored ]] || return 1
    echo "the build failed with the kept cache: building again without it"
    rm -rf .next "$NEXT_CACHE"
    npm run -s build || return 1
  fi
  # Kept for this Next version only (another version's is dropped).
  rm -rf "$(dirname "$NEXT_CACHE")" && mkdir -p "$(dirname "$NEXT_CACHE")" &&
    cp -r .next/cache "$NEXT_CACHE.$$" && mv "$NEXT_CACHE.$$" "$NEXT_CACHE"
}

postgres=""
if [[ -n "${FLEETDECK_POSTGRES_BIN:-}" ]] || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  postgres=1
elif [[ -n "${CI:-}" ]]; then
  echo "PostgreSQL is not installed: CI runs the store-specific tests on it too (apt-get install postgresql)" >&2
  exit 1
fi
pg() { FLEETDECK_TEST_STORE=postgresql npx vitest run "$@"; }
# The tests of a real store that need no cluster (vitest.config.ts: the dashboard's queries in
# project store, POSTGRESQL_STORE_TESTS in project postgresql), after the production build, one
# after the other.
build_and_store_tests() {
  local FLEETDECK_STEPS_DEPTH=$((FLEETDECK_STEPS_DEPTH + 1))
  step "production build" build || return 1
  step "dashboard queries on SQLite" npm run -s test:store || return 1
  [[ -n $postgres ]] || return 0
  step "store tests on PostgreSQL (dashboard queries, store code)" pg --project store --project postgresql
}

integration() { npx vitest run --project integration "$@"; }
on_second_cluster() { FLEETDECK_TEST_SHARED_CLUSTER="$FLEETDECK_TEST_SHARED_CLUSTER-2" "$@"; }

# The integration tests mostly wait (on the cluster, on timers: about a third of a core), so they
# run in two halves side by side (vitest's --shard: files split by a hash of their path), each on
# a cluster of its own, with the build and the store tests, which need no cluster, beside them.
# Then the fault tests, alone: they restart their cluster's etcd and kube-apiserver and bound
# recovery times. On an existing cluster (FLEETDECK_TEST_KUBECONFIG) all run one after the other.
if [[ -n "${FLEETDECK_TEST_SHARED_CLUSTER:-}" ]]; then
  step "integration tests ‖ build and store tests" side_by_side \
    "integration tests, first half" integration --shard=1/2 -- \
    "integration tests, second half (the second cluster)" on_second_cluster integration --shard=2/2 -- \
    "build and store tests (no cluster)" build_and_store_tests
else
  step "integration tests (real control plane)" integration
  step "build and store tests (no cluster)" build_and_store_tests
fi
step "fault injection (crashes, outages, lock contention)" npm run -s test:faults
if [[ -n $postgres ]]; then
  step "controllers on PostgreSQL (failover, fleet, database faults)" pg --project postgresql-cluster
else
  printf '\n=== PostgreSQL pass skipped: the postgresql package is not installed (apt-get install postgresql; .ci/run installs it) ===\n'
fi
step "browser tests (Chromium)" npm run -s test:e2e
