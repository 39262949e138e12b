# shellcheck shell=bash
# Sourceable helpers to run the real OpenClaw gateway in a throwaway state dir
# (used by the OpenClaw fault matrix, the fixture capture and bench/openclaw_*.sh;
# the Rust integration tests mirror them). Every gateway runs on loopback, in
# its own state dir, with HOME and TMPDIR inside it, and is stopped by its pid.
#
#   source tests/openclaw/lib.sh
#   oc_setup                               # install (idempotent) + PATH + quiet env
#   oc_state  DIR [PORT] [AUTH] [EXTRA]    # fresh state dir + DIR/openclaw.json
#   oc_start  DIR [ARGS…]                  # `openclaw gateway run` detached
#   oc_wait_ready DIR PORT [SECONDS]       # /readyz 200, or fail (gateway exited / deadline)
#   oc_stop   DIR [SECONDS]                # SIGTERM the recorded pid, wait; prints exit code
#   oc_env    DIR                          # prints the env assignments used for DIR
#
# Files in DIR: openclaw.json (config, mode 0600), logs/openclaw.log (tslog
# JSON file log), home/ (HOME), ostmp/ (TMPDIR; not tmp/, which is OpenClaw's
# own lock dir $STATE/tmp/openclaw-<uid>). Harness files, in $OC_RUNDIR when
# set (for a state dir that is full or read-only), else in DIR: gateway.out
# (console, stdout+stderr), gateway.harness-pid (pid of the gateway process
# itself; NOT an OpenClaw file), gateway.exit (its exit code once it ended).
# Paths must not contain spaces (oc_env's words are split).
# Writing openclaw.json directly is deliberate: `openclaw config set` costs
# 4.5-12 s per call.

OC_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export OPENCLAW_NO_AUTO_UPDATE=1 DO_NOT_TRACK=1 OPENCLAW_DISABLE_BONJOUR=1

oc_run_dir() { echo "${OC_RUNDIR:-$1}"; }

oc_setup() {
    local cache=${CLAWDOC_OPENCLAW_CACHE:-$HOME/.cache/clawdoc-openclaw}
    "$OC_LIB_DIR/install.sh" >/dev/null || return
    # shellcheck disable=SC1091
    source "$cache/env.sh"
}

# oc_state DIR [PORT=18789] [AUTH=token|none|runtime] [EXTRA]
# AUTH token writes gateway.auth {mode: token, token: $OC_TOKEN}; none writes
# {mode: none}; runtime writes no gateway.auth (the gateway then makes a
# runtime-only token at each start). EXTRA is spliced verbatim as top-level
# JSON5 members (e.g. 'agents: {…},').
OC_TOKEN=${OC_TOKEN:-0123456789abcdef0123456789abcdef0123456789abcdef}
oc_state() {
    local dir=$1 port=${2:-18789} auth=${3:-token} extra=${4:-} authline
    [[ $dir == /?*/?* ]] || { echo "oc_state: refusing state dir '$dir' (absolute, 2+ levels)" >&2; return 2; }
    rm -rf "$dir" && mkdir -p "$dir/logs" "$dir/home" "$dir/ostmp" || return
    case $auth in
    token) authline="auth: { mode: \"token\", token: \"$OC_TOKEN\" }," ;;
    none) authline='auth: { mode: "none" },' ;;
    runtime) authline='' ;;
    *) echo "oc_state: unknown AUTH '$auth'" >&2; return 2 ;;
    esac
    # models.catalogRefresh is newer than some releases (2026.5.28 rejects
    # the key: "models: Invalid input"); OC_MODELS_LINE='' leaves it out.
    local modelsline=${OC_MODELS_LINE-'models: { catalogRefresh: { enabled: false } },'}
    (umask 077 && cat >"$dir/openclaw.json" <<EOT
// clawdoc test gateway: quiet, loopback only
{
  gateway: {
    mode: "local",
    port: $port,
    bind: "loopback",
    $authline
  },
  logging: { file: "$dir/logs/openclaw.log" },
  $modelsline
  update: { checkOnStart: false },
  $extra
}
EOT
)
}

# The environment a gateway/CLI for DIR runs with (one assignment a line),
# plus the words of $OC_EXTRA_ENV (e.g. OC_EXTRA_ENV="OPENCLAW_GATEWAY_PORT=127.0.0.1:18801").
oc_env() {
    local dir=$1
    printf '%s\n' "HOME=$dir/home" "TMPDIR=$dir/ostmp" "OPENCLAW_STATE_DIR=$dir" \
        "OPENCLAW_CONFIG_PATH=$dir/openclaw.json" "NO_COLOR=1" ${OC_EXTRA_ENV:-}
}

# Runs an openclaw CLI command against DIR: oc_cli DIR ARGS…
oc_cli() {
    local dir=$1 envs
    shift
    mapfile -t envs < <(oc_env "$dir")
    env "${envs[@]}" openclaw "$@"
}

# oc_start DIR [ARGS…]: `openclaw gateway run ARGS…` detached (own session),
# console to RUN/gateway.out; the gateway's pid goes to RUN/gateway.harness-pid
# and, when it ends, its exit code to RUN/gateway.exit (RUN: oc_run_dir DIR).
oc_start() {
    local dir=$1 run i envs
    shift
    mapfile -t envs < <(oc_env "$dir")
    run=$(oc_run_dir "$dir")
    mkdir -p "$run"
    rm -f "$run/gateway.exit" "$run/gateway.harness-pid"
    mkdir -p "$dir/home" "$dir/ostmp" 2>/dev/null
    # The subshell records the gateway's own pid ($!) and waits for its exit
    # code; the gateway is the one signalled, never the subshell.
    setsid bash -c '
        run=$1 n=$2; shift 2
        env "${@:1:n}" openclaw gateway run "${@:n+1}" >"$run/gateway.out" 2>&1 </dev/null &
        echo $! >"$run/gateway.harness-pid"
        wait $!
        echo $? >"$run/gateway.exit"
    ' oc-start "$run" "${#envs[@]}" "${envs[@]}" "$@" >/dev/null 2>&1 </dev/null &
    for ((i = 0; i < 100; i++)); do
        [[ -s $run/gateway.harness-pid ]] && { cat "$run/gateway.harness-pid"; return 0; }
        sleep 0.02
    done
    echo "oc_start: no pid recorded in $run" >&2
    return 1
}

# HTTP status and body of GET http://127.0.0.1:PORT/PATH: prints "CODE BODY".
oc_http() {
    local port=$1 path=$2
    curl -s -m 3 -w '\n%{http_code}' "http://127.0.0.1:$port$path" 2>/dev/null |
        awk '{ lines[NR] = $0 } END { body = ""; for (i = 1; i < NR; i++) body = body lines[i]; print lines[NR] " " body }'
}

# oc_wait_ready DIR PORT [SECONDS=60]: waits for GET /readyz 200. Fails (1) if
# the gateway exits first (its exit code is in DIR/gateway.exit) or at the
# deadline. Prints the seconds it took.
oc_wait_ready() {
    local dir=$1 port=$2 secs=${3:-60} start now
    start=$(date +%s.%N)
    while :; do
        [[ $(oc_http "$port" /readyz) == 200* ]] && break
        if [[ -e $(oc_run_dir "$dir")/gateway.exit ]]; then
            echo "oc_wait_ready: gateway exited with $(cat "$(oc_run_dir "$dir")/gateway.exit")" >&2
            return 1
        fi
        now=$(date +%s.%N)
        if awk -v a="$start" -v b="$now" -v s="$secs" 'BEGIN { exit !(b - a > s) }'; then
            echo "oc_wait_ready: not ready after ${secs}s" >&2
            return 1
        fi
        sleep 0.1
    done
    now=$(date +%s.%N)
    awk -v a="$start" -v b="$now" 'BEGIN { printf "%.2f\n", b - a }'
}

# oc_wait_exit DIR [SECONDS=60]: waits until the gateway has ended; prints its exit code.
oc_wait_exit() {
    local dir=$1 secs=${2:-60} i
    for ((i = 0; i < secs * 10; i++)); do
        [[ -s $(oc_run_dir "$dir")/gateway.exit ]] && { cat "$(oc_run_dir "$dir")/gateway.exit"; return 0; }
        sleep 0.1
    done
    echo "oc_wait_exit: still running after ${secs}s" >&2
    return 1
}

# oc_stop DIR [SECONDS=30]: SIGTERM the recorded gateway pid (only if it is
# still an openclaw process), wait for it to end, SIGKILL at the deadline.
# Prints the exit code.
oc_stop() {
    local dir=$1 secs=${2:-30} pid
    pid=$(cat "$(oc_run_dir "$dir")/gateway.harness-pid" 2>/dev/null) || { echo "oc_stop: no pid in $dir" >&2; return 1; }
    if [[ ! -s $(oc_run_dir "$dir")/gateway.exit ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q openclaw; then
        kill -TERM "$pid" 2>/dev/null
        if ! oc_wait_exit "$dir" "$secs" >/dev/null; then
            kill -KILL "$pid" 2>/dev/null
            oc_wait_exit "$dir" 10 >/dev/null
        fi
    fi
    oc_wait_exit "$dir" 10
}
