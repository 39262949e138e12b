#!/usr/bin/env bash
# Runs one case of the OpenClaw fault matrix against the real gateway and
# stores what it shows in fixtures/openclaw/<case>/ (console, tslog file log,
# lock files, HTTP answers, exit code), with the machine's scratch paths
# replaced by placeholders ({STATE}, {OPENCLAW_CACHE}, {TMP}) so unit tests do
# not depend on them (fixtures/openclaw/README.md lists them).
#
# Usage: tests/openclaw/capture.sh CASE…   (cases: see the `case` list at the end)
# Env:   OC_SCRATCH (default /tmp/clawdoc-oc-scratch) holds one state dir per case.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/tests/openclaw/lib.sh"
oc_setup
SCRATCH=${OC_SCRATCH:-/tmp/clawdoc-oc-scratch}
CACHE=${CLAWDOC_OPENCLAW_CACHE:-$HOME/.cache/clawdoc-openclaw}
PORT=18789

# sanitize FILE…: scratch paths -> placeholders, in place.
sanitize() {
    sed -i -e "s|$S|{STATE}|g" -e "s|$CACHE|{OPENCLAW_CACHE}|g" -e "s|$SCRATCH|{SCRATCH}|g" "$@"
}
# keep NAME SRC: copy SRC into the fixture as NAME (sanitized), if it exists.
keep() {
    local name=$1 src=$2
    [[ -e $src ]] || return 0
    mkdir -p "$(dirname "$F/$name")"
    cp "$src" "$F/$name"
    sanitize "$F/$name"
}
# Console with one line per distinct message kind kept when it is huge.
keep_log() {
    local name=$1 src=$2 max=${3:-400}
    [[ -e $src ]] || return 0
    if (($(wc -l <"$src") > max)); then
        { head -n $((max / 2)) "$src"; echo "… [$(($(wc -l <"$src") - max)) lines trimmed by capture.sh] …"; tail -n $((max / 2)) "$src"; } >"$F/$name"
    else
        cp "$src" "$F/$name"
    fi
    sanitize "$F/$name"
}
# http NAME: appends "GET PATH -> CODE BODY" for /healthz /health /readyz to $F/NAME.
http() {
    local name=$1 p port=${2:-$PORT}
    for p in /healthz /health /readyz; do
        echo "GET $p -> $(oc_http "$port" "$p")"
    done | sed 's/-> 000 $/-> 000 (no answer: connection refused)/' >>"$F/$name"
}
# The lock files of the state dir and /tmp/openclaw-state-locks-<uid> (names, sizes, JSON ones verbatim).
locks() {
    local name=${1:-locks.txt} f
    {
        for f in "$S"/tmp/openclaw-*/* /tmp/openclaw-state-locks-"$(id -u)"/*; do
            [[ -e $f ]] || continue
            echo "== $f ($(stat -c %s "$f") bytes)"
            [[ $f == *.lock ]] && { cat "$f"; echo; }
        done
        for f in "$S"/agents/*/sessions/*.lock; do
            [[ -e $f ]] && { echo "== $f ($(stat -c %s "$f") bytes)"; cat "$f"; echo; }
        done
    } >>"$F/$name"
    sanitize "$F/$name"
}
# cli NAME ARGS…: runs `openclaw ARGS…` for $S, records command, rc, seconds, output.
cli() {
    local name=$1 t0 t1 rc
    shift
    t0=$(date +%s.%N)
    oc_cli "$S" "$@" >"$S/cli.out" 2>&1 </dev/null
    rc=$?
    t1=$(date +%s.%N)
    {
        echo "\$ openclaw $*"
        echo "# exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
        cat "$S/cli.out"
        echo
    } >>"$F/$name"
    sanitize "$F/$name"
    return $rc
}
# begin CASE [AUTH] [EXTRA]: fresh state dir and fixture dir.
begin() {
    C=$1
    S=$SCRATCH/$C
    F=$ROOT/fixtures/openclaw/$C
    rm -rf "$F" && mkdir -p "$F"
    oc_state "$S" "$PORT" "${2:-token}" "${3:-}"
    echo "== $C ($(date +%T))" >&2
}
# command_txt ARGS…: the exact gateway command and env, into command.txt.
command_txt() {
    { oc_env "$S" | sed 's/^/export /'; echo "openclaw gateway run $*"; } >"$F/command.txt"
    sanitize "$F/command.txt"
}
# run_to_exit ARGS…: starts the gateway, waits for it to exit (it is expected to).
run_to_exit() {
    local t0 rc
    command_txt "$@"
    t0=$(date +%s)
    oc_start "$S" "$@" >/dev/null
    if ! rc=$(oc_wait_exit "$S" 90); then
        http http.txt
        rc=$(oc_stop "$S")
        echo "did not exit by itself within 90 s; stopped: $rc" >>"$F/notes.txt"
    fi
    echo "$rc" >"$F/exit-code"
    echo "$(($(date +%s) - t0)) s from launch to exit" >>"$F/notes.txt"
}
finish() {
    keep openclaw.json "$S/openclaw.json"
    keep_log console.txt "$S/gateway.out"
    keep_log file-log.jsonl "$S/logs/openclaw.log"
    ls "$S/logs" >"$F/logs-dir.txt" 2>/dev/null
    [[ -e $S/logs/gateway-restart.log ]] && keep_log gateway-restart.log "$S/logs/gateway-restart.log"
    [[ -d $S/logs/stability ]] && for f in "$S"/logs/stability/*; do keep "stability/$(basename "$f")" "$f"; done
    true
}

# The default/fallback file log (/tmp/openclaw/openclaw-YYYY-MM-DD.log, or under
# $TMPDIR): the lines written since $T0 (ISO time), into fallback-log.jsonl.
fallback_log() {
    local f
    for f in "$S"/ostmp/openclaw*/openclaw-*.log /tmp/openclaw*/openclaw-*.log; do
        [[ -e $f ]] || continue
        echo "$f" | sed "s|$S|{STATE}|" >>"$F/fallback-log-path.txt"
        python3 - "$f" "$T0" >>"$F/fallback-log.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        if json.loads(line).get("time", "") >= sys.argv[2]:
            print(line, end="")
    except ValueError:
        pass
PY
    done
    if [[ -s $F/fallback-log.jsonl ]]; then
        sanitize "$F/fallback-log.jsonl"
    else
        rm -f "$F/fallback-log.jsonl" "$F/fallback-log-path.txt"
    fi
}
now_iso() { date -u +%Y-%m-%dT%H:%M:%S.%3N; }

case_no_config() {
    begin no-config
    rm "$S/openclaw.json"
    T0=$(now_iso)
    run_to_exit
    finish
    fallback_log
}
case_mode_unset() {
    begin mode-unset
    sed -i '/mode: "local",/d' "$S/openclaw.json"
    T0=$(now_iso)
    run_to_exit
    finish
    fallback_log
}
case_json5_error() {
    begin json5-error
    # A missing comma between two members: a JSON5 syntax error at a known line:col.
    sed -i 's/port: 18789,/port: 18789/' "$S/openclaw.json"
    T0=$(now_iso)
    run_to_exit
    cli config-validate.txt config validate
    finish
    fallback_log
}
case_unknown_key() {
    begin unknown-key token '  foo: 1,'
    T0=$(now_iso)
    run_to_exit
    cli config-validate.txt config validate
    finish
    fallback_log
}

# ------------------------------------------------------------------ dispatch
(($#)) || { echo "usage: $0 CASE… ($(declare -F | sed -n 's/^declare -f case_//p' | tr _ - | tr '\n' ' '))" >&2; exit 2; }
for c in "$@"; do
    declare -F "case_${c//-/_}" >/dev/null || { echo "unknown case: $c" >&2; exit 2; }
    "case_${c//-/_}"
done
