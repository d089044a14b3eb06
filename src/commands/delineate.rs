//! `toshiken delineate`: centres, candidate areas, memberships, overlaps, maps.

use std::path::PathBuf;

use anyhow::Context;

use super::{int_col, paths_list, text_col, Config, InputFile, RunRecord, Timings};
use crate::areas::{overlaps, sweep, Area, Tier};
use crate::dataset::resolve_data_dir;
use crate::geometry::{dissolve, unit_shapes};
use crate::io::{
    self, write_geojson, write_table, MetroStatus, OutColumn, OutFeature, OutFormat, OutValues,
    PropValue,
};
use crate::matrix::Threshold;
use crate::region::{parse_merge, Region};
use crate::registry::Level;
use crate::report::{area_svg, MapData};
use crate::rules;
use crate::rules::renkei::threshold_text;
use crate::rules::{
    evaluate_unit, Centre, CentreEvaluation, CityLists, Clause, Date, DayNightTable, MetroAreas,
    PairCandidate, RatioSource, RenkeiParams, CENSUS_DATE,
};

/// The national N03 boundaries inside a data directory (complete: no island is missing).
pub const BOUNDARIES_FILE: &str = "n03_boundaries_smartnews/topojson_s0010/N03-21_210101.json";

/// Options of the rule commands (`delineate`, `audit`, `map`).
#[derive(Clone, Debug, Default)]
pub struct DelineateOptions {
    /// `--threshold` (default 0.1): the member threshold.
    pub threshold: Option<String>,
    /// `--metro-threshold` (default 0.1): clause 3's share to the metro's core.
    pub metro_threshold: Option<String>,
    /// `--dn-tolerance` (default 0.02): clause 2 for a single centre.
    pub dn_tolerance: Option<String>,
    /// `--pair-dn-tolerance` (default 0.01): the pair clause's ratio.
    pub pair_dn_tolerance: Option<String>,
    /// `--merge A+B[+C]`, repeatable.
    pub merges: Vec<String>,
    /// `--sweep FROM:TO:STEP`.
    pub sweep: Option<String>,
    /// `--pair-min-population` (default 100,000).
    pub pair_min_population: Option<u64>,
    /// `--pair-min-combined` (default 200,000).
    pub pair_min_combined: Option<u64>,
    /// `--pair-max-km` (default 40).
    pub pair_max_km: Option<f64>,
    /// `--as-of YYYY-MM-DD` (default 2020-10-01, the census date).
    pub as_of: Option<String>,
    /// `--core-cities FILE`, replacing `data/rules/core_cities.csv`.
    pub core_cities: Option<PathBuf>,
    /// `--designated-cities FILE`, replacing `data/rules/designated_cities.csv`.
    pub designated_cities: Option<PathBuf>,
    /// `--metro FILE`, replacing `data/rules/metro_areas.csv`.
    pub metro: Option<PathBuf>,
    /// `--day-night FILE`: official day/night ratios replacing the computed ones.
    pub day_night: Option<PathBuf>,
    /// `--pair A+B`: evaluate and draw this two-centre combination only.
    pub pair: Option<String>,
    /// `--xlsx`: also write [`XLSX_FILE`] (delineate only).
    pub xlsx: bool,
    /// `--gpkg`: also write [`GPKG_FILE`] (delineate only).
    pub gpkg: bool,
    /// `--scheme` (delineate only; default 連携中枢都市圏).
    pub scheme: Scheme,
}

/// Which delineation a rule command (`delineate`, `map`, `report`) runs; the values as the
/// user wrote them (checked by [`scheme_of`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Scheme {
    /// 連携中枢都市圏 (連携中枢都市圏構想推進要綱).
    #[default]
    Renkei,
    /// 定住自立圏 (定住自立圏構想推進要綱).
    Teiju {
        /// `--teiju-min-population` (default 40,000: 「少なくとも4万人超」).
        min_population: Option<u64>,
        /// `--teiju-pair-link` as written (default 0.1).
        pair_link: Option<String>,
        /// `--teiju-dn-tolerance` as written (default 0.01).
        dn_tolerance: Option<String>,
    },
    /// 都市雇用圏 (Kanemoto and Tokuoka 2002).
    Uea {
        /// `--did FILE`, replacing the data directory's DID table.
        did: Option<PathBuf>,
        /// `--uea-core-did` (default 10,000).
        core_did: Option<u64>,
        /// `--uea-co-core-did` (default 100,000).
        co_core_did: Option<u64>,
        /// `--uea-mea-did` (default 50,000).
        mea_did: Option<u64>,
        /// `--uea-wards-separate`: keep Tokyo's special wards as 23 units.
        wards_separate: bool,
    },
    /// Commuting zones (Tolbert and Sizer 1996; Adachi, Fukai, Kawaguchi and Saito 2020).
    Cz {
        /// `--cz-cut` as written (default 0.977).
        cut: String,
        /// Not `--cz-unconstrained`.
        constrained: bool,
        /// `--cz-links FILE`, replacing data/rules/cz_links.csv.
        links: Option<PathBuf>,
    },
}

/// The DID population table inside a data directory (2020 census, table 1-2).
pub const DID_FILE: &str = "census2020_did/did_population_2020.csv";

/// The DID table a UEA run reads: `--did`, else the data directory's.
///
/// # Errors
/// When no data directory is found and `--did` is not given.
pub fn did_path(config: &Config, did: Option<&std::path::Path>) -> anyhow::Result<PathBuf> {
    Ok(match did {
        Some(p) => p.to_path_buf(),
        None => resolve_data_dir(config.data.as_deref())?
            .path
            .join(DID_FILE),
    })
}

/// The scheme the options ask for, with its lists read and its values checked; the
/// 連携中枢都市圏 and 定住自立圏 take the shared rule parameters (`--threshold`, `--metro`…) from
/// `params`.
///
/// # Errors
/// A bad value (usage), an unreadable list or DID table.
pub fn scheme_of<'p>(
    config: &Config,
    options: &DelineateOptions,
    params: &'p RenkeiParams,
) -> anyhow::Result<Box<dyn rules::Scheme + 'p>> {
    Ok(match &options.scheme {
        Scheme::Renkei => Box::new(rules::scheme::Renkei(params)),
        Scheme::Teiju {
            min_population,
            pair_link,
            dn_tolerance,
        } => {
            let mut t = rules::Teiju::new(params.metro().clone());
            if let Some(text) = dn_tolerance {
                t.dn_tolerance = parse_threshold("--teiju-dn-tolerance", text)?;
            }
            if let Some(text) = pair_link {
                t.pair_link = parse_threshold("--teiju-pair-link", text)?;
            }
            t.threshold = params.get_threshold();
            t.metro_threshold = params.get_metro_threshold();
            t.day_night = params.get_day_night().cloned();
            if let Some(p) = min_population {
                t.min_population = *p;
            }
            Box::new(t)
        }
        Scheme::Uea {
            did,
            core_did,
            co_core_did,
            mea_did,
            wards_separate,
        } => {
            let path = did_path(config, did.as_deref())?;
            let rows = io::read_did(&path)?;
            let mut u = rules::Uea::new(rows.iter().map(|r| (r.code, r.population)).collect());
            u.threshold = params.get_threshold();
            u.wards_as_one = !wards_separate;
            for (flag, value, field) in [
                ("--uea-core-did", core_did, &mut u.core_did),
                ("--uea-co-core-did", co_core_did, &mut u.co_core_did),
                ("--uea-mea-did", mea_did, &mut u.mea_did),
            ] {
                if let Some(v) = value {
                    if *v == 0 {
                        return Err(usage(format!(
                            "{flag} 0: a DID population above 0 is needed (at 0 every municipality would qualify)"
                        )));
                    }
                    *field = *v;
                }
            }
            Box::new(u)
        }
        Scheme::Cz {
            cut,
            constrained,
            links,
        } => {
            let exact = parse_cz_cut(cut)?;
            let (rows, _) = io::read_cz_links(links.as_deref())?;
            let (n, d) = exact.parts();
            Box::new(rules::cz::Cz {
                params: rules::cz::CzParams {
                    cut: n as f64 / d as f64,
                    constrained: *constrained,
                },
                cut: exact,
                links: rows.iter().map(|l| (l.a, l.b)).collect(),
            })
        }
    })
}

/// The region a scheme works on (the UEA merges Tokyo's special wards), with the warnings its
/// inputs need: every road link of a commuting-zone run must name units of the region; a UEA's
/// DID table must not exceed a unit's population (an error naming the record), and codes it
/// gives that are not units, or large cities it leaves without a DID, are named in warnings.
///
/// # Errors
/// A link naming a code that is not a unit, an impossible DID population, or a merger the
/// scheme cannot apply.
pub fn scheme_region(
    config: &Config,
    options: &DelineateOptions,
    scheme: &dyn rules::Scheme,
    region: Region,
) -> anyhow::Result<(Region, Vec<String>)> {
    let mut warnings = Vec::new();
    if let Scheme::Cz { links, .. } = &options.scheme {
        let (rows, _) = io::read_cz_links(links.as_deref())?;
        for l in &rows {
            anyhow::ensure!(
                region.index_of(l.a).is_some() && region.index_of(l.b).is_some(),
                "{}: road link {} {} → {}: a code is not a municipality of the data",
                l.record,
                l.name,
                l.a,
                l.b
            );
        }
    }
    if let Scheme::Uea { did, .. } = &options.scheme {
        let path = did_path(config, did.as_deref())?;
        let rows = io::read_did(&path)?;
        let mut lost = Vec::new();
        let mut has = vec![false; region.len()];
        for r in &rows {
            match region.index_of(r.code) {
                None => lost.push(r.code.to_string()),
                Some(i) => {
                    has[i] = true;
                    // The DID table has the final counts, the population file may have the
                    // preliminary ones (戸田市: DID 140,878, preliminary population 140,868):
                    // only an excess of more than 5 % says the table does not fit.
                    if let Some(p) = region.population[i]
                        .filter(|&p| u128::from(r.population) * 100 > u128::from(p) * 105)
                    {
                        anyhow::bail!(
                            "{}: the DID population {} of {} is more than its whole population {p} (by over 5 %): is this the DID table of another census or municipality?",
                            r.record,
                            r.population,
                            region.label(i)
                        );
                    }
                }
            }
        }
        if !lost.is_empty() {
            warnings.push(format!(
                "{}: DID populations for codes that are not municipalities of the data are not used: {}",
                path.display(),
                lost.join(" ")
            ));
        }
        let large: Vec<String> = (0..region.len())
            .filter(|&i| !has[i] && region.population[i].is_some_and(|p| p >= 100_000))
            .map(|i| region.label(i))
            .collect();
        if !large.is_empty() {
            warnings.push(format!(
                "{}: no DID population for {} municipalities of 100,000 people or more, which count as having none (no DID, so never a central municipality): {}",
                path.display(),
                large.len(),
                large
                    .iter()
                    .take(NAMED_UNITS)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
                    + &if large.len() > NAMED_UNITS {
                        format!(" and {} more", large.len() - NAMED_UNITS)
                    } else {
                        String::new()
                    }
            ));
        }
    }
    let region = scheme
        .units(region)
        .map_err(|e| usage(format!("--scheme {}: {e}", scheme.id())))?;
    Ok((region, warnings))
}

/// The workbook `delineate --xlsx` writes.
pub const XLSX_FILE: &str = "toshiken.xlsx";

/// The GeoPackage `delineate --gpkg` writes.
pub const GPKG_FILE: &str = "toshiken.gpkg";

/// What a run produced.
#[derive(Debug)]
pub struct DelineateRun {
    /// The region (after mergers).
    pub region: Region,
    /// Clauses per evaluated city.
    pub evaluations: Vec<CentreEvaluation>,
    /// Admissible pairs (or the requested one) with the choice made.
    pub pairs: Vec<PairCandidate>,
    /// Candidate areas.
    pub areas: Vec<Area>,
    /// Warnings also recorded in run.json.
    pub warnings: Vec<String>,
    /// Files written.
    pub written: Vec<PathBuf>,
}

fn parse_threshold(flag: &str, text: &str) -> anyhow::Result<Threshold> {
    Threshold::parse_decimal(text.trim()).ok_or_else(|| {
        usage(format!(
            "{flag} '{text}': expected a decimal between 0 and 1 such as 0.1, with at most 9 decimal places"
        ))
    })
}

fn usage(message: String) -> anyhow::Error {
    super::UsageError(message).into()
}

/// The rule parameters from the options, with the warnings they raise (a date after a
/// list's own as-of date).
///
/// # Errors
/// A malformed value, an unreadable list, or a list that cannot answer for `--as-of`.
pub fn renkei_params(options: &DelineateOptions) -> anyhow::Result<(RenkeiParams, Vec<String>)> {
    let (rows, metro_info) = io::read_metro_areas(options.metro.as_deref())?;
    let metro = MetroAreas::from_rows(&rows, &metro_info.file);
    let mut params = RenkeiParams::new(metro).metro_info(metro_info);
    if let Some(t) = &options.threshold {
        let threshold = parse_threshold("--threshold", t)?;
        if threshold.parts().0 == 0 {
            return Err(usage(format!(
                "--threshold '{t}': a share above 0 is needed (at 0 every municipality would be a member of every area)"
            )));
        }
        params = params.threshold(threshold);
    }
    if let Some(t) = &options.metro_threshold {
        params = params.metro_threshold(parse_threshold("--metro-threshold", t)?);
    }
    if let Some(t) = &options.dn_tolerance {
        params = params.dn_tolerance(parse_threshold("--dn-tolerance", t)?);
    }
    if let Some(t) = &options.pair_dn_tolerance {
        params = params.pair_dn_tolerance(parse_threshold("--pair-dn-tolerance", t)?);
    }
    if let Some(p) = options.pair_min_population {
        params = params.pair_min_population(p);
    }
    if let Some(p) = options.pair_min_combined {
        params = params.pair_min_combined(p);
    }
    if let Some(km) = options.pair_max_km {
        if !(km.is_finite() && km > 0.0) {
            return Err(usage(format!(
                "--pair-max-km {km}: expected a distance in km above 0"
            )));
        }
        params = params.pair_max_km(km);
    }
    let as_of = match &options.as_of {
        Some(text) => Date::parse(text.trim()).ok_or_else(|| {
            usage(format!(
                "--as-of '{text}': expected a date written YYYY-MM-DD, e.g. 2024-04-01"
            ))
        })?,
        None => CENSUS_DATE,
    };
    let (designated, di) = io::read_designated_cities(options.designated_cities.as_deref())?;
    let (core, ci) = io::read_core_cities(options.core_cities.as_deref())?;
    let lists = CityLists::new(&designated, di, core, ci);
    let warnings = lists.warnings(as_of);
    params = params.lists(lists, as_of)?;
    if let Some(path) = &options.day_night {
        let rows = io::read_day_night(path)?;
        params = params.day_night(DayNightTable::new(&rows, &path.display().to_string()));
    }
    if let Some(text) = &options.pair {
        let codes = parse_merge(text)
            .ok()
            .filter(|c| c.len() == 2)
            .ok_or_else(|| {
                usage(format!(
                    "--pair '{text}': expected two 5-digit codes joined by '+', e.g. 35203+35202"
                ))
            })?;
        if codes[0] == codes[1] {
            return Err(usage(format!(
                "--pair '{text}': two different cities are needed"
            )));
        }
        params = params.pair(codes[0], codes[1]);
    }
    Ok((params, warnings))
}

/// Why the rule commands refuse `--level ward`.
pub const WARD_LEVEL_REFUSED: &str = "--level ward: the 連携中枢都市圏 rules are defined on municipalities. A central city is a whole 指定都市 or 中核市, its 昼夜間人口比率 is the whole city's, and a member's 通勤通学割合 counts commuters to the whole city; the wards of a designated city are not municipalities and cannot be centres or members. Use --level ward with `metrics` or `shares`.";

/// Loads the dataset and the boundaries and builds the region, with `merges` applied.
///
/// # Errors
/// Loading failures, a broken boundary file, or a bad merger.
pub fn build_region(
    config: &Config,
    merges: &[String],
    timings: &mut Timings,
) -> anyhow::Result<Region> {
    build_region_with_warnings(config, merges, timings).map(|(region, _)| region)
}

/// How many units a coverage message names before "and N more".
const NAMED_UNITS: usize = 12;

/// [`build_region`], with the warnings about shapes that the run records (units without a
/// usable shape under `--allow-missing-shapes`, repaired shapes).
///
/// # Errors
/// As [`build_region`]; also when units have no usable shape and `--allow-missing-shapes`
/// was not given, or a shape stays invalid after repair.
pub fn build_region_with_warnings(
    config: &Config,
    merges: &[String],
    timings: &mut Timings,
) -> anyhow::Result<(Region, Vec<String>)> {
    if config.level == Level::Ward {
        return Err(super::UsageError(WARD_LEVEL_REFUSED.to_string()).into());
    }
    // A code in two mergers: the second would no longer find it once the first is applied.
    let mut seen: std::collections::HashMap<crate::registry::MuniCode, &String> =
        std::collections::HashMap::new();
    for text in merges {
        for code in parse_merge(text).map_err(|e| usage(e.to_string()))? {
            if let Some(first) = seen.insert(code, text) {
                if first != text {
                    return Err(usage(format!(
                        "--merge: {code} is named in two mergers ({first} and {text}); give one merger with all of them, e.g. --merge {first}+…"
                    )));
                }
            }
        }
    }
    let dataset = timings.time("load", || config.load())?;
    let boundaries = boundaries_path(config)?;
    if config.verbose {
        eprintln!("reading boundaries {}", boundaries.display());
    }
    // Printed by `Config::load`; recorded with the shape warnings.
    let mut data_warnings = dataset.warnings();
    // The conservation line, as printed, so that run.json says what was read and used too.
    data_warnings.push(format!("note: {}", dataset.conservation));
    data_warnings.extend(dataset.notes.iter().map(|n| format!("note: {n}")));
    let mut warnings = Vec::new();
    let mut shape_notes = Vec::new();
    let region = timings.time("boundaries", || -> anyhow::Result<Region> {
        let features = io::read_boundaries(&boundaries)?;
        let (shapes, report) = unit_shapes(&features, &dataset.registry, &dataset.units);
        // Recorded in run.json whatever -q says: what of the boundary file was not used.
        shape_notes.push(format!(
            "note: {}: {} boundary features read; {} without a code (N03 所属未定地, or features of another layer) set aside; {} with a code not in the registry ({} code{}){}",
            boundaries.display(),
            report.features,
            report.without_code,
            report.unknown_code_features,
            report.unknown_codes.len(),
            if report.unknown_codes.len() == 1 { "" } else { "s" },
            if report.unknown_codes.is_empty() {
                String::new()
            } else {
                format!(" ({})", report.unknown_codes.join(" "))
            }
        ));
        let name = |code: &str| {
            crate::registry::MuniCode::parse(code)
                .and_then(|c| dataset.registry.get(c))
                .map(|e| e.name.clone())
                .unwrap_or_default()
        };
        let listing = |list: &[(String, String)], all: bool| -> String {
            let shown = if all { list.len() } else { list.len().min(NAMED_UNITS) };
            let mut text: Vec<String> = list[..shown]
                .iter()
                .map(|(c, why)| format!("{c} {} ({why})", name(c)))
                .collect();
            if shown < list.len() {
                text.push(format!("and {} more", list.len() - shown));
            }
            text.join("; ")
        };
        if config.verbose {
            eprintln!(
                "{} boundary features: {} without a code (N03 所属未定地, or features of another layer), {} codes not in the registry{}",
                report.features,
                report.without_code,
                report.unknown_codes.len(),
                if report.unknown_codes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", report.unknown_codes.join(" "))
                }
            );
            eprintln!(
                "{} units have several parts (exclaves or islands)",
                report.multi_part.len()
            );
        }
        let missing = &report.units_without_shape;
        if !missing.is_empty() {
            let covered: std::collections::BTreeSet<u8> = (0..dataset.units.len())
                .filter(|i| !missing.iter().any(|(c, _)| *c == dataset.units.codes()[*i].to_string()))
                .map(|i| dataset.units.codes()[i].prefecture())
                .collect();
            let head = format!(
                "{}: {} of {} units have no usable shape: {}. The boundaries cover units in {} of 47 prefectures",
                boundaries.display(),
                missing.len(),
                dataset.units.len(),
                listing(missing, false),
                covered.len()
            );
            if !config.allow_missing_shapes {
                let which = if config.units_from_population {
                    "boundaries of the population table's vintage (with --units population the units carry its codes: N03 of 2016-01-01 for the 2015 census)"
                } else {
                    "boundaries for every unit of the OD (the data directory's N03 file)"
                };
                anyhow::bail!(
                    "{head}. Without shapes these units would border no one (no tier-2 members, areas split). Pass {which}, or --allow-missing-shapes to go on with them listed in run.json"
                );
            }
            warnings.push(format!(
                "--allow-missing-shapes: {} units have no usable shape and border no unit: {}",
                missing.len(),
                listing(missing, true)
            ));
        }
        if !report.invalid.is_empty() {
            anyhow::bail!(
                "{}: {} shapes are invalid and could not be repaired: {}",
                boundaries.display(),
                report.invalid.len(),
                listing(&report.invalid, false)
            );
        }
        for (code, what) in &report.repaired {
            warnings.push(format!("{code} {}: shape {what}", name(code)));
        }
        let mut region = Region::new(&dataset, shapes, config.params);
        for (i, fixed) in report.fixes {
            region.shapes[i] = Some(fixed);
        }
        // Shapes that do not share their borders exactly (a shifted or duplicated file, or
        // one that is not topologically clean) leave units without neighbours.
        let with_shape = region.shapes.iter().filter(|s| s.is_some()).count();
        let isolated = (0..region.len())
            .filter(|&i| region.shapes[i].is_some() && region.adjacency.is_isolated(i))
            .count();
        if with_shape > 0 && isolated * 10 > with_shape {
            warnings.push(format!(
                "{isolated} of {with_shape} units border no other unit: the shapes do not share their borders vertex for vertex (a shifted, duplicated or differently simplified file?), so tier 2 and contiguity are unreliable. The N03 TopoJSON shares its arcs exactly"
            ));
        }
        Ok(region)
    })?;
    // Warnings are printed even with -q: they qualify the results.
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if config.verbose {
        let isolated = (0..region.len())
            .filter(|&i| region.adjacency.is_isolated(i))
            .count();
        eprintln!(
            "adjacency: {} neighbour pairs; {} units border no other unit (islands)",
            region.adjacency.pair_count(),
            isolated
        );
    }
    let mut region = region;
    for text in merges {
        let group = parse_merge(text).map_err(|e| usage(e.to_string()))?;
        let members: Vec<usize> = group.iter().filter_map(|&c| region.index_of(c)).collect();
        if members.len() == group.len() {
            let apart = region.adjacency.unreachable_from_first(&members);
            if !apart.is_empty() {
                let w = format!(
                    "--merge {text}: {} {} not border {} (directly or through the others): the merged unit is in pieces",
                    apart
                        .iter()
                        .map(|&i| region.label(i))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if apart.len() == 1 { "does" } else { "do" },
                    region.label(members[0])
                );
                eprintln!("warning: {w}");
                warnings.push(w);
            }
        }
        region = timings
            .time("merge", || region.merge(std::slice::from_ref(&group)))
            .map_err(|e| usage(e.to_string()))?;
        if config.verbose {
            let i = group
                .iter()
                .find_map(|&c| region.index_of(c))
                .expect("the merged unit keeps one of its codes");
            eprintln!(
                "merged {text} into {} (population {})",
                region.label(i),
                region.population[i].map_or("unknown".to_string(), |p| p.to_string())
            );
        }
    }
    data_warnings.extend(shape_notes);
    Ok((region, data_warnings.into_iter().chain(warnings).collect()))
}

/// The warnings a scheme's result needs beside it: the 連携中枢都市圏's list and input checks
/// ([`rule_warnings`]), and for the other schemes what the inputs cannot support.
///
/// # Errors
/// As [`rule_warnings`].
pub fn scheme_warnings(
    region: &Region,
    params: &RenkeiParams,
    scheme: &dyn rules::Scheme,
    outcome: &rules::Outcome,
) -> anyhow::Result<Vec<String>> {
    let detail = outcome.renkei.clone().unwrap_or_default();
    let mut out = match scheme.id() {
        "renkei" => rule_warnings(region, params, &detail.evaluations, &detail.pairs)?,
        "uea" => vec![UEA_COMMUTERS_WARNING.to_string()],
        "teiju" => vec![TEIJU_MEMBERS_WARNING.to_string()],
        _ => Vec::new(),
    };
    if matches!(scheme.id(), "renkei" | "teiju") {
        out.extend(metro_table_warnings(region, params, &outcome.areas));
    }
    Ok(out)
}

/// Centres the 三大都市圏 table does not place inside a metro although they send at least the
/// metro threshold of their commuters to that metro's 指定都市 and 特別区: the table may be missing
/// them (it is compiled from partial lists), and inside they would fail the metro clause.
fn metro_table_warnings(region: &Region, params: &RenkeiParams, areas: &[Area]) -> Vec<String> {
    let metro = params.metro();
    let threshold = params.get_metro_threshold();
    let mut out = Vec::new();
    for &u in areas.iter().flat_map(|a| &a.centre.units) {
        if metro.metro_of(region.code(u)).is_some() {
            continue;
        }
        for k in 0..metro.len() {
            let cores: Vec<usize> = metro
                .cores(k)
                .iter()
                .filter_map(|&c| region.index_of(c))
                .collect();
            let (persons, d) = (region.persons_to(u, &cores), region.denominator(u));
            if threshold.is_met(persons, d) {
                out.push(format!(
                    "{}: a centre that {} does not place in the {}, although it sends {:.4} ({persons}/{d}) of its commuters to that area's 指定都市 and 特別区 (≥ {}); if it lies inside, it fails the metro clause. Check its status and give --metro to settle it",
                    region.label(u),
                    params.get_metro_info().file,
                    metro.name(k),
                    persons as f64 / d.max(1) as f64,
                    threshold_text(threshold)
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What the census OD cannot give the UEA.
pub const UEA_COMMUTERS_WARNING: &str = "都市雇用圏: Kanemoto and Tokuoka count employed persons (就業者) only; this OD counts workers and students leaving home (census table 6-1), so shares to large cores run higher than in their tables and some municipalities pass 10 % only through students";

/// What the 定住自立圏 members are.
pub const TEIJU_MEMBERS_WARNING: &str = "定住自立圏: the 通勤通学10%圏 is one factor the municipalities weigh, not a test, and areas are formed by agreements; these are candidate areas, and a 合併市 is judged on its whole 昼夜間人口比率 (the former municipalities' ratios are not in the 2020 census)";

/// Runs the delineation and writes every output.
///
/// # Errors
/// Loading, parameter or writing failures.
pub fn run_delineate(config: &Config, options: &DelineateOptions) -> anyhow::Result<DelineateRun> {
    let (params, mut warnings) = renkei_params(options)?;
    let sweep_thresholds = options.sweep.as_deref().map(parse_sweep).transpose()?;
    // Bad scheme values are usage errors before anything is loaded.
    let scheme = scheme_of(config, options, &params)?;
    let mut timings = Timings::default();
    let (region, shape_warnings) =
        build_region_with_warnings(config, &options.merges, &mut timings)?;
    let (region, input_warnings) = scheme_region(config, options, scheme.as_ref(), region)?;
    warnings.extend(input_warnings);
    let outcome = timings.time("rules", || scheme.delineate(&region));
    let (evaluations, pairs) = outcome
        .renkei
        .clone()
        .map(|d| (d.evaluations, d.pairs))
        .unwrap_or_default();
    let areas = outcome.areas.clone();
    let centres: Vec<Centre> = areas.iter().map(|a| a.centre.clone()).collect();
    warnings.extend(scheme_warnings(
        &region,
        &params,
        scheme.as_ref(),
        &outcome,
    )?);
    // Warnings are printed even with -q: they qualify the results.
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    RunRecord::begin(&config.out, "delineate")?;
    let mut outputs = timings.time("write", || {
        write_outputs(config, &region, &params, scheme.as_ref(), &outcome)
    })?;
    let mut written = std::mem::take(&mut outputs.written);
    if params.get_pair().is_some() {
        let data = MapData::new(&region, &areas, None, super::MAP_TITLE);
        if let Some(k) = areas.iter().position(|a| a.centre.is_pair()) {
            let path = config
                .out
                .join("areas")
                .join(format!("{}.svg", data.ids[k]));
            io::write_text(&path, &area_svg(&data, k))?;
            written.push(path);
        }
    }
    if let Some(thresholds) = sweep_thresholds {
        let rows = timings.time("sweep", || sweep(&region, &params, &thresholds));
        let path = config.out.join("sweep.csv");
        let columns = vec![
            text_col(
                "threshold",
                rows.iter().map(|r| threshold_text(r.threshold)).collect(),
            ),
            int_col("areas", rows.iter().map(|r| r.areas as u64).collect()),
            int_col(
                "areas_with_tier1_members",
                rows.iter().map(|r| r.areas_with_members as u64).collect(),
            ),
            int_col(
                "tier1_memberships",
                rows.iter().map(|r| r.tier1 as u64).collect(),
            ),
            int_col(
                "tier2_memberships",
                rows.iter().map(|r| r.tier2 as u64).collect(),
            ),
            int_col(
                "overlapping_municipalities",
                rows.iter().map(|r| r.overlaps as u64).collect(),
            ),
        ];
        write_table(&path, OutFormat::Csv, &columns)?;
        outputs.tables.push(("sweep", columns));
        if config.verbose {
            for r in &rows {
                eprintln!(
                    "sweep {:>5}: {} areas, {} tier-1, {} tier-2, {} overlaps",
                    threshold_text(r.threshold),
                    r.areas,
                    r.tier1,
                    r.tier2,
                    r.overlaps
                );
            }
        }
        written.push(path);
    }
    let mut record = rule_record(config, options, &params, "delineate")?;
    record.warnings = shape_warnings.iter().chain(&warnings).cloned().collect();
    if options.xlsx {
        let path = config.out.join(XLSX_FILE);
        let municipalities = io::feature_columns(&outputs.municipalities);
        // The workbook reads in Japanese: the failed clauses of each evaluated city in the
        // words map.html uses (the CSV keeps the English ones).
        for (stem, columns) in &mut outputs.tables {
            if *stem != "centres" {
                continue;
            }
            if let Some(c) = columns.iter_mut().find(|c| c.name == "failed_clauses") {
                c.values = OutValues::Text(
                    evaluations
                        .iter()
                        .map(|e| Some(e.failures_ja(&params).join("；")))
                        .collect(),
                );
            }
        }
        let mut tables: Vec<io::XlsxTable> = outputs
            .tables
            .iter()
            .map(|(stem, columns)| io::XlsxTable { stem, columns })
            .collect();
        let at = tables
            .iter()
            .position(|t| t.stem == "overlaps")
            .map_or(tables.len(), |i| i + 1);
        tables.insert(
            at,
            io::XlsxTable {
                stem: "municipalities",
                columns: &municipalities,
            },
        );
        timings.time("xlsx", || {
            io::write_workbook(&path, &tables, &record.summary_rows())
        })?;
        written.push(path);
    }
    if options.gpkg {
        let path = config.out.join(GPKG_FILE);
        timings.time("gpkg", || {
            io::write_geopackage(
                &path,
                &[
                    io::GpkgLayer {
                        name: "municipalities",
                        description: "every municipality: code, name, population, 昼夜間人口比率, its candidate areas (primary_area, primary_tier, primary_share, area_count, colour; all areas, tiers and shares as ;-joined text)",
                        features: &outputs.municipalities,
                    },
                    io::GpkgLayer {
                        name: "areas",
                        description: "candidate 連携中枢都市圏: one dissolved polygon per area",
                        features: &outputs.areas,
                    },
                ],
            )
        })?;
        written.push(path);
    }
    if config.verbose && scheme.id() == "cz" {
        let singletons = areas.iter().filter(|a| a.members.len() == 1).count();
        eprintln!(
            "{} commuting zones over {} municipalities ({} of one municipality); {} not contiguous",
            areas.len(),
            region.len(),
            singletons,
            areas.iter().filter(|a| !a.is_contiguous()).count()
        );
        eprintln!("wrote {}", paths_list(&written));
    } else if config.verbose && scheme.id() != "renkei" {
        let units = |t| {
            areas
                .iter()
                .flat_map(|a| &a.members)
                .filter(|m| m.tier == t)
                .count()
        };
        use super::count;
        eprintln!(
            "{}: {}; {} in their centres, {} in the first tier and {} in the second (for 都市雇用圏: 1次郊外, 2次以降); {} in two or more areas; {} not contiguous",
            scheme.name_ja(),
            count(areas.len(), "area", "areas"),
            count(units(Tier::Centre), "municipality", "municipalities"),
            units(Tier::One),
            units(Tier::Two),
            count(
                overlaps(&areas, region.len()).len(),
                "municipality",
                "municipalities"
            ),
            count(
                areas.iter().filter(|a| !a.is_contiguous()).count(),
                "area",
                "areas"
            )
        );
        eprintln!("wrote {}", paths_list(&written));
    } else if config.verbose {
        let pairs = centres.iter().filter(|c| c.is_pair()).count();
        let tier = |t| {
            areas
                .iter()
                .flat_map(|a| &a.members)
                .filter(|m| m.tier == t)
                .count()
        };
        use super::count;
        eprintln!(
            "{} evaluated; {} ({} single, {}); {} and {}; {} in two or more areas; {} not contiguous",
            count(evaluations.len(), "city", "cities"),
            count(centres.len(), "centre", "centres"),
            centres.len() - pairs,
            count(pairs, "pair", "pairs"),
            count(tier(Tier::One), "tier-1 membership", "tier-1 memberships"),
            count(tier(Tier::Two), "tier-2 membership", "tier-2 memberships"),
            count(
                overlaps(&areas, region.len()).len(),
                "municipality",
                "municipalities"
            ),
            count(
                areas.iter().filter(|a| !a.is_contiguous()).count(),
                "area",
                "areas"
            )
        );
        eprintln!("wrote {}", paths_list(&written));
    }
    if config.timings {
        eprintln!("{timings}");
    }
    let run_json = record.write(&config.out, &written, &timings)?;
    written.push(run_json);
    Ok(DelineateRun {
        region,
        evaluations,
        pairs,
        areas,
        warnings,
        written,
    })
}

/// `--cz-cut`: an exact decimal strictly between 0 and 1.
fn parse_cz_cut(cut: &str) -> anyhow::Result<Threshold> {
    Threshold::parse_decimal(cut.trim())
        .filter(|t| {
            let (n, d) = t.parts();
            n > 0 && n < d
        })
        .ok_or_else(|| {
            usage(format!(
                "--cz-cut '{cut}': a decimal between 0 and 1, e.g. 0.977"
            ))
        })
}

/// The boundaries file a run reads.
///
/// # Errors
/// When no data directory is found and `--boundaries` is not given.
pub fn boundaries_path(config: &Config) -> anyhow::Result<PathBuf> {
    Ok(match &config.boundaries {
        Some(p) => p.clone(),
        None => resolve_data_dir(config.data.as_deref())
            .context("--boundaries not given, so taken from the data directory")?
            .path
            .join(BOUNDARIES_FILE),
    })
}

/// The run record of a rule command: every rule parameter with the value used, the inputs
/// and the lists with their sources and dates.
///
/// # Errors
/// When the inputs cannot be resolved.
pub fn rule_record(
    config: &Config,
    options: &DelineateOptions,
    params: &RenkeiParams,
    command: &str,
) -> anyhow::Result<RunRecord> {
    let mut r = super::base_record(config, command)?;
    // Only the parameters and lists the scheme reads: a value that decided nothing is not
    // recorded as if it had.
    r.param("allow_missing_shapes", config.allow_missing_shapes)
        .param("merge", options.merges.join(" "));
    let metro_inputs = |r: &mut RunRecord| {
        r.inputs.push(InputFile::list(
            "三大都市圏 (metro areas)",
            params.get_metro_info(),
        ));
        if let Some(t) = params.get_day_night() {
            r.inputs.push(InputFile::at(
                "official day/night ratios",
                std::path::Path::new(&t.file),
            ));
        }
    };
    r.inputs
        .push(InputFile::at("boundaries", &boundaries_path(config)?));
    match &options.scheme {
        Scheme::Renkei => {
            let (pmin, pcomb) = params.get_pair_populations();
            r.param("scheme", "renkei")
                .param("as_of", params.get_as_of())
                .param("threshold", threshold_text(params.get_threshold()))
                .param(
                    "metro_threshold",
                    threshold_text(params.get_metro_threshold()),
                )
                .param("dn_tolerance", threshold_text(params.get_dn_tolerance()))
                .param(
                    "pair_dn_tolerance",
                    threshold_text(params.get_pair_dn_tolerance()),
                )
                .param("pair_min_population", pmin)
                .param("pair_min_combined", pcomb)
                .param("pair_max_km", params.get_pair_max_km())
                .param("tier2_floor", threshold_text(params.get_tier2_floor()))
                .param("sweep", options.sweep.clone().unwrap_or_default())
                .param("pair", options.pair.clone().unwrap_or_default());
            let lists = params.get_lists();
            r.inputs
                .push(InputFile::list("designated cities", &lists.designated_info));
            r.inputs
                .push(InputFile::list("core cities", &lists.core_info));
            metro_inputs(&mut r);
        }
        Scheme::Teiju {
            min_population,
            pair_link,
            dn_tolerance,
        } => {
            r.param("scheme", "teiju")
                .param(
                    "teiju_dn_tolerance",
                    dn_tolerance.clone().unwrap_or_else(|| "0.01".to_string()),
                )
                .param("threshold", threshold_text(params.get_threshold()))
                .param(
                    "metro_threshold",
                    threshold_text(params.get_metro_threshold()),
                )
                .param("teiju_min_population", min_population.unwrap_or(40_000))
                .param(
                    "teiju_pair_link",
                    pair_link.clone().unwrap_or_else(|| "0.1".to_string()),
                );
            metro_inputs(&mut r);
        }
        Scheme::Uea {
            did,
            core_did,
            co_core_did,
            mea_did,
            wards_separate,
        } => {
            r.param("scheme", "uea")
                .param("threshold", threshold_text(params.get_threshold()))
                .param("uea_core_did", core_did.unwrap_or(10_000))
                .param("uea_co_core_did", co_core_did.unwrap_or(100_000))
                .param("uea_mea_did", mea_did.unwrap_or(50_000))
                .param("uea_wards_as_one", !wards_separate);
            r.inputs.push(InputFile::at(
                "DID population",
                &did_path(config, did.as_deref())?,
            ));
        }
        Scheme::Cz {
            cut,
            constrained,
            links,
        } => {
            r.param("scheme", "cz")
                .param("cz_cut", cut.clone())
                .param("cz_constrained", *constrained);
            let (_, info) = io::read_cz_links(links.as_deref())?;
            r.inputs
                .push(InputFile::list("commuting-zone road links", &info));
        }
    }
    Ok(r)
}

/// Warnings about what the rules were given: a requested pair that fails a clause, official
/// ratios missing for evaluated cities or given for codes that are not units.
///
/// # Errors
/// A `--pair` code that is not a unit of the region.
pub fn rule_warnings(
    region: &Region,
    params: &RenkeiParams,
    evaluations: &[CentreEvaluation],
    pairs: &[PairCandidate],
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    if evaluations.is_empty() {
        out.push(format!(
            "no municipality of the data is a 指定都市 or 中核市 on {} in the lists used ({}; {}), and none has 100,000 people: nothing to evaluate. Are the lists for this data (--designated-cities, --core-cities)?",
            params.get_as_of(),
            params.get_lists().designated_info.file,
            params.get_lists().core_info.file
        ));
    }
    // Codes of the metro table and of --day-night that are not units count for nothing.
    let metro = params.metro();
    for k in 0..metro.len() {
        let lost: Vec<String> = metro
            .cores(k)
            .iter()
            .filter(|c| region.index_of(**c).is_none())
            .map(|c| c.to_string())
            .collect();
        if !lost.is_empty() {
            out.push(format!(
                "{}: core codes of {} that are not municipalities of the data count for nothing in clause 3: {} (the 23 special wards are listed one by one, 13101–13123; a designated city by its city code)",
                params.get_metro_info().file,
                metro.name(k),
                lost.join(" ")
            ));
        }
        if metro.cores(k).is_empty() {
            out.push(format!(
                "{}: {} has no core rows (designated cities, special wards): clause 3 cannot fail there",
                params.get_metro_info().file,
                metro.name(k)
            ));
        }
    }
    if let Some(table) = params.get_day_night() {
        let lost: Vec<String> = table
            .codes()
            .filter(|c| region.index_of(*c).is_none())
            .map(|c| c.to_string())
            .collect();
        if !lost.is_empty() {
            out.push(format!(
                "{}: ratios for codes that are not municipalities of the data are not used: {}",
                table.file,
                lost.join(" ")
            ));
        }
    }
    if let Some((a, b)) = params.get_pair() {
        for c in [a, b] {
            anyhow::ensure!(
                region.index_of(c).is_some(),
                "--pair: {c} is not a municipality of this region (unknown code, or a ward: use its city's code)"
            );
        }
        if let Some(c) = pairs.first().filter(|c| !c.admissible()) {
            out.push(format!(
                "the requested pair {}+{} is drawn, but it does not meet the two-centre rule: {}",
                region.code(c.units[0]),
                region.code(c.units[1]),
                c.failures.join("; ")
            ));
        }
    }
    for e in evaluations.iter().filter(|e| {
        e.metro_status == Some(MetroStatus::Unknown)
            && !e.metro_ok
            && e.designation_ok()
            && e.ratio_ok
    }) {
        let (p, d) = e.metro_share.unwrap_or_default();
        out.push(format!(
            "{}: {} does not say whether it lies in the {} (no source either way); it is treated as inside, and fails clause 3 with {:.4} ({p}/{d}) of its commuters to that area's designated cities and special wards. Give --metro with its status to settle it",
            region.label(e.unit),
            params.get_metro_info().file,
            e.metro.as_deref().unwrap_or_default(),
            p as f64 / d.max(1) as f64
        ));
    }
    if let Some(table) = params.get_day_night() {
        let computed: Vec<String> = evaluations
            .iter()
            .filter(|e| e.ratio_source == RatioSource::Computed)
            .map(|e| region.label(e.unit))
            .collect();
        if !computed.is_empty() {
            out.push(format!(
                "{}: no ratio for {} evaluated cities, which use the computed ratio: {}",
                table.file,
                computed.len(),
                computed.join(", ")
            ));
        }
    }
    Ok(out)
}

fn parse_sweep(text: &str) -> anyhow::Result<Vec<Threshold>> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() != 3 {
        return Err(usage(format!(
            "--sweep '{text}': expected FROM:TO:STEP, e.g. 0.05:0.20:0.01"
        )));
    }
    let [from, to, step] = [parts[0], parts[1], parts[2]].map(|p| parse_threshold("--sweep", p));
    let (from, to, step) = (from?, to?, step?);
    // Work on a common denominator so every step is exact.
    let den = from.parts().1.max(to.parts().1).max(step.parts().1);
    let scale = |t: Threshold| t.parts().0 * (den / t.parts().1);
    let (mut at, end, inc) = (scale(from), scale(to), scale(step));
    if !(inc > 0 && at <= end) {
        return Err(usage(format!(
            "--sweep '{text}': need FROM ≤ TO and STEP > 0"
        )));
    }
    let mut out = Vec::new();
    while at <= end {
        out.push(Threshold::new(at, den).expect("within 0..=1"));
        at += inc;
    }
    Ok(out)
}

/// The columns that name each unit of a table: code, name, prefecture, population.
fn unit_columns(region: &Region, units: &[usize]) -> Vec<OutColumn> {
    vec![
        text_col(
            "code",
            units.iter().map(|&u| region.code(u).to_string()).collect(),
        ),
        text_col(
            "name",
            units.iter().map(|&u| region.names[u].clone()).collect(),
        ),
        text_col(
            "prefecture",
            units
                .iter()
                .map(|&u| region.prefectures[u].clone())
                .collect(),
        ),
        OutColumn {
            name: "population",
            values: OutValues::U64(units.iter().map(|&u| region.population[u]).collect()),
        },
    ]
}

fn write_outputs(
    config: &Config,
    region: &Region,
    params: &RenkeiParams,
    scheme: &dyn rules::Scheme,
    outcome: &rules::Outcome,
) -> anyhow::Result<Outputs> {
    let (evaluations, pairs) = outcome
        .renkei
        .as_ref()
        .map(|d| (d.evaluations.as_slice(), d.pairs.as_slice()))
        .unwrap_or_default();
    let areas = outcome.areas.as_slice();
    let out = &config.out;
    let ids: Vec<String> = areas.iter().map(|a| a.centre.id(region)).collect();
    let centre_codes = |c: &Centre| {
        c.units
            .iter()
            .map(|&u| region.code(u).to_string())
            .collect::<Vec<_>>()
            .join("+")
    };
    let centre_names = |c: &Centre| {
        c.units
            .iter()
            .map(|&u| region.names[u].clone())
            .collect::<Vec<_>>()
            .join("+")
    };
    let mut written = Vec::new();
    let mut tables: Vec<(&'static str, Vec<OutColumn>)> = Vec::new();
    let mut write = |name: &'static str, columns: Vec<OutColumn>| -> anyhow::Result<()> {
        let path = out.join(name);
        write_table(&path, OutFormat::Csv, &columns)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
        tables.push((name.trim_end_matches(".csv"), columns));
        Ok(())
    };

    if outcome.renkei.is_none() {
        // clauses.csv: the method, each step with its source and the value used.
        let m = &outcome.method;
        write(
            "clauses.csv",
            vec![
                text_col("clause", m.iter().map(|r| r.id.to_string()).collect()),
                text_col(
                    "implements",
                    m.iter().map(|r| r.implements.clone()).collect(),
                ),
                text_col(
                    "value_used",
                    m.iter().map(|r| r.value_used.clone()).collect(),
                ),
            ],
        )?;
        // centres.csv: every unit evaluated as a centre, one value and one flag per criterion.
        let r = &outcome.records;
        if let Some(first) = r.first() {
            let mut columns = unit_columns(region, &r.iter().map(|x| x.unit).collect::<Vec<_>>());
            for (k, c) in first.criteria.iter().enumerate() {
                columns.push(text_col(
                    c.id,
                    r.iter().map(|x| x.criteria[k].value.clone()).collect(),
                ));
                columns.push(OutColumn {
                    name: c.flag,
                    values: OutValues::Text(
                        r.iter()
                            .map(|x| Some(x.criteria[k].met.to_string()))
                            .collect(),
                    ),
                });
            }
            columns.push(text_col(
                "role",
                r.iter().map(|x| x.role.to_string()).collect(),
            ));
            columns.push(text_col(
                "failed_criteria",
                r.iter().map(|x| x.failed.join(";")).collect(),
            ));
            columns.push(text_col("note", r.iter().map(|x| x.note.clone()).collect()));
            write("centres.csv", columns)?;
        }
    } else {
        // centres.csv
        let member_of = |u: usize| -> Vec<String> {
            areas
                .iter()
                .zip(&ids)
                .filter(|(a, _)| {
                    a.members
                        .iter()
                        .any(|m| m.unit == u && m.tier != Tier::Centre)
                })
                .map(|(_, id)| id.clone())
                .collect()
        };
        let pair_with = |u: usize| -> Vec<String> {
            areas
                .iter()
                .filter(|a| a.centre.is_pair() && a.centre.units.contains(&u))
                .flat_map(|a| {
                    a.centre
                        .units
                        .iter()
                        .filter(|&&v| v != u)
                        .map(|&v| region.code(v).to_string())
                })
                .collect()
        };
        let e = evaluations;
        let opt_f = |v: Vec<Option<f64>>| OutValues::F64(v);
        let flag = |v: bool| v.to_string();
        let tolerance = threshold_text(params.get_dn_tolerance());
        let mut columns = unit_columns(region, &e.iter().map(|x| x.unit).collect::<Vec<_>>());
        columns.extend(vec![
            text_col(
                "c1_designation",
                e.iter()
                    .map(|x| x.designation.label().to_string())
                    .collect(),
            ),
            text_col(
                "c1_since",
                e.iter()
                    .map(|x| {
                        x.designation
                            .since()
                            .map(|s| s.to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
            ),
            text_col(
                "c1_as_of",
                e.iter().map(|_| params.get_as_of().to_string()).collect(),
            ),
            text_col(
                "c1_ok",
                e.iter().map(|x| flag(x.designation_ok())).collect(),
            ),
            OutColumn {
                name: "daytime_population_computed",
                values: OutValues::I64(e.iter().map(|x| x.daytime).collect()),
            },
            OutColumn {
                name: "c2_day_night_ratio",
                values: opt_f(e.iter().map(|x| x.day_night_ratio).collect()),
            },
            text_col(
                "c2_ratio_source",
                e.iter().map(|x| x.ratio_source.to_string()).collect(),
            ),
            text_col(
                "c2_ratio_at_least_1",
                e.iter().map(|x| flag(x.ratio_at_least_one)).collect(),
            ),
            text_col(
                "c2_tolerance",
                e.iter().map(|_| tolerance.clone()).collect(),
            ),
            text_col("c2_ok", e.iter().map(|x| flag(x.ratio_ok)).collect()),
            text_col(
                "c2_near_miss",
                e.iter().map(|x| flag(x.ratio_near_miss)).collect(),
            ),
            OutColumn {
                name: "c3_metro",
                values: OutValues::Text(e.iter().map(|x| x.metro.clone()).collect()),
            },
            text_col(
                "c3_metro_status",
                e.iter()
                    .map(|x| {
                        x.metro_status
                            .map(|s| s.label().to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
            ),
            OutColumn {
                name: "c3_persons_to_metro_core",
                values: OutValues::U64(e.iter().map(|x| x.metro_share.map(|s| s.0)).collect()),
            },
            OutColumn {
                name: "c3_denominator",
                values: OutValues::U64(e.iter().map(|x| x.metro_share.map(|s| s.1)).collect()),
            },
            OutColumn {
                name: "c3_share_to_metro_core",
                values: opt_f(
                    e.iter()
                        .map(|x| x.metro_share.map(|(p, d)| p as f64 / d as f64))
                        .collect(),
                ),
            },
            text_col(
                "c3_threshold",
                e.iter()
                    .map(|_| threshold_text(params.get_metro_threshold()))
                    .collect(),
            ),
            text_col("c3_ok", e.iter().map(|x| flag(x.metro_ok)).collect()),
            text_col("eligible", e.iter().map(|x| flag(x.eligible)).collect()),
            text_col(
                "failed_clauses",
                e.iter().map(|x| x.failures(params).join("; ")).collect(),
            ),
            text_col(
                "pair_with",
                e.iter().map(|x| pair_with(x.unit).join(";")).collect(),
            ),
            text_col(
                "member_of_areas",
                e.iter().map(|x| member_of(x.unit).join(";")).collect(),
            ),
        ]);
        write("centres.csv", columns)?;

        // pairs.csv: every admissible pair (or the requested one) and the choice.
        let pr: Vec<&PairCandidate> = pairs.iter().collect();
        let unit_col = |name: &'static str, side: usize, f: &dyn Fn(usize) -> String| {
            text_col(name, pr.iter().map(|c| f(c.units[side])).collect())
        };
        // Numbers as numbers, at full precision, like every other table.
        let ratio_col = |name: &'static str, side: usize| OutColumn {
            name,
            values: OutValues::F64(
                pr.iter()
                    .map(|c| evaluate_unit(region, params, c.units[side]).day_night_ratio)
                    .collect(),
            ),
        };
        let pop_col = |name: &'static str, side: usize| OutColumn {
            name,
            values: OutValues::U64(
                pr.iter()
                    .map(|c| region.population[c.units[side]])
                    .collect(),
            ),
        };
        write(
            "pairs.csv",
            vec![
                unit_col("code_a", 0, &|u| region.code(u).to_string()),
                unit_col("name_a", 0, &|u| region.names[u].clone()),
                unit_col("code_b", 1, &|u| region.code(u).to_string()),
                unit_col("name_b", 1, &|u| region.names[u].clone()),
                pop_col("population_a", 0),
                pop_col("population_b", 1),
                OutColumn {
                    name: "combined_population",
                    values: OutValues::U64(pr.iter().map(|c| c.combined_population).collect()),
                },
                ratio_col("day_night_ratio_a", 0),
                ratio_col("day_night_ratio_b", 1),
                OutColumn {
                    name: "office_distance_km",
                    values: opt_f(pr.iter().map(|c| c.distance_km).collect()),
                },
                int_col(
                    "mutual_persons",
                    pr.iter().map(|c| c.mutual_persons).collect(),
                ),
                int_col(
                    "mutual_denominator",
                    pr.iter().map(|c| c.mutual_denominator).collect(),
                ),
                OutColumn {
                    name: "mutual_share",
                    values: opt_f(pr.iter().map(|c| Some(c.mutual_share())).collect()),
                },
                text_col(
                    "admissible",
                    pr.iter().map(|c| flag(c.admissible())).collect(),
                ),
                text_col(
                    "failed_clauses",
                    pr.iter().map(|c| c.failures.join("; ")).collect(),
                ),
                text_col("chosen", pr.iter().map(|c| flag(c.chosen)).collect()),
                text_col(
                    "not_chosen_because",
                    pr.iter().map(|c| c.not_chosen.clone()).collect(),
                ),
            ],
        )?;

        // clauses.csv: what each clause column implements, with the value used.
        let (pmin, pcomb) = params.get_pair_populations();
        let clauses: Vec<(Clause, String)> = vec![
            (Clause::Designation, format!("as of {}", params.get_as_of())),
            (Clause::DayNight, format!("ratio ≥ 1 − {tolerance}")),
            (
                Clause::Metro,
                format!("share < {}", threshold_text(params.get_metro_threshold())),
            ),
            (Clause::PairAdjacent, "a shared boundary edge".to_string()),
            (
                Clause::PairDayNight,
                format!(
                    "ratio ≥ 1 − {}",
                    threshold_text(params.get_pair_dn_tolerance())
                ),
            ),
            (Clause::PairPopulation, format!("≥ {pmin}")),
            (Clause::PairCombined, format!("≥ {pcomb}")),
            (
                Clause::PairHour,
                format!("≤ {} km", params.get_pair_max_km()),
            ),
            (
                Clause::PairNotAlone,
                "c1, c2 and c3 not all met".to_string(),
            ),
            (
                Clause::PairMetro,
                format!("share < {}", threshold_text(params.get_metro_threshold())),
            ),
        ];
        write(
            "clauses.csv",
            vec![
                text_col(
                    "clause",
                    clauses.iter().map(|c| c.0.id().to_string()).collect(),
                ),
                text_col(
                    "implements",
                    clauses.iter().map(|c| c.0.source().to_string()).collect(),
                ),
                text_col("value_used", clauses.iter().map(|c| c.1.clone()).collect()),
            ],
        )?;
    }

    // areas.csv
    let count = |a: &Area, t: Tier| a.members.iter().filter(|m| m.tier == t).count() as u64;
    let labels = |v: &[usize]| {
        v.iter()
            .map(|&u| region.code(u).to_string())
            .collect::<Vec<_>>()
            .join(";")
    };
    write(
        "areas.csv",
        vec![
            text_col("area_id", ids.clone()),
            text_col(
                "centre_codes",
                areas.iter().map(|a| centre_codes(&a.centre)).collect(),
            ),
            text_col(
                "centre_names",
                areas.iter().map(|a| centre_names(&a.centre)).collect(),
            ),
            text_col(
                "type",
                areas.iter().map(|a| scheme.area_type(region, a)).collect(),
            ),
            int_col(
                "tier1_members",
                areas.iter().map(|a| count(a, Tier::One)).collect(),
            ),
            int_col(
                "tier2_members",
                areas.iter().map(|a| count(a, Tier::Two)).collect(),
            ),
            OutColumn {
                name: "population",
                values: OutValues::U64(areas.iter().map(|a| a.population(region)).collect()),
            },
            text_col(
                "contiguous",
                areas
                    .iter()
                    .map(|a| a.is_contiguous().to_string())
                    .collect(),
            ),
            text_col(
                "exclaves",
                areas.iter().map(|a| labels(&a.exclaves)).collect(),
            ),
            text_col(
                "islands",
                areas.iter().map(|a| labels(&a.islands)).collect(),
            ),
        ],
    )?;

    // memberships.csv
    let rows: Vec<(&str, &Area, &crate::areas::Membership)> = areas
        .iter()
        .zip(&ids)
        .flat_map(|(a, id)| a.members.iter().map(move |m| (id.as_str(), a, m)))
        .collect();
    write(
        "memberships.csv",
        vec![
            text_col("area_id", rows.iter().map(|r| r.0.to_string()).collect()),
            text_col(
                "centre_codes",
                rows.iter().map(|r| centre_codes(&r.1.centre)).collect(),
            ),
            text_col(
                "code",
                rows.iter()
                    .map(|r| region.code(r.2.unit).to_string())
                    .collect(),
            ),
            text_col(
                "name",
                rows.iter()
                    .map(|r| region.names[r.2.unit].clone())
                    .collect(),
            ),
            text_col(
                "tier",
                rows.iter().map(|r| r.2.tier.label().to_string()).collect(),
            ),
            int_col("persons", rows.iter().map(|r| r.2.persons).collect()),
            int_col(
                "denominator",
                rows.iter().map(|r| r.2.denominator).collect(),
            ),
            OutColumn {
                name: "share",
                values: OutValues::F64(rows.iter().map(|r| Some(r.2.share())).collect()),
            },
            // A commuting zone has no share threshold (its cut is a dissimilarity): empty.
            text_col(
                "threshold",
                rows.iter()
                    .map(|r| {
                        if r.2.rule == crate::areas::RULE_ZONE_LABEL
                            || r.2.rule == crate::areas::RULE_ZONE_MEMBER
                        {
                            String::new()
                        } else {
                            threshold_text(r.2.threshold)
                        }
                    })
                    .collect(),
            ),
            text_col("rule", rows.iter().map(|r| r.2.rule.to_string()).collect()),
            text_col(
                "exclave",
                rows.iter()
                    .map(|r| r.1.exclaves.contains(&r.2.unit).to_string())
                    .collect(),
            ),
        ],
    )?;

    // overlaps.csv
    let over = overlaps(areas, region.len());
    let share_in = |u: usize, k: usize| {
        areas[k]
            .members
            .iter()
            .find(|m| m.unit == u)
            .map(|m| (m.tier, m.share()))
            .expect("member")
    };
    write(
        "overlaps.csv",
        vec![
            text_col(
                "code",
                over.iter()
                    .map(|(u, _)| region.code(*u).to_string())
                    .collect(),
            ),
            text_col(
                "name",
                over.iter().map(|(u, _)| region.names[*u].clone()).collect(),
            ),
            int_col(
                "area_count",
                over.iter().map(|(_, ks)| ks.len() as u64).collect(),
            ),
            text_col(
                "areas",
                over.iter()
                    .map(|(_, ks)| {
                        ks.iter()
                            .map(|&k| ids[k].clone())
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .collect(),
            ),
            text_col(
                "tiers",
                over.iter()
                    .map(|(u, ks)| {
                        ks.iter()
                            .map(|&k| share_in(*u, k).0.label())
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .collect(),
            ),
            text_col(
                "shares",
                over.iter()
                    .map(|(u, ks)| {
                        ks.iter()
                            .map(|&k| share_text(share_in(*u, k).1))
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .collect(),
            ),
        ],
    )?;

    // areas.geojson: one dissolved polygon per area (dissolved in parallel, collected in
    // area order: the same file for any thread count).
    let shapes: Vec<_> = {
        use rayon::prelude::*;
        areas
            .par_iter()
            .map(|a| dissolve(a.members.iter().filter_map(|m| region.shape(m.unit))))
            .collect()
    };
    let colours = crate::report::area_colours(region, areas);
    let features: Vec<OutFeature> = areas
        .iter()
        .zip(&ids)
        .zip(shapes)
        .enumerate()
        .map(|(k, ((a, id), shape))| OutFeature {
            shape,
            properties: vec![
                ("area_id", PropValue::Text(id.clone())),
                ("centre_codes", PropValue::Text(centre_codes(&a.centre))),
                ("centre_names", PropValue::Text(centre_names(&a.centre))),
                ("members", PropValue::Int(a.members.len() as i64)),
                ("tier1_members", PropValue::Int(count(a, Tier::One) as i64)),
                ("tier2_members", PropValue::Int(count(a, Tier::Two) as i64)),
                (
                    "population",
                    a.population(region)
                        .map_or(PropValue::Null, |p| PropValue::Int(p as i64)),
                ),
                ("contiguous", PropValue::Bool(a.is_contiguous())),
                (
                    "type",
                    PropValue::Text(if a.centre.is_pair() { "pair" } else { "single" }.to_string()),
                ),
                ("colour", PropValue::Text(colours[k].hex())),
            ],
        })
        .collect();
    let path = out.join("areas.geojson");
    write_geojson(&path, &features)?;
    written.push(path);
    let area_features = features;

    // municipalities.geojson: every unit with its memberships, as lists and as scalar fields
    // (the primary area) that GIS software can style by.
    let features: Vec<OutFeature> = (0..region.len())
        .filter_map(|u| {
            let shape = region.shape(u)?.clone();
            let mine: Vec<(usize, &crate::areas::Membership)> = areas
                .iter()
                .enumerate()
                .filter_map(|(k, a)| a.members.iter().find(|m| m.unit == u).map(|m| (k, m)))
                .collect();
            let primary = primary_membership(&mine);
            let text_or_null = |v: Option<String>| v.map_or(PropValue::Null, PropValue::Text);
            Some(OutFeature {
                shape,
                properties: vec![
                    ("code", PropValue::Text(region.code(u).to_string())),
                    ("name", PropValue::Text(region.names[u].clone())),
                    ("kind", PropValue::Text(region.kinds[u].label().to_string())),
                    (
                        "population",
                        region.population[u].map_or(PropValue::Null, |p| PropValue::Int(p as i64)),
                    ),
                    (
                        "day_night_ratio",
                        region.metrics.day_night_ratio[u].map_or(PropValue::Null, PropValue::Float),
                    ),
                    (
                        "areas",
                        PropValue::List(mine.iter().map(|(k, _)| ids[*k].clone()).collect()),
                    ),
                    (
                        "tiers",
                        PropValue::List(
                            mine.iter()
                                .map(|(_, m)| m.tier.label().to_string())
                                .collect(),
                        ),
                    ),
                    (
                        "shares",
                        PropValue::List(mine.iter().map(|(_, m)| share_text(m.share())).collect()),
                    ),
                    ("area_count", PropValue::Int(mine.len() as i64)),
                    (
                        "primary_area",
                        text_or_null(primary.map(|(k, _)| ids[k].clone())),
                    ),
                    (
                        "primary_tier",
                        text_or_null(primary.map(|(_, m)| m.tier.label().to_string())),
                    ),
                    (
                        "primary_share",
                        primary
                            .map(|(_, m)| m.share())
                            .filter(|x| x.is_finite())
                            .map_or(PropValue::Null, PropValue::Float),
                    ),
                    (
                        "colour",
                        text_or_null(primary.map(|(k, _)| colours[k].hex())),
                    ),
                    ("isolated", PropValue::Bool(region.adjacency.is_isolated(u))),
                ],
            })
        })
        .collect();
    let path = out.join("municipalities.geojson");
    write_geojson(&path, &features)?;
    written.push(path);
    Ok(Outputs {
        written,
        tables,
        municipalities: features,
        areas: area_features,
    })
}

/// What `write_outputs` wrote, kept for the workbook and the GeoPackage.
struct Outputs {
    written: Vec<PathBuf>,
    /// CSV tables by file stem, in the order written.
    tables: Vec<(&'static str, Vec<OutColumn>)>,
    /// The features of municipalities.geojson and areas.geojson.
    municipalities: Vec<OutFeature>,
    areas: Vec<OutFeature>,
}

/// The membership a map colours a unit by: the area it is the centre of, else the one whose
/// centre draws the largest share of its commuters (exact comparison of persons/denominator;
/// the earlier area on a tie).
fn primary_membership<'m>(
    mine: &[(usize, &'m crate::areas::Membership)],
) -> Option<(usize, &'m crate::areas::Membership)> {
    if let Some(&c) = mine.iter().find(|(_, m)| m.tier == Tier::Centre) {
        return Some(c);
    }
    let mut best: Option<(usize, &crate::areas::Membership)> = None;
    for &(k, m) in mine {
        let better = best.is_none_or(|(_, b)| {
            u128::from(m.persons) * u128::from(b.denominator)
                > u128::from(b.persons) * u128::from(m.denominator)
        });
        if better {
            best = Some((k, m));
        }
    }
    best
}

/// A share with four decimals; empty when it has no denominator.
fn share_text(share: f64) -> String {
    if share.is_finite() {
        format!("{share:.4}")
    } else {
        String::new()
    }
}
