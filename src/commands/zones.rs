//! Zone-level jobs: `synth` (a synthetic zone OD on real geography) and `metrics` on a zone OD
//! (the user's job on the one kernel; with `--roofline`, also the kernel with every share
//! materialised, first and warm, against its memory roofline).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::run_record::HashAhead;
use super::{base_record, int_col, paths_list, Config, RunRecord, Timings};
use crate::io::{
    read_zone_od, read_zone_population, u32_column, write_json, write_table, OutColumn, OutFormat,
    OutValues, ZoneOdWriter,
};
use crate::matrix::thousands;
use crate::matrix::{stream_copy, Csr, Exec};
use crate::registry::Level;
use crate::zones::synth::{real_geography, RealStats, Synth, SynthParams, SynthStats};
use crate::zones::ZoneMetrics;

/// Origins generated and written per row group by `synth`.
const BLOCK_ORIGINS: usize = 1 << 16;

/// What `synth` produced.
#[derive(Debug)]
pub struct SynthRun {
    /// The real statistics the model was calibrated on.
    pub real: RealStats,
    /// Aggregates of the generated OD.
    pub stats: SynthStats,
    /// Calibrated distance decay (km).
    pub beta_km: f64,
    /// Count scale (1 = persons).
    pub scale: u64,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `toshiken synth`: writes `OUT/od.parquet`, `OUT/population.parquet` and
/// `OUT/calibration.json` for `params`, from the real geography of the data directory.
///
/// # Errors
/// Loading the census, an impossible request, or writing.
pub fn run_synth(config: &Config, params: SynthParams) -> anyhow::Result<SynthRun> {
    let mut timings = Timings::default();
    let mut config = config.clone();
    config.level = Level::Municipality;
    let dataset = timings.time("load census", || config.load())?;
    let (places, real) = real_geography(&dataset);
    drop(dataset);
    let synth = timings.time("lay out zones", || Synth::new(places, &real, params))?;
    let out = &config.out;
    let pop_path = out.join("population.parquet");
    let od_path = out.join("od.parquet");
    if config.verbose {
        eprintln!(
            "synth: {} zones, {} flows, seed {}; β = {:.2} km, counts ×{}",
            synth.zones(),
            params.flows,
            params.seed,
            synth.beta_km,
            synth.scale
        );
    }
    RunRecord::begin(out, "synth")?;
    timings.time("write population", || -> anyhow::Result<()> {
        let columns = zone_table(
            &synth.population,
            |z| synth.zone_code(z).to_string(),
            Some(&synth.zone_at),
        );
        write_table(&pop_path, OutFormat::Parquet, &columns)
            .with_context(|| format!("writing {}", pop_path.display()))?;
        Ok(())
    })?;
    let stats = timings.time("generate and write OD", || -> anyhow::Result<SynthStats> {
        let mut writer = ZoneOdWriter::create(&od_path)?;
        let mut stats = SynthStats::default();
        let n = synth.zones();
        let mut last = Instant::now();
        for a in (0..n).step_by(BLOCK_ORIGINS) {
            let b = (a + BLOCK_ORIGINS).min(n);
            let block = synth.block(a..b);
            writer.write(&block.origin, &block.dest, &block.persons)?;
            stats.add(&block.stats);
            if config.verbose && (last.elapsed() > Duration::from_secs(2) || b == n) {
                eprintln!(
                    "synth: {b} of {n} origins, {} flows ({:.0} %)",
                    stats.flows,
                    100.0 * b as f64 / n as f64
                );
                last = Instant::now();
            }
        }
        writer.finish()?;
        Ok(stats)
    })?;
    let calib_path = out.join("calibration.json");
    write_json(&calib_path, &calibration_report(&real, &stats, &synth))?;
    let mut written = vec![od_path, pop_path, calib_path];
    let mut record = base_record(&config, "synth")?;
    record
        .param("zones", params.zones)
        .param("flows", params.flows)
        .param("seed", params.seed);
    written.push(record.write(out, &written, &timings)?);
    if config.verbose {
        eprint!("{}", calibration_table(&real, &stats, &synth));
        eprintln!("wrote {}", paths_list(&written));
    }
    if config.timings {
        eprintln!("{timings}");
    }
    Ok(SynthRun {
        real,
        stats,
        beta_km: synth.beta_km,
        scale: synth.scale,
        written,
    })
}

/// `toshiken synth --census`: the real 2020 municipal OD (known destinations) as zone files
/// `OUT/od.parquet` and `OUT/population.parquet`, zone `i` being municipality `i` in code
/// order, so that the zone kernel and its peers run on the census. Returns the files and the
/// flow count.
///
/// # Errors
/// Loading the census or writing.
pub fn run_census_zones(config: &Config) -> anyhow::Result<(Vec<PathBuf>, usize)> {
    let mut config = config.clone();
    config.level = Level::Municipality;
    let dataset = config.load()?;
    let m = &dataset.matrix;
    let n = dataset.units.len();
    let od = m.flows();
    RunRecord::begin(&config.out, "synth")?;
    let od_path = config.out.join("od.parquet");
    let mut writer = ZoneOdWriter::create(&od_path)?;
    writer.write(&od.origin_column(), od.dest(), od.persons())?;
    writer.finish()?;
    let pop_path = config.out.join("population.parquet");
    // 07546 双葉町 has no 2020 population (evacuated): 0, so its ratio is empty.
    let population: Vec<u64> = dataset.population.iter().map(|p| p.unwrap_or(0)).collect();
    let codes = dataset.units.codes();
    let columns = zone_table(&population, |z| codes[z].to_string(), None);
    write_table(&pop_path, OutFormat::Parquet, &columns)
        .with_context(|| format!("writing {}", pop_path.display()))?;
    let mut written = vec![od_path, pop_path];
    let mut record = base_record(&config, "synth")?;
    record.param("census", true);
    written.push(record.write(&config.out, &written, &Timings::default())?);
    if config.verbose {
        eprintln!(
            "wrote the census as {} zones and {} flows (known destinations; {} persons to unknown destinations left out): {}",
            n,
            od.nnz(),
            (0..n).map(|i| m.unknown(i)).sum::<u64>(),
            paths_list(&written)
        );
    }
    Ok((written, od.nnz()))
}

/// The zone population table: `zone, municipality[, lat, lng], population`.
fn zone_table(
    population: &[u64],
    municipality: impl Fn(usize) -> String,
    at: Option<&[(f64, f64)]>,
) -> Vec<OutColumn> {
    let n = population.len();
    let mut columns = vec![
        OutColumn {
            name: "zone",
            values: OutValues::U64((0..n as u64).map(Some).collect()),
        },
        OutColumn {
            name: "municipality",
            values: OutValues::Text((0..n).map(|z| Some(municipality(z))).collect()),
        },
    ];
    if let Some(at) = at {
        columns.push(OutColumn {
            name: "lat",
            values: OutValues::F64(at.iter().map(|a| Some(a.0)).collect()),
        });
        columns.push(OutColumn {
            name: "lng",
            values: OutValues::F64(at.iter().map(|a| Some(a.1)).collect()),
        });
    }
    columns.push(OutColumn {
        name: "population",
        values: OutValues::U64(population.iter().map(|&p| Some(p)).collect()),
    });
    columns
}

fn calibration_table(real: &RealStats, s: &SynthStats, synth: &Synth) -> String {
    let p = synth.params();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "calibration (real 2020 census, {} municipalities → synthetic):",
        real.places
    );
    let _ = writeln!(
        t,
        "  commuters / population      {:.4} → {:.4}",
        real.commuters_per_population,
        s.persons as f64 / synth.population.iter().sum::<u64>() as f64
    );
    let _ = writeln!(
        t,
        "  stay in home municipality   {:.4} → {:.4} (persons-weighted; median municipality {:.4})",
        real.stay_share,
        s.stay_share(),
        real.stay_share_median
    );
    let _ = writeln!(
        t,
        "  flows per origin            {:.1} (median {:.0}) per municipality → {:.1} per zone",
        real.flows_per_origin_mean,
        real.flows_per_origin_median,
        s.flows as f64 / p.zones as f64
    );
    let _ = writeln!(
        t,
        "  mean away distance          {:.2} km → {:.2} km (β = {:.2} km)",
        real.away_km_mean,
        s.away_km_mean(),
        synth.beta_km
    );
    t
}

#[derive(serde::Serialize)]
struct CalibrationReport<'a> {
    zones: usize,
    flows: usize,
    seed: u64,
    beta_km: f64,
    count_scale: u64,
    neighbours: usize,
    real: &'a RealStats,
    synthetic: SyntheticStats,
}

#[derive(serde::Serialize)]
struct SyntheticStats {
    flows: u64,
    persons: u64,
    population: u64,
    commuters_per_population: f64,
    stay_share: f64,
    flows_per_origin_mean: f64,
    away_km_mean: f64,
}

fn calibration_report<'a>(
    real: &'a RealStats,
    s: &SynthStats,
    synth: &Synth,
) -> CalibrationReport<'a> {
    let p = synth.params();
    let population: u64 = synth.population.iter().sum();
    CalibrationReport {
        zones: p.zones,
        flows: p.flows,
        seed: p.seed,
        beta_km: synth.beta_km,
        count_scale: synth.scale,
        neighbours: crate::zones::synth::NEIGHBOURS,
        real,
        synthetic: SyntheticStats {
            flows: s.flows,
            persons: s.persons,
            population,
            commuters_per_population: s.persons as f64 / population as f64,
            stay_share: s.stay_share(),
            flows_per_origin_mean: s.flows as f64 / p.zones as f64,
            away_km_mean: s.away_km_mean(),
        },
    }
}

/// The roofline measured beside the kernel.
#[derive(Clone, Copy, Debug)]
pub struct Roofline {
    /// Bytes the kernel must move (read + write).
    pub bytes: usize,
    /// Best time of the STREAM-style copy of those bytes.
    pub copy: Duration,
    /// The kernel (every share materialised) the first time, into fresh pages.
    pub kernel_first: Duration,
    /// Best time of the kernel into the same, already touched, output buffer.
    pub kernel_warm: Duration,
}

impl Roofline {
    /// Kernel time / copy time.
    pub fn ratio(&self) -> f64 {
        self.kernel_warm.as_secs_f64() / self.copy.as_secs_f64()
    }
}

/// Size of a zone OD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OdFacts {
    /// Zones.
    pub zones: usize,
    /// Flows.
    pub flows: usize,
    /// Σ persons.
    pub persons: u64,
}

/// What a zone `metrics` run produced.
#[derive(Debug)]
pub struct ZoneRun {
    /// Zones, flows and persons of the OD (the OD itself is freed before the per-zone table
    /// is written, to keep the peak low).
    pub facts: OdFacts,
    /// Population per zone.
    pub population: Vec<u64>,
    /// Results of the job (`shares` empty: shares are computed where they are written).
    pub metrics: ZoneMetrics,
    /// Roofline, when measured.
    pub roofline: Option<Roofline>,
    /// Stage times.
    pub timings: Timings,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `metrics` on a zone OD: reads `zone,population` and `origin,destination,persons`, runs the
/// job (the kernel without a share per flow), writes `zones`, `pairs`, `shares_sample` tables
/// and `summary.json` under `OUT`. With `roofline_repeats` > 0 it also times the kernel with
/// every share materialised, first and warm, against a copy of the same bytes.
///
/// # Errors
/// Reading or writing failures, with file, row and zones.
pub fn run_zone_metrics(
    config: &Config,
    od_path: &Path,
    pop_path: &Path,
    format: OutFormat,
    roofline_repeats: usize,
) -> anyhow::Result<ZoneRun> {
    let mut timings = Timings::default();
    let verbose = config.verbose;
    let inputs = HashAhead::start(vec![
        ("zone od", od_path.to_path_buf()),
        ("zone population", pop_path.to_path_buf()),
    ]);
    let (population, od) = timings.time("load", || -> anyhow::Result<_> {
        let mut last = Instant::now();
        let mut progress = |done: usize, total: usize| {
            if verbose && (last.elapsed() > Duration::from_secs(2) || done == total) {
                eprintln!(
                    "  {done} of {total} rows ({:.0} %)",
                    100.0 * done as f64 / total.max(1) as f64
                );
                last = Instant::now();
            }
        };
        // One after the other: the population says how many zones the OD may name, and a
        // problem with it stops the run before the OD is read. (Reading both at once, with the
        // zone count from the population's footer, gained nothing measurable on two cores.)
        if verbose {
            eprintln!("reading zones {}", pop_path.display());
        }
        let population = read_zone_population(pop_path)?;
        if verbose {
            eprintln!(
                "reading OD {} ({} zones)",
                od_path.display(),
                population.len()
            );
        }
        let od = read_zone_od(od_path, population.len(), &mut progress)?;
        if verbose {
            // A zone OD has no aggregate rows or unknown destinations to set aside: a row
            // that cannot be used stops the run with its file, row and zones instead.
            eprintln!(
                "persons read {} = used {} + set aside 0 ({} rows, every one a pair of known zones) — balanced",
                thousands(od.grand_total()),
                thousands(od.grand_total()),
                thousands(od.nnz() as u64)
            );
        }
        Ok((population, od))
    })?;
    release_free_memory();
    let peak_after_load = peak_memory_bytes();
    // The user's job: shares only where they are written (the pairs and the sample).
    let metrics = timings.time("compute", || {
        ZoneMetrics::job(&od, &population, Exec::Parallel)
    });
    let peak_after_compute = peak_memory_bytes();
    let mut share_sum = None;
    let roofline = (roofline_repeats > 0).then(|| {
        // The kernel comparison: every share materialised, first into fresh pages (what a
        // fresh process pays), then on the same, already touched, buffer with the copy that is
        // its roofline. Each run's results replace the last (identical: the kernel is
        // deterministic).
        let mut shares = Vec::new();
        let t = Instant::now();
        let first = ZoneMetrics::compute_into(&od, &population, Exec::Parallel, &mut shares);
        let kernel_first = t.elapsed();
        debug_assert_eq!(
            ZoneMetrics {
                shares: Vec::new(),
                ..first.clone()
            },
            metrics
        );
        drop(first);
        let mut bytes = 0;
        let mut copy = Duration::MAX;
        let mut kernel_warm = Duration::MAX;
        for _ in 0..roofline_repeats {
            let t = Instant::now();
            bytes = stream_copy(&od, &mut shares, Exec::Parallel);
            copy = copy.min(t.elapsed());
            let t = Instant::now();
            let again = ZoneMetrics::compute_into(&od, &population, Exec::Parallel, &mut shares);
            kernel_warm = kernel_warm.min(t.elapsed());
            drop(again);
        }
        share_sum = Some(shares.iter().filter(|s| !s.is_nan()).sum::<f64>());
        Roofline {
            bytes,
            copy,
            kernel_first,
            kernel_warm,
        }
    });
    let facts = OdFacts {
        zones: od.n(),
        flows: od.nnz(),
        persons: od.grand_total(),
    };
    RunRecord::begin(&config.out, "metrics")?;
    let written = timings.time("write", || {
        write_zone_outputs(config, format, od, &population, &metrics)
    })?;
    let peak = peak_memory_bytes();
    let summary_path = config.out.join("summary.json");
    write_json(
        &summary_path,
        &summary(
            facts,
            share_sum,
            &population,
            &metrics,
            roofline,
            &timings,
            [peak_after_load, peak_after_compute, peak],
        ),
    )?;
    let mut written = written;
    written.push(summary_path);
    if verbose {
        eprintln!(
            "{} zones, {} flows, {} persons; {} centres, {} pairs ≥ 10 %",
            facts.zones,
            facts.flows,
            facts.persons,
            metrics.centres.len(),
            metrics.pairs.len()
        );
        eprintln!("wrote {}", paths_list(&written));
    }
    if config.timings {
        eprintln!("{timings}");
        if let Some(r) = roofline {
            eprintln!(
                "kernel with every share materialised: first {:.4} s (fresh pages); roofline: copy of {:.2} GB in {:.4} s ({:.1} GB/s); kernel on the same buffer {:.4} s = {:.2} × roofline",
                r.kernel_first.as_secs_f64(),
                r.bytes as f64 / 1e9,
                r.copy.as_secs_f64(),
                r.bytes as f64 / 1e9 / r.copy.as_secs_f64(),
                r.kernel_warm.as_secs_f64(),
                r.ratio()
            );
        }
        if let (Some(p), Some(l), Some(c)) = (peak, peak_after_load, peak_after_compute) {
            eprintln!(
                "peak memory {:.1} MB ({:.1} MB after loading, {:.1} MB after computing); OD in memory as three u32 columns {:.1} MB",
                p as f64 / 1e6,
                l as f64 / 1e6,
                c as f64 / 1e6,
                facts.flows as f64 * 12.0 / 1e6
            );
        }
    }
    let mut record = RunRecord::new("metrics");
    record
        .param("mode", "zones")
        .param("format", format.extension())
        .param("roofline", roofline_repeats);
    record.inputs.extend(inputs.finish());
    written.push(record.write(&config.out, &written, &timings)?);
    Ok(ZoneRun {
        facts,
        population,
        metrics,
        roofline,
        timings,
        written,
    })
}

/// Origins whose rows go into `shares_sample`: every `step`-th, about a thousand.
pub fn sample_step(n: usize) -> usize {
    (n / 1000).max(1)
}

fn write_zone_outputs(
    config: &Config,
    format: OutFormat,
    od: Csr,
    population: &[u64],
    m: &ZoneMetrics,
) -> anyhow::Result<Vec<PathBuf>> {
    let n = od.n();
    let ext = format.extension();
    let write = |name: &str, columns: Vec<OutColumn>| -> anyhow::Result<PathBuf> {
        let path = config.out.join(format!("{name}.{ext}"));
        write_table(&path, format, &columns)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    };
    // The pairs and the share sample (which need the OD, freed after them) on one thread, the
    // per-zone table on the other: each file is written whole by one thread, so the files do
    // not depend on the thread count.
    let (small, zones) = rayon::join(
        || -> anyhow::Result<[PathBuf; 2]> {
            let origins: Vec<u32> = m.pairs.iter().map(|p| p.origin).collect();
            let dests: Vec<u32> = m.pairs.iter().map(|p| p.dest).collect();
            let persons: Vec<u32> = m.pairs.iter().map(|p| p.persons).collect();
            let pairs = write(
                "pairs",
                vec![
                    u32_column("origin", &origins),
                    u32_column("destination", &dests),
                    u32_column("persons", &persons),
                    OutColumn {
                        name: "share",
                        values: OutValues::F64(
                            m.pairs
                                .iter()
                                .map(|p| Some(m.share(p.origin as usize, p.persons)))
                                .collect(),
                        ),
                    },
                ],
            )?;
            let step = sample_step(n);
            let (mut so, mut sd, mut ss) = (Vec::new(), Vec::new(), Vec::new());
            for i in (0..n).step_by(step) {
                let (dest, persons) = od.row(i);
                for (&d, &p) in dest.iter().zip(persons) {
                    so.push(i as u32);
                    sd.push(d);
                    ss.push(Some(m.share(i, p)));
                }
            }
            drop(od);
            let sample = write(
                "shares_sample",
                vec![
                    u32_column("origin", &so),
                    u32_column("destination", &sd),
                    OutColumn {
                        name: "share",
                        values: OutValues::F64(ss),
                    },
                ],
            )?;
            Ok([pairs, sample])
        },
        || {
            write(
                "zones",
                vec![
                    OutColumn {
                        name: "zone",
                        values: OutValues::U64Full((0..n as u64).collect()),
                    },
                    int_col("population", population.to_vec()),
                    int_col("total", m.total.clone()),
                    int_col("outflow", m.outflow.clone()),
                    int_col("inflow", m.inflow.clone()),
                    OutColumn {
                        name: "daytime",
                        values: OutValues::I64Full(m.daytime.clone()),
                    },
                    OutColumn {
                        name: "day_night_ratio",
                        values: OutValues::F64(m.day_night_ratio.clone()),
                    },
                ],
            )
        },
    );
    let [pairs, sample] = small?;
    Ok(vec![pairs, sample, zones?])
}

/// Hands the heap's free pages back to the system (glibc keeps the decoded row-group buffers
/// of the load for reuse, 50–100 MB at 10^8 flows, which would otherwise sit under the
/// compute's peak).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap memory to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), if known.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[derive(serde::Serialize)]
struct Summary {
    tool: &'static str,
    threads: usize,
    zones: usize,
    flows: usize,
    persons: u64,
    population: u64,
    centres: usize,
    pairs: usize,
    /// Σ of every share: only when the kernel materialised them (`--roofline`).
    share_sum: Option<f64>,
    load_s: Option<f64>,
    /// The job's compute (no share per flow).
    compute_s: Option<f64>,
    /// The kernel with every share materialised, into fresh pages (`--roofline`).
    kernel_first_s: Option<f64>,
    /// The same on a touched buffer, best of the repeats (`--roofline`).
    compute_warm_s: Option<f64>,
    write_s: Option<f64>,
    roofline: Option<RooflineJson>,
    peak_memory_after_load_bytes: Option<u64>,
    peak_memory_after_compute_bytes: Option<u64>,
    peak_memory_bytes: Option<u64>,
    od_bytes_u32x3: usize,
}

#[derive(serde::Serialize)]
struct RooflineJson {
    bytes: usize,
    copy_s: f64,
    kernel_warm_s: f64,
    ratio: f64,
}

fn summary(
    facts: OdFacts,
    share_sum: Option<f64>,
    population: &[u64],
    m: &ZoneMetrics,
    roofline: Option<Roofline>,
    timings: &Timings,
    peaks: [Option<u64>; 3],
) -> Summary {
    let stage = |name: &str| {
        timings
            .stages()
            .iter()
            .find(|s| s.0 == name)
            .map(|s| s.1.as_secs_f64())
    };
    Summary {
        tool: "toshiken",
        threads: rayon::current_num_threads(),
        zones: facts.zones,
        flows: facts.flows,
        persons: facts.persons,
        population: population.iter().sum(),
        centres: m.centres.len(),
        pairs: m.pairs.len(),
        share_sum,
        load_s: stage("load"),
        compute_s: stage("compute"),
        kernel_first_s: roofline.map(|r| r.kernel_first.as_secs_f64()),
        compute_warm_s: roofline.map(|r| r.kernel_warm.as_secs_f64()),
        write_s: stage("write"),
        roofline: roofline.map(|r| RooflineJson {
            bytes: r.bytes,
            copy_s: r.copy.as_secs_f64(),
            kernel_warm_s: r.kernel_warm.as_secs_f64(),
            ratio: r.ratio(),
        }),
        peak_memory_after_load_bytes: peaks[0],
        peak_memory_after_compute_bytes: peaks[1],
        peak_memory_bytes: peaks[2],
        od_bytes_u32x3: facts.flows * 12,
    }
}
