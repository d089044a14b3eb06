//! National commute-matrix metrics on the real 2020 census: in memory (serial vs parallel)
//! and load + compute. Run: `cargo bench --bench national`. Needs the data directory
//! (`TOSHIKEN_DATA`, `data/jp` or `../shared/data/jp`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use toshiken::dataset::{resolve_data_dir, Dataset, InputPaths};
use toshiken::matrix::{par_shares, shares, Metrics, MetricsParams, ShareDenominator};
use toshiken::registry::{Level, RegistryParams};

fn inputs() -> InputPaths {
    let dir = resolve_data_dir(None).expect("the national data directory (set TOSHIKEN_DATA)");
    InputPaths::in_dir(&dir.path)
}

fn national(c: &mut Criterion) {
    let inputs = inputs();
    let ds = Dataset::load(&inputs, Level::Municipality, &RegistryParams::default()).expect("load");
    let params = MetricsParams::default();
    let threads = rayon::current_num_threads();

    let mut group = c.benchmark_group("national_metrics_in_memory");
    group.throughput(Throughput::Elements(ds.matrix.nnz() as u64));
    group.bench_function("serial", |b| {
        b.iter(|| Metrics::compute(black_box(&ds.matrix), &ds.population, &params))
    });
    group.bench_function(format!("parallel_{threads}t"), |b| {
        b.iter(|| Metrics::par_compute(black_box(&ds.matrix), &ds.population, &params))
    });
    group.bench_function("shares_serial", |b| {
        b.iter(|| shares(black_box(&ds.matrix), ShareDenominator::AllCommuters))
    });
    group.bench_function(format!("shares_parallel_{threads}t"), |b| {
        b.iter(|| par_shares(black_box(&ds.matrix), ShareDenominator::AllCommuters))
    });
    group.finish();

    let mut group = c.benchmark_group("national_load_and_compute");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ds.matrix.nnz() as u64));
    group.bench_function("census_json_serial_compute", |b| {
        b.iter(|| {
            let ds =
                Dataset::load(&inputs, Level::Municipality, &RegistryParams::default()).unwrap();
            Metrics::compute(&ds.matrix, &ds.population, &params)
        })
    });
    group.bench_function(format!("census_json_parallel_compute_{threads}t"), |b| {
        b.iter(|| {
            let ds =
                Dataset::load(&inputs, Level::Municipality, &RegistryParams::default()).unwrap();
            Metrics::par_compute(&ds.matrix, &ds.population, &params)
        })
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
