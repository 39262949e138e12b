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
# Env:   RUNS (default 5; each openclaw doctor run takes ~10 s), OC_PORT (18789),
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
# PLACEHOLDER: the clawdoc command to time against the real gateway. It needs
# the OpenClaw target of issue 8 (`--target openclaw`); until that lands the
# check below fails clearly instead of timing something else.
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

CMDS=(-n "openclaw doctor --non-interactive" "$OC_DOCTOR_CMD")
[[ -z ${BASELINE_ONLY:-} ]] && CMDS+=(-n "clawdoc doctor --target openclaw" "env $ENVS $CLAWDOC_DOCTOR_CMD")
echo "load before timing: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
hyperfine -N "${IGNORE[@]}" --runs "$RUNS" --style basic --export-markdown "$STATE/result.md" \
    --export-json "$STATE/result.json" "${CMDS[@]}" </dev/null
cat "$STATE/result.md"
python3 - "$STATE/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median']:.3f} s  {r['command']!s:.60}  runs: " + " ".join(f"{t:.2f}" for t in r["times"]))
PY
[[ $(oc_http "$PORT" /readyz) == 200* ]] && echo "gateway still ready after the runs" >&2 || {
    echo "error: the gateway is not ready after the doctor runs" >&2
    exit 1
}
