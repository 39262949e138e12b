#!/usr/bin/env bash
# Scan speed, side by side in one run: `clawdoc scan` against Debian's
# ripgrep given the same patterns (`rg -c -f <(clawdoc rules patterns)`), on
# a generated gateway log held in the page cache. Both must count the same
# matching lines. Usage: bench/scan.sh [SIZE_MB]  (default 1024 = 1 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
runs=${RUNS:-3}
if ! command -v rg >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null
fi
cargo build --release --locked -q
bin=target/release/clawdoc
dir=target/bench
mkdir -p "$dir"
log=$dir/gateway-${size_mb}M.log
[ -s "$log" ] || python3 bench/gen_log.py "$size_mb" > "$log"
"$bin" rules patterns > "$dir/patterns.txt"
cat "$log" > /dev/null   # into the page cache

now() { date +%s.%N; }
best_rg=999999; best_cd=999999
for i in $(seq "$runs"); do
  t0=$(now); rg_count=$(rg -c -f "$dir/patterns.txt" "$log" | cat); t1=$(now)
  cd_json=$("$bin" scan --json "$log" | cat); t2=$(now)
  rg_t=$(echo "$t1 - $t0" | bc -l); cd_t=$(echo "$t2 - $t1" | bc -l)
  best_rg=$(echo "if ($rg_t < $best_rg) $rg_t else $best_rg" | bc -l)
  best_cd=$(echo "if ($cd_t < $best_cd) $cd_t else $best_cd" | bc -l)
  printf 'run %d: rg %.3fs  clawdoc scan %.3fs\n' "$i" "$rg_t" "$cd_t"
done
cd_count=$(printf '%s' "$cd_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["matched_lines"])')
mib=$(( $(stat -c %s "$log") / 1048576 ))
printf 'file: %s (%d MiB), %s patterns, %s\n' "$log" "$mib" "$(wc -l < "$dir/patterns.txt")" "$(rg --version | head -1)"
printf 'best of %d: rg %.3fs (%.2f GiB/s)   clawdoc scan %.3fs (%.2f GiB/s)\n' "$runs" \
  "$best_rg" "$(echo "$mib / 1024 / $best_rg" | bc -l)" "$best_cd" "$(echo "$mib / 1024 / $best_cd" | bc -l)"
printf 'matching lines: rg %s   clawdoc %s\n' "$rg_count" "$cd_count"
[ "$rg_count" = "$cd_count" ] || { echo "MISMATCH: the two count different lines" >&2; exit 1; }
