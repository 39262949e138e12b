#!/usr/bin/env bash
# `clawdoc lookup` of one line, whole process (load + compile the rules,
# match, print), against a baseline in the same run: `clawdoc --version` (the
# process floor: start-up without the rules) and, with BASE=<git rev>, the
# same lookup by that revision's release binary (built in a temporary
# worktree). Target: lookup <= 5 ms. Quote the ratios and CPU times, not the
# wall times: the machines are shared.
#
#   bench/lookup.sh                 # this tree vs its own --version floor
#   BASE=a7309ee bench/lookup.sh    # ... and vs a7309ee's lookup
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --locked -q
bin=target/release/clawdoc
line='disconnected (4008): connect failed — device token mismatch'
# A line no pattern matches: the guess stage (BM25 index) and the closest
# rules run too.
other='the weather service returned an unexpected reply while syncing calendars'
cmds=("$bin --version" "$bin lookup '$line'" "$bin lookup --json '$line'" "$bin lookup '$other'")
if [ -n "${BASE:-}" ]; then
  base_dir=target/bench-base-$BASE
  if [ ! -x "$base_dir/target/release/clawdoc" ]; then
    rm -rf "$base_dir"
    git worktree add -f --detach "$base_dir" "$BASE" >/dev/null
    (cd "$base_dir" && CARGO_TARGET_DIR="$PWD/target" cargo build --release --locked -q)
  fi
  cmds+=("$base_dir/target/release/clawdoc lookup '$line'" "$base_dir/target/release/clawdoc lookup '$other'")
fi
# -i: a recognised error exits 1 (the exit-code table).
hyperfine -N -i --warmup 20 --runs "${RUNS:-300}" --export-json target/lookup-bench.json "${cmds[@]}" >/dev/null
printf 'cores: %s, load: %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - <<'PY'
import json
rs = json.load(open("target/lookup-bench.json"))["results"]
ref = rs[1]
for r in rs:
    cpu = (r["user"] + r["system"]) * 1000
    print(f"{r['command'][:70]:<70} median {r['median']*1000:6.2f} ms  cpu {cpu:5.2f} ms  "
          f"x{r['median']/ref['median']:.2f} of this lookup")
PY
# Instructions (callgrind): deterministic, unlike times on a shared machine.
if command -v valgrind >/dev/null; then
  for c in "${cmds[@]}"; do
    n=$( (eval "valgrind --tool=callgrind --callgrind-out-file=/dev/null $c" 2>&1 >/dev/null || true) | sed -n 's/.*refs: *//p')
    printf '%-70s %14s instructions\n' "${c:0:70}" "$n"
  done
fi
