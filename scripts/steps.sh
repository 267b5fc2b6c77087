# Sourced by scripts/test.sh and .ci/run. `step NAME COMMAND...` runs a step, prints how long it
# took and records it in .fleetdeck/durations/steps.tsv; `at_exit NAME COMMAND...` registers a
# step for when the script exits, however it exits (a cleanup). The outermost script prints every
# step of the run (a nested script's steps indented under the step that ran it) when it exits,
# also when a step failed, then the count of tests from the test runs' durations files
# (testing/durations.ts). Needs bash 5 ($EPOCHREALTIME).

: "${FLEETDECK_STEPS_DEPTH:=-1}"
export FLEETDECK_STEPS_DEPTH=$((FLEETDECK_STEPS_DEPTH + 1))
if [[ $FLEETDECK_STEPS_DEPTH -eq 0 ]]; then
  # Beside the test runs' per-file durations, of this run only.
  FLEETDECK_DURATIONS="${FLEETDECK_HOME:-$PWD/.fleetdeck}/durations"
  mkdir -p "$FLEETDECK_DURATIONS"
  rm -f "$FLEETDECK_DURATIONS"/*.json
  export FLEETDECK_DURATIONS FLEETDECK_STEPS_FILE="$FLEETDECK_DURATIONS/steps.tsv"
  : >"$FLEETDECK_STEPS_FILE"
fi
_steps_exit=()
trap '_steps_on_exit' EXIT

_steps_now() { echo "${EPOCHREALTIME/./}"; }
# Sets _steps_cpu to the CPU time (ms, user + system) of this shell's children that have ended,
# from `times`, which must run in this shell: not in $(…), whose subshell counts from zero.
_steps_times=$(mktemp)
_steps_cpu_ms() {
  times >"$_steps_times"
  local user system
  { read -r _ && read -r user system; } <"$_steps_times"
  _steps_cpu=$(($(_steps_ms "$user") + $(_steps_ms "$system")))
}
# "1m2.345s" as milliseconds.
_steps_ms() {
  local m=${1%%m*} s=${1#*m}
  s=${s%s}
  echo $((m * 60000 + 10#${s%.*} * 1000 + 10#${s#*.}))
}
# Microseconds as seconds with one decimal.
_steps_seconds() { printf '%d.%d' $(($1 / 1000000)) $(($1 / 100000 % 10)); }
_steps_started=$(_steps_now)

# The file only grows (a line when a step starts, one when it ends, each one short write), so
# steps of several processes, also at the same time, can share it.
step() {
  local name=$1 id="$BASHPID.$RANDOM.$SECONDS" status=0 started cpu seconds result=ok
  shift
  printf '\n=== %s ===\n' "$name"
  printf 'start\t%s\t%s\t%s\n' "$id" "$FLEETDECK_STEPS_DEPTH" "$name" >>"$FLEETDECK_STEPS_FILE"
  started=$(_steps_now)
  _steps_cpu_ms && cpu=$_steps_cpu
  "$@" || status=$?
  seconds=$(_steps_seconds $(($(_steps_now) - started)))
  _steps_cpu_ms && cpu=$(_steps_seconds $(((_steps_cpu - cpu) * 1000)))
  [[ $status -eq 0 ]] || result="FAILED ($status)"
  printf 'end\t%s\t%s\t%s\t%s\n' "$id" "$result" "$seconds" "$cpu" >>"$FLEETDECK_STEPS_FILE"
  printf '=== %s: %s in %s s (CPU %s s) ===\n' "$name" "$result" "$seconds" "$cpu"
  return "$status"
}

# `side_by_side NAME COMMAND... -- NAME COMMAND... [-- …]`: runs the steps at the same time, each
# a step one level down; the first one's output is shown as it comes, the others' when they end.
# Fails when one of them fails. For work that leaves a core idle: single-threaded checks, tests
# that mostly wait.
side_by_side() {
  local -a pids=() outs=() args=()
  local status=0 i
  while (($# > 0)); do
    args=()
    while (($# > 0)) && [[ $1 != -- ]]; do args+=("$1") && shift; done
    (($# > 0)) && shift
    if ((${#pids[@]} == 0)); then
      outs+=("")
      (FLEETDECK_STEPS_DEPTH=$((FLEETDECK_STEPS_DEPTH + 1)) step "${args[@]}") &
    else
      outs+=("$(mktemp)")
      (FLEETDECK_STEPS_DEPTH=$((FLEETDECK_STEPS_DEPTH + 1)) step "${args[@]}") >"${outs[-1]}" 2>&1 &
    fi
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || status=1
    [[ -z ${outs[$i]} ]] || { cat "${outs[$i]}" && rm -f "${outs[$i]}"; }
  done
  return "$status"
}

at_exit() { _steps_exit+=("$(printf '%q ' "$@")"); }

_steps_on_exit() {
  local status=$? cleanup
  for cleanup in "${_steps_exit[@]}"; do eval "step $cleanup" || true; done
  [[ $FLEETDECK_STEPS_DEPTH -eq 0 ]] && _steps_summary "$status"
  exit "$status"
}

_steps_summary() {
  local status=$1
  # CPU: of the step's own processes (not of daemons they start: the cluster, PostgreSQL), to
  # compare runs on a machine that others keep busy.
  printf '\n=== steps (%s) ===\n%-52s %10s %10s\n' "$FLEETDECK_STEPS_FILE" "step" "wall" "CPU"
  awk -F'\t' '
    $1 == "start" { order[++n] = $2; depth[$2] = $3; name[$2] = $4 }
    $1 == "end" { result[$2] = $3; seconds[$2] = $4; cpu[$2] = $5 }
    END {
      for (i = 1; i <= n; i++) {
        id = order[i]; indent = depth[id] * 2
        printf "%*s%-*s %8s s %8s s  %s\n", indent, "", 52 - indent, name[id],
          (id in seconds ? seconds[id] : "-"), (id in cpu ? cpu[id] : "-"),
          (id in result ? result[id] : "did not end")
      }
    }' "$FLEETDECK_STEPS_FILE"
  _steps_cpu_ms
  printf '%-52s %8s s %8s s  %s\n' "total" "$(_steps_seconds $(($(_steps_now) - _steps_started)))" \
    "$(_steps_seconds $((_steps_cpu * 1000)))" "$([[ $status -eq 0 ]] && echo ok || echo "FAILED ($status)")"
  compgen -G "$FLEETDECK_DURATIONS/*.json" >/dev/null || return 0
  printf 'per-file durations: %s/*.json\n' "$FLEETDECK_DURATIONS"
  # Every test of the run's test runs, counted from those files.
  node -e '
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const file of process.argv.slice(1))
      for (const f of JSON.parse(require("fs").readFileSync(file, "utf8")).files)
        for (const t of f.tests)
          counts[t.state === "passed" ? "passed" : ["skipped", "pending", "todo"].includes(t.state) ? "skipped" : "failed"]++;
    console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  ' "$FLEETDECK_DURATIONS"/*.json
}
