#!/usr/bin/env bash
# The attacks of issue 11 against the embedded gateway, each on a fresh
# gateway so the kernel's peak RSS (VmHWM) is that scenario's:
#
#   slowloris   N_SLOW connections trickling an HTTP request head (1 byte/s)
#   preauth     N_PRE WebSocket upgrades that never send a connect frame
#   pairing     N_PAIR connects, each a new device id with a claim (pending
#               pairing requests), as fast as one client can
#   wrongtoken  N_WRONG connects of the paired CLI's device id with a wrong
#               token (the per-peer failed-auth limit)
#   clients     N_CLIENTS authenticated sessions of the CLI's device held at
#               once, each answering a ping
#
# For each: RSS before, peak (VmHWM) and 3 s after release, fds during and
# after, /health latency (median/max of 20) while the attack is held, whether
# the paired CLI (`clawdoc send`) still gets through, and the close codes seen.
#
# Usage: bench/attacks.sh [SCENARIO…]                 (all by default)
#        BIN=/path/to/other/clawdoc bench/attacks.sh  (a baseline binary)
#        N_PRE=20000 bench/attacks.sh preauth
# Loopback only. bench/preauth-flood.sh is the single-scenario original.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
require python3=python3

if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
    BIN="$PWD/target/release/clawdoc"
fi
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(slowloris preauth pairing wrongtoken clients)

TMP=$(mktemp -d)
GW_PID=""
stop_gateway() {
    if [[ -n $GW_PID ]]; then
        kill "$GW_PID" 2>/dev/null || true
        wait "$GW_PID" 2>/dev/null || true
        GW_PID=""
    fi
}
trap 'stop_gateway; rm -rf "$TMP"' EXIT

echo "== machine: $(nproc) cores, $(uname -r); binary: $BIN ($("$BIN" --version))"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for scenario in "${scenarios[@]}"; do
    export CLAWDOC_HOME="$TMP/home-$scenario"
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
    python3 - "$BIN" "$PORT" "$GW_PID" "$scenario" "$CLAWDOC_HOME" <<'PY'
import json, os, socket, struct, subprocess, sys, threading, time
bin_, port, pid, scenario, home = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
N = {"slowloris": int(os.environ.get("N_SLOW", 2000)), "preauth": int(os.environ.get("N_PRE", 10000)),
     "pairing": int(os.environ.get("N_PAIR", 3000)), "wrongtoken": int(os.environ.get("N_WRONG", 2000)),
     "clients": int(os.environ.get("N_CLIENTS", 1000))}[scenario]

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
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(req)
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        assert b" 200 " in data.split(b"\r\n")[0], data[:80]
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2], times[-1]

UPGRADE = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
def upgrade():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(UPGRADE)
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        b = s.recv(1)
        if not b:
            raise OSError("closed during upgrade")
        head += b
    return s
def send_text(s, text):
    data = text.encode()
    n = len(data)
    hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    mask = os.urandom(4)
    s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
def read_frame(s):
    def exact(k):
        buf = b""
        while len(buf) < k:
            c = s.recv(k - len(buf))
            if not c:
                raise OSError("closed")
            buf += c
        return buf
    b0, b1 = exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", exact(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", exact(8))[0]
    return b0 & 0x0F, exact(n)
def close_code(s):
    while True:
        op, payload = read_frame(s)
        if op == 8:
            return struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
def connect_frame(device, token=None, claim=None):
    v = {"type": "connect", "device_id": device, "client": "bench"}
    if token: v["token"] = token
    if claim: v["claim"] = claim
    return json.dumps(v)

ident = json.load(open(os.path.join(home, "identity.json")))
med0, mx0 = health_ms()
rss0, fds0 = status("VmRSS"), fds()
held, codes, stop = [], {}, threading.Event()
def count(code):
    codes[code] = codes.get(code, 0) + 1

t0 = time.perf_counter()
if scenario == "slowloris":
    for i in range(N):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /health HTTP/1.1\r\n")
            held.append(s)
        except OSError as e:
            count(f"open failed: {e.__class__.__name__}")
            break
    def trickle():
        while not stop.is_set():
            for s in list(held):
                try:
                    s.send(b"X")
                except OSError:
                    held.remove(s); count("closed by gateway")
            time.sleep(1)
    threading.Thread(target=trickle, daemon=True).start()
elif scenario == "preauth":
    for i in range(N):
        try:
            held.append(upgrade())
        except OSError as e:
            count(f"upgrade failed: {e.__class__.__name__}")
            break
elif scenario in ("pairing", "wrongtoken"):
    def flood():
        for i in range(N):
            try:
                s = upgrade()
                if scenario == "pairing":
                    send_text(s, connect_frame(f"bench-{i}", claim=f"claim-{i:024d}"))
                else:
                    send_text(s, connect_frame(ident["device_id"], token="wrong-token-" + "0" * 20))
                count(close_code(s))
                s.close()
            except OSError as e:
                count(f"error: {e.__class__.__name__}")
    th = threading.Thread(target=flood)
    th.start()
elif scenario == "clients":
    for i in range(N):
        try:
            s = upgrade()
            send_text(s, json.dumps({"type": "connect", "device_id": ident["device_id"], "client": "cli",
                                      "token": ident["device_token"], "claim": ident.get("claim")}))
            op, payload = read_frame(s)
            count("hello-ok" if b"hello-ok" in payload else f"op {op}")
            held.append(s)
        except OSError as e:
            count(f"error: {e.__class__.__name__}")
            break
    pongs = 0
    for i, s in enumerate(held):
        send_text(s, json.dumps({"type": "req", "id": i, "method": "ping", "params": {}}))
    for s in held:
        try:
            op, payload = read_frame(s)
            pongs += b"pong" in payload
        except OSError:
            pass
    count(f"pongs {pongs}")
opened = time.perf_counter() - t0
time.sleep(1)
med, mx = health_ms()
send = subprocess.run([bin_, "send", "during the attack"], capture_output=True, text=True)
fds_during, rss_during = fds(), status("VmRSS")
if scenario in ("pairing", "wrongtoken"):
    th.join()
    opened = time.perf_counter() - t0
if scenario == "slowloris":
    # The gateway's header read timeout is 10 s: wait it out, then count.
    time.sleep(max(0.0, 12 - (time.perf_counter() - t0)))
    count(f"still open after {time.perf_counter() - t0:.0f} s: {len(held)}")
stop.set()
for s in held:
    s.close()
time.sleep(3)
med2, mx2 = health_ms()
print(f"{scenario:<10} n={N:<6} {opened:6.1f}s  rss MiB before/during/peak/after {rss0}/{rss_during}/{status('VmHWM')}/{status('VmRSS')}  "
      f"fds before/during/after {fds0}/{fds_during}/{fds()}  /health ms med/max before {med0:.2f}/{mx0:.2f} during {med:.2f}/{mx:.2f} after {med2:.2f}/{mx2:.2f}  "
      f"paired send during: exit {send.returncode}  outcomes {dict(sorted((str(k), v) for k, v in codes.items()))}")
PY
    stop_gateway
done
