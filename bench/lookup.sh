#!/usr/bin/env bash
# `clawdoc lookup` of one line, whole process (load + compile the rules,
# match, print): median over many runs. Target: <= 5 ms.
# Uses hyperfine (Debian package) when present, else a timing loop.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=target/release/clawdoc
line='disconnected (4008): connect failed — device token mismatch'
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 --export-json target/lookup-bench.json \
    "$bin lookup '$line'" "$bin lookup --json '$line'" >/dev/null
  python3 - <<'PY'
import json
for r in json.load(open("target/lookup-bench.json"))["results"]:
    print(f"{r['command'][:60]:<60} median {r['median']*1000:.2f} ms  mean {r['mean']*1000:.2f} ms")
PY
else
  python3 - "$bin" "$line" <<'PY'
import statistics, subprocess, sys, time
bin, line = sys.argv[1], sys.argv[2]
for args in ([bin, "lookup", line], [bin, "lookup", "--json", line]):
    for _ in range(20):
        subprocess.run(args, stdout=subprocess.DEVNULL)
    t = []
    for _ in range(300):
        s = time.perf_counter(); subprocess.run(args, stdout=subprocess.DEVNULL); t.append(time.perf_counter() - s)
    print(f"{' '.join(args[1:3]):<30} median {statistics.median(t)*1000:.2f} ms  (python spawn overhead included)")
PY
fi
