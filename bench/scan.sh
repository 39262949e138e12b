#!/usr/bin/env bash
# Scan speed, side by side in one run: `clawdoc scan` against Debian's
# ripgrep given the same patterns (`rg -c -f <(clawdoc rules patterns)`), on
# a generated gateway log held in the page cache. Both must count the same
# matching lines. Usage: bench/scan.sh [SIZE_MB]  (default 1024 = 1 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
runs=${RUNS:-3}
. bench/lib.sh
require rg=ripgrep
cargo build --release --locked -q
bin=target/release/clawdoc
dir=target/bench
mkdir -p "$dir"
log=$dir/gateway-${size_mb}M.log
[ -s "$log" ] || python3 bench/gen_log.py "$size_mb" > "$log"
"$bin" rules patterns > "$dir/patterns.txt"
cat "$log" > /dev/null   # into the page cache

now() { date +%s.%N; }
best_rg=999999; best_cd=999999; best_c1=999999
min() { echo "if ($1 < $2) $1 else $2" | bc -l; }
for i in $(seq "$runs"); do
  t0=$(now); rg_count=$(rg -c -f "$dir/patterns.txt" "$log" | cat); t1=$(now)
  cd_json=$("$bin" scan --json "$log" | cat || true); t2=$(now)   # exit 1 = matches found
  c1_json=$(CLAWDOC_SCAN_THREADS=1 "$bin" scan --json "$log" | cat || true); t3=$(now)
  rg_t=$(echo "$t1 - $t0" | bc -l); cd_t=$(echo "$t2 - $t1" | bc -l); c1_t=$(echo "$t3 - $t2" | bc -l)
  best_rg=$(min "$rg_t" "$best_rg"); best_cd=$(min "$cd_t" "$best_cd"); best_c1=$(min "$c1_t" "$best_c1")
  printf 'run %d: rg %.3fs  clawdoc scan %.3fs  clawdoc scan (1 thread) %.3fs\n' "$i" "$rg_t" "$cd_t" "$c1_t"
done
count() { printf '%s' "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["matched_lines"])'; }
cd_count=$(count "$cd_json"); c1_count=$(count "$c1_json")
mib=$(( $(stat -c %s "$log") / 1048576 ))
printf 'file: %s (%d MiB), %s patterns, %s\n' "$log" "$mib" "$(wc -l < "$dir/patterns.txt")" "$(rg --version 2>/dev/null | head -1)"
gibs() { echo "$mib / 1024 / $1" | bc -l; }
printf 'cores: %s, load: %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'best of %d: rg %.3fs (%.2f GiB/s)   clawdoc scan %.3fs (%.2f GiB/s)   1 thread %.3fs (%.2f GiB/s)\n' "$runs" \
  "$best_rg" "$(gibs "$best_rg")" "$best_cd" "$(gibs "$best_cd")" "$best_c1" "$(gibs "$best_c1")"
printf 'matching lines: rg %s   clawdoc %s   1 thread %s\n' "$rg_count" "$cd_count" "$c1_count"
[ "$rg_count" = "$cd_count" ] && [ "$cd_count" = "$c1_count" ] || { echo "MISMATCH: they count different lines" >&2; exit 1; }
