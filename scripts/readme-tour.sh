#!/usr/bin/env bash
# Regenerates the README's tour (a pasted error, a doctor run, a walk, and the
# zh-TW section's sample) from the real binary, run in a temporary
# CLAWDOC_HOME with a clean environment, and rewrites README.md between the
# `<!-- BEGIN tour -->` / `<!-- END tour -->` (and `tour-zh`) markers.
#
#   scripts/readme-tour.sh            # rewrite README.md
#   scripts/readme-tour.sh --print    # print the regenerated README instead
#
# CLAWDOC_BIN picks the binary (default: target/debug/clawdoc, built if
# missing). What differs between runs and machines is normalised so the
# tour only changes when clawdoc's output does: the temporary home becomes
# ~/.clawdoc, pids 4242, ports 3001, timings and the journal id fixed, disk
# and memory figures N. The kernel log is an empty file (--test-kmsg) so the
# machine's own OOM history stays out of the README.
# tests/integration/readme_tour.rs fails when README.md differs from --print.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CLAWDOC_BIN:-target/debug/clawdoc}
if [ ! -x "$bin" ]; then cargo build --locked --quiet; fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d)
trap 'env -i PATH="$PATH" CLAWDOC_TARGET=embedded CLAWDOC_HOME="$work/home" CLAWDOC_GATEWAY_PORT="${port:-}" "$bin" gateway stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/walk"
: > "$work/kmsg"

# One command as a user types it (`$ clawdoc …` shown), run for real.
# The first argument is the home to use.
# The doctor's gateway gets a port nothing else on this machine is likely to
# hold (the tests run gateways on 3001 and free ports), shown as 3001, and
# below the kernel's ephemeral range (the port probe would rightly say so).
lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
span=$(( lo > 21000 ? lo - 20000 : 10000 ))
# Nothing may listen on it when the tour starts (a reply from another
# program would change what the health check says).
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % span))
while port_taken "$port"; do port=$((20000 + RANDOM % span)); done
show() {
  local home=$1; shift
  local shown=$1; shift
  printf '$ %s\n' "$shown"
  ( cd "$work" && env -i PATH="$PATH" CLAWDOC_TARGET=embedded HOME="$home" CLAWDOC_HOME="$home" LANG=C.UTF-8 NO_COLOR=1 \
      TERM=dumb CLAWDOC_GATEWAY_PORT="$port" "$bin" --test-kmsg "$work/kmsg" "$@" 2>/dev/null ) || true
}

normalise() {
  sed -E \
    -e "s#$work/home#~/.clawdoc#g; s#$work/walk#~/.clawdoc#g; s#$work/##g" \
    -e 's/pid [0-9]+/pid 4242/g; s/pid\(s\) [0-9]+/pid(s) 4242/g' \
    -e 's/is alive \((running|sleeping|disk sleep)\)/is alive (sleeping)/g' \
    -e 's/(port|gateway\.port =) [0-9]+/\1 3001/g; s/127\.0\.0\.1:[0-9]+/127.0.0.1:3001/g; s/:[0-9]+\/health/:3001\/health/g' \
    -e 's/[0-9]+(\.[0-9]+)? ms/N ms/g' \
    -e 's#journal/[0-9-]+#journal/1700000000-0#g' \
    -e 's/[0-9]+(\.[0-9]+)? GiB/N GiB/g; s/[0-9]+ inodes/N inodes/g; s/load [0-9.]+/load N/g' \
    -e 's/[ \t]+$//'
}

fence() { printf '```text\n'; cat; printf '```\n'; }

{
  echo "A pasted error:"
  echo
  show "$work/home" "clawdoc lookup 'disconnected (4008): device token mismatch'" \
    lookup 'disconnected (4008): device token mismatch' | normalise | fence
  echo
  echo "The doctor on a fresh machine, fixing what it may (it writes a config, starts"
  echo "the embedded gateway, pairs this CLI and verifies for real):"
  echo
  show "$work/home" "clawdoc doctor --fix" doctor --fix | normalise | fence
  env -i PATH="$PATH" CLAWDOC_TARGET=embedded CLAWDOC_HOME="$work/home" CLAWDOC_GATEWAY_PORT="$port" "$bin" gateway stop >/dev/null 2>&1 || true
  # The walk below expects nothing on the port: wait until it is closed
  # (under load the stopped gateway's socket may linger a moment).
  for _ in $(seq 100); do port_taken "$port" || break; sleep 0.05; done
  echo
  echo "A walk through the flowchart (a config without \`gateway.mode\`; the probes"
  echo "answer the checks, \`answers.txt\` says \`yes\` to the fix):"
  echo
  printf '[gateway]\nport = %d\ntoken = "0123456789abcdef0123456789abcdef"\n' "$port" > "$work/walk/config.toml"
  echo yes > "$work/answers.txt"
  show "$work/walk" "clawdoc walk --message 'gateway start blocked: set gateway.mode=local' --answers answers.txt" \
    walk --message 'gateway start blocked: set gateway.mode=local' --answers answers.txt | normalise | fence
} > "$work/tour.md"

{
  show "$work/walk" "clawdoc --lang zh-TW lookup 'Error: listen EADDRINUSE: address already in use :::3001'" \
    --lang zh-TW lookup 'Error: listen EADDRINUSE: address already in use :::3001' | normalise | fence
} > "$work/tour-zh.md"

# Replace each marked block with its file; everything else is kept.
awk -v tour="$work/tour.md" -v tourzh="$work/tour-zh.md" '
  /^<!-- BEGIN tour -->$/    { print; while ((getline l < tour) > 0) print l; skip = 1; next }
  /^<!-- BEGIN tour-zh -->$/ { print; while ((getline l < tourzh) > 0) print l; skip = 1; next }
  /^<!-- END tour(-zh)? -->$/ { skip = 0 }
  !skip { print }
' README.md > "$work/README.md"

if [ "${1:-}" = "--print" ]; then
  cat "$work/README.md"
else
  cp "$work/README.md" README.md
fi
