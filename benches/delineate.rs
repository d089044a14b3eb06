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

    // Validity of unit shapes as full-resolution N03 would give them: the national shapes with
    // every edge cut into 8 (≈ 1.6 million vertices), checked by geo's own validation (which
    // compares every pair of a ring's segments) and by toshiken's (an R-tree of segments).
    let densify = |ring: &geo::LineString<f64>| {
        let mut out = Vec::with_capacity(ring.0.len() * 8);
        for w in ring.0.windows(2) {
            for k in 0..8 {
                let t = f64::from(k) / 8.0;
                out.push(geo::coord! { x: w[0].x + t * (w[1].x - w[0].x), y: w[0].y + t * (w[1].y - w[0].y) });
            }
        }
        out.push(*ring.0.last().expect("closed ring"));
        geo::LineString::new(out)
    };
    let dense: Vec<geo::MultiPolygon<f64>> = region
        .shapes
        .iter()
        .flatten()
        .map(|s| {
            geo::MultiPolygon::new(
                s.0.iter()
                    .map(|p| {
                        geo::Polygon::new(
                            densify(p.exterior()),
                            p.interiors().iter().map(densify).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let mut group = c.benchmark_group("validity_dense_x8");
    group.sample_size(10);
    group.bench_function("geo_validation", |b| {
        b.iter(|| {
            dense
                .iter()
                .filter(|s| geo::algorithm::Validation::is_valid(*s))
                .count()
        })
    });
    group.bench_function("toshiken_validity", |b| {
        b.iter(|| {
            dense
                .iter()
                .filter(|s| toshiken::geometry::validity::first_problem(s).is_none())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
