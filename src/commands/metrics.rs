//! `toshiken metrics`: one row per unit with commuting totals, day/night ratio,
//! self-containment and top destinations.

use std::path::PathBuf;

use anyhow::Context;

use super::{base_record, paths_list, Config, RunRecord, Timings};
use crate::dataset::Dataset;
use crate::io::{write_table, OutColumn, OutFormat, OutValues};
use crate::matrix::Metrics;

/// Options of `metrics`.
#[derive(Clone, Debug)]
pub struct MetricsOptions {
    /// Formats to write (default CSV only).
    pub formats: Vec<OutFormat>,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions {
            formats: vec![OutFormat::Csv],
        }
    }
}

/// What a `metrics` run produced.
#[derive(Debug)]
pub struct MetricsRun {
    /// The dataset.
    pub dataset: Dataset,
    /// The results.
    pub metrics: Metrics,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Stage times.
    pub timings: Timings,
}

/// Loads the data, computes every metric in parallel, writes `municipalities.<ext>`.
///
/// # Errors
/// Loading or writing failures, with the file named.
pub fn run_metrics(config: &Config, options: &MetricsOptions) -> anyhow::Result<MetricsRun> {
    let mut timings = Timings::default();
    let dataset = timings.time("load", || config.load())?;
    let metrics = timings.time("compute", || {
        Metrics::par_compute(&dataset.matrix, &dataset.population, &config.params)
    });
    let columns = metrics_columns(&dataset, &metrics);
    RunRecord::begin(&config.out, "metrics")?;
    let written = timings.time("write", || -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for &format in &options.formats {
            let path = config
                .out
                .join(format!("municipalities.{}", format.extension()));
            write_table(&path, format, &columns)
                .with_context(|| format!("writing {}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    })?;
    if config.verbose {
        let with_ratio = metrics
            .day_night_ratio
            .iter()
            .filter(|r| r.is_some())
            .count();
        eprintln!(
            "wrote {} rows ({} with commuting data, {} with a day/night ratio) to {}",
            metrics.len(),
            metrics.has_data.iter().filter(|&&b| b).count(),
            with_ratio,
            paths_list(&written)
        );
    }
    if config.timings {
        eprintln!("{timings}");
    }
    let mut record = base_record(config, "metrics")?;
    record.param(
        "format",
        options
            .formats
            .iter()
            .map(|f| f.extension())
            .collect::<Vec<_>>()
            .join("+"),
    );
    record.warnings = dataset.warnings();
    // The conservation line, as printed, so that run.json says what was read and used too.
    record
        .warnings
        .push(format!("note: {}", dataset.conservation));
    record
        .warnings
        .extend(dataset.notes.iter().map(|n| format!("note: {n}")));
    record.write(&config.out, &written, &timings)?;
    Ok(MetricsRun {
        dataset,
        metrics,
        written,
        timings,
    })
}

/// The columns of `municipalities.csv`. Units without commuting data get empty commuter
/// columns rather than zeros.
pub fn metrics_columns(dataset: &Dataset, metrics: &Metrics) -> Vec<OutColumn> {
    let units = &dataset.units;
    let entry = |i: usize| {
        dataset
            .registry
            .get(units.codes()[i])
            .expect("units come from the registry")
    };
    let n = metrics.len();
    let data = |i: usize| metrics.has_data[i];
    let u64_col = |name, v: &Vec<u64>| OutColumn {
        name,
        values: OutValues::U64((0..n).map(|i| data(i).then_some(v[i])).collect()),
    };
    let mut columns = vec![
        OutColumn {
            name: "code",
            values: OutValues::Text(units.codes().iter().map(|c| Some(c.to_string())).collect()),
        },
        OutColumn {
            name: "name",
            values: OutValues::Text((0..n).map(|i| Some(entry(i).name.clone())).collect()),
        },
        OutColumn {
            name: "prefecture",
            values: OutValues::Text((0..n).map(|i| Some(entry(i).prefecture.clone())).collect()),
        },
        OutColumn {
            name: "kind",
            values: OutValues::Text(
                (0..n)
                    .map(|i| Some(entry(i).kind.label().to_string()))
                    .collect(),
            ),
        },
        OutColumn {
            name: "population",
            values: OutValues::U64(metrics.population.clone()),
        },
        u64_col("resident_commuters", &metrics.resident_commuters),
        u64_col("staying", &metrics.staying),
        u64_col("outflow", &metrics.outflow),
        OutColumn {
            name: "inflow",
            values: OutValues::U64(metrics.inflow.iter().map(|&v| Some(v)).collect()),
        },
        u64_col("unknown_destination", &metrics.unknown),
        u64_col("share_denominator", &metrics.share_denominator),
        OutColumn {
            name: "daytime_population",
            values: OutValues::I64(metrics.daytime.clone()),
        },
        OutColumn {
            name: "day_night_ratio",
            values: OutValues::F64(metrics.day_night_ratio.clone()),
        },
        OutColumn {
            name: "stay_share",
            values: OutValues::F64(metrics.stay_share.clone()),
        },
        OutColumn {
            name: "jobs_filled_by_residents",
            values: OutValues::F64(metrics.jobs_filled_by_residents.clone()),
        },
    ];
    const TOP: [[&str; 4]; 3] = [
        ["top1_code", "top1_name", "top1_persons", "top1_share"],
        ["top2_code", "top2_name", "top2_persons", "top2_share"],
        ["top3_code", "top3_name", "top3_persons", "top3_share"],
    ];
    for (rank, names) in TOP.iter().enumerate() {
        let pick = |i: usize| metrics.top[i].get(rank).copied();
        let code = |d: u32| units.codes()[d as usize];
        columns.push(OutColumn {
            name: names[0],
            values: OutValues::Text(
                (0..n)
                    .map(|i| pick(i).map(|(d, _)| code(d).to_string()))
                    .collect(),
            ),
        });
        columns.push(OutColumn {
            name: names[1],
            values: OutValues::Text(
                (0..n)
                    .map(|i| {
                        pick(i).map(|(d, _)| {
                            dataset
                                .registry
                                .get(code(d))
                                .map(|e| e.name.clone())
                                .unwrap_or_default()
                        })
                    })
                    .collect(),
            ),
        });
        columns.push(OutColumn {
            name: names[2],
            values: OutValues::U64((0..n).map(|i| pick(i).map(|(_, p)| u64::from(p))).collect()),
        });
        columns.push(OutColumn {
            name: names[3],
            values: OutValues::F64(
                (0..n)
                    .map(|i| {
                        pick(i).map(|(_, p)| f64::from(p) / metrics.share_denominator[i] as f64)
                    })
                    .collect(),
            ),
        });
    }
    columns
}
