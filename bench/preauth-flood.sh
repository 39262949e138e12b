#!/usr/bin/env bash
# Pre-auth flood against the embedded gateway (issue 11, item 3): N WebSocket
# upgrades that never send a connect frame, all held open by one client.
# Reports the gateway's RSS (VmRSS) and fds before, during (and the peak,
# VmHWM) and 3 s after the flood is released, the /health latency while it
# is held, and whether a paired CLI (`clawdoc send`) still gets through.
#
# Usage: bench/preauth-flood.sh              (N=10000 by default)
#        BIN=/path/to/other/clawdoc bench/preauth-flood.sh   (a baseline)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}

. bench/lib.sh
require python3=python3

if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
    BIN="$PWD/target/release/clawdoc"
fi

TMP=$(mktemp -d)
GW_PID=""
cleanup() {
    [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

export CLAWDOC_HOME="$TMP/home"
unset CLAWDOC_GATEWAY_PORT CLAWDOC_GATEWAY_MODE CLAWDOC_GATEWAY_TOKEN
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" setup --non-interactive --port "$PORT" >/dev/null
"$BIN" gateway run >/dev/null 2>&1 &
GW_PID=$!
for _ in $(seq 200); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
    sleep 0.05
done
"$BIN" send "pair me" >/dev/null

echo "== machine: $(nproc) cores, $(uname -r); binary: $BIN"
echo "== flood: $N idle WebSocket upgrades from one peer"
python3 - "$BIN" "$PORT" "$N" "$GW_PID" <<'PY'
import os, socket, subprocess, sys, time
bin_, port, n, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def status(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024  # MiB
def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))
def health_ms(k=20):
    req = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(req)
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        assert b" 200 " in data.split(b"\r\n")[0], data[:80]
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2], times[-1]

med, mx = health_ms()
print(f"before: rss {status('VmRSS')} MiB, fds {fds()}, /health median/max {med:.2f}/{mx:.2f} ms")
up = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
held = []
t0 = time.perf_counter()
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(up)
        held.append(s)
    except OSError as e:
        print(f"  upgrade {i} failed: {e}")
        break
opened = time.perf_counter() - t0
time.sleep(1)
med, mx = health_ms()
send = subprocess.run([bin_, "send", "during the flood"], capture_output=True, text=True)
print(f"during: {len(held)} upgrades opened in {opened:.1f} s; rss {status('VmRSS')} MiB (peak {status('VmHWM')} MiB), "
      f"fds {fds()}, /health median/max {med:.2f}/{mx:.2f} ms, paired send exit {send.returncode}")
for s in held:
    s.close()
time.sleep(3)
med, mx = health_ms()
print(f"after:  rss {status('VmRSS')} MiB, fds {fds()}, /health median/max {med:.2f}/{mx:.2f} ms")
PY
