#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that sees untrusted input.
#
#   bench/fuzz.sh                 # every target, 120 s each, one at a time
#   bench/fuzz.sh scan config     # just these
#   FUZZ_SECONDS=600 bench/fuzz.sh lookup
#
# Needs `cargo install cargo-fuzz` (0.13). Runs on the stable toolchain:
# RUSTC_BOOTSTRAP=1 lets it pass the sanitizer flags. CI does not fuzz; every
# crash found is kept as a unit test next to the code it broke.
#
# Targets (fuzz/fuzz_targets/; crate-private parsers via clawdoc::fuzzing):
#   lookup     Engine::lookup + Engine::closest on pasted bytes
#   scan       Scanner::scan over a reader that trickles the bytes in
#   config     config::parse + config::edit set/unset/migrate (edits must reparse)
#   rule       ruleset::compile::compile on a rule file (+ its examples, fixes)
#   flowchart  the flowchart parser (+ its drawing) against the built-in rules
#   procfs     PidRecord::parse (round trip), parse_stat, /proc/locks, fdinfo,
#              /proc/net/tcp, meminfo, kernel-log OOM kills
#   protocol   the gateway's WebSocket frames (ClientFrame, params, error reply)
#   http       raw HTTP responses: the /health client's parser and completeness
#              check, and the reading of a response as the gateway's /health
#   netlink    sock_diag reply datagrams (the port probe's listener dump)
#
# Corpora are seeded from fixtures/ and rules/ on every run (fuzz/corpus/ is
# not committed). A crash lands in fuzz/artifacts/TARGET/; reproduce with
#   (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -a TARGET artifacts/TARGET/crash-…)
# and minimise with `cargo fuzz tmin TARGET …`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-120}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lookup scan config rule flowchart procfs protocol http netlink)
export RUSTC_BOOTSTRAP=1

# Fuzz with the dependency versions that ship.
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock

seed() { # seed TARGET FILE...
    local dir=fuzz/corpus/$1
    shift
    mkdir -p "$dir"
    local f
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$dir/seed-$(echo "$f" | tr '/' '_')"
    done
}
seed_lines() { # seed_lines TARGET FILE: one seed per line (lookup inputs are pastes)
    local dir=fuzz/corpus/$1 n=0 line
    mkdir -p "$dir"
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s\n' "${line%%$'\t'*}" >"$dir/seed-$(basename "$2")-$n"
    done <"$2"
}

for t in "${targets[@]}"; do
    case $t in
    lookup)
        seed_lines lookup fixtures/logs/seed-messages.tsv
        seed_lines lookup fixtures/logs/openclaw-source-messages.tsv
        seed lookup fixtures/logs/gateway-incident.log ;;
    scan)
        mkdir -p fuzz/corpus/scan
        for f in fixtures/logs/gateway-incident.log fixtures/kmsg/*.log; do
            # First byte: how many bytes each read returns (1-16).
            { printf '\007'; cat "$f"; } >"fuzz/corpus/scan/seed-$(basename "$f")"
        done ;;
    config)
        mkdir -p fuzz/corpus/config
        printf '[gateway]\nmode = "local"\nport = 18789 # ours\ntoken = "abc"\nstartupTimeout = 30\n\n[ai]\nmodel = "m"\n' >fuzz/corpus/config/seed-good.toml
        printf 'port = 1\nmode = "remote"\n# old\ntoken = "t"\nmodel = "x"\nstartupTimeout = 5\n[gateway]\nport = 2\n' >fuzz/corpus/config/seed-deprecated.toml
        printf 'gateway = { port = 80, mode = "hybrid" }\nextra.key = [1, 2]\n' >fuzz/corpus/config/seed-inline.toml
        seed config rules/port-in-use.toml ;;
    rule)
        seed rule rules/*.toml $(find fixtures/rules -name '*.toml') ;;
    flowchart)
        seed flowchart rules/flowchart.toml ;;
    procfs)
        seed procfs $(find fixtures/proc fixtures/kmsg fixtures/cgroup -type f)
        printf '4242\nstarttime=123456\n' >fuzz/corpus/procfs/seed-pidfile ;;
    protocol)
        mkdir -p fuzz/corpus/protocol
        printf '%s' '{"type":"connect","device_id":"cli-1","client":"cli","name":"me","token":"t"}' >fuzz/corpus/protocol/seed-connect
        printf '%s' '{"type":"req","id":1,"method":"send","params":{"channel":"telegram","text":"hi"}}' >fuzz/corpus/protocol/seed-send
        printf '%s' '{"type":"req","id":2,"method":"login","params":{"provider":"whatsapp"}}' >fuzz/corpus/protocol/seed-login
        printf '%s' '{"type":"req","id":3}' >fuzz/corpus/protocol/seed-bad ;;
    http)
        mkdir -p fuzz/corpus/http
        printf 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 59\r\n\r\n{"status":"ok","ready":true,"pid":42,"mode":"local","port":1}' >fuzz/corpus/http/seed-health
        printf 'HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n10\r\n{"status":"star\r\nc;x=1\r\nting","ready":f\r\n6\r\nalse}\n\r\n0\r\n\r\n' >fuzz/corpus/http/seed-chunked
        printf 'HTTP/1.0 404 Not Found\r\n\r\nnot here' >fuzz/corpus/http/seed-close ;;
    netlink)
        mkdir -p fuzz/corpus/netlink
        # Two bytes of port (0x0bb9 = 3001), then one LISTEN inet_diag_msg on
        # 3001 (inode 4242) and NLMSG_DONE, native-endian (little here).
        python3 - <<'PY'
import struct
msg = bytes([2, 10, 0, 0]) + struct.pack(">H", 3001) + bytes(62) + struct.pack("<I", 4242)
diag = struct.pack("<IHHII", 16 + len(msg), 20, 2, 1, 0) + msg
done = struct.pack("<IHHII", 20, 3, 2, 1, 0) + bytes(4)
err = struct.pack("<IHHII", 20, 2, 0, 1, 0) + struct.pack("<i", -13)
open("fuzz/corpus/netlink/seed-dump", "wb").write(struct.pack(">H", 3001) + diag + done)
open("fuzz/corpus/netlink/seed-error", "wb").write(struct.pack(">H", 3001) + err)
PY
        ;;
    *) echo "unknown target: $t" >&2; exit 2 ;;
    esac
    echo "== $t (${seconds}s)"
    # -print_final_stats: total executions and exec/s for the report.
    # No sanitizer: clawdoc has no unsafe code and a panic is caught either
    # way; it more than doubles the executions. Debug assertions on, so an
    # integer overflow is a crash too.
    (cd fuzz && cargo fuzz run "$t" --sanitizer none --debug-assertions -- -max_total_time="$seconds" -rss_limit_mb=2048 \
        -print_final_stats=1 2>&1) | tee "fuzz/$t.log" |
        grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==|SUMMARY|thread .* panicked|.*artifact_prefix)' || true
    if ls fuzz/artifacts/"$t"/crash-* >/dev/null 2>&1; then
        echo "   crash: $(ls fuzz/artifacts/"$t"/crash-* | head -1)"
    fi
done
