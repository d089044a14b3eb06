//! National delineation: boundaries → unit shapes, adjacency (serial vs parallel), the
//! dissolve behind areas.geojson, the rules, and the commuting-zone clustering. Run: `cargo bench --bench delineate`.
//! Needs the data directory (`TOSHIKEN_DATA`, `data/jp` or `../shared/data/jp`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use toshiken::areas::delineate;
use toshiken::commands::{build_region, Config, Timings, BOUNDARIES_FILE};
use toshiken::dataset::resolve_data_dir;
use toshiken::geometry::{adjacency, dissolve, par_adjacency};
use toshiken::io::read_metro_areas;
use toshiken::rules::{evaluate_centres, find_centres, MetroAreas, RenkeiParams};

fn national(c: &mut Criterion) {
    let dir = resolve_data_dir(None)
        .expect("the national data directory (set TOSHIKEN_DATA)")
        .path;
    let config = Config {
        data: Some(dir.clone()),
        verbose: false,
        ..Config::default()
    };
    let region = build_region(&config, &[], &mut Timings::default()).expect("region");
    let params = RenkeiParams::new(MetroAreas::from_rows(
        &read_metro_areas(None).unwrap().0,
        "built in",
    ));
    let centres = find_centres(&region, &evaluate_centres(&region, &params), &params);
    let areas = delineate(&region, &centres, &params);
    let threads = rayon::current_num_threads();

    let mut group = c.benchmark_group("national_geometry");
    group.sample_size(20);
    group.bench_function("read_topojson", |b| {
        b.iter(|| toshiken::io::read_boundaries(black_box(&dir.join(BOUNDARIES_FILE))).unwrap())
    });
    group.bench_function("adjacency_serial", |b| {
        b.iter(|| adjacency(black_box(&region.shapes)))
    });
    group.bench_function(format!("adjacency_parallel_{threads}t"), |b| {
        b.iter(|| par_adjacency(black_box(&region.shapes)))
    });
    group.bench_function("dissolve_all_areas", |b| {
        b.iter(|| {
            areas
                .iter()
                .map(|a| dissolve(a.members.iter().filter_map(|m| region.shape(m.unit))))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("rules_centres_and_areas", |b| {
        b.iter(|| {
            let e = evaluate_centres(black_box(&region), &params);
            let c = find_centres(&region, &e, &params);
            delineate(&region, &c, &params)
        })
    });
    let input = toshiken::rules::cz::cz_input(&region, &[]);
    group.bench_function("commuting_zones_contiguous", |b| {
        b.iter(|| {
            toshiken::rules::cz::commuting_zones(
                black_box(&input),
                &toshiken::rules::cz::CzParams::default(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
