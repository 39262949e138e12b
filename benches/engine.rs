//! Criterion benchmarks for the rule engine: loading and compiling the
//! built-in rules, a one-line lookup, a pasted excerpt, and scan throughput
//! over an in-memory log. Whole-process numbers are `bench/lookup.sh` and
//! `bench/scan.sh`.

use std::hint::black_box;

use clawdoc::engine::Engine;
use clawdoc::ruleset::RuleSet;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn synthetic_log(bytes: usize) -> Vec<u8> {
    let normal = [
        "2026-03-01T10:00:00.123Z [gateway] GET /health 200 3ms\n",
        "2026-03-01T10:00:00.124Z [telegram] message 1234 delivered to chat 99887766\n",
        "{\"time\":\"2026-03-01T10:00:01Z\",\"level\":\"info\",\"msg\":\"request ok\",\"id\":\"7f3a9c21\"}\n",
        "\x1b[32m2026-03-01T10:00:02Z INFO\x1b[0m [gateway] heartbeat seq=42\n",
        "2026-03-01T10:00:03Z [agent] tool call read_file path=/home/u/p/src/a.rs done in 12ms\n",
    ];
    let errors = [
        "2026-03-01T10:00:04Z [gateway] Error: listen EADDRINUSE: address already in use 127.0.0.1:3001\n",
        "2026-03-01T10:00:05Z [telegram] send failed: gateway not connected\n",
    ];
    let mut out = Vec::with_capacity(bytes + 128);
    let mut i = 0usize;
    while out.len() < bytes {
        let line = if i % 150 == 149 {
            errors[i % 2]
        } else {
            normal[i % normal.len()]
        };
        out.extend_from_slice(line.as_bytes());
        i += 1;
    }
    out
}

fn benches(c: &mut Criterion) {
    c.bench_function("load+compile builtin rules", |b| {
        b.iter(|| black_box(RuleSet::builtin()))
    });
    let set = RuleSet::builtin();
    c.bench_function("Engine::new (RegexSet)", |b| {
        b.iter(|| black_box(Engine::new(&set.rules).unwrap()))
    });
    let engine = Engine::new(&set.rules).unwrap();
    let line = "disconnected (4008): connect failed — device token mismatch".as_bytes();
    c.bench_function("lookup one line", |b| {
        b.iter(|| black_box(engine.lookup(black_box(line))))
    });
    let excerpt = synthetic_log(8 << 10);
    c.bench_function("lookup 8 KiB excerpt", |b| {
        b.iter(|| black_box(engine.lookup(black_box(&excerpt))))
    });
    c.bench_function("Engine::scanner (combined regex)", |b| {
        b.iter(|| black_box(engine.scanner().unwrap()))
    });

    let scanner = engine.scanner().unwrap();
    let log = synthetic_log(32 << 20);
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);
    group.bench_function("32 MiB log", |b| {
        b.iter(|| black_box(scanner.scan(black_box(&log[..])).unwrap()))
    });
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
