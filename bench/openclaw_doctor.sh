#!/usr/bin/env bash
# Benchmarks a doctor run on a healthy *real* OpenClaw gateway (issue 8 §7):
# `openclaw doctor --non-interactive` (the baseline, whole process) against
# `clawdoc doctor --target openclaw` (target: <= 50 ms median), side by side
# with hyperfine, on one gateway started for the bench in a throwaway state
# dir on loopback (tests/openclaw/lib.sh), stopped by its pid at the end.
#
# Usage: bench/openclaw_doctor.sh                 both sides (fails with exit 3
#                                                 while the clawdoc OpenClaw target is missing)
#        BASELINE_ONLY=1 bench/openclaw_doctor.sh only `openclaw doctor`
# Env:   RUNS (default 5; each openclaw doctor run takes ~10 s), CLAWDOC_RUNS
#        (default 50; clawdoc's side, after 3 warmup runs), OC_PORT (18789),
#        CLAWDOC_BIN (bench that binary, no build), CLAWDOC_OPENCLAW_CACHE.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
PORT=${OC_PORT:-18789}

. bench/lib.sh
require hyperfine=hyperfine curl=curl
. tests/openclaw/lib.sh
oc_setup

# ---------------------------------------------------------------- clawdoc side
# `clawdoc doctor --target openclaw`: reads the config, lock files, /proc and
# the two health endpoints; never runs the openclaw CLI. A binary without
# the OpenClaw target fails the check below instead of timing something else.
if [[ -z ${BASELINE_ONLY:-} ]]; then
    if [[ -z ${CLAWDOC_BIN:-} ]]; then
        cargo build --release --quiet
        CLAWDOC_BIN=$ROOT/target/release/clawdoc
    fi
    CLAWDOC_DOCTOR_CMD="$CLAWDOC_BIN doctor --target openclaw"
    if ! "$CLAWDOC_BIN" --help 2>&1 | grep -q -- '--target' ||
        ! "$CLAWDOC_BIN" doctor --target openclaw --help >/dev/null 2>&1; then
        echo "error: clawdoc has no OpenClaw target yet ('$CLAWDOC_DOCTOR_CMD' is not accepted)." >&2
        echo "       Run BASELINE_ONLY=1 $0 for the openclaw doctor baseline alone." >&2
        exit 3
    fi
fi

STATE=$(mktemp -d "${TMPDIR:-/tmp}/clawdoc-oc-bench.XXXXXX")
cleanup() {
    [[ -s $STATE/gateway.harness-pid ]] && oc_stop "$STATE" >/dev/null 2>&1
    rm -rf "$STATE"
}
trap cleanup EXIT

oc_state "$STATE" "$PORT" token
oc_start "$STATE" >/dev/null
echo "openclaw gateway on 127.0.0.1:$PORT: /readyz 200 after $(oc_wait_ready "$STATE" "$PORT" 180) s" >&2

# The env every command runs with (the bench state dir, quiet).
ENVS=$(oc_env "$STATE" | tr '\n' ' ')
OC_DOCTOR_CMD="env $ENVS openclaw doctor --non-interactive"

# One run outside the timing: its exit code (hyperfine -i if it is not 0) and
# a check that the gateway is still ready afterwards.
set +e
$OC_DOCTOR_CMD >"$STATE/doctor.out" 2>&1 </dev/null
rc=$?
set -e
echo "openclaw doctor --non-interactive: exit $rc (output: $(wc -l <"$STATE/doctor.out") lines)" >&2
IGNORE=()
((rc == 0)) || IGNORE=(-i)

echo "load before timing: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
# Two hyperfine runs: a few of openclaw's ~10 s doctor, many of clawdoc's.
hyperfine -N "${IGNORE[@]}" --runs "$RUNS" --style basic --export-markdown "$STATE/bench-openclaw.md" \
    --export-json "$STATE/bench-openclaw.json" -n "openclaw doctor --non-interactive" "$OC_DOCTOR_CMD" </dev/null
JSONS=("$STATE/bench-openclaw.json")
if [[ -z ${BASELINE_ONLY:-} ]]; then
    # It must say healthy (exit 0) on this gateway, or the timing means nothing.
    env $ENVS $CLAWDOC_DOCTOR_CMD >"$STATE/clawdoc.out" 2>&1 </dev/null || {
        echo "error: clawdoc doctor --target openclaw is not healthy on the bench gateway:" >&2
        cat "$STATE/clawdoc.out" >&2
        exit 1
    }
    hyperfine -N --warmup 3 --runs "${CLAWDOC_RUNS:-50}" --style basic \
        --export-markdown "$STATE/bench-clawdoc.md" --export-json "$STATE/bench-clawdoc.json" \
        -n "clawdoc doctor --target openclaw" "env $ENVS $CLAWDOC_DOCTOR_CMD" </dev/null
    JSONS+=("$STATE/bench-clawdoc.json")
fi
echo "load after timing: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "${JSONS[@]}" <<'PY'
import json, sys
medians = {}
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        medians[r["command"]] = r["median"]
        times = sorted(r["times"])
        print(f"median {r['median'] * 1000:9.1f} ms  min {times[0] * 1000:9.1f} ms  max {times[-1] * 1000:9.1f} ms  "
              f"({len(times)} runs)  {r['command']}")
oc = medians.get("openclaw doctor --non-interactive")
cd = medians.get("clawdoc doctor --target openclaw")
if oc and cd:
    print(f"ratio: openclaw doctor / clawdoc doctor = {oc / cd:.0f}x; clawdoc median {cd * 1000:.1f} ms "
          f"({'within' if cd <= 0.050 else 'over'} the 50 ms goal)")
PY
[[ $(oc_http "$PORT" /readyz) == 200* ]] && echo "gateway still ready after the runs" >&2 || {
    echo "error: the gateway is not ready after the doctor runs" >&2
    exit 1
}
