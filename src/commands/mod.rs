//! The user-facing jobs behind each subcommand. `main.rs` parses arguments into a [`Config`]
//! and calls one of these; everything they print about progress goes to stderr, results to
//! files under `--out` (or stdout for `shares`).

mod audit;
mod compare;
mod delineate;
mod map;
mod metrics;
mod report;
mod run_record;
mod shares;
mod zones;

pub use audit::{run_audit, AuditOptions};
pub use compare::{run_compare, CompareOptions};
pub use delineate::{
    build_region, run_delineate, DelineateOptions, DelineateRun, Scheme, BOUNDARIES_FILE,
};
pub use map::{declared_areas, run_map, MapOptions, MAP_TITLE};
pub use metrics::{metrics_columns, run_metrics, MetricsOptions, MetricsRun};
pub use report::{run_report, REPORT_FILE};
pub use run_record::{InputFile, RunRecord};
pub use shares::{run_shares, share_rows, ShareRow, SharesOptions};
pub use zones::{
    peak_memory_bytes, run_census_zones, run_synth, run_zone_metrics, sample_step, OdFacts,
    Roofline, SynthRun, ZoneRun,
};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::io::{OutColumn, OutValues};

use crate::dataset::{resolve_data_dir, DataDir, Dataset, InputPaths};
use crate::matrix::MetricsParams;
use crate::registry::{Level, RegistryParams};

/// Options shared by every command.
#[derive(Clone, Debug)]
pub struct Config {
    /// `--data DIR` (else `TOSHIKEN_DATA`, `data/jp`, `../shared/data/jp`).
    pub data: Option<PathBuf>,
    /// `--od FILE|DIR`, replacing the data directory's OD.
    pub od: Option<PathBuf>,
    /// `--population FILE`, replacing the data directory's population table.
    pub population: Option<PathBuf>,
    /// `--master FILE`, replacing the data directory's municipality master.
    pub master: Option<PathBuf>,
    /// `--crosswalk FILE`: the inputs' codes of another vintage mapped to the master's.
    pub crosswalk: Option<PathBuf>,
    /// `--units population`: the units are the population table's codes.
    pub units_from_population: bool,
    /// `--out DIR` (default `out`).
    pub out: PathBuf,
    /// Analysis level.
    pub level: Level,
    /// Share and daytime conventions.
    pub params: MetricsParams,
    /// Print wall time per stage.
    pub timings: bool,
    /// Print progress lines on stderr.
    pub verbose: bool,
    /// `--boundaries FILE` (TopoJSON or GeoJSON), replacing the data directory's N03 file.
    pub boundaries: Option<PathBuf>,
    /// `--allow-missing-shapes`: go on when units have no usable shape (listed, not hidden).
    pub allow_missing_shapes: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: None,
            od: None,
            population: None,
            master: None,
            crosswalk: None,
            units_from_population: false,
            out: PathBuf::from("out"),
            level: Level::Municipality,
            params: MetricsParams::default(),
            timings: false,
            verbose: true,
            boundaries: None,
            allow_missing_shapes: false,
        }
    }
}

impl Config {
    /// The inputs: the data directory's standard files with any overrides applied. The data
    /// directory is only required when some input is not overridden.
    ///
    /// # Errors
    /// When no data directory is found and an input still needs one.
    pub fn inputs(&self) -> anyhow::Result<(Option<DataDir>, InputPaths)> {
        let all_given = self.od.is_some() && self.population.is_some() && self.master.is_some();
        let dir = if all_given {
            None
        } else {
            let needed: Vec<&str> = [
                (self.od.is_none(), "--od"),
                (self.population.is_none(), "--population"),
                (self.master.is_none(), "--master (the municipality master)"),
            ]
            .into_iter()
            .filter_map(|(missing, what)| missing.then_some(what))
            .collect();
            let resolved = resolve_data_dir(self.data.as_deref());
            // When some inputs were given, say which ones the data directory was wanted for.
            Some(if needed.len() < 3 {
                resolved.with_context(|| {
                    format!(
                        "{} not given, so taken from the data directory",
                        needed.join(", ")
                    )
                })?
            } else {
                resolved?
            })
        };
        let mut inputs = match &dir {
            Some(d) => InputPaths::in_dir(&d.path),
            None => InputPaths {
                od: PathBuf::new(),
                population: PathBuf::new(),
                master: PathBuf::new(),
                crosswalk: None,
                units_from_population: false,
            },
        };
        inputs.crosswalk = self.crosswalk.clone();
        inputs.units_from_population = self.units_from_population;
        if let Some(p) = &self.od {
            inputs.od = p.clone();
        }
        if let Some(p) = &self.population {
            inputs.population = p.clone();
        }
        if let Some(p) = &self.master {
            inputs.master = p.clone();
        }
        Ok((dir, inputs))
    }

    /// Loads the dataset, reporting what was read on stderr.
    ///
    /// # Errors
    /// Any [`crate::dataset::DatasetError`], with context.
    pub fn load(&self) -> anyhow::Result<Dataset> {
        let (dir, inputs) = self.inputs()?;
        if self.verbose {
            if let Some(d) = &dir {
                eprintln!("data: {} ({})", d.path.display(), d.source);
            }
            eprintln!("reading OD {}", inputs.od.display());
        }
        let dataset = Dataset::load(&inputs, self.level, &RegistryParams::default())
            .context("loading the data")?;
        if self.verbose {
            eprintln!(
                "{} at {} level, {} from {}",
                count(dataset.units.len(), "unit", "units"),
                self.level,
                count(dataset.matrix.nnz(), "OD cell", "OD cells"),
                count(dataset.od_files, "file", "files")
            );
            eprintln!("{}", dataset.conservation);
            // Many notes of one kind (a partial OD) are summarised; run.json lists them all.
            const SHOWN: usize = 20;
            for note in dataset.notes.iter().take(SHOWN) {
                eprintln!("note: {note}");
            }
            if dataset.notes.len() > SHOWN {
                eprintln!(
                    "note: and {} more notes (listed in run.json)",
                    dataset.notes.len() - SHOWN
                );
            }
        }
        for w in dataset.warnings() {
            eprintln!("warning: {w}");
        }
        anyhow::ensure!(
            dataset.conservation.balances(),
            "internal: persons do not balance"
        );
        Ok(dataset)
    }
}

/// A run record with the parameters and inputs every command that loads the census has:
/// the level, the share and daytime conventions, and the OD, population and master files.
///
/// # Errors
/// When the inputs cannot be resolved.
pub(crate) fn base_record(config: &Config, command: &str) -> anyhow::Result<RunRecord> {
    let mut r = RunRecord::new(command);
    r.param("level", config.level)
        .param(
            "share_denominator",
            match config.params.get_share_denominator() {
                crate::matrix::ShareDenominator::AllCommuters => "all",
                crate::matrix::ShareDenominator::KnownDestinations => "known",
            },
        )
        .param(
            "unknown_daytime",
            match config.params.get_unknown_in_daytime() {
                crate::matrix::UnknownInDaytime::NotMoved => "not-moved",
                crate::matrix::UnknownInDaytime::Leave => "leave",
            },
        );
    if config.units_from_population {
        r.param("units", "population");
    }
    let (_, inputs) = config.inputs()?;
    r.inputs.push(
        InputFile::at("od", &inputs.od).with_layout(crate::io::describe_input(&inputs.od, true).0),
    );
    r.inputs.push(
        InputFile::at("population", &inputs.population)
            .with_layout(crate::io::describe_input(&inputs.population, false).0),
    );
    r.inputs.push(InputFile::at("master", &inputs.master));
    if let Some(c) = &inputs.crosswalk {
        r.inputs.push(InputFile::at("code crosswalk", c));
    }
    Ok(r)
}

/// A command line that asks for something the command cannot do (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Wall time per named stage, printed with `--timings`.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Runs `f` and records its wall time under `stage`.
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.stages.push((stage, start.elapsed()));
        out
    }

    /// The recorded stages.
    pub fn stages(&self) -> &[(&'static str, Duration)] {
        &self.stages
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total: Duration = self.stages.iter().map(|s| s.1).sum();
        let parts: Vec<String> = self
            .stages
            .iter()
            .map(|(name, d)| format!("{name} {:.3} s", d.as_secs_f64()))
            .collect();
        write!(
            f,
            "timings: {} (total {:.3} s)",
            parts.join(", "),
            total.as_secs_f64()
        )
    }
}

/// A text column; empty strings are written as empty cells, not `""`.
pub(crate) fn text_col(name: &'static str, v: Vec<String>) -> OutColumn {
    OutColumn {
        name,
        values: OutValues::Text(
            v.into_iter()
                .map(|s| (!s.is_empty()).then_some(s))
                .collect(),
        ),
    }
}

/// An integer column.
pub(crate) fn int_col(name: &'static str, v: Vec<u64>) -> OutColumn {
    OutColumn {
        name,
        values: OutValues::U64Full(v),
    }
}

/// `1 centre`, `2 centres`: a count with its noun in the right number.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `a, b, c` for a list of written files.
pub(crate) fn paths_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
