//! `toshiken compare A B`: how two delineations of the same municipalities differ (see
//! `areas::compare`). A and B are `memberships.csv` of two runs (any schemes, thresholds or
//! mergers-free what-ifs) or any published table with a code and an area column.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{paths_list, Config, InputFile, RunRecord, Timings};
use crate::areas::{compare, Partition};
use crate::io::{
    self, read_assignments, write_table, AssignmentRow, OutColumn, OutFormat, OutValues,
};

/// Options of `compare`.
#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// The first table.
    pub a: PathBuf,
    /// The second table.
    pub b: PathBuf,
    /// `--within-b`: only the municipalities in an area of B (a table that covers one region).
    pub within_b: bool,
}

fn tier_rank(t: Option<&str>) -> u8 {
    match t {
        Some("centre") => 0,
        Some("1") => 1,
        Some("2") => 2,
        _ => 3,
    }
}

/// A table's partition over the registry's units: areas in order of first appearance, every
/// member, and each unit's primary area (centre first, then tier 1, tier 2, each by share
/// compared exactly; a table without tiers or counts: the first row of the unit).
fn partition(
    path: &Path,
    rows: &[AssignmentRow],
    index_of: &dyn Fn(crate::registry::MuniCode) -> Option<usize>,
    n: usize,
) -> anyhow::Result<(Partition, Vec<Option<usize>>)> {
    let mut p = Partition {
        areas: Vec::new(),
        members: Vec::new(),
        primary: vec![None; n],
    };
    // The row each unit's primary area comes from.
    let mut chosen: Vec<Option<usize>> = vec![None; n];
    for (r, row) in rows.iter().enumerate() {
        let u = index_of(row.code).with_context(|| {
            format!(
                "{}: {}: code {} is not a municipality of the data (another census year's codes, a ward, or a merged unit?)",
                path.display(),
                row.record,
                row.code
            )
        })?;
        let k = match p.areas.iter().position(|a| *a == row.area) {
            Some(k) => k,
            None => {
                p.areas.push(row.area.clone());
                p.members.push(Vec::new());
                p.areas.len() - 1
            }
        };
        if !p.members[k].contains(&u) {
            p.members[k].push(u);
        }
        let better = chosen[u].is_none_or(|c| {
            let old = &rows[c];
            let (ra, rb) = (
                tier_rank(row.tier.as_deref()),
                tier_rank(old.tier.as_deref()),
            );
            ra < rb
                || (ra == rb
                    && match (row.persons, old.persons) {
                        (Some((p1, d1)), Some((p0, d0))) => {
                            u128::from(p1) * u128::from(d0) > u128::from(p0) * u128::from(d1)
                        }
                        _ => false,
                    })
        });
        if better {
            chosen[u] = Some(r);
            p.primary[u] = Some(k);
        }
    }
    for m in &mut p.members {
        m.sort_unstable();
    }
    Ok((p, chosen))
}

/// The row of each (area, unit) membership of a table (the first, if repeated).
fn membership_rows(
    p: &Partition,
    rows: &[AssignmentRow],
    index_of: &dyn Fn(crate::registry::MuniCode) -> Option<usize>,
) -> std::collections::HashMap<(usize, usize), usize> {
    let mut out = std::collections::HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        if let (Some(k), Some(u)) = (
            p.areas.iter().position(|a| *a == row.area),
            index_of(row.code),
        ) {
            out.entry((k, u)).or_insert(r);
        }
    }
    out
}

/// A membership that differs between A and B, seen through the area matching: `left` (in A's
/// area, not in its match), `joined` (in a B area, not in the A area matched to it, or in a B
/// area that no A area matches), `tier` (in both, another tier).
struct Change {
    area_a: Option<usize>,
    area_b: Option<usize>,
    unit: usize,
    what: &'static str,
}

fn membership_changes(
    a: &Partition,
    b: &Partition,
    matches: &[crate::areas::AreaMatch],
    a_rows: &[AssignmentRow],
    b_rows: &[AssignmentRow],
    a_at: &std::collections::HashMap<(usize, usize), usize>,
    b_at: &std::collections::HashMap<(usize, usize), usize>,
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut matched_b = vec![false; b.areas.len()];
    for m in matches {
        let ma = &a.members[m.a];
        match m.b {
            Some(j) => {
                matched_b[j] = true;
                let mb = &b.members[j];
                for &u in ma {
                    if mb.binary_search(&u).is_err() {
                        out.push(Change {
                            area_a: Some(m.a),
                            area_b: Some(j),
                            unit: u,
                            what: "left",
                        });
                    } else {
                        let ta = a_at.get(&(m.a, u)).and_then(|&r| a_rows[r].tier.clone());
                        let tb = b_at.get(&(j, u)).and_then(|&r| b_rows[r].tier.clone());
                        // Tiers compare only where both tables have them.
                        if ta.is_some() && tb.is_some() && ta != tb {
                            out.push(Change {
                                area_a: Some(m.a),
                                area_b: Some(j),
                                unit: u,
                                what: "tier",
                            });
                        }
                    }
                }
                for &u in mb {
                    if ma.binary_search(&u).is_err() {
                        out.push(Change {
                            area_a: Some(m.a),
                            area_b: Some(j),
                            unit: u,
                            what: "joined",
                        });
                    }
                }
            }
            None => {
                for &u in ma {
                    out.push(Change {
                        area_a: Some(m.a),
                        area_b: None,
                        unit: u,
                        what: "left",
                    });
                }
            }
        }
    }
    for (j, mb) in b.members.iter().enumerate() {
        if !matched_b[j] {
            for &u in mb {
                out.push(Change {
                    area_a: None,
                    area_b: Some(j),
                    unit: u,
                    what: "joined",
                });
            }
        }
    }
    out
}

fn share_text(row: Option<&AssignmentRow>) -> Option<String> {
    row.and_then(|r| r.persons)
        .filter(|&(_, d)| d > 0)
        .map(|(p, d)| (p as f64 / d as f64).to_string())
}

/// Prints the comparison and writes compare_areas.csv, compare_moved.csv and run.json.
///
/// # Errors
/// A table that cannot be read, a code that is not a municipality of the data, a write failure.
pub fn run_compare(config: &Config, options: &CompareOptions) -> anyhow::Result<Vec<PathBuf>> {
    let mut timings = Timings::default();
    // The two tables first: a wrong path fails before the data is loaded.
    let (mut a_rows, b_rows) = timings.time("read", || -> anyhow::Result<_> {
        Ok((read_assignments(&options.a)?, read_assignments(&options.b)?))
    })?;
    let dataset = timings.time("load", || config.load())?;
    // 13100 東京都区部 (one unit in the 都市雇用圏, `--scheme uea`) stands for each special ward
    // of the data, in the same area with the same tier and figures.
    let wards: Vec<crate::registry::MuniCode> = dataset
        .units
        .codes()
        .iter()
        .copied()
        .filter(|&c| {
            dataset
                .registry
                .get(c)
                .is_some_and(|e| e.kind == crate::registry::Kind::SpecialWard)
        })
        .collect();
    let expand = |rows: Vec<AssignmentRow>| -> Vec<AssignmentRow> {
        rows.into_iter()
            .flat_map(|r| {
                let aggregate = dataset
                    .registry
                    .get(r.code)
                    .is_some_and(|e| e.kind == crate::registry::Kind::SpecialWardsAggregate);
                if aggregate && !wards.is_empty() && dataset.units.index_of(r.code).is_none() {
                    wards
                        .iter()
                        .map(|&w| AssignmentRow {
                            code: w,
                            ..r.clone()
                        })
                        .collect()
                } else {
                    vec![r]
                }
            })
            .collect()
    };
    let (a_n, b_n) = (a_rows.len(), b_rows.len());
    a_rows = expand(a_rows);
    let b_rows = expand(b_rows);
    if config.verbose && (a_rows.len() != a_n || b_rows.len() != b_n) {
        eprintln!(
            "13100 東京都区部 (one unit in a 都市雇用圏 table) is counted as each of its {} special wards",
            wards.len()
        );
    }
    // The units compared: all municipalities, or (--within-b) those in an area of B, in code
    // order; `all[i]` is the registry unit of compared unit i.
    let mut all: Vec<usize> = (0..dataset.units.len()).collect();
    if options.within_b {
        let mut covered: Vec<usize> = Vec::new();
        for row in &b_rows {
            let u = dataset
                .units
                .index_of(row.code)
                .map(|m| m.index())
                .with_context(|| {
                    format!(
                        "{}: {}: code {} is not a municipality of the data",
                        options.b.display(),
                        row.record,
                        row.code
                    )
                })?;
            covered.push(u);
        }
        covered.sort_unstable();
        covered.dedup();
        a_rows.retain(|r| {
            dataset
                .units
                .index_of(r.code)
                .is_none_or(|m| covered.binary_search(&m.index()).is_ok())
        });
        all = covered;
    }
    let n = all.len();
    let index_of = |c| {
        dataset
            .units
            .index_of(c)
            .and_then(|m| all.binary_search(&m.index()).ok())
    };
    let units = &dataset.units;
    let (a, a_chosen) = partition(&options.a, &a_rows, &index_of, n)?;
    let (b, b_chosen) = partition(&options.b, &b_rows, &index_of, n)?;
    let c = timings.time("compare", || compare(&a, &b));
    let a_at = membership_rows(&a, &a_rows, &index_of);
    let b_at = membership_rows(&b, &b_rows, &index_of);
    let changes = membership_changes(&a, &b, &c.matches, &a_rows, &b_rows, &a_at, &b_at);
    let name = |u: usize| {
        dataset
            .registry
            .get(units.codes()[all[u]])
            .map(|e| e.name.clone())
            .unwrap_or_default()
    };
    let code = |u: usize| units.codes()[all[u]].to_string();

    RunRecord::begin(&config.out, "compare")?;
    let mut written = Vec::new();
    let path = config.out.join("compare_areas.csv");
    let size = |p: &Partition, k: usize| p.members[k].len() as u64;
    write_table(
        &path,
        OutFormat::Csv,
        &[
            text_col(
                "area_a",
                c.matches.iter().map(|m| a.areas[m.a].clone()).collect(),
            ),
            text_col(
                "area_b",
                c.matches
                    .iter()
                    .map(|m| m.b.map(|j| b.areas[j].clone()).unwrap_or_default())
                    .collect(),
            ),
            OutColumn {
                name: "members_a",
                values: OutValues::U64(c.matches.iter().map(|m| Some(size(&a, m.a))).collect()),
            },
            OutColumn {
                name: "members_b",
                values: OutValues::U64(
                    c.matches.iter().map(|m| m.b.map(|j| size(&b, j))).collect(),
                ),
            },
            OutColumn {
                name: "common",
                values: OutValues::U64(c.matches.iter().map(|m| Some(m.common as u64)).collect()),
            },
            OutColumn {
                name: "jaccard",
                values: OutValues::F64(c.matches.iter().map(|m| Some(m.jaccard)).collect()),
            },
        ],
    )
    .with_context(|| format!("writing {}", path.display()))?;
    written.push(path);
    let path = config.out.join("compare_moved.csv");
    let area_of = |p: &Partition, u: usize| p.primary[u].map(|k| p.areas[k].clone());
    let row_of = |rows: &[AssignmentRow], chosen: &[Option<usize>], u: usize| {
        chosen[u].map(|r| rows[r].clone())
    };
    write_table(
        &path,
        OutFormat::Csv,
        &[
            text_col("code", c.moved.iter().map(|&u| code(u)).collect()),
            text_col("name", c.moved.iter().map(|&u| name(u)).collect()),
            opt_col("area_a", c.moved.iter().map(|&u| area_of(&a, u)).collect()),
            opt_col(
                "tier_a",
                c.moved
                    .iter()
                    .map(|&u| row_of(&a_rows, &a_chosen, u).and_then(|r| r.tier))
                    .collect(),
            ),
            opt_col(
                "share_a",
                c.moved
                    .iter()
                    .map(|&u| share_text(row_of(&a_rows, &a_chosen, u).as_ref()))
                    .collect(),
            ),
            opt_col("area_b", c.moved.iter().map(|&u| area_of(&b, u)).collect()),
            opt_col(
                "tier_b",
                c.moved
                    .iter()
                    .map(|&u| row_of(&b_rows, &b_chosen, u).and_then(|r| r.tier))
                    .collect(),
            ),
            opt_col(
                "share_b",
                c.moved
                    .iter()
                    .map(|&u| share_text(row_of(&b_rows, &b_chosen, u).as_ref()))
                    .collect(),
            ),
        ],
    )
    .with_context(|| format!("writing {}", path.display()))?;
    written.push(path);
    let path = config.out.join("compare_memberships.csv");
    let at =
        |table: &std::collections::HashMap<(usize, usize), usize>,
         rows: &[AssignmentRow],
         k: Option<usize>,
         u: usize| { k.and_then(|k| table.get(&(k, u))).map(|&r| rows[r].clone()) };
    write_table(
        &path,
        OutFormat::Csv,
        &[
            opt_col(
                "area_a",
                changes
                    .iter()
                    .map(|x| x.area_a.map(|k| a.areas[k].clone()))
                    .collect(),
            ),
            opt_col(
                "area_b",
                changes
                    .iter()
                    .map(|x| x.area_b.map(|k| b.areas[k].clone()))
                    .collect(),
            ),
            text_col("code", changes.iter().map(|x| code(x.unit)).collect()),
            text_col("name", changes.iter().map(|x| name(x.unit)).collect()),
            text_col(
                "change",
                changes.iter().map(|x| x.what.to_string()).collect(),
            ),
            opt_col(
                "tier_a",
                changes
                    .iter()
                    .map(|x| at(&a_at, &a_rows, x.area_a, x.unit).and_then(|r| r.tier))
                    .collect(),
            ),
            opt_col(
                "share_a",
                changes
                    .iter()
                    .map(|x| share_text(at(&a_at, &a_rows, x.area_a, x.unit).as_ref()))
                    .collect(),
            ),
            opt_col(
                "tier_b",
                changes
                    .iter()
                    .map(|x| at(&b_at, &b_rows, x.area_b, x.unit).and_then(|r| r.tier))
                    .collect(),
            ),
            opt_col(
                "share_b",
                changes
                    .iter()
                    .map(|x| share_text(at(&b_at, &b_rows, x.area_b, x.unit).as_ref()))
                    .collect(),
            ),
        ],
    )
    .with_context(|| format!("writing {}", path.display()))?;
    written.push(path);
    let count = |w: &str| changes.iter().filter(|x| x.what == w).count();

    // The result goes to stdout: it is what the user asked for.
    println!(
        "A: {} ({} areas, {} memberships)\nB: {} ({} areas, {} memberships)",
        options.a.display(),
        a.areas.len(),
        a_rows.len(),
        options.b.display(),
        b.areas.len(),
        b_rows.len()
    );
    println!(
        "{} municipalities{}; primary area per municipality (a municipality in no area is its own singleton)",
        c.units,
        if options.within_b { " (those in an area of B)" } else { "" }
    );
    println!("adjusted Rand index             {:.4}", c.ari);
    println!("normalised mutual information   {:.4} (arithmetic)", c.nmi);
    let mean_j = if c.matches.is_empty() {
        f64::NAN
    } else {
        c.matches.iter().map(|m| m.jaccard).sum::<f64>() / c.matches.len() as f64
    };
    println!("mean Jaccard of A's areas with their best B match  {mean_j:.4}");
    println!(
        "in an area in A or B: {}; in matched areas: {} ({:.1}%); moved: {}",
        c.in_areas,
        c.in_matched,
        if c.in_areas == 0 {
            100.0
        } else {
            100.0 * c.in_matched as f64 / c.in_areas as f64
        },
        c.moved.len()
    );
    println!(
        "memberships (area by area, through the matching): left {}, joined {}, tier changed {} (compare_memberships.csv)",
        count("left"),
        count("joined"),
        count("tier")
    );
    let path = config.out.join("compare.json");
    io::write_json(
        &path,
        &serde_json::json!({
            "a": options.a.display().to_string(),
            "b": options.b.display().to_string(),
            "units": c.units,
            "ari": c.ari,
            "nmi": c.nmi,
            "mean_jaccard": mean_j,
            "in_areas": c.in_areas,
            "in_matched": c.in_matched,
            "moved": c.moved.len(),
            "memberships_left": count("left"),
            "memberships_joined": count("joined"),
            "tier_changed": count("tier"),
        }),
    )?;
    written.push(path);
    if config.verbose {
        eprintln!("wrote {}", paths_list(&written));
    }
    let mut record = RunRecord::new("compare");
    record.inputs.push(InputFile::at("A", &options.a));
    record.inputs.push(InputFile::at("B", &options.b));
    record.parameters.insert(
        "primary_area".into(),
        "centre, then tier 1, tier 2, each by share".into(),
    );
    record.parameters.insert("nmi".into(), "arithmetic".into());
    record
        .parameters
        .insert("within_b".into(), options.within_b.to_string());
    written.push(record.write(&config.out, &written, &timings)?);
    Ok(written)
}

fn text_col(name: &'static str, values: Vec<String>) -> OutColumn {
    OutColumn {
        name,
        values: OutValues::Text(values.into_iter().map(Some).collect()),
    }
}

fn opt_col(name: &'static str, values: Vec<Option<String>>) -> OutColumn {
    OutColumn {
        name,
        values: OutValues::Text(values),
    }
}
