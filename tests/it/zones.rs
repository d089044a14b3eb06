//! The zone path: hand-made OD through the CLI, errors, the synthetic generator, and the zone
//! kernel against the census kernel.

use std::path::Path;
use std::process::Output;

use toshiken::io::{read_zone_od, ZoneOdWriter};
use toshiken::matrix::{Csr, Exec};
use toshiken::matrix::{Metrics, MetricsParams, ShareDenominator};
use toshiken::zones::{centre_count, ZoneMetrics};

use crate::common::{national, real_dir, text, toshiken};

fn write(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_string()
}

/// Data rows of a CSV as fields.
fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn zone_metrics(dir: &Path, od: &str, pop: &str, threads: &str) -> Output {
    toshiken(&[
        "metrics",
        "--zones",
        "--od",
        od,
        "--population",
        pop,
        "--out",
        dir.join("out").to_str().unwrap(),
        "--format",
        "csv",
        "--threads",
        threads,
        "--roofline",
        "1",
        "--timings",
    ])
}

const POPULATION: &str = "zone,population\n2,25\n0,20\n1,30\n";
// Deliberately not grouped by origin: the reader falls back to counting.
const OD: &str = "origin,destination,persons\n2,1,19\n0,0,6\n0,1,4\n1,1,9\n1,0,1\n2,0,1\n";

#[test]
fn zone_metrics_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let pop = write(tmp.path(), "population.csv", POPULATION);
    let od = write(tmp.path(), "od.csv", OD);
    let run = zone_metrics(tmp.path(), &od, &pop, "2");
    let stderr = text(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("roofline: copy of"), "{stderr}");
    assert!(
        stderr.contains("persons read 40 = used 40 + set aside 0 (6 rows"),
        "{stderr}"
    );
    // zone 0: 6 stay + 4 to zone 1; zone 1: 9 stay + 1 to 0; zone 2: 19 to 1 + 1 to 0.
    // inflow: 0 ← 1 + 1 = 2; 1 ← 4 + 19 = 23; 2 ← 0.
    // daytime = population − outflow + inflow: 20 − 4 + 2, 30 − 1 + 23, 25 − 20 + 0.
    let zones = rows(&tmp.path().join("out/zones.csv"));
    let ints =
        |r: &Vec<String>| -> Vec<i64> { r[..6].iter().map(|v| v.parse().unwrap()).collect() };
    assert_eq!(ints(&zones[0]), vec![0, 20, 10, 4, 2, 18]);
    assert_eq!(ints(&zones[1]), vec![1, 30, 10, 1, 23, 52]);
    assert_eq!(ints(&zones[2]), vec![2, 25, 20, 20, 0, 5]);
    let ratio: Vec<f64> = zones.iter().map(|r| r[6].parse().unwrap()).collect();
    assert_eq!(ratio, vec![18.0 / 20.0, 52.0 / 30.0, 5.0 / 25.0]);
    // One centre (⌈3/100⌉): zone 1, inflow 23. Pairs ≥ 10 % into it: 0→1 (4/10) and
    // 2→1 (19/20); 1→0 is 10 % but zone 0 is no centre.
    let pairs = rows(&tmp.path().join("out/pairs.csv"));
    let got: Vec<(String, String, String, f64)> = pairs
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                r[3].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("0".into(), "1".into(), "4".into(), 0.4),
            ("2".into(), "1".into(), "19".into(), 0.95)
        ]
    );
    // Every origin is sampled (3 zones: step 1), shares in destination order.
    let sample = rows(&tmp.path().join("out/shares_sample.csv"));
    let shares: Vec<f64> = sample.iter().map(|r| r[2].parse().unwrap()).collect();
    assert_eq!(shares, vec![0.6, 0.4, 0.1, 0.9, 0.05, 0.95]);
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["persons"], 40);
    assert_eq!(summary["population"], 75);
    assert_eq!(summary["pairs"], 2);
}

#[test]
fn zone_input_errors_name_file_row_and_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let pop = write(tmp.path(), "population.csv", POPULATION);
    let cases = [
        (
            "origin,destination,persons\n0,1,4\n1,5,2\n",
            ["od.csv", "row 2", "zone 5"],
        ),
        (
            "origin,destination,persons\n0,1,4\n0,1,2\n",
            ["od.csv", "origin 0 → destination 1", "twice"],
        ),
        (
            "origin,destination,persons\n0,1,4\n1,0,-3\n",
            ["od.csv", "line 3", "negative"],
        ),
        (
            "origin,destination,persons\n0,1,4\n1,0,\n",
            ["od.csv", "line 3", "missing"],
        ),
    ];
    for (body, wanted) in cases {
        let od = write(tmp.path(), "od.csv", body);
        let run = zone_metrics(tmp.path(), &od, &pop, "1");
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{body}: {stderr}");
        for w in wanted {
            assert!(stderr.contains(w), "{body}: '{w}' not in {stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let od = write(tmp.path(), "od.csv", OD);
    // Options of the census inputs are usage errors with zones.
    for (extra, flag) in [
        (["--crosswalk", "x.csv"], "--crosswalk"),
        (["--units", "population"], "--units population"),
    ] {
        let mut args = vec!["metrics", "--zones", "--od", &od, "--population", &pop];
        args.extend_from_slice(&extra);
        let run = toshiken(&args);
        assert_eq!(run.status.code(), Some(2), "{extra:?}");
        assert!(
            text(&run.stderr).contains(&format!("{flag} does not apply with --zones")),
            "{}",
            text(&run.stderr)
        );
    }
    for (body, wanted) in [
        ("zone,population\n0,1\n0,2\n1,3\n", "already given"),
        ("zone,population\n0,1\n3,2\n", "below the number of rows"),
        ("zone,population\n0,1\n1,-2\n2,3\n", "negative"),
    ] {
        let p = write(tmp.path(), "population.csv", body);
        let run = zone_metrics(tmp.path(), &od, &p, "1");
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{body}: {stderr}");
        assert!(
            stderr.contains("population.csv") && stderr.contains(wanted),
            "{body}: {stderr}"
        );
    }
}

#[test]
fn unsorted_parquet_reads_like_sorted() {
    let tmp = tempfile::tempdir().unwrap();
    let flows: Vec<(u32, u32, u32)> = (0..300u32)
        .map(|k| ((k * 7) % 50, (k * 13) % 50, k + 1))
        .filter(|f| f.0 != 49)
        .collect();
    let mut dedup = flows.clone();
    dedup.sort_by_key(|f| (f.0, f.1));
    dedup.dedup_by_key(|f| (f.0, f.1));
    let expected = Csr::from_triplets(50, &dedup).unwrap();
    for (name, order) in [("sorted", false), ("reversed", true)] {
        let mut rows = dedup.clone();
        if order {
            rows.reverse();
        }
        let path = tmp.path().join(format!("{name}.parquet"));
        let mut w = ZoneOdWriter::create(&path).unwrap();
        let col = |f: fn(&(u32, u32, u32)) -> u32| rows.iter().map(f).collect::<Vec<u32>>();
        w.write(&col(|r| r.0), &col(|r| r.1), &col(|r| r.2))
            .unwrap();
        assert_eq!(w.finish().unwrap().0, rows.len() as u64);
        let od = read_zone_od(&path, 50, &mut |_, _| {}).unwrap();
        assert_eq!(od, expected, "{name}");
        // Zone 49 has no row: an empty row, not an error.
        assert_eq!(od.row(49).0.len(), 0);
    }
}

/// An OD grouped by origin across several row groups (one per `write`): an origin that runs
/// on from one group into the next keeps one row; a bad zone in a later group is reported at
/// its file row; a later group that goes back to a smaller origin is read by counting.
#[test]
fn sorted_parquet_across_row_groups() {
    let tmp = tempfile::tempdir().unwrap();
    // Origins 0..20, three flows each, to destinations o, o+1, o+2 (mod 20).
    let flows: Vec<(u32, u32, u32)> = (0..20u32)
        .flat_map(|o| (0..3u32).map(move |k| (o, (o + k) % 20, 10 * o + k + 1)))
        .collect();
    let write_groups = |name: &str, rows: &[(u32, u32, u32)], cuts: &[usize]| {
        let path = tmp.path().join(name);
        let mut w = ZoneOdWriter::create(&path).unwrap();
        let mut a = 0;
        for &b in cuts.iter().chain([rows.len()].iter()) {
            let part = &rows[a..b];
            let col = |f: fn(&(u32, u32, u32)) -> u32| part.iter().map(f).collect::<Vec<u32>>();
            w.write(&col(|r| r.0), &col(|r| r.1), &col(|r| r.2))
                .unwrap();
            a = b;
        }
        w.finish().unwrap();
        path
    };
    let expected = Csr::from_triplets(20, &flows).unwrap();
    // Cuts inside origins 2 (row 7), 8 (row 25) and 15 (row 46), and on a boundary (row 30).
    let cuts = [7, 25, 30, 46];
    let path = write_groups("grouped.parquet", &flows, &cuts);
    assert_eq!(read_zone_od(&path, 20, &mut |_, _| {}).unwrap(), expected);
    // Zone 20 as the destination of file row 50 (0-based 49), in the last group.
    let mut bad = flows.clone();
    bad[49].1 = 20;
    let path = write_groups("bad.parquet", &bad, &cuts);
    let err = read_zone_od(&path, 20, &mut |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 50") && err.contains("zone 20"), "{err}");
    // Groups out of order: the last two swapped, origins 15..20 before 10..15.
    let mut swapped: Vec<(u32, u32, u32)> = flows[..30].to_vec();
    swapped.extend_from_slice(&flows[45..]);
    swapped.extend_from_slice(&flows[30..45]);
    let path = write_groups("swapped.parquet", &swapped, &[7, 25, 30, 45]);
    assert_eq!(read_zone_od(&path, 20, &mut |_, _| {}).unwrap(), expected);
}

/// The zone computation on the census, zone = municipality, against the census metrics: one
/// kernel, reached through the zone path (no unknowns, ids read directly) and the census path
/// (registry, unknown destinations, `has_data`), gives the same totals, staying and inflow.
#[test]
fn zone_kernel_agrees_with_the_census_kernel() {
    let ds = national();
    let m = &ds.matrix;
    let n = m.n();
    let od = m.flows().clone();
    assert_eq!(od.nnz(), 200_143);
    // The same cells through the validating builder: any order in, the same matrix out.
    let origins = od.origin_column();
    let flows: Vec<(u32, u32, u32)> = (0..od.nnz())
        .rev()
        .map(|k| (origins[k], od.dest()[k], od.persons()[k]))
        .collect();
    assert_eq!(Csr::from_triplets(n, &flows).unwrap(), od);
    let population: Vec<u64> = ds.population.iter().map(|p| p.unwrap_or(0)).collect();
    let z = ZoneMetrics::compute(&od, &population, Exec::Parallel);
    let census = Metrics::compute(
        m,
        &ds.population,
        &MetricsParams::default().share_denominator(ShareDenominator::KnownDestinations),
    );
    for i in 0..n {
        assert_eq!(z.total[i], m.total(i) - m.unknown(i), "unit {i}");
        assert_eq!(z.staying[i], census.staying[i], "unit {i}");
        assert_eq!(z.outflow[i], census.outflow[i], "unit {i}");
        assert_eq!(z.inflow[i], census.inflow[i], "unit {i}");
    }
    // Known destinations: 62,604,767 persons (see the conservation account).
    assert_eq!(od.grand_total(), 62_604_767);
    assert_eq!(z.centres.len(), centre_count(n));
    assert_eq!(z.centres.len(), 18);
    // Centres are the largest inflows, in order; every pair passes the integer test.
    let least_centre = z.inflow[*z.centres.last().unwrap() as usize];
    assert!(z
        .centres
        .windows(2)
        .all(|w| z.inflow[w[0] as usize] >= z.inflow[w[1] as usize]));
    let above = (0..n).filter(|&i| z.inflow[i] > least_centre).count();
    assert!(above < 18);
    for p in &z.pairs {
        assert!(u64::from(p.persons) * 10 >= z.total[p.origin as usize]);
        assert!(z.centres.contains(&p.dest) && p.origin != p.dest);
        assert_eq!(
            z.shares[p.flow],
            f64::from(p.persons) / z.total[p.origin as usize] as f64
        );
    }
    // The largest inflows: 大阪市 (27100, 1,018,178 from other municipalities), then
    // 千代田区 (13101, 850,924).
    let code = |c: u32| ds.units.codes()[c as usize].to_string();
    assert_eq!(
        (code(z.centres[0]), code(z.centres[1])),
        ("27100".into(), "13101".into())
    );
    assert_eq!(
        (
            z.inflow[z.centres[0] as usize],
            z.inflow[z.centres[1] as usize]
        ),
        (1_018_178, 850_924)
    );
    // Threads do not change anything.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = one.install(|| ZoneMetrics::compute(&od, &population, Exec::Parallel));
    assert_eq!(serial, z);
    assert_eq!(ZoneMetrics::compute(&od, &population, Exec::Serial), z);
    // The user's job computes the same without the share buffer, and its on-demand shares
    // are the kernel's bits.
    let job = ZoneMetrics::job(&od, &population, Exec::Parallel);
    assert!(job.shares.is_empty());
    assert_eq!(job.pairs, z.pairs);
    assert_eq!(
        (&job.total, &job.inflow, &job.centres),
        (&z.total, &z.inflow, &z.centres)
    );
    for p in &z.pairs {
        assert_eq!(
            job.share(p.origin as usize, p.persons).to_bits(),
            z.shares[p.flow].to_bits()
        );
    }
}

#[test]
fn synth_is_deterministic_calibrated_and_thread_independent() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let mut dirs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("synth{threads}"));
        let run = toshiken(&[
            "synth",
            "--zones",
            "20000",
            "--flows",
            "400000",
            "--seed",
            "7",
            "--data",
            data.to_str().unwrap(),
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        dirs.push(out);
    }
    for f in ["od.parquet", "population.parquet", "calibration.json"] {
        assert_eq!(
            std::fs::read(dirs[0].join(f)).unwrap(),
            std::fs::read(dirs[1].join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dirs[0].join("calibration.json")).unwrap())
            .unwrap();
    let (real, synth) = (&c["real"], &c["synthetic"]);
    assert_eq!(synth["flows"], 400_000);
    assert_eq!(real["places"], 1740);
    let f = |v: &serde_json::Value| v.as_f64().unwrap();
    // The census: 65,849,159 commuters (unknown destinations included) over the population of
    // the 1,740 municipalities with data, and a persons-weighted stay share near 0.62.
    assert!((f(&real["commuters_per_population"]) - 0.5217).abs() < 0.0005);
    assert!((f(&real["stay_share"]) - 0.6247).abs() < 0.0005);
    // The model reproduces them. (With fewer zones than about ten per municipality the
    // distinct destinations run out nearby and the away distance grows: 39 km at 2,000 zones.)
    assert!(
        (f(&synth["commuters_per_population"]) - f(&real["commuters_per_population"])).abs() < 0.01
    );
    assert!((f(&synth["stay_share"]) - f(&real["stay_share"])).abs() < 0.03);
    assert!((f(&synth["away_km_mean"]) / f(&real["away_km_mean"]) - 1.0).abs() < 0.05);
    // And the zone metrics of it do not depend on threads either.
    let od = dirs[0].join("od.parquet");
    let pop = dirs[0].join("population.parquet");
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("metrics{threads}"));
        let run = toshiken(&[
            "metrics",
            "--zones",
            "--od",
            od.to_str().unwrap(),
            "--population",
            pop.to_str().unwrap(),
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "--roofline",
            "0",
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        outs.push(out);
    }
    for f in ["zones.parquet", "pairs.parquet", "shares_sample.parquet"] {
        assert_eq!(
            std::fs::read(outs[0].join(f)).unwrap(),
            std::fs::read(outs[1].join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn synth_refuses_what_the_geography_cannot_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let out = tmp.path().join("s");
    for (zones, flows, wanted) in [
        (
            "100",
            "1000",
            "at least one zone per municipality is needed (1740)",
        ),
        (
            "2000",
            "1000",
            "between one per zone (2000) and zones² (4000000)",
        ),
    ] {
        let run = toshiken(&[
            "synth",
            "--zones",
            zones,
            "--flows",
            flows,
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(wanted), "{stderr}");
    }
    assert!(!out.join("od.parquet").exists());
}
