//! The `toshiken` command line: parses arguments, configures the thread pool, calls the
//! library, maps errors to exit codes (0 ok, 1 failure, 2 usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use toshiken::commands::{
    self, AuditOptions, CompareOptions, Config, DelineateOptions, MapOptions, MetricsOptions,
    SharesOptions,
};
use toshiken::io::{is_zone_table, OutFormat};
use toshiken::matrix::{MetricsParams, ShareDenominator, UnknownInDaytime};
use toshiken::registry::Level;
use toshiken::zones::synth::SynthParams;

#[derive(Parser)]
#[command(
    name = "toshiken",
    version,
    about = "Japan's 連携中枢都市圏 from the census commuting matrix",
    after_help = "Options go after the subcommand (`toshiken delineate --out DIR`); each subcommand accepts only the options it uses. Exit status: 0 done, 1 the inputs or the run failed, 2 usage."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand uses.
#[derive(Args)]
struct Global {
    /// Data directory (else $TOSHIKEN_DATA, data/jp, ../shared/data/jp).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress lines on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
}

/// Inputs replacing the data directory's.
#[derive(Args)]
struct InputArgs {
    /// OD input replacing the data directory's: e-Stat table 0003454527 as downloaded (the
    /// API's JSON response, or a folder of its pages, or its CSV in Shift_JIS or UTF-8), a
    /// folder of census JSON, one census JSON file, or a long table
    /// origin,destination,persons (.csv or .parquet).
    #[arg(long, value_name = "FILE")]
    od: Option<PathBuf>,
    /// Population table replacing the data directory's (area_code,population; .csv or .parquet),
    /// or e-Stat table 0003433219 as downloaded (API JSON response or CSV); for `metrics`, a
    /// table keyed by `zone` (zone,population) switches to zone OD.
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    /// Municipality master replacing the data directory's (code4fukui localgovjp layout).
    #[arg(long, value_name = "FILE")]
    master: Option<PathBuf>,
    /// Inputs of another census vintage: old_code,new_code rows mapping their codes to the
    /// master's (a merger adds persons; a split is refused), e.g. 04423,04216 (富谷町 → 富谷市).
    #[arg(long, value_name = "FILE")]
    crosswalk: Option<PathBuf>,
    /// Where the list of units comes from: `master` (the master's codes, the 2020 units) or
    /// `population` (the population table's codes, for inputs of another census vintage: a
    /// code the master lacks becomes a unit named as the table names it, with no office
    /// location; a master code the table lacks is left out).
    #[arg(long, value_enum, default_value_t = UnitsArg::Master)]
    units: UnitsArg,
}

/// `--units`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum UnitsArg {
    /// The municipality master's codes.
    Master,
    /// The population table's codes.
    Population,
}

/// Where results go.
#[derive(Args)]
struct OutArgs {
    /// Output directory. A run replaces the files of an earlier run of the same command there;
    /// run.json lists what this run wrote (see README, "Output folders").
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Print wall time per stage (load, compute, write).
    #[arg(long)]
    timings: bool,
}

/// Conventions of shares and daytime population.
#[derive(Args)]
struct ConventionArgs {
    /// Share denominator: all resident commuters (unknown destinations included; the
    /// default) or known destinations only.
    #[arg(long, value_enum)]
    share_denominator: Option<DenominatorArg>,
    /// Unknown destinations in the daytime population: not moved (the default), or counted
    /// as leaving.
    #[arg(long, value_enum)]
    unknown_daytime: Option<UnknownArg>,
}

/// What `delineate`, `audit` and `map` share: inputs, output, conventions, boundaries and
/// the rule parameters.
#[derive(Args)]
struct RuleCommandArgs {
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    out: OutArgs,
    #[command(flatten)]
    conventions: ConventionArgs,
    #[command(flatten)]
    shapes: ShapeArgs,
    #[command(flatten)]
    rules: RuleArgs,
}

/// Boundaries of the rule commands.
#[derive(Args)]
struct ShapeArgs {
    /// Boundaries replacing the data directory's N03 TopoJSON: TopoJSON, GeoJSON, or MLIT's
    /// N03 as downloaded (the .zip, or its .shp with the .shx, .dbf and .cpg beside it).
    #[arg(long, value_name = "FILE")]
    boundaries: Option<PathBuf>,
    /// Go on when some units have no usable shape (missing, empty or outside Japan): they are
    /// drawn nowhere, border no one, and are listed in the summary and in run.json.
    #[arg(long)]
    allow_missing_shapes: bool,
    /// Analysis level; the rule commands work on municipalities only (`ward` is refused with
    /// the reason).
    #[arg(long, value_enum, default_value_t = LevelArg::Municipality)]
    level: LevelArg,
}

#[derive(Subcommand)]
enum Command {
    /// Per-municipality commuting totals, day/night ratio, self-containment and top
    /// destinations → OUT/municipalities.csv (and .parquet).
    ///
    /// With `--zones` (and a population table keyed by `zone`, as `synth` writes) it runs the
    /// zone kernel instead: totals, outflow, inflow, daytime population and day/night ratio
    /// per zone, the share of every flow, and the ≥ 10 % pairs into the top 1 % of zones by
    /// inflow → OUT/zones, pairs, shares_sample (.parquet) and summary.json.
    Metrics {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutArgs,
        #[command(flatten)]
        conventions: ConventionArgs,
        /// Analysis level: municipalities (designated cities whole; the default) or wards.
        #[arg(long, value_enum)]
        level: Option<LevelArg>,
        /// Output format (default: csv for municipalities, parquet for zones).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Zone OD: `--od` ids and a `--population` table keyed by `zone` (dense ids 0..n)
        /// instead of the census and its municipality codes.
        #[arg(long)]
        zones: bool,
        /// With --zones: also measure the memory roofline (a copy of the bytes the kernel must
        /// move) and the kernel again on the same buffer, N times (for benchmarks).
        #[arg(long, value_name = "N")]
        roofline: Option<usize>,
    },
    /// Synthetic zone OD on the real geography, calibrated on the 2020 census →
    /// OUT/od.parquet, population.parquet, calibration.json.
    Synth {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutArgs,
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
    /// Centres, candidate areas, memberships, overlaps → OUT/centres.csv, areas.csv,
    /// memberships.csv, overlaps.csv, clauses.csv, areas.geojson, municipalities.geojson; for
    /// 連携中枢都市圏 (default), 定住自立圏, 都市雇用圏 or commuting zones (--scheme).
    Delineate {
        #[command(flatten)]
        common: RuleCommandArgs,
        #[command(flatten)]
        scheme: SchemeArgs,
        /// Threshold sweep FROM:TO:STEP → OUT/sweep.csv, e.g. 0.05:0.20:0.01.
        #[arg(long, value_name = "FROM:TO:STEP")]
        sweep: Option<String>,
        /// Also write OUT/toshiken.xlsx for Excel: every table as a sheet, Japanese headers above
        /// the English ones, codes as text, shares as percentages, the run's parameters and sources.
        #[arg(long)]
        xlsx: bool,
        /// Also write OUT/toshiken.gpkg (GeoPackage for QGIS/GDAL): layers `municipalities`
        /// (scalar fields to style by: primary_area, primary_tier, primary_share, area_count,
        /// colour) and `areas`, in JGD2011 (EPSG:6668).
        #[arg(long)]
        gpkg: bool,
    },
    /// Audit declared memberships (areas.csv + members.csv) → OUT/audit.csv and audit.md.
    Audit {
        #[command(flatten)]
        common: RuleCommandArgs,
        /// Folder with the declared areas.csv and members.csv.
        #[arg(long, value_name = "DIR")]
        declared: PathBuf,
        /// Also write audit.html: the tables and one map per declared area.
        #[arg(long)]
        html: bool,
    },
    /// A printable report → OUT/report.html: national summary and map, the cities' criteria,
    /// one page per candidate area (criteria, members with shares, overlaps, map); with --merge,
    /// the areas the mergers change before and after.
    Report {
        #[command(flatten)]
        common: RuleCommandArgs,
        #[command(flatten)]
        scheme: SchemeArgs,
    },
    /// How two delineations differ → stdout and OUT/compare_areas.csv, compare_moved.csv,
    /// compare.json: adjusted Rand index, NMI, each area's best match (Jaccard), the
    /// municipalities that moved with their shares under both.
    Compare {
        /// The first table: a run's memberships.csv, or any table with a code and an area_id
        /// (or area) column.
        #[arg(value_name = "A")]
        a: PathBuf,
        /// The second table, as A.
        #[arg(value_name = "B")]
        b: PathBuf,
        /// Compare only the municipalities in an area of B (for a table that covers one region,
        /// such as the declared areas of 中国・四国).
        #[arg(long)]
        within_b: bool,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Maps: OUT/map.svg, map.png, areas/<area>.svg|png and the interactive OUT/map.html.
    Map {
        #[command(flatten)]
        common: RuleCommandArgs,
        #[command(flatten)]
        scheme: SchemeArgs,
        /// Declared memberships to show beside the candidates in map.html.
        #[arg(long, value_name = "DIR")]
        declared: Option<PathBuf>,
        /// A font file with Japanese glyphs (else the system's IPA or Noto CJK fonts).
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// Print one origin's full commuting share vector (to stdout; no files).
    Shares {
        #[command(flatten)]
        inputs: InputArgs,
        /// Share denominator: all resident commuters (unknown destinations included) or known
        /// destinations only.
        #[arg(long, value_enum, default_value_t = DenominatorArg::All)]
        share_denominator: DenominatorArg,
        /// Analysis level: municipalities (designated cities whole) or wards.
        #[arg(long, value_enum, default_value_t = LevelArg::Municipality)]
        level: LevelArg,
        /// Origin code, e.g. 33202 (倉敷市).
        #[arg(long, value_name = "CODE")]
        from: String,
        /// CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

/// A count of persons given on the command line: a whole number, said in words when it is not.
fn persons(text: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| {
        format!("'{text}': expected a whole number of persons such as 40000 (no sign, no decimals, no separators)")
    })
}

/// Which delineation a rule command runs, and each scheme's own parameters.
#[derive(Args, Clone)]
struct SchemeArgs {
    /// Scheme: `renkei` (連携中枢都市圏, 連携中枢都市圏構想推進要綱), `teiju` (定住自立圏,
    /// 定住自立圏構想推進要綱), `uea` (都市雇用圏, Kanemoto and Tokuoka 2002) or `cz` (commuting
    /// zones: Tolbert–Sizer average linkage across borders; Adachi et al. 2020 for Japan).
    #[arg(long, default_value = "renkei")]
    scheme: String,
    /// With --scheme teiju: a 中心市 (and a 複眼型 pair together) has more than this population
    /// (default 40000: 「人口5万人程度以上（少なくとも4万人超）」, 定住自立圏構想推進要綱の概要).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = persons)]
    teiju_min_population: Option<u64>,
    /// With --scheme teiju: a 複眼型 pair needs one city to send at least this share of its
    /// commuters to the other (default 0.1; a reading: the summary's pair clause is cut short,
    /// see docs/schemes.md; 0 for adjacency alone).
    #[arg(long, value_name = "SHARE")]
    teiju_pair_link: Option<String>,
    /// With --scheme teiju: t2 (昼夜間人口比率 1以上) passes at a ratio ≥ 1 − T (default 0.01, as
    /// 連携中枢都市圏's pair clause: the computed ratio differs from the official by about 1 %; 0
    /// for the strict reading; --day-night for official ratios).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    teiju_dn_tolerance: Option<String>,
    /// With --scheme uea: DID population table (muni_code,did_population) replacing the data
    /// directory's census2020_did/did_population_2020.csv.
    #[arg(long, value_name = "FILE")]
    did: Option<PathBuf>,
    /// With --scheme uea: a central municipality's least DID population (default 10000,
    /// Kanemoto–Tokuoka).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = persons)]
    uea_core_did: Option<u64>,
    /// With --scheme uea: a co-core's least DID population, unless it has 1/3 of the core's
    /// (default 100000, Kanemoto–Tokuoka).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = persons)]
    uea_co_core_did: Option<u64>,
    /// With --scheme uea: an area is an MEA (大都市雇用圏) from this DID population of its
    /// central municipalities together, else McEA (default 50000, Kanemoto–Tokuoka).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = persons)]
    uea_mea_did: Option<u64>,
    /// With --scheme uea: keep Tokyo's 23 special wards as separate units (the published areas
    /// count 東京都区部 as one).
    #[arg(long)]
    uea_wards_separate: bool,
    /// With --scheme cz: clusters merge while their dissimilarity is below this (default
    /// 0.977, Adachi, Fukai, Kawaguchi and Saito 2020; Tolbert and Sizer used 0.98).
    #[arg(long, value_name = "CUT")]
    cz_cut: Option<String>,
    /// With --scheme cz: merge clusters with commuting between them even if they share no
    /// boundary (the published method's unconstrained form).
    #[arg(long)]
    cz_unconstrained: bool,
    /// With --scheme cz: fixed road links (code_a,code_b[,link]) replacing
    /// data/rules/cz_links.csv (明石海峡大橋, 瀬戸大橋, 関門橋 …).
    #[arg(long, value_name = "FILE")]
    cz_links: Option<PathBuf>,
}

impl SchemeArgs {
    /// The scheme, refusing every option that cannot apply to it.
    fn scheme(&self, rules: &RuleArgs, sweep: bool) -> anyhow::Result<commands::Scheme> {
        let usage = |m: String| -> anyhow::Error { commands::UsageError(m).into() };
        let r = rules;
        // (given, flag, schemes it applies to)
        let all = ["renkei", "teiju", "uea", "cz"];
        let options: [(bool, &str, &[&str]); 24] = [
            (r.threshold.is_some(), "--threshold", &all[..3]),
            (r.metro_threshold.is_some(), "--metro-threshold", &all[..2]),
            (r.metro.is_some(), "--metro", &all[..2]),
            (r.day_night.is_some(), "--day-night", &all[..2]),
            (r.dn_tolerance.is_some(), "--dn-tolerance", &all[..1]),
            (
                r.pair_dn_tolerance.is_some(),
                "--pair-dn-tolerance",
                &all[..1],
            ),
            (
                r.pair_min_population.is_some(),
                "--pair-min-population",
                &all[..1],
            ),
            (
                r.pair_min_combined.is_some(),
                "--pair-min-combined",
                &all[..1],
            ),
            (r.pair_max_km.is_some(), "--pair-max-km", &all[..1]),
            (r.pair.is_some(), "--pair", &all[..1]),
            (r.as_of.is_some(), "--as-of", &all[..1]),
            (r.core_cities.is_some(), "--core-cities", &all[..1]),
            (
                r.designated_cities.is_some(),
                "--designated-cities",
                &all[..1],
            ),
            (sweep, "--sweep", &all[..1]),
            (
                self.teiju_min_population.is_some(),
                "--teiju-min-population",
                &["teiju"],
            ),
            (
                self.teiju_pair_link.is_some(),
                "--teiju-pair-link",
                &["teiju"],
            ),
            (
                self.teiju_dn_tolerance.is_some(),
                "--teiju-dn-tolerance",
                &["teiju"],
            ),
            (self.did.is_some(), "--did", &["uea"]),
            (self.uea_core_did.is_some(), "--uea-core-did", &["uea"]),
            (
                self.uea_co_core_did.is_some(),
                "--uea-co-core-did",
                &["uea"],
            ),
            (self.uea_mea_did.is_some(), "--uea-mea-did", &["uea"]),
            (self.uea_wards_separate, "--uea-wards-separate", &["uea"]),
            (
                self.cz_cut.is_some() || self.cz_unconstrained,
                "--cz-cut/--cz-unconstrained",
                &["cz"],
            ),
            (self.cz_links.is_some(), "--cz-links", &["cz"]),
        ];
        let scheme = self.scheme.as_str();
        if !all.contains(&scheme) {
            return Err(usage(format!(
                "--scheme '{scheme}': one of renkei (連携中枢都市圏), teiju (定住自立圏), uea (都市雇用圏), cz (commuting zones)"
            )));
        }
        let refused: Vec<String> = options
            .iter()
            .filter(|(given, _, schemes)| *given && !schemes.contains(&scheme))
            .map(|(_, flag, schemes)| format!("{flag} (--scheme {})", schemes.join("|")))
            .collect();
        if !refused.is_empty() {
            return Err(usage(format!(
                "not for --scheme {scheme}: {}",
                refused.join(", ")
            )));
        }
        Ok(match scheme {
            "renkei" => commands::Scheme::Renkei,
            "teiju" => commands::Scheme::Teiju {
                min_population: self.teiju_min_population,
                pair_link: self.teiju_pair_link.clone(),
                dn_tolerance: self.teiju_dn_tolerance.clone(),
            },
            "uea" => commands::Scheme::Uea {
                did: self.did.clone(),
                core_did: self.uea_core_did,
                co_core_did: self.uea_co_core_did,
                mea_did: self.uea_mea_did,
                wards_separate: self.uea_wards_separate,
            },
            _ => commands::Scheme::Cz {
                cut: self.cz_cut.clone().unwrap_or_else(|| "0.977".to_string()),
                constrained: !self.cz_unconstrained,
                links: self.cz_links.clone(),
            },
        })
    }
}

#[derive(Args, Clone)]
struct RuleArgs {
    /// Member share threshold (exact decimal; default 0.1): 中心市への通勤通学割合 for renkei
    /// and teiju; the share to the central municipalities or a suburb for uea.
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
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = persons)]
    pair_min_population: Option<u64>,
    /// Minimum combined population of a two-centre pair (合計20万人以上; default 200000).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = persons)]
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
            xlsx: false,
            gpkg: false,
            scheme: commands::Scheme::Renkei,
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

/// The pieces of a [`Config`] a subcommand has.
#[derive(Default)]
struct Parts<'a> {
    inputs: Option<&'a InputArgs>,
    out: Option<&'a OutArgs>,
    conventions: Option<&'a ConventionArgs>,
    shapes: Option<&'a ShapeArgs>,
    level: Option<LevelArg>,
    denominator: Option<DenominatorArg>,
}

fn config(g: &Global, parts: Parts<'_>) -> Config {
    let mut config = Config {
        data: g.data.clone(),
        verbose: !g.quiet,
        ..Config::default()
    };
    if let Some(i) = parts.inputs {
        config.od = i.od.clone();
        config.population = i.population.clone();
        config.master = i.master.clone();
        config.crosswalk = i.crosswalk.clone();
        config.units_from_population = i.units == UnitsArg::Population;
    }
    if let Some(o) = parts.out {
        config.out = o.out.clone();
        config.timings = o.timings;
    }
    let mut params = MetricsParams::default();
    let denominator = parts
        .conventions
        .and_then(|c| c.share_denominator)
        .or(parts.denominator);
    if let Some(d) = denominator {
        params = params.share_denominator(match d {
            DenominatorArg::All => ShareDenominator::AllCommuters,
            DenominatorArg::Known => ShareDenominator::KnownDestinations,
        });
    }
    if let Some(u) = parts.conventions.and_then(|c| c.unknown_daytime) {
        params = params.unknown_in_daytime(match u {
            UnknownArg::NotMoved => UnknownInDaytime::NotMoved,
            UnknownArg::Leave => UnknownInDaytime::Leave,
        });
    }
    config.params = params;
    if let Some(s) = parts.shapes {
        config.boundaries = s.boundaries.clone();
        config.allow_missing_shapes = s.allow_missing_shapes;
    }
    let level = parts.level.or(parts.shapes.map(|s| s.level));
    config.level = match level {
        Some(LevelArg::Ward) => Level::Ward,
        _ => Level::Municipality,
    };
    config
}

impl RuleCommandArgs {
    fn config(&self, g: &Global) -> Config {
        config(
            g,
            Parts {
                inputs: Some(&self.inputs),
                out: Some(&self.out),
                conventions: Some(&self.conventions),
                shapes: Some(&self.shapes),
                ..Parts::default()
            },
        )
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(n) = cli.global.threads {
        if n == 0 {
            return Err(
                commands::UsageError("--threads 0: at least 1 thread is needed".into()).into(),
            );
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
        // polars keeps its own pool; it reads this before its first use.
        std::env::set_var("POLARS_MAX_THREADS", n.to_string());
    }
    let g = &cli.global;
    match &cli.command {
        Command::Metrics {
            inputs,
            out,
            conventions,
            level,
            format,
            zones,
            roofline,
        } => {
            let config = config(
                g,
                Parts {
                    inputs: Some(inputs),
                    out: Some(out),
                    conventions: Some(conventions),
                    level: *level,
                    ..Parts::default()
                },
            );
            let zone_table = config
                .population
                .as_deref()
                .filter(|p| is_zone_table(p).unwrap_or(false));
            if !*zones {
                if let Some(pop) = zone_table {
                    return Err(commands::UsageError(format!(
                        "--population {}: a table keyed by `zone`; pass --zones for zone OD",
                        pop.display()
                    ))
                    .into());
                }
            }
            if *zones {
                let pop = match (&config.population, zone_table) {
                    (None, _) => {
                        return Err(commands::UsageError(
                            "--zones needs --population FILE, a table zone,population".into(),
                        )
                        .into())
                    }
                    (Some(p), None) => {
                        return Err(commands::UsageError(format!(
                            "--zones: --population {} has no `zone` column (zone,population with ids 0..n)",
                            p.display()
                        ))
                        .into())
                    }
                    (Some(_), Some(p)) => p,
                };
                // Zones have no registry, wards or unknown destinations.
                let unused = [
                    (inputs.master.is_some(), "--master"),
                    (inputs.crosswalk.is_some(), "--crosswalk"),
                    (inputs.units == UnitsArg::Population, "--units population"),
                    (level.is_some(), "--level"),
                    (
                        conventions.share_denominator.is_some(),
                        "--share-denominator",
                    ),
                    (conventions.unknown_daytime.is_some(), "--unknown-daytime"),
                ];
                if let Some((_, flag)) = unused.iter().find(|(given, _)| *given) {
                    return Err(commands::UsageError(format!(
                        "{flag} does not apply with --zones: zones have no municipality master, wards or unknown destinations"
                    ))
                    .into());
                }
                let od = config.od.clone().ok_or_else(|| {
                    commands::UsageError("--zones needs its zone OD: pass --od FILE".into())
                })?;
                let format = match format {
                    None | Some(FormatArg::Parquet) => OutFormat::Parquet,
                    Some(FormatArg::Csv) => OutFormat::Csv,
                    Some(FormatArg::Both) => {
                        return Err(commands::UsageError(
                            "--format both: zone mode writes one format, csv or parquet".into(),
                        )
                        .into())
                    }
                };
                commands::run_zone_metrics(&config, &od, pop, format, roofline.unwrap_or(0))?;
                return Ok(());
            }
            if roofline.is_some() {
                return Err(commands::UsageError(
                    "--roofline applies with --zones only (it measures the zone kernel)".into(),
                )
                .into());
            }
            let formats = match format.unwrap_or(FormatArg::Csv) {
                FormatArg::Csv => vec![OutFormat::Csv],
                FormatArg::Parquet => vec![OutFormat::Parquet],
                FormatArg::Both => vec![OutFormat::Csv, OutFormat::Parquet],
            };
            commands::run_metrics(&config, &MetricsOptions { formats })?;
        }
        Command::Synth {
            inputs,
            out,
            zones,
            flows,
            seed,
            census,
        } => {
            let config = config(
                g,
                Parts {
                    inputs: Some(inputs),
                    out: Some(out),
                    ..Parts::default()
                },
            );
            match (census, zones, flows) {
                (true, _, _) => {
                    commands::run_census_zones(&config)?;
                }
                (false, Some(zones), Some(flows)) => {
                    commands::run_synth(
                        &config,
                        SynthParams {
                            zones: *zones,
                            flows: *flows,
                            seed: *seed,
                        },
                    )?;
                }
                _ => {
                    return Err(commands::UsageError(
                        "synth needs --zones and --flows, or --census".into(),
                    )
                    .into())
                }
            }
        }
        Command::Delineate {
            common,
            scheme,
            sweep,
            xlsx,
            gpkg,
        } => {
            let scheme = scheme.scheme(&common.rules, sweep.is_some())?;
            let config = common.config(g);
            let options = DelineateOptions {
                xlsx: *xlsx,
                gpkg: *gpkg,
                scheme,
                ..common.rules.options(sweep.clone())
            };
            commands::run_delineate(&config, &options)?;
        }
        Command::Audit {
            common,
            declared,
            html,
        } => {
            if let Some(pair) = &common.rules.pair {
                return Err(commands::UsageError(format!(
                    "--pair {pair}: audit judges the declared areas with their own centres; --pair belongs to delineate, map and report"
                ))
                .into());
            }
            let config = common.config(g);
            commands::run_audit(
                &config,
                &AuditOptions {
                    declared: declared.clone(),
                    rules: common.rules.options(None),
                    html: *html,
                },
            )?;
        }
        Command::Compare {
            a,
            b,
            within_b,
            inputs,
            out,
        } => {
            let config = config(
                g,
                Parts {
                    inputs: Some(inputs),
                    out: Some(out),
                    ..Parts::default()
                },
            );
            commands::run_compare(
                &config,
                &CompareOptions {
                    a: a.clone(),
                    b: b.clone(),
                    within_b: *within_b,
                },
            )?;
        }
        Command::Report { common, scheme } => {
            let scheme = scheme.scheme(&common.rules, false)?;
            let config = common.config(g);
            commands::run_report(
                &config,
                &DelineateOptions {
                    scheme,
                    ..common.rules.options(None)
                },
            )?;
        }
        Command::Map {
            common,
            scheme,
            declared,
            font,
        } => {
            let scheme = scheme.scheme(&common.rules, false)?;
            let config = common.config(g);
            commands::run_map(
                &config,
                &MapOptions {
                    rules: DelineateOptions {
                        scheme,
                        ..common.rules.options(None)
                    },
                    declared: declared.clone(),
                    font: font.clone(),
                },
            )?;
        }
        Command::Shares {
            inputs,
            share_denominator,
            level,
            from,
            csv,
        } => {
            let config = config(
                g,
                Parts {
                    inputs: Some(inputs),
                    level: Some(*level),
                    denominator: Some(*share_denominator),
                    ..Parts::default()
                },
            );
            commands::run_shares(
                &config,
                &SharesOptions {
                    from: from.clone(),
                    csv: *csv,
                },
            )?
        }
    }
    Ok(())
}

/// `No such file or directory (os error 2)` without the system's error number.
fn plain(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(k) = rest.find(" (os error ") {
        out.push_str(&rest[..k]);
        rest = match rest[k..].find(')') {
            Some(end) => &rest[k + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Whether the failure is stdout closed by the reader (`toshiken shares … | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", plain(&err.to_string()));
            // A cause already quoted by the message above it is not repeated.
            let mut shown = plain(&err.to_string());
            for cause in err.chain().skip(1) {
                let text = plain(&cause.to_string());
                if !shown.contains(&text) {
                    eprintln!("  caused by: {text}");
                }
                shown = text;
            }
            if err.downcast_ref::<commands::UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
