#!/usr/bin/env bash
# Pre-auth flood against the embedded gateway (issue 11, item 3): N WebSocket
# upgrades that never send a connect frame, all held open by one client.
# Now one scenario of bench/attacks.sh (RSS before/during/peak/after, fds,
# /health latency while held, whether a paired CLI still gets through).
#
# Usage: bench/preauth-flood.sh              (N=10000 by default)
#        BIN=/path/to/other/clawdoc bench/preauth-flood.sh   (a baseline)
set -euo pipefail
N_PRE=${N:-10000} exec "$(dirname "$0")/attacks.sh" preauth
