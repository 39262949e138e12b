//! Probe timings on this machine (live `/proc`, `/dev/kmsg`, a temp home with
//! a config and no gateway running): each probe alone, and `run_all` over all
//! ten, which is what `clawdoc doctor` pays before any rule work.

use std::collections::BTreeMap;
use std::time::Duration;

use clawdoc::home::Home;
use clawdoc::probe::{self, ProbeEnv};
use clawdoc::procinfo::ProcRoot;
use clawdoc::vocab::ProbeName;
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[gateway]\nmode = \"local\"\nport = {port}\ntoken = \"0123456789abcdef0123\"\n"),
    )
    .unwrap();
    let env = ProbeEnv {
        home: Home::new(dir.path()),
        proc_root: ProcRoot::default(),
        kmsg_path: None,
        disk_fixture: None,
        cgroup_root: "/sys/fs/cgroup".into(),
        env: BTreeMap::new(),
        net_timeout: Duration::from_millis(1500),
        target: clawdoc::target::Target::embedded(),
        port_override: None,
    };
    let mut group = c.benchmark_group("probe");
    for name in ProbeName::ALL {
        group.bench_function(name.as_str(), |b| b.iter(|| probe::run(*name, &env)));
    }
    group.bench_function("run_all", |b| {
        b.iter(|| probe::run_all(&env, ProbeName::ALL))
    });
    group.bench_function("run_all_sequential", |b| {
        b.iter(|| {
            ProbeName::ALL
                .iter()
                .map(|n| probe::run(*n, &env))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
