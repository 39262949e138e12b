#!/usr/bin/env bash
# Benchmarks the embedded gateway (release build) on this machine:
#   1. launch to the first `/health` 200: `clawdoc gateway run` spawned and
#      polled every 0.5 ms (raw), and `clawdoc gateway start` end to end
#      (spawn, detach, its own readiness poll) through hyperfine;
#   2. `/health` requests per second with wrk (-t2 -c64 -d5s) against the
#      gateway and against nginx returning a fixed 200 on another loopback
#      port, in the same run;
#   3. the gateway's idle RSS (VmRSS), after start and after the wrk load.
# Targets (issue 3): launch median <= 50 ms, req/s >= 0.5 x nginx, idle RSS <= 15 MB.
#
# Usage: bench/gateway.sh            (RUNS=30 DURATION=5s by default)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
DURATION=${DURATION:-5s}

. bench/lib.sh
require wrk=wrk nginx=nginx hyperfine=hyperfine python3=python3
export PATH="$PATH:/usr/sbin"

cargo build --release --quiet
BIN="$PWD/target/release/clawdoc"

TMP=$(mktemp -d)
NGINX_PID=""
cleanup() {
    "$BIN" gateway stop --force >/dev/null 2>&1 || true
    [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

export CLAWDOC_HOME="$TMP/home"
unset CLAWDOC_GATEWAY_PORT CLAWDOC_GATEWAY_MODE CLAWDOC_GATEWAY_TOKEN
PORT=$(free_port)
"$BIN" setup --non-interactive --port "$PORT" >/dev/null

echo "== machine: $(nproc) cores, $(uname -r); clawdoc $("$BIN" --version | cut -d' ' -f2)"

echo "== 1a. launch to first /health 200 (raw: spawn \`gateway run\`, poll every 0.5 ms), $RUNS runs"
python3 - "$BIN" "$PORT" "$RUNS" >"$TMP/launch.out" <<'PY'
import os, socket, statistics, subprocess, sys, time
bin_, port, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
req = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([bin_, "gateway", "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        if p.poll() is not None:
            sys.exit(f"gateway exited with {p.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(req)
                if s.recv(16).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            pass
        time.sleep(0.0005)
    times.append((time.perf_counter() - t0) * 1000)
    p.terminate()
    p.wait()
times.sort()
print(f"   median {statistics.median(times):.1f} ms  min {times[0]:.1f}  p90 {times[int(len(times)*0.9)-1]:.1f}  max {times[-1]:.1f}")
print(f"LAUNCH_MEDIAN_MS={statistics.median(times):.1f}")
PY
grep -v '^LAUNCH_MEDIAN_MS=' "$TMP/launch.out"
LAUNCH_MEDIAN_MS=$(sed -n 's/^LAUNCH_MEDIAN_MS=//p' "$TMP/launch.out")

echo "== 1b. \`clawdoc gateway start\` until ready (detached child, its own poll), $RUNS runs"
hyperfine -N --style basic --runs "$RUNS" --warmup 2 \
    --prepare "$BIN gateway stop" \
    --export-json "$TMP/start.json" \
    "$BIN gateway start" | sed 's/^/   /'
START_MEDIAN_MS=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.1f' % (r['median']*1000))" "$TMP/start.json")
echo "   median $START_MEDIAN_MS ms"

"$BIN" gateway stop >/dev/null 2>&1 || true
"$BIN" gateway start >/dev/null
GW_PID=$(head -1 "$CLAWDOC_HOME/gateway.pid")
sleep 1
RSS_IDLE_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status")

echo "== 2. /health req/s, wrk -t2 -c64 -d$DURATION (gateway vs nginx fixed 200, same run)"
NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            default_type application/json;
            return 200 '{"status":"ok","ready":true}';
        }
    }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 200); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$NGINX_PORT" 2>/dev/null && break
    sleep 0.05
done

rps() { awk '/^Requests\/sec:/ {print $2}'; }
wrk -t2 -c64 -d1s "http://127.0.0.1:$PORT/health" >/dev/null # warm-up
GW_OUT=$(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$PORT/health")
NGINX_OUT=$(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$NGINX_PORT/health")
GW_RPS=$(rps <<<"$GW_OUT")
NGINX_RPS=$(rps <<<"$NGINX_OUT")
GW_ERR=$(grep -E "Non-2xx|Socket errors" <<<"$GW_OUT" || true)
echo "   gateway: $GW_RPS req/s ${GW_ERR:+($GW_ERR)}"
echo "   nginx:   $NGINX_RPS req/s"
RSS_LOADED_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status")

echo "== 3. gateway RSS (VmRSS)"
echo "   idle after start: $((RSS_IDLE_KB / 1024)).$(((RSS_IDLE_KB % 1024) * 10 / 1024)) MB ($RSS_IDLE_KB kB); after the wrk load: $RSS_LOADED_KB kB"

echo "== summary"
python3 - "$LAUNCH_MEDIAN_MS" "$START_MEDIAN_MS" "$GW_RPS" "$NGINX_RPS" "$RSS_IDLE_KB" <<'PY' 2>/dev/null || true
import sys
launch, start, gw, ngx, rss = (float(x) for x in sys.argv[1:])
print(f"   launch->/health 200 median {launch:.1f} ms (target <= 50): {'ok' if launch <= 50 else 'MISSED'}")
print(f"   gateway start (CLI) median {start:.1f} ms")
print(f"   /health req/s gateway/nginx = {gw:.0f}/{ngx:.0f} = {gw/ngx:.2f} (target >= 0.50): {'ok' if gw/ngx >= 0.5 else 'MISSED'}")
print(f"   idle RSS {rss/1024:.1f} MB (target <= 15): {'ok' if rss/1024 <= 15 else 'MISSED'}")
PY
