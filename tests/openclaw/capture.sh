#!/usr/bin/env bash
# Runs one case of the OpenClaw fault matrix against the real gateway and
# stores what it shows in fixtures/openclaw/<case>/ (console, tslog file log,
# lock files, HTTP answers, exit code), with the machine's scratch paths
# replaced by placeholders ({STATE}, {OPENCLAW_CACHE}, {TMP}) so unit tests do
# not depend on them (fixtures/openclaw/README.md lists them).
#
# Usage: tests/openclaw/capture.sh CASE…   (cases: see the `case` list at the end)
# Env:   OC_SCRATCH (default /tmp/clawdoc-oc-scratch) holds one state dir per case.
#        OC_FIXTURES (default fixtures/openclaw) is where the cases go (another
#        release's matrix: OPENCLAW_VERSION=… CLAWDOC_OPENCLAW_CACHE=…
#        OC_MODELS_LINE='' OC_FIXTURES=fixtures/openclaw/release-<v>).
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
    [[ -s $src ]] || return 0
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
    local name=${1:-locks.txt} f hash
    # The state-lock dir is shared by every state dir: keep this one's, named
    # by sha256(realpath $STATE/state/openclaw.sqlite)[:8].
    hash=$(printf '%s' "$(realpath -m "$S/state/openclaw.sqlite")" | sha256sum | cut -c1-8)
    {
        for f in "$S"/tmp/openclaw-*/* /tmp/openclaw-state-locks-"$(id -u)"/*."$hash".lock.sqlite; do
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
    oc_cli "$S" "$@" >"$(oc_run_dir "$S")/cli.out" 2>&1 </dev/null
    rc=$?
    t1=$(date +%s.%N)
    {
        echo "\$ openclaw $*"
        echo "# exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
        cat "$(oc_run_dir "$S")/cli.out"
        echo
    } >>"$F/$name"
    sanitize "$F/$name"
    return $rc
}
# begin CASE [AUTH] [EXTRA]: fresh state dir and fixture dir.
begin() {
    C=$1
    S=$SCRATCH/$C
    F=${OC_FIXTURES:-$ROOT/fixtures/openclaw}/$C
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
# shellcheck disable=SC2120 # ARGS are optional
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
    keep_log console.txt "$(oc_run_dir "$S")/gateway.out"
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
        python3 - "$f" "$T0" >"$S/fallback.part" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        if json.loads(line).get("time", "") >= sys.argv[2]:
            print(line, end="")
    except ValueError:
        pass
PY
        [[ -s $S/fallback.part ]] || continue
        echo "$f" | sed "s|$S|{STATE}|" >>"$F/fallback-log-path.txt"
        cat "$S/fallback.part" >>"$F/fallback-log.jsonl"
    done
    rm -f "$S/fallback.part"
    [[ -s $F/fallback-log.jsonl ]] && sanitize "$F/fallback-log.jsonl"
    true
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

# startup_http: polls /healthz and /readyz every 0.1 s from launch until
# /readyz answers 200 (or 150 s), writing each change of answer with the
# seconds since launch to $F/http-startup.txt. Prints the seconds to ready.
startup_http() {
    local t0=$1 last="" cur h r el
    while :; do
        h=$(oc_http "$PORT" /healthz)
        r=$(oc_http "$PORT" /readyz)
        el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        # uptimeMs/eventLoop numbers change on every call: compare without them.
        cur="healthz=$h | readyz=$(echo "$r" | sed -E 's/"(uptimeMs|eventLoop)":[^,}]*(\{[^}]*\})?,?//g')"
        [[ $cur != "$last" ]] && echo "+${el}s GET /healthz -> $h ; GET /readyz -> $r" >>"$F/http-startup.txt"
        last=$cur
        [[ $r == 200* ]] && { echo "$el"; return 0; }
        [[ -e $(oc_run_dir "$S")/gateway.exit ]] && { echo "gateway exited: $(cat "$(oc_run_dir "$S")/gateway.exit")" >&2; return 1; }
        awk -v e="$el" 'BEGIN { exit !(e > 150) }' && { echo "not ready after 150 s" >&2; return 1; }
        sleep 0.1
    done
}
# proc_tree PID DEST: a small fake /proc of PID and its children (stat,
# cmdline, comm, status, fd/N -> socket:[INODE] links for its sockets, also
# listed in fd-sockets.txt) plus net/tcp{,6} with the header and PID's
# listening sockets, in the format of fixtures/proc/ (src/probe/testutil.rs).
proc_tree() {
    local pid=$1 dest=$2 p fd link inodes=() f
    rm -rf "$dest" && mkdir -p "$dest/net"
    for p in "$pid" $(pgrep -P "$pid"); do
        mkdir -p "$dest/$p/fd"
        for f in stat cmdline comm status; do cp "/proc/$p/$f" "$dest/$p/$f"; done
        for fd in /proc/$p/fd/*; do
            link=$(readlink "$fd") || continue
            [[ $link == socket:* ]] || continue
            ln -s "$link" "$dest/$p/fd/${fd##*/}"
            echo "$p fd ${fd##*/} -> $link" >>"$dest/fd-sockets.txt"
            [[ $p == "$pid" ]] && inodes+=("${link//[^0-9]/}")
        done
    done
    for f in tcp tcp6; do
        head -1 "/proc/net/$f" >"$dest/net/$f"
        awk -v list=" ${inodes[*]} " '$4 == "0A" && index(list, " " $10 " ")' "/proc/net/$f" >>"$dest/net/$f"
    done
    sed -i -e "s|$CACHE|{OPENCLAW_CACHE}|g" -e "s|$S|{STATE}|g" "$dest"/*/cmdline
}

case_healthy_run() {
    local t0 pid pid2 secs
    begin healthy-run
    local G=$ROOT/fixtures/openclaw/gateway-down
    rm -rf "$G" && mkdir -p "$G"
    command_txt
    t0=$(date +%s.%N)
    pid=$(oc_start "$S")
    secs=$(startup_http "$t0") || { finish; return 1; }
    echo "launch to /readyz 200: $secs s" >>"$F/notes.txt"
    sanitize "$F/http-startup.txt"
    http http.txt
    locks locks.txt
    ps -o pid,ppid,pgid,sid,rss,stat,comm,args -p "$pid" --ppid "$pid" | sed "s|$CACHE|{OPENCLAW_CACHE}|g" >"$F/processes.txt"
    ss -ltnp | grep ":$PORT " >"$F/listeners.txt"
    proc_tree "$pid" "$ROOT/fixtures/proc/openclaw"
    echo "gateway pid $pid (fixtures/proc/openclaw is its /proc)" >>"$F/notes.txt"
    cli cli.txt gateway status
    cli cli.txt health
    cli cli.txt status
    cli cli.txt devices list
    cli cli.txt gateway call health
    cli cli.txt gateway stop
    t0=$(date +%s.%N)
    cli cli.txt gateway restart
    echo "--- after \`openclaw gateway restart\` returned" >>"$F/http-startup.txt"
    secs=$(F=$F startup_http "$t0" 2>&1)
    echo "gateway restart: /readyz 200 again $secs s after the restart command began" >>"$F/notes.txt"
    pid2=$(ss -ltnpH "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -1)
    echo "listener after restart: $pid2 (before: pid=$pid)" >>"$F/notes.txt"
    http http.txt
    locks locks-after-restart.txt
    echo "SIGTERM -> exit $(oc_stop "$S")" >>"$F/notes.txt"
    finish
    # Gateway down: the same state dir after the stop.
    F=$G
    echo "the healthy-run state dir after SIGTERM (gateway.exit $(cat "$(oc_run_dir "$S")/gateway.exit"))" >"$F/notes.txt"
    http http.txt
    locks locks.txt
    cli cli.txt gateway status
    cli cli.txt health
    cli cli.txt status
    pgrep -f "$S" >/dev/null && echo "processes still naming the state dir: $(pgrep -f "$S" | tr '\n' ' ')" >>"$F/notes.txt"
    true
}

case_port_stranger() {
    local spid alive
    begin port-stranger
    mkdir -p "$S/stranger-root"
    (cd "$S/stranger-root" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >"$S/stranger.out" 2>&1) &
    spid=$!
    sleep 1
    echo "stranger: python3 -m http.server $PORT --bind 127.0.0.1 (pid $spid)" >"$F/notes.txt"
    T0=$(now_iso)
    run_to_exit
    alive=$(kill -0 "$spid" 2>/dev/null && echo alive || echo dead)
    echo "stranger after the gateway gave up: $alive" >>"$F/notes.txt"
    ss -ltnp | grep ":$PORT " | sed "s/pid=$spid/pid=STRANGER/" >"$F/listeners.txt"
    http http.txt
    sed -i -E 's/(-> [0-9]+ .{0,160}).*/\1…/' "$F/http.txt"
    locks locks.txt
    kill "$spid"; wait "$spid" 2>/dev/null
    finish
}

# `openclaw gateway auth-token --show` under a terminal (script(1)): it only
# ever reveals a *configured* token, so with a runtime token it refuses.
auth_token_tty() {
    {
        echo "\$ script -qec 'openclaw gateway auth-token --show' /dev/null"
        script -qec "env $(oc_env "$S" | tr '\n' ' ') openclaw gateway auth-token --show" /dev/null </dev/null 2>&1 |
            tr -d '\r' | sed 's/\x1b\[[0-9;?<>]*[a-zA-Z]//g'
        echo "# exit ${PIPESTATUS[0]}"
    } >>"$F/cli-auth-token-tty.txt"
    sanitize "$F/cli-auth-token-tty.txt"
}
case_runtime_token() {
    local secs
    begin runtime-token runtime
    # Also checks port precedence: env host:port beats gateway.port (run 1),
    # --port beats the env (run 2).
    export OC_EXTRA_ENV="OPENCLAW_GATEWAY_PORT=127.0.0.1:18801"
    PORT=18801
    command_txt
    oc_start "$S" >/dev/null
    secs=$(oc_wait_ready "$S" 18801 150) || { finish; unset OC_EXTRA_ENV; return 1; }
    echo "run 1: config port 18789, OPENCLAW_GATEWAY_PORT=127.0.0.1:18801 -> ready on 18801 after $secs s" >>"$F/notes.txt"
    ss -ltnp | grep -E ':(18789|18801|18802) ' >"$F/listeners-run1.txt"
    cli cli.txt gateway auth-token --show
    auth_token_tty
    cli cli.txt health
    echo "SIGTERM run 1 -> exit $(oc_stop "$S")" >>"$F/notes.txt"
    cp "$(oc_run_dir "$S")/gateway.out" "$(oc_run_dir "$S")/gateway-run1.out"
    echo "openclaw gateway run --port 18802   # run 2, same env" >>"$F/command.txt"
    PORT=18802
    oc_start "$S" --port 18802 >/dev/null
    secs=$(oc_wait_ready "$S" 18802 150) || { finish; unset OC_EXTRA_ENV; return 1; }
    echo "run 2: --port 18802 with the same env -> ready on 18802 after $secs s" >>"$F/notes.txt"
    ss -ltnp | grep -E ':(18789|18801|18802) ' >"$F/listeners-run2.txt"
    # A client still holding a token the gateway does not have (the runtime
    # token of run 1 cannot be read back: it is never printed or stored).
    cli cli-wrong-token.txt gateway call health --url ws://127.0.0.1:18802 --token not-the-runtime-token-of-this-run
    cli cli.txt gateway call health --url ws://127.0.0.1:18802
    http http.txt
    locks locks.txt
    echo "SIGTERM run 2 -> exit $(oc_stop "$S")" >>"$F/notes.txt"
    keep_log console-run1.txt "$(oc_run_dir "$S")/gateway-run1.out"
    finish
    mv "$F/console.txt" "$F/console-run2.txt"
    unset OC_EXTRA_ENV
    PORT=18789
}

# oom: a heap too small for the CLI bootstrap (48 MB, dies before the first
# log line); oom-late: one that lets the gateway start logging (OOM_LATE_MB).
case_oom() { oom_case oom 48; }
case_oom_late() { oom_case oom-late "${OOM_LATE_MB:-160}"; }
oom_case() {
    begin "$1"
    export OC_EXTRA_ENV="NODE_OPTIONS=--max-old-space-size=$2"
    T0=$(now_iso)
    run_to_exit
    unset OC_EXTRA_ENV
    locks locks.txt
    finish
    dmesg 2>/dev/null | grep -i 'openclaw\|out of memory' | tail -5 >"$F/dmesg.txt"
    [[ -s $F/dmesg.txt ]] || rm -f "$F/dmesg.txt"
}

# A small tmpfs as the state dir (you must be root). full: filled up after the
# config is written; ro: remounted read-only after the config is written.
tmpfs_state() {
    local how=$1
    mountpoint -q "$S" && umount "$S"
    rm -rf "$S" && mkdir -p "$S"
    mount -t tmpfs -o size=16m,mode=0755 "clawdoc-oc-$C" "$S" || return
    oc_state_in_place
    if [[ $how == full ]]; then
        dd if=/dev/zero of="$S/filler" bs=64k status=none 2>/dev/null
        echo "state dir: tmpfs size=16m, filled (df: $(df -h --output=size,used,avail "$S" | tail -1 | tr -s ' '))" >>"$F/notes.txt"
    else
        mount -o remount,ro "$S"
        echo "state dir: tmpfs remounted read-only ($(findmnt -no OPTIONS "$S"))" >>"$F/notes.txt"
    fi
}
# oc_state without the rm -rf (the state dir is a mount point).
oc_state_in_place() {
    local keep=$S.cfg
    oc_state "$keep" "$PORT" token
    sed "s|$keep|$S|g" "$keep/openclaw.json" >"$S/openclaw.json"
    chmod 600 "$S/openclaw.json"
    mkdir -p "$S/logs" "$S/home" "$S/ostmp"
    rm -rf "$keep"
}
tmpfs_case() {
    local how=$1
    begin "$2"
    export OC_RUNDIR=$SCRATCH/$2.run
    tmpfs_state "$how" || { echo "mount failed (root needed)" >"$F/notes.txt"; return 1; }
    T0=$(now_iso)
    run_to_exit
    http http.txt
    locks locks.txt
    finish
    fallback_log
    [[ $how == ro ]] && mount -o remount,rw "$S"
    umount "$S"
    unset OC_RUNDIR
}
case_state_full() { tmpfs_case full state-full; }
case_state_readonly() { tmpfs_case ro state-readonly; }

# Locks left by a dead gateway: gateway.<sha256(configPath)[:8]>.lock and
# gateway.state.lock naming a pid that has exited, and a legacy session
# write lock agents/main/sessions/<id>.jsonl.lock (generic file-lock payload
# {pid, createdAt, starttime}). Also checks OPENCLAW_GATEWAY_PORT=host:port
# beats gateway.port.
case_dead_locks() {
    local dead hash lockdir secs pid
    begin dead-locks
    sleep 0 & dead=$!
    wait "$dead"
    hash=$(printf '%s' "$S/openclaw.json" | sha256sum | cut -c1-8)
    lockdir=$S/tmp/openclaw-$(id -u)
    mkdir -p "$lockdir" "$S/agents/main/sessions"
    for f in "$lockdir/gateway.$hash.lock" "$lockdir/gateway.state.lock"; do
        cat >"$f" <<EOT
{
  "pid": $dead,
  "ownerId": "00000000-0000-4000-8000-000000000000",
  "createdAt": "2026-11-29T00:00:00.000Z",
  "configPath": "$S/openclaw.json",
  "stateDir": "$S",
  "port": 18789,
  "startTime": 12345
}
EOT
    done
    printf '{"pid":%s,"createdAt":"2026-11-29T00:00:00.000Z","starttime":12345}\n' "$dead" \
        >"$S/agents/main/sessions/0c0ffee0-0000-4000-8000-000000000000.jsonl.lock"
    : >"$S/agents/main/sessions/0c0ffee0-0000-4000-8000-000000000000.jsonl"
    echo "dead owner pid $dead (exited before the gateway started)" >"$F/notes.txt"
    locks locks-before.txt
    export OC_EXTRA_ENV="OPENCLAW_GATEWAY_PORT=127.0.0.1:18801"
    PORT=18801
    command_txt
    pid=$(oc_start "$S")
    secs=$(oc_wait_ready "$S" 18801 150) && echo "ready on 18801 (env host:port beats gateway.port 18789) after $secs s" >>"$F/notes.txt"
    http http.txt
    locks locks-running.txt
    # The lock-dir sqlite files are held with POSIX locks: /proc/locks lines for their inodes.
    for f in "$lockdir"/*.sqlite /tmp/openclaw-state-locks-"$(id -u)"/*; do
        ino=$(stat -c %i "$f")
        grep -E ":$ino " /proc/locks | sed "s|^|$(basename "$f"): |"
    done | sed "s/ $pid / GATEWAY_PID /" >"$F/proc-locks.txt"
    echo "SIGTERM -> exit $(oc_stop "$S")" >>"$F/notes.txt"
    locks locks-after.txt
    unset OC_EXTRA_ENV
    PORT=18789
    finish
    sed -i "s/\b$dead\b/{DEAD_PID}/g" "$F"/locks-*.txt "$F/notes.txt"
}

# CLI-only facts (no gateway): config path and port precedence (incl.
# --profile) as the CLI resolves them, and `openclaw config set` (time, output,
# what it does to a JSON5 file, backups).
case_cli_facts() {
    local h
    begin cli-facts
    h=$S/home
    mkdir -p "$h/.openclaw" "$h/.openclaw-work" "$S/alt"
    facts() { # facts "ENV…" ARGS…: runs openclaw with only PATH/HOME/TMPDIR + ENV
        local envs=$1 out rc t0 t1
        shift
        t0=$(date +%s.%N)
        out=$(env -i PATH="$PATH" HOME="$h" TMPDIR="$S/ostmp" NO_COLOR=1 OPENCLAW_NO_AUTO_UPDATE=1 \
            DO_NOT_TRACK=1 OPENCLAW_DISABLE_BONJOUR=1 $envs openclaw "$@" 2>&1 </dev/null)
        rc=$?
        t1=$(date +%s.%N)
        { echo "\$ ${envs:+$envs }openclaw $*"; echo "# exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
          echo "$out" | grep -E '^(/|~|Config|Gateway: bind|Gateway port|Error|Invalid|Missing)|openclaw\.json' | head -5; echo; } >>"$F/precedence.txt"
    }
    facts "" config file
    facts "OPENCLAW_STATE_DIR=$S/alt" config file
    facts "OPENCLAW_STATE_DIR=$S/alt OPENCLAW_CONFIG_PATH=$S/alt/other.json" config file
    facts "" --profile work config file
    facts "OPENCLAW_PROFILE=work" config file
    facts "OPENCLAW_STATE_DIR=$S/alt" --profile work config file
    # Port as `gateway status` resolves it (config with no gateway.port).
    printf '{ gateway: { mode: "local" } }\n' >"$h/.openclaw/openclaw.json"
    printf '{ gateway: { mode: "local" } }\n' >"$h/.openclaw-work/openclaw.json"
    facts "" gateway status
    facts "OPENCLAW_GATEWAY_PORT=127.0.0.1:18811" gateway status
    facts "OPENCLAW_GATEWAY_PORT=[::1]:18812" gateway status
    facts "OPENCLAW_GATEWAY_PORT=18813" gateway status
    facts "" --profile work gateway status
    sanitize "$F/precedence.txt"
    # `config set gateway.auth.token` on a JSON5 file with a comment.
    oc_state "$S/cs" "$PORT" none
    cp "$S/cs/openclaw.json" "$F/config-set-before.json5"
    local t0 t1 rc
    t0=$(date +%s.%N)
    oc_cli "$S/cs" config set gateway.auth.token clawdoc-test-token-0123456789abcdef >"$S/cs.out" 2>&1 </dev/null
    rc=$?
    t1=$(date +%s.%N)
    { echo "\$ openclaw config set gateway.auth.token clawdoc-test-token-0123456789abcdef"
      echo "# exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"; cat "$S/cs.out"
      echo; echo "# files after:"; (cd "$S/cs" && ls -l openclaw.json* | awk '{print $1, $NF}'); } >"$F/config-set.txt"
    cp "$S/cs/openclaw.json" "$F/config-set-after.json"
    for f in "$F"/config-set*; do sed -i -e "s|$S/cs|{STATE}|g" "$f"; done
    sanitize "$F"/config-set*
}

# `openclaw gateway stop --force` on a foreground gateway (no service
# manager), then SIGKILL if it is still running: exit 137 and what it leaves.
case_stop_force() {
    local pid secs kids k
    begin stop-force
    command_txt
    pid=$(oc_start "$S")
    secs=$(oc_wait_ready "$S" "$PORT" 150) || { finish; return 1; }
    echo "ready after $secs s (pid $pid)" >>"$F/notes.txt"
    kids=$(pgrep -P "$pid" | tr '\n' ' ')
    cli cli.txt gateway stop --force
    sleep 2
    if kill -0 "$pid" 2>/dev/null; then
        echo "still running 2 s after \`gateway stop --force\`: SIGKILL" >>"$F/notes.txt"
        kill -KILL "$pid"
    fi
    echo "exit $(oc_wait_exit "$S" 60)" >>"$F/notes.txt"
    cat "$(oc_run_dir "$S")/gateway.exit" >"$F/exit-code"
    sleep 1
    # The gateway's children: still alive after it was killed? (then stop them, by pid)
    for k in $kids; do
        if kill -0 "$k" 2>/dev/null; then
            ps -o pid,ppid,pgid,stat,comm,args -p "$k" | tail -1 | sed "s|$CACHE|{OPENCLAW_CACHE}|g" >>"$F/leftover-processes.txt"
            [[ $(ps -o stat= -p "$k") == Z* ]] || kill -TERM "$k"
        fi
    done
    echo "children before: $kids; 1 s after the gateway died: $(grep -c . "$F/leftover-processes.txt" 2>/dev/null || echo 0) still in the process table ($(grep -c ' Z' "$F/leftover-processes.txt" 2>/dev/null || echo 0) of them zombies, reaped by init)" >>"$F/notes.txt"
    http http.txt
    locks locks.txt
    finish
}

# A second healthy run, on port 18910 (issue 9 item 2): start; `gateway
# status`, `health`, `status`; a second CLI identity (its own state dir, the
# gateway's token and URL); a NEW device: a node host (`openclaw node run`)
# that the gateway pairs, whose capabilities are approved (`openclaw nodes
# approve`); `gateway restart` (in-process) and a stop + start while the
# node host retries; the second identity again; SIGTERM. Every console, file-log and CLI line is kept
# (no trimming): they are negatives for scan/lookup (tests/integration/healthy.rs).
# The node host's console (node-console.txt) is a client's, kept too.
# Then the status blocks of issue 9 item 3, into status-blocks/: `gateway
# status` with the gateway down, and with a stranger (python http.server)
# holding the port.
case_healthy_run_2() {
    healthy_run healthy-run-2 || return
    status_blocks
}
# The same steps on another release, never tuned on. On 2026.5.28 they do not
# end healthy: the CLI's device is auto-paired with the scopes of its first
# call only, and the node host asks for a role upgrade, so later calls fail
# with `scope upgrade pending approval` / `pairing required: device is asking
# for more scopes than currently approved`, and `devices approve` is denied
# (role-management-requires-admin). A real pairing fault nobody staged:
# fixtures/openclaw/release-2026.5.28-run/. Run it with that release
# installed in its own cache:
#   OPENCLAW_VERSION=2026.5.28 CLAWDOC_OPENCLAW_CACHE=~/.cache/clawdoc-openclaw-2026.5.28 \
#       tests/openclaw/capture.sh release-run
case_release_run() {
    [[ ${CLAWDOC_OPENCLAW_VERSION:-} != 2026.9.6 ]] || { echo "release-run: set OPENCLAW_VERSION to another release (and its own CLAWDOC_OPENCLAW_CACHE)" >&2; return 2; }
    OC_MODELS_LINE='' healthy_run "release-$CLAWDOC_OPENCLAW_VERSION-run"
}
# healthy_run NAME: the steps above, into fixtures/openclaw/NAME.
healthy_run() {
    local t0 secs D req ids npid i
    PORT=${OC_PORT2:-18910}
    begin "$1"
    D=$S-device2
    rm -rf "$D" && mkdir -p "$D/home" "$D/ostmp"
    command_txt
    {
        echo "openclaw $(openclaw --version 2>/dev/null | head -1)"
        echo "node $(node --version)"
        echo "captured $(date -u +%FT%TZ) by tests/openclaw/capture.sh $1, port $PORT"
    } >"$F/versions.txt"
    start_ready 1 || { finish2; PORT=18789; return 1; }
    cli cli.txt gateway status
    cli cli.txt health
    cli cli.txt status
    cli cli.txt devices list
    # A second CLI identity (own state dir, no config) that knows the
    # gateway's URL and token: a shared-token CLI on loopback is let in
    # without pairing.
    dev cli-device2.txt gateway call health --url "ws://127.0.0.1:$PORT" --token "$OC_TOKEN"
    # The new device: a headless node host (`openclaw node run`) with its
    # own identity; the gateway pairs an unknown device (silently on
    # loopback, by default); a pending request is approved.
    env HOME="$D/home" TMPDIR="$D/ostmp" OPENCLAW_STATE_DIR="$D" NO_COLOR=1 OPENCLAW_GATEWAY_TOKEN="$OC_TOKEN" \
        openclaw node run --host 127.0.0.1 --port "$PORT" --display-name clawdoc-device2 >"$D/node.out" 2>&1 </dev/null &
    npid=$!
    echo "new device: openclaw node run (pid $npid, OPENCLAW_STATE_DIR={STATE}-device2)" >>"$F/notes.txt"
    for ((i = 0; i < 20; i++)); do
        oc_cli "$S" devices list --json >"$S/devices.json" 2>/dev/null
        python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
node=any(r.get("clientMode")=="node" or "node" in (r.get("roles") or []) for r in d.get("paired") or [])
sys.exit(0 if (d.get("pending") or node) else 1)' "$S/devices.json" 2>/dev/null && break
        sleep 2
    done
    cp "$S/devices.json" "$F/devices-after-connect.json"
    cli cli.txt devices list
    ids=$(pending_ids pending "$S/devices.json")
    echo "pending device pairing requests after the new device connected: ${ids:-none}" >>"$F/notes.txt"
    for req in $ids; do
        cli cli.txt devices approve "$req"
    done
    # A node's capabilities wait for the operator too (`openclaw nodes approve`).
    ids=$(pending_ids surfaces "$S/devices.json")
    echo "pending node capability approvals: ${ids:-none}" >>"$F/notes.txt"
    for req in $ids; do
        cli cli.txt nodes approve "$req"
    done
    cli cli.txt devices list
    dev cli-device2.txt node status
    # Restart 1: in-process (`openclaw gateway restart` signals SIGUSR2).
    t0=$(date +%s.%N)
    cli cli.txt gateway restart
    echo "--- after \`openclaw gateway restart\` returned" >>"$F/http-startup.txt"
    secs=$(startup_http "$t0" 2>&1)
    echo "gateway restart: /readyz 200 again $secs s after the restart command began" >>"$F/notes.txt"
    # Restart 2: stop + start; the node host retries until the gateway is
    # back. (No `gateway status` while it is down: that is a gateway that is
    # down, status-blocks/ below, not a negative.)
    echo "run 1: SIGTERM -> exit $(oc_stop "$S")" >>"$F/notes.txt"
    cp "$(oc_run_dir "$S")/gateway.out" "$S/gateway-run1.out"
    echo "--- run 2 (stop + start)" >>"$F/http-startup.txt"
    start_ready 2 || { finish2; PORT=18789; return 1; }
    cli cli.txt gateway status
    dev cli-device2.txt gateway call health --url "ws://127.0.0.1:$PORT" --token "$OC_TOKEN"
    sleep 5   # the node host reconnects on its own
    cli cli.txt devices list
    cli cli.txt nodes status
    http http.txt
    if kill -0 "$npid" 2>/dev/null; then
        kill -TERM "$npid"
        for ((i = 0; i < 100; i++)); do kill -0 "$npid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$npid" 2>/dev/null && kill -KILL "$npid"
    fi
    wait "$npid" 2>/dev/null
    echo "node host: SIGTERM -> exit $?" >>"$F/notes.txt"
    cp "$D/node.out" "$S/node.out"
    keep node-console.txt "$S/node.out"
    sed -i -e "s|$D|{STATE}-device2|g" -e "s|$OC_TOKEN|\$OC_TOKEN|g" "$F/node-console.txt"
    echo "run 2: SIGTERM -> exit $(oc_stop "$S")" >>"$F/notes.txt"
    finish2
    PORT=18789
}
# Status blocks of `gateway status`: down, then a stranger on the port
# (after healthy-run-2, whose versions.txt they share).
status_blocks() {
    PORT=${OC_PORT2:-18910}
    F=$ROOT/fixtures/openclaw/status-blocks
    rm -rf "$F" && mkdir -p "$F"
    cli gateway-status-down.txt gateway status
    local spid
    mkdir -p "$S/stranger-root"
    (cd "$S/stranger-root" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >"$S/stranger.out" 2>&1) &
    spid=$!
    sleep 1
    echo "stranger: python3 -m http.server $PORT --bind 127.0.0.1 (pid $spid)" >"$F/notes.txt"
    cli gateway-status-port-busy.txt gateway status
    cli gateway-status-port-busy.txt gateway status --deep
    kill "$spid"; wait "$spid" 2>/dev/null
    sed -i "s/\b$spid\b/STRANGER/g" "$F"/*.txt
    cp "$ROOT/fixtures/openclaw/healthy-run-2/versions.txt" "$F/versions.txt"
    PORT=18789
    true
}
# start_ready N: starts the gateway (run N), waits for /readyz 200 while
# writing its answers to http-startup.txt, notes how long it took.
start_ready() {
    local t0 pid secs
    t0=$(date +%s.%N)
    pid=$(oc_start "$S")
    secs=$(startup_http "$t0") || return 1
    echo "run $1: launch to /readyz 200: $secs s (pid $pid)" >>"$F/notes.txt"
    sanitize "$F/http-startup.txt"
}
# pending_ids pending|surfaces FILE: the request ids in `devices list --json`
# output: pending pairings, or paired nodes' capabilities awaiting approval.
pending_ids() {
    python3 - "$1" "$2" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[2]))
except (OSError, ValueError):
    sys.exit(0)
if sys.argv[1] == "pending":
    ids = [r.get("requestId") or r.get("id") for r in d.get("pending") or []]
else:
    ids = [(r.get("pendingNodeSurface") or {}).get("requestId") for r in d.get("paired") or []]
print("\n".join(i for i in ids if i))
PY
}
# dev NAME ARGS…: `openclaw ARGS…` as the second device (state dir $D).
dev() {
    local name=$1 t0 t1 rc
    shift
    t0=$(date +%s.%N)
    env HOME="$D/home" TMPDIR="$D/ostmp" OPENCLAW_STATE_DIR="$D" NO_COLOR=1 openclaw "$@" >"$D/cli.out" 2>&1 </dev/null
    rc=$?
    t1=$(date +%s.%N)
    {
        echo "\$ openclaw $* (second device: OPENCLAW_STATE_DIR={STATE}-device2)" | sed "s|$OC_TOKEN|\$OC_TOKEN|g"
        echo "# exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
        cat "$D/cli.out"
        echo
    } >>"$F/$name"
    sed -i "s|$D|{STATE}-device2|g" "$F/$name"
    sanitize "$F/$name"
}
# finish with every line kept (no trimming), both runs' console.
finish2() {
    keep openclaw.json "$S/openclaw.json"
    [[ -e $S/gateway-run1.out ]] && keep console-run1.txt "$S/gateway-run1.out"
    keep console.txt "$(oc_run_dir "$S")/gateway.out"
    [[ -e $S/gateway-run1.out ]] && mv "$F/console.txt" "$F/console-run2.txt"
    keep file-log.jsonl "$S/logs/openclaw.log"
    ls "$S/logs" >"$F/logs-dir.txt" 2>/dev/null
    keep gateway-restart.log "$S/logs/gateway-restart.log"
    true
}

# ------------------------------------------------------------------ dispatch
(($#)) || { echo "usage: $0 CASE… ($(declare -F | sed -n 's/^declare -f case_//p' | tr _ - | tr '\n' ' '))" >&2; exit 2; }
for c in "$@"; do
    declare -F "case_${c//-/_}" >/dev/null || { echo "unknown case: $c" >&2; exit 2; }
    "case_${c//-/_}"
done
