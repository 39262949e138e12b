#!/usr/bin/env python3
"""Writes a synthetic gateway log of SIZE_MB mebibytes to stdout.

Mostly ordinary traffic (requests, channel messages, JSON lines, ANSI
colour), with about 1 line in 150 an error from the seed's catalogue and the
real gateway's wording. Deterministic (fixed seed) so runs compare.
"""
import random
import sys

size = int(sys.argv[1]) << 20
rng = random.Random(4008)

normal = [
    "{ts} [gateway] GET /health 200 {ms}ms",
    "{ts} [gateway] ws connect device=cli-{hex} ok",
    "{ts} [telegram] message {n} delivered to chat {n2}",
    "{ts} [gateway] POST /v1/chat 200 {ms}ms model=ai.model tokens={n}",
    "{ts} [agent] tool call read_file path=/home/u/project/src/{hex}.rs done in {ms}ms",
    '{{"time":"{ts}","level":"info","msg":"request ok","id":"{hex}","ms":{ms}}}',
    "\x1b[32m{ts} INFO\x1b[0m [gateway] heartbeat seq={n}",
    "{ts} [gateway] listening on :3001",
    "{ts} [whatsapp] session keepalive {n}",
    "{ts} [gateway] config reloaded from /home/u/.clawdoc/config.toml",
]
errors = [
    "{ts} [gateway] Error: listen EADDRINUSE: address already in use 127.0.0.1:3001",
    "{ts} [entrypoint] gateway did not become ready within 60s",
    "{ts} [telegram] send failed: gateway not connected",
    "{ts} [cli] Error: connect ECONNREFUSED 127.0.0.1:3001",
    "{ts} [gateway] gateway start blocked: set gateway.mode=local (current: unset)",
    "{ts} [cli] disconnected (4008): connect failed - device token mismatch",
    "{ts} [gateway] GatewayRequestError: Web Login Provider is not available",
    '{ts} WARN  unknown config key: "model"',
    "{ts} kernel: Out of memory: Killed process {n} (clawdoc)",
    "{ts} [gateway] parse/handle error: Error: ENOSPC: no space left on device, write",
    "{ts} [gateway] SQLITE_CANTOPEN: unable to open database file",
    "{ts} [gateway] gateway closed (1008): pairing required",
    "{ts} [gateway] unauthorized: gateway token missing (provide gateway token)",
    "{ts} [cli] Error: restart timed out - gateway did not stop within 30s",
]


def line(i):
    ts = "2026-03-01T%02d:%02d:%02d.%03dZ" % (i // 3600000 % 24, i // 60000 % 60, i // 1000 % 60, i % 1000)
    pool = errors if rng.random() < 1 / 150 else normal
    return rng.choice(pool).format(
        ts=ts, ms=rng.randint(1, 900), n=rng.randint(1, 10**6), n2=rng.randint(1, 10**9),
        hex="%08x" % rng.getrandbits(32),
    )


# 8 MiB of distinct lines, repeated: enough variety for the regex engines,
# fast enough to write a GiB.
block, i = [], 0
block_size = 0
while block_size < (8 << 20):
    l = line(i) + "\n"
    block.append(l)
    block_size += len(l.encode())
    i += 1
data = "".join(block).encode()
out = sys.stdout.buffer
written = 0
while written + len(data) <= size:
    out.write(data)
    written += len(data)
rest = size - written
if rest:
    cut = data[:rest].rfind(b"\n") + 1
    out.write(data[:cut])
