//! The zone kernel at three sizes: the national census as zones (1,741 zones, 200,143 flows),
//! 10^5 zones / 10^7 flows and, with `TOSHIKEN_BENCH_LARGE=1`, 10^6 zones / 10^8 flows (about
//! 2 GB of memory and a minute to generate). Synthetic sizes come from `synth` in memory,
//! seed 7. For each: the kernel serial and parallel into a reused (warm) share buffer, the
//! kernel into a fresh buffer (what a run pays), and the STREAM-style copy that is its
//! memory roofline; and the user's job (the same figures, shares only on demand, no buffer).
//! Run: `cargo bench --bench zones`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use toshiken::dataset::{resolve_data_dir, Dataset, InputPaths};
use toshiken::matrix::{stream_copy, Csr, CsrBuilder, Exec};
use toshiken::registry::{Level, RegistryParams};
use toshiken::zones::synth::{real_geography, Synth, SynthParams};
use toshiken::zones::ZoneMetrics;

fn census() -> Dataset {
    let dir = resolve_data_dir(None).expect("the national data directory (set TOSHIKEN_DATA)");
    Dataset::load(
        &InputPaths::in_dir(&dir.path),
        Level::Municipality,
        &RegistryParams::default(),
    )
    .expect("load")
}

fn national(ds: &Dataset) -> (Csr, Vec<u64>) {
    let population = ds.population.iter().map(|p| p.unwrap_or(0)).collect();
    (ds.matrix.flows().clone(), population)
}

fn synthetic(ds: &Dataset, zones: usize, flows: usize) -> (Csr, Vec<u64>) {
    let (places, real) = real_geography(ds);
    let synth = Synth::new(
        places,
        &real,
        SynthParams {
            zones,
            flows,
            seed: 7,
        },
    )
    .unwrap();
    let mut b = CsrBuilder::sorted(zones, flows);
    let mut rows = 0u64;
    for a in (0..zones).step_by(1 << 16) {
        let block = synth.block(a..(a + (1 << 16)).min(zones));
        b.push_sorted_batch(&block.origin, &block.dest, &block.persons, rows)
            .unwrap();
        rows += block.origin.len() as u64;
    }
    (b.finish().unwrap(), synth.population.clone())
}

fn kernel(c: &mut Criterion) {
    let ds = census();
    let mut sizes = vec![
        ("national", national(&ds)),
        ("1e5_zones_1e7_flows", synthetic(&ds, 100_000, 10_000_000)),
    ];
    if std::env::var_os("TOSHIKEN_BENCH_LARGE").is_some() {
        sizes.push((
            "1e6_zones_1e8_flows",
            synthetic(&ds, 1_000_000, 100_000_000),
        ));
    }
    drop(ds);
    let threads = rayon::current_num_threads();
    for (name, (od, population)) in &sizes {
        let mut group = c.benchmark_group(format!("zone_kernel/{name}"));
        group.throughput(Throughput::Elements(od.nnz() as u64));
        if od.nnz() > 1_000_000 {
            group.sample_size(10);
        }
        let mut shares = Vec::new();
        group.bench_function("serial_warm", |b| {
            b.iter(|| {
                ZoneMetrics::compute_into(black_box(od), population, Exec::Serial, &mut shares)
            })
        });
        group.bench_function(
            BenchmarkId::new("parallel_warm", format!("{threads}t")),
            |b| {
                b.iter(|| {
                    ZoneMetrics::compute_into(
                        black_box(od),
                        population,
                        Exec::Parallel,
                        &mut shares,
                    )
                })
            },
        );
        group.bench_function(
            BenchmarkId::new("parallel_fresh", format!("{threads}t")),
            |b| b.iter(|| ZoneMetrics::compute(black_box(od), population, Exec::Parallel)),
        );
        group.bench_function(BenchmarkId::new("job", format!("{threads}t")), |b| {
            b.iter(|| ZoneMetrics::job(black_box(od), population, Exec::Parallel))
        });
        group.bench_function(
            BenchmarkId::new("roofline_copy", format!("{threads}t")),
            |b| b.iter(|| stream_copy(black_box(od), &mut shares, Exec::Parallel)),
        );
        group.finish();
    }
}

criterion_group!(benches, kernel);
criterion_main!(benches);
