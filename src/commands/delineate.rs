//! `toshiken delineate`: centres, candidate areas, memberships, overlaps, maps.

use std::path::PathBuf;

use anyhow::Context;

use super::{int_col, paths_list, text_col, Config, Timings};
use crate::areas::{delineate, overlaps, sweep, Area, Tier};
use crate::dataset::resolve_data_dir;
use crate::geometry::{dissolve, unit_shapes};
use crate::io::{
    self, write_geojson, write_table, OutColumn, OutFeature, OutFormat, OutValues, PropValue,
};
use crate::matrix::Threshold;
use crate::region::{parse_merge, Region};
use crate::rules::renkei::threshold_text;
use crate::rules::{
    evaluate_centres, find_centres, Centre, CentreEvaluation, MetroAreas, RenkeiParams,
};

/// The national N03 boundaries inside a data directory (complete: no island is missing).
pub const BOUNDARIES_FILE: &str = "n03_boundaries_smartnews/topojson_s0010/N03-21_210101.json";

/// Options of `delineate`.
#[derive(Clone, Debug, Default)]
pub struct DelineateOptions {
    /// `--threshold` (default 0.1).
    pub threshold: Option<String>,
    /// `--dn-tolerance` (default 0.02).
    pub dn_tolerance: Option<String>,
    /// `--merge A+B[+C]`, repeatable.
    pub merges: Vec<String>,
    /// `--sweep FROM:TO:STEP`.
    pub sweep: Option<String>,
    /// `--min-population` (default 200,000).
    pub min_population: Option<u64>,
    /// `--pair-min-population` (default 100,000).
    pub pair_min_population: Option<u64>,
}

/// What a run produced.
#[derive(Debug)]
pub struct DelineateRun {
    /// The region (after mergers).
    pub region: Region,
    /// Criteria per evaluated city.
    pub evaluations: Vec<CentreEvaluation>,
    /// Candidate areas.
    pub areas: Vec<Area>,
    /// Files written.
    pub written: Vec<PathBuf>,
}

fn parse_threshold(flag: &str, text: &str) -> anyhow::Result<Threshold> {
    Threshold::parse_decimal(text.trim())
        .with_context(|| format!("{flag} '{text}': expected a decimal between 0 and 1 such as 0.1"))
}

/// The rule parameters from the config and options.
///
/// # Errors
/// A malformed threshold or an unreadable metro table.
pub fn renkei_params(config: &Config, options: &DelineateOptions) -> anyhow::Result<RenkeiParams> {
    let rows = io::read_metro_areas(config.metro.as_deref())?;
    let source = config.metro.as_ref().map_or(
        "built-in approximation (data/metro_areas.csv)".to_string(),
        |p| p.display().to_string(),
    );
    let mut params = RenkeiParams::new(MetroAreas::from_rows(&rows, &source));
    if let Some(t) = &options.threshold {
        params = params.threshold(parse_threshold("--threshold", t)?);
    }
    if let Some(t) = &options.dn_tolerance {
        params = params.dn_tolerance(parse_threshold("--dn-tolerance", t)?);
    }
    if let Some(p) = options.min_population {
        params = params.min_population(p);
    }
    if let Some(p) = options.pair_min_population {
        params = params.pair_min_population(p);
    }
    Ok(params)
}

/// Loads the dataset and the boundaries and builds the region, with `merges` applied.
///
/// # Errors
/// Loading failures, a broken boundary file, or a bad merger.
pub fn build_region(
    config: &Config,
    merges: &[String],
    timings: &mut Timings,
) -> anyhow::Result<Region> {
    let dataset = timings.time("load", || config.load())?;
    let boundaries = match &config.boundaries {
        Some(p) => p.clone(),
        None => resolve_data_dir(config.data.as_deref())?
            .path
            .join(BOUNDARIES_FILE),
    };
    if config.verbose {
        eprintln!("reading boundaries {}", boundaries.display());
    }
    let region = timings.time("boundaries", || -> anyhow::Result<Region> {
        let features = io::read_boundaries(&boundaries)?;
        let (shapes, report) = unit_shapes(&features, &dataset.registry, &dataset.units);
        if config.verbose {
            eprintln!(
                "{} boundary features: {} without code (所属未定地), codes not in the registry: {} ({}); units without a shape: {}",
                report.features,
                report.without_code,
                report.unknown_codes.len(),
                report.unknown_codes.join(" "),
                if report.units_without_shape.is_empty() { "none".to_string() } else { report.units_without_shape.join(" ") }
            );
            eprintln!("{} units have several parts (exclaves or islands)", report.multi_part.len());
            for (code, problem) in &report.invalid {
                eprintln!("warning: {code}: shape is not valid as read ({problem}); used as is");
            }
        }
        Ok(Region::new(&dataset, shapes, config.params))
    })?;
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
        let group = parse_merge(text)?;
        region = timings.time("merge", || region.merge(std::slice::from_ref(&group)))?;
        if config.verbose {
            let i = region
                .index_of(group[0])
                .expect("merged unit keeps the first code");
            eprintln!(
                "merged {text} into {} (population {:?})",
                region.label(i),
                region.population[i]
            );
        }
    }
    Ok(region)
}

/// Runs the delineation and writes every output.
///
/// # Errors
/// Loading, parameter or writing failures.
pub fn run_delineate(config: &Config, options: &DelineateOptions) -> anyhow::Result<DelineateRun> {
    let params = renkei_params(config, options)?;
    let sweep_thresholds = options.sweep.as_deref().map(parse_sweep).transpose()?;
    let mut timings = Timings::default();
    let region = build_region(config, &options.merges, &mut timings)?;
    let (evaluations, centres, areas) = timings.time("rules", || {
        let evaluations = evaluate_centres(&region, &params);
        let centres = find_centres(&region, &evaluations, &params);
        let areas = delineate(&region, &centres, &params);
        (evaluations, centres, areas)
    });
    let written = timings.time("write", || {
        write_outputs(config, &region, &params, &evaluations, &areas)
    })?;
    let mut written = written;
    if let Some(thresholds) = sweep_thresholds {
        let rows = timings.time("sweep", || sweep(&region, &params, &thresholds));
        let path = config.out.join("sweep.csv");
        write_table(
            &path,
            OutFormat::Csv,
            &[
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
            ],
        )?;
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
    if config.verbose {
        let pairs = centres.iter().filter(|c| c.is_pair()).count();
        let tier = |t| {
            areas
                .iter()
                .flat_map(|a| &a.members)
                .filter(|m| m.tier == t)
                .count()
        };
        eprintln!(
            "{} cities evaluated; {} centres ({} single, {} pairs); {} tier-1 and {} tier-2 memberships; {} municipalities in two or more areas; {} areas not contiguous",
            evaluations.len(),
            centres.len(),
            centres.len() - pairs,
            pairs,
            tier(Tier::One),
            tier(Tier::Two),
            overlaps(&areas, region.len()).len(),
            areas.iter().filter(|a| !a.is_contiguous()).count()
        );
        eprintln!("wrote {}", paths_list(&written));
    }
    if config.timings {
        eprintln!("{timings}");
    }
    Ok(DelineateRun {
        region,
        evaluations,
        areas,
        written,
    })
}

fn parse_sweep(text: &str) -> anyhow::Result<Vec<Threshold>> {
    let parts: Vec<&str> = text.split(':').collect();
    anyhow::ensure!(
        parts.len() == 3,
        "--sweep '{text}': expected FROM:TO:STEP, e.g. 0.05:0.20:0.01"
    );
    let [from, to, step] = [parts[0], parts[1], parts[2]].map(|p| parse_threshold("--sweep", p));
    let (from, to, step) = (from?, to?, step?);
    // Work on a common denominator so every step is exact.
    let den = from.parts().1.max(to.parts().1).max(step.parts().1);
    let scale = |t: Threshold| t.parts().0 * (den / t.parts().1);
    let (mut at, end, inc) = (scale(from), scale(to), scale(step));
    anyhow::ensure!(
        inc > 0 && at <= end,
        "--sweep '{text}': need FROM ≤ TO and STEP > 0"
    );
    let mut out = Vec::new();
    while at <= end {
        out.push(Threshold::new(at, den).expect("within 0..=1"));
        at += inc;
    }
    Ok(out)
}

fn write_outputs(
    config: &Config,
    region: &Region,
    params: &RenkeiParams,
    evaluations: &[CentreEvaluation],
    areas: &[Area],
) -> anyhow::Result<Vec<PathBuf>> {
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
    let mut write = |name: &str, columns: Vec<OutColumn>| -> anyhow::Result<()> {
        let path = out.join(name);
        write_table(&path, OutFormat::Csv, &columns)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
        Ok(())
    };

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
    write(
        "centres.csv",
        vec![
            text_col(
                "code",
                e.iter().map(|x| region.code(x.unit).to_string()).collect(),
            ),
            text_col(
                "name",
                e.iter().map(|x| region.names[x.unit].clone()).collect(),
            ),
            text_col(
                "prefecture",
                e.iter()
                    .map(|x| region.prefectures[x.unit].clone())
                    .collect(),
            ),
            text_col(
                "kind",
                e.iter()
                    .map(|x| region.kinds[x.unit].label().to_string())
                    .collect(),
            ),
            text_col(
                "designated_or_core",
                e.iter().map(|x| x.designated_or_core.to_string()).collect(),
            ),
            OutColumn {
                name: "population",
                values: OutValues::U64(e.iter().map(|x| x.population).collect()),
            },
            text_col(
                "population_ok",
                e.iter().map(|x| x.population_ok.to_string()).collect(),
            ),
            OutColumn {
                name: "daytime_population",
                values: OutValues::I64(e.iter().map(|x| x.daytime).collect()),
            },
            OutColumn {
                name: "day_night_ratio",
                values: opt_f(e.iter().map(|x| x.day_night_ratio).collect()),
            },
            text_col(
                "day_night_ok",
                e.iter().map(|x| x.ratio_ok.to_string()).collect(),
            ),
            text_col(
                "day_night_near_miss",
                e.iter().map(|x| x.ratio_near_miss.to_string()).collect(),
            ),
            OutColumn {
                name: "metro",
                values: OutValues::Text(e.iter().map(|x| x.metro.clone()).collect()),
            },
            OutColumn {
                name: "metro_core_persons",
                values: OutValues::U64(e.iter().map(|x| x.metro_share.map(|s| s.0)).collect()),
            },
            OutColumn {
                name: "metro_core_share",
                values: opt_f(
                    e.iter()
                        .map(|x| x.metro_share.map(|(p, d)| p as f64 / d as f64))
                        .collect(),
                ),
            },
            text_col(
                "metro_ok",
                e.iter().map(|x| x.metro_ok.to_string()).collect(),
            ),
            text_col(
                "eligible",
                e.iter().map(|x| x.eligible.to_string()).collect(),
            ),
            text_col(
                "failed_criteria",
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
        ],
    )?;

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
                areas
                    .iter()
                    .map(|a| {
                        if a.centre.is_pair() {
                            "pair (複眼型)"
                        } else {
                            "single"
                        }
                        .to_string()
                    })
                    .collect(),
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
            text_col(
                "threshold",
                rows.iter().map(|r| threshold_text(r.2.threshold)).collect(),
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
                            .map(|&k| format!("{:.4}", share_in(*u, k).1))
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .collect(),
            ),
        ],
    )?;

    // areas.geojson: one dissolved polygon per area.
    let features: Vec<OutFeature> = areas
        .iter()
        .zip(&ids)
        .map(|(a, id)| OutFeature {
            shape: dissolve(a.members.iter().filter_map(|m| region.shape(m.unit))),
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
            ],
        })
        .collect();
    let path = out.join("areas.geojson");
    write_geojson(&path, &features)?;
    written.push(path);

    // municipalities.geojson: every unit with its memberships.
    let features: Vec<OutFeature> = (0..region.len())
        .filter_map(|u| {
            let shape = region.shape(u)?.clone();
            let mine: Vec<(usize, &crate::areas::Membership)> = areas
                .iter()
                .enumerate()
                .filter_map(|(k, a)| a.members.iter().find(|m| m.unit == u).map(|m| (k, m)))
                .collect();
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
                        PropValue::List(
                            mine.iter()
                                .map(|(_, m)| format!("{:.4}", m.share()))
                                .collect(),
                        ),
                    ),
                    ("isolated", PropValue::Bool(region.adjacency.is_isolated(u))),
                ],
            })
        })
        .collect();
    let path = out.join("municipalities.geojson");
    write_geojson(&path, &features)?;
    written.push(path);
    Ok(written)
}
