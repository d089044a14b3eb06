//! The `toshiken` command line: parses arguments, configures the thread pool, calls the
//! library, maps errors to exit codes (0 ok, 1 failure, 2 usage).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use toshiken::commands::{
    self, AuditOptions, Config, DelineateOptions, MapOptions, MetricsOptions, SharesOptions,
};
use toshiken::io::{is_zone_table, OutFormat};
use toshiken::matrix::{MetricsParams, ShareDenominator, UnknownInDaytime};
use toshiken::registry::Level;
use toshiken::zones::synth::SynthParams;

#[derive(Parser)]
#[command(
    name = "toshiken",
    version,
    about = "Japan's 連携中枢都市圏 from the census commuting matrix"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Data directory (else $TOSHIKEN_DATA, data/jp, ../shared/data/jp).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Output directory.
    #[arg(long, global = true, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// OD input replacing the data directory's: a folder of census JSON, one census JSON
    /// file, or a long table origin,destination,persons (.csv or .parquet).
    #[arg(long, global = true, value_name = "FILE")]
    od: Option<PathBuf>,
    /// Population table replacing the data directory's (area_code,population; .csv or .parquet);
    /// a table keyed by `zone` (zone,population) switches `metrics` to zone OD.
    #[arg(long, global = true, value_name = "FILE")]
    population: Option<PathBuf>,
    /// Municipality master replacing the data directory's (code4fukui localgovjp layout).
    #[arg(long, global = true, value_name = "FILE")]
    master: Option<PathBuf>,
    /// Analysis level: municipalities (designated cities whole) or wards.
    #[arg(long, global = true, value_enum, default_value_t = LevelArg::Municipality)]
    level: LevelArg,
    /// Share denominator: all resident commuters (unknown destinations included) or known
    /// destinations only.
    #[arg(long, global = true, value_enum, default_value_t = DenominatorArg::All)]
    share_denominator: DenominatorArg,
    /// Unknown destinations in the daytime population: not moved, or counted as leaving.
    #[arg(long, global = true, value_enum, default_value_t = UnknownArg::NotMoved)]
    unknown_daytime: UnknownArg,
    /// Boundaries replacing the data directory's N03 TopoJSON (TopoJSON or GeoJSON).
    #[arg(long, global = true, value_name = "FILE")]
    boundaries: Option<PathBuf>,
    /// Print wall time per stage (load, compute, write).
    #[arg(long, global = true)]
    timings: bool,
    /// No progress lines on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Per-municipality commuting totals, day/night ratio, self-containment and top
    /// destinations → OUT/municipalities.csv (and .parquet).
    ///
    /// With a zone population table (`--population` with a `zone` column, as `synth` writes)
    /// it runs the zone kernel instead: totals, outflow, inflow, daytime population and
    /// day/night ratio per zone, the share of every flow, and the ≥ 10 % pairs into the top
    /// 1 % of zones by inflow → OUT/zones, pairs, shares_sample (.parquet) and summary.json.
    Metrics {
        /// Output format (default: csv for municipalities, parquet for zones).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Zone mode: repeats of the memory-roofline measurement (a copy of the bytes the
        /// kernel must move) and of the kernel on the same buffer; 0 skips it.
        #[arg(long, default_value_t = 3, value_name = "N")]
        roofline: usize,
    },
    /// Synthetic zone OD on the real geography, calibrated on the 2020 census →
    /// OUT/od.parquet, population.parquet, calibration.json.
    Synth {
        /// Number of zones (at least one per municipality: 1,740 with population and OD).
        #[arg(long, value_name = "N", required_unless_present = "census")]
        zones: Option<usize>,
        /// Number of flows (OD rows).
        #[arg(long, value_name = "N", required_unless_present = "census")]
        flows: Option<usize>,
        /// Instead: write the real census OD (municipalities as zones, known destinations).
        #[arg(long, conflicts_with_all = ["zones", "flows"])]
        census: bool,
        /// Random seed; the output depends on it only.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Central cities, candidate 連携中枢都市圏, memberships, overlaps and maps → OUT/centres.csv,
    /// areas.csv, memberships.csv, overlaps.csv, areas.geojson, municipalities.geojson.
    Delineate {
        /// Scheme (only `renkei`, the 連携中枢都市圏 rules, for now).
        #[arg(long, default_value = "renkei")]
        scheme: String,
        #[command(flatten)]
        rules: RuleArgs,
        /// Threshold sweep FROM:TO:STEP → OUT/sweep.csv, e.g. 0.05:0.20:0.01.
        #[arg(long, value_name = "FROM:TO:STEP")]
        sweep: Option<String>,
    },
    /// Audit declared memberships (areas.csv + members.csv) → OUT/audit.csv and audit.md.
    Audit {
        /// Folder with the declared areas.csv and members.csv.
        #[arg(long, value_name = "DIR")]
        declared: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        /// Also write audit.html: the tables and one map per declared area.
        #[arg(long)]
        html: bool,
    },
    /// Maps: OUT/map.svg, map.png, areas/<area>.svg|png and the interactive OUT/map.html.
    Map {
        #[command(flatten)]
        rules: RuleArgs,
        /// Declared memberships to show beside the candidates in map.html.
        #[arg(long, value_name = "DIR")]
        declared: Option<PathBuf>,
        /// A font file with Japanese glyphs (else the system's IPA or Noto CJK fonts).
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// Print one origin's full commuting share vector.
    Shares {
        /// Origin code, e.g. 33202 (倉敷市).
        #[arg(long, value_name = "CODE")]
        from: String,
        /// CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Args, Clone)]
struct RuleArgs {
    /// Member share threshold: 連携中枢都市への通勤通学割合 (exact decimal; default 0.1).
    #[arg(long, value_name = "SHARE", allow_hyphen_values = true)]
    threshold: Option<String>,
    /// 要綱第3's 三大都市圏 exception: a city inside passes when its share to the metro's
    /// designated cities and special wards is below this (default 0.1).
    #[arg(long, value_name = "SHARE", allow_hyphen_values = true)]
    metro_threshold: Option<String>,
    /// Day/night ratio tolerance of a single centre (おおむね1以上): ratio ≥ 1 − T passes
    /// (default 0.02).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    dn_tolerance: Option<String>,
    /// Day/night ratio tolerance of each city of a two-centre pair (1以上): ratio ≥ 1 − T
    /// passes (default 0.01; 0 for the strict reading).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pair_dn_tolerance: Option<String>,
    /// Minimum population of each city of a two-centre pair (人口10万人程度以上; default 100000).
    #[arg(long, value_name = "N")]
    pair_min_population: Option<u64>,
    /// Minimum combined population of a two-centre pair (合計20万人以上; default 200000).
    #[arg(long, value_name = "N")]
    pair_min_combined: Option<u64>,
    /// One-hour proxy of a pair: most km between the two city offices (default 40).
    #[arg(long, value_name = "KM", allow_hyphen_values = true)]
    pair_max_km: Option<f64>,
    /// Evaluate this two-centre combination and draw its area, e.g. 35203+35202.
    #[arg(long, value_name = "A+B")]
    pair: Option<String>,
    /// Apply the 指定都市 and 中核市 in force on this date (default 2020-10-01, the census).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Core-city list replacing data/rules/core_cities.csv (code,name,core_from[,core_until]).
    #[arg(long, value_name = "FILE")]
    core_cities: Option<PathBuf>,
    /// Designated-city list replacing data/rules/designated_cities.csv (code,name,designated_from).
    #[arg(long, value_name = "FILE")]
    designated_cities: Option<PathBuf>,
    /// 三大都市圏 table replacing data/rules/metro_areas.csv (metro,type,code).
    #[arg(long, value_name = "FILE")]
    metro: Option<PathBuf>,
    /// Official day/night ratios replacing the computed ones: code with ratio,
    /// ratio_percent, or daytime and night.
    #[arg(long, value_name = "FILE")]
    day_night: Option<PathBuf>,
    /// What if these municipalities merged? CODE+CODE[+CODE], repeatable.
    #[arg(long, value_name = "A+B")]
    merge: Vec<String>,
}

impl RuleArgs {
    fn options(&self, sweep: Option<String>) -> DelineateOptions {
        DelineateOptions {
            threshold: self.threshold.clone(),
            metro_threshold: self.metro_threshold.clone(),
            dn_tolerance: self.dn_tolerance.clone(),
            pair_dn_tolerance: self.pair_dn_tolerance.clone(),
            merges: self.merge.clone(),
            sweep,
            pair_min_population: self.pair_min_population,
            pair_min_combined: self.pair_min_combined,
            pair_max_km: self.pair_max_km,
            as_of: self.as_of.clone(),
            core_cities: self.core_cities.clone(),
            designated_cities: self.designated_cities.clone(),
            metro: self.metro.clone(),
            day_night: self.day_night.clone(),
            pair: self.pair.clone(),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    Municipality,
    Ward,
}

#[derive(Clone, Copy, ValueEnum)]
enum DenominatorArg {
    All,
    Known,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnknownArg {
    NotMoved,
    Leave,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Parquet,
    Both,
}

fn config(g: &Global) -> Config {
    let params = MetricsParams::default()
        .share_denominator(match g.share_denominator {
            DenominatorArg::All => ShareDenominator::AllCommuters,
            DenominatorArg::Known => ShareDenominator::KnownDestinations,
        })
        .unknown_in_daytime(match g.unknown_daytime {
            UnknownArg::NotMoved => UnknownInDaytime::NotMoved,
            UnknownArg::Leave => UnknownInDaytime::Leave,
        });
    Config {
        data: g.data.clone(),
        od: g.od.clone(),
        population: g.population.clone(),
        master: g.master.clone(),
        out: g.out.clone(),
        level: match g.level {
            LevelArg::Municipality => Level::Municipality,
            LevelArg::Ward => Level::Ward,
        },
        params,
        timings: g.timings,
        verbose: !g.quiet,
        boundaries: g.boundaries.clone(),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(n) = cli.global.threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
        // polars keeps its own pool; it reads this before its first use.
        std::env::set_var("POLARS_MAX_THREADS", n.to_string());
    }
    let config = config(&cli.global);
    match cli.command {
        Command::Metrics { format, roofline } => {
            if let Some(pop) = config
                .population
                .as_deref()
                .filter(|p| is_zone_table(p).unwrap_or(false))
            {
                let od = config
                    .od
                    .clone()
                    .context("a zone population table needs its zone OD: pass --od FILE")?;
                let format = match format {
                    None | Some(FormatArg::Parquet) => OutFormat::Parquet,
                    Some(FormatArg::Csv) => OutFormat::Csv,
                    Some(FormatArg::Both) => {
                        anyhow::bail!("zone mode writes one format: csv or parquet")
                    }
                };
                commands::run_zone_metrics(&config, &od, pop, format, roofline)?;
                return Ok(());
            }
            let formats = match format.unwrap_or(FormatArg::Csv) {
                FormatArg::Csv => vec![OutFormat::Csv],
                FormatArg::Parquet => vec![OutFormat::Parquet],
                FormatArg::Both => vec![OutFormat::Csv, OutFormat::Parquet],
            };
            commands::run_metrics(&config, &MetricsOptions { formats })?;
        }
        Command::Synth {
            zones,
            flows,
            seed,
            census,
        } => match (census, zones, flows) {
            (true, _, _) => {
                commands::run_census_zones(&config)?;
            }
            (false, Some(zones), Some(flows)) => {
                commands::run_synth(&config, SynthParams { zones, flows, seed })?;
            }
            _ => anyhow::bail!("synth needs --zones and --flows, or --census"),
        },
        Command::Delineate {
            scheme,
            rules,
            sweep,
        } => {
            anyhow::ensure!(
                scheme == "renkei",
                "--scheme '{scheme}': only 'renkei' (連携中枢都市圏) is implemented"
            );
            commands::run_delineate(&config, &rules.options(sweep))?;
        }
        Command::Audit {
            declared,
            rules,
            html,
        } => {
            commands::run_audit(
                &config,
                &AuditOptions {
                    declared,
                    rules: rules.options(None),
                    html,
                },
            )?;
        }
        Command::Map {
            rules,
            declared,
            font,
        } => {
            commands::run_map(
                &config,
                &MapOptions {
                    rules: rules.options(None),
                    declared,
                    font,
                },
            )?;
        }
        Command::Shares { from, csv } => {
            commands::run_shares(&config, &SharesOptions { from, csv })?
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if err.downcast_ref::<commands::UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
