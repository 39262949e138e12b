#!/usr/bin/env bash
# The shipped binary's size: build release (stripped by [profile.release]) and
# fail when it is over the budget (8 MiB by default; issue: keep it <= 8 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${CLAWDOC_SIZE_BUDGET:-$((8 * 1024 * 1024))}
cargo build --release --locked --quiet
bin=target/release/clawdoc
size=$(stat -c %s "$bin")
symbols=$(nm "$bin" 2>&1 | grep -c ' [TtDd] ' || true)
awk -v s="$size" -v n="$symbols" -v b="$budget" 'BEGIN { printf "target/release/clawdoc: %d bytes (%.2f MiB), %d symbols; budget %.2f MiB\n", s, s/1048576, n, b/1048576 }'
if [ "$size" -gt "$budget" ]; then
  echo "FAIL: over budget" >&2
  exit 1
fi
