//! `toshiken audit --declared DIR`: declared memberships against the commuting data.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use super::delineate::{build_region_with_warnings, renkei_params, rule_record, DelineateOptions};
use super::map::declared_areas;
use super::{text_col, Config, InputFile, Timings};
use crate::audit::{audit, Audit, Status};
use crate::io::{self, write_table, OutColumn, OutFormat, OutValues};
use crate::region::Region;
use crate::report::{audit_html, MapData};
use crate::rules::renkei::threshold_text;
use crate::rules::RenkeiParams;

/// Options of `audit`.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Folder with `areas.csv` and `members.csv`.
    pub declared: PathBuf,
    /// Threshold and tolerance options shared with `delineate`.
    pub rules: DelineateOptions,
    /// Also write `audit.html` (tables and one map per declared area).
    pub html: bool,
}

/// Runs the audit and writes `audit.csv` and `audit.md`.
///
/// # Errors
/// Loading failures, a declared code that is not a unit, or a write failure.
pub fn run_audit(config: &Config, options: &AuditOptions) -> anyhow::Result<(Region, Audit)> {
    let (params, warnings) = renkei_params(&options.rules)?;
    // Warnings are printed even with -q: they qualify the results.
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let (areas, members) = io::read_declared(&options.declared).with_context(|| {
        format!(
            "reading declared memberships from {}",
            options.declared.display()
        )
    })?;
    let mut timings = Timings::default();
    let (region, shape_warnings) =
        build_region_with_warnings(config, &options.rules.merges, &mut timings)?;
    let result = audit(&region, &areas, &members, &params).map_err(|e| {
        let e = anyhow::Error::from(e);
        if config.units_from_population {
            // The declared lists carry the codes of their own date; with the units taken from
            // the population table, a code of another vintage is not a unit.
            e.context("with --units population the units are the population table's codes: a declared code that the table lacks (a code of another vintage) is not one of them")
        } else {
            e
        }
    })?;
    super::RunRecord::begin(&config.out, "audit")?;
    write_csv(config, &region, &result)?;
    let md = markdown(&region, &result, &params, &options.declared);
    let path = config.out.join("audit.md");
    io::write_text(&path, &md)?;
    if options.html {
        let areas = declared_areas(&region, &result, &params);
        let titles = result.areas.iter().map(|a| a.name.clone()).collect();
        let undeclared = result
            .areas
            .iter()
            .map(|a| {
                result
                    .lines
                    .iter()
                    .filter(|l| l.area == a.id && l.status == Status::Missing)
                    .map(|l| (l.unit, l.persons, l.denominator))
                    .collect()
            })
            .collect();
        let data = MapData::new(&region, &areas, Some(titles), "宣言済みの連携中枢都市圏")
            .with_ids(result.areas.iter().map(|a| a.id.clone()).collect())
            .declared(undeclared);
        let path = config.out.join("audit.html");
        let html = audit_html(&data, &result, &threshold_text(params.get_threshold()));
        io::write_text(&path, &html)?;
        if config.verbose {
            eprintln!("wrote {}", path.display());
        }
    }
    if config.verbose {
        let count = |s| result.lines.iter().filter(|l| l.status == s).count();
        use super::count as n;
        eprintln!(
            "audit of {}: {} meet the threshold, {} below it (agreement only), {} missing, {} declared in two or more areas, {} failing a criterion",
            n(result.areas.len(), "declared area", "declared areas"),
            n(count(Status::Meets), "member", "members"),
            count(Status::AgreementOnly),
            count(Status::Missing),
            n(result.multi.len(), "municipality", "municipalities"),
            n(
                result.centres.iter().filter(|c| !c.failures.is_empty()).count(),
                "centre",
                "centres"
            )
        );
        eprintln!(
            "wrote {}, {}",
            config.out.join("audit.csv").display(),
            path.display()
        );
    }
    let mut written = vec![config.out.join("audit.csv"), path.clone()];
    if options.html {
        written.push(config.out.join("audit.html"));
    }
    let mut record = rule_record(config, &options.rules, &params, "audit")?;
    record.warnings = shape_warnings.into_iter().chain(warnings).collect();
    record.inputs.push(InputFile::at(
        "declared areas",
        &options.declared.join("areas.csv"),
    ));
    record.inputs.push(InputFile::at(
        "declared members",
        &options.declared.join("members.csv"),
    ));
    record.write(&config.out, &written, &timings)?;
    Ok((region, result))
}

fn write_csv(config: &Config, region: &Region, result: &Audit) -> anyhow::Result<()> {
    let l = &result.lines;
    let text = text_col;
    let area_name = |id: &str| {
        result
            .areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let path = config.out.join("audit.csv");
    write_table(
        &path,
        OutFormat::Csv,
        &[
            text("area_id", l.iter().map(|x| x.area.clone()).collect()),
            text("area_name", l.iter().map(|x| area_name(&x.area)).collect()),
            text(
                "code",
                l.iter().map(|x| region.code(x.unit).to_string()).collect(),
            ),
            text(
                "name",
                l.iter().map(|x| region.names[x.unit].clone()).collect(),
            ),
            text(
                "status",
                l.iter().map(|x| x.status.label().to_string()).collect(),
            ),
            OutColumn {
                name: "persons_to_centre",
                values: OutValues::U64(l.iter().map(|x| Some(x.persons)).collect()),
            },
            OutColumn {
                name: "denominator",
                values: OutValues::U64(l.iter().map(|x| Some(x.denominator)).collect()),
            },
            OutColumn {
                name: "share",
                values: OutValues::F64(l.iter().map(|x| Some(x.share())).collect()),
            },
            text(
                "meets_threshold",
                l.iter().map(|x| x.meets.to_string()).collect(),
            ),
            text(
                "prefectural_scheme_only",
                l.iter().map(|x| x.prefectural_only.to_string()).collect(),
            ),
            text(
                "other_declared_areas",
                l.iter().map(|x| x.other_areas.join(";")).collect(),
            ),
        ],
    )
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn markdown(
    region: &Region,
    result: &Audit,
    params: &RenkeiParams,
    declared: &std::path::Path,
) -> String {
    let t = threshold_text(params.get_threshold());
    let mut md = String::new();
    let _ = writeln!(md, "# Audit of declared 連携中枢都市圏 memberships\n");
    let _ = writeln!(
        md,
        "Declared file: `{}`. Shares are persons commuting to the centre (both cities for a two-centre area) over all resident commuters (2020 census, e-Stat 0003454527); threshold {t}, decided on integers.\n",
        declared.display()
    );
    let _ = writeln!(md, "## Municipalities declared in two or more areas\n");
    let _ = writeln!(
        md,
        "| code | name | areas (share to each centre) |\n|---|---|---|"
    );
    for m in &result.multi {
        let parts = m.shares_text();
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            region.code(m.unit),
            region.names[m.unit],
            parts
        );
    }
    let _ = writeln!(md, "\n## Centres\n");
    let _ = writeln!(md, "| area | centre | result |\n|---|---|---|");
    for c in &result.centres {
        let verdict = if c.failures.is_empty() {
            "meets every criterion".to_string()
        } else {
            format!("fails: {}", c.failures.join("; "))
        };
        let who: Vec<String> = c.units.iter().map(|&u| region.label(u)).collect();
        let kind = if c.units.len() == 2 {
            " (pair rule, 複眼型)"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "| {} | {}{kind} | {} |",
            c.area,
            who.join(" + "),
            verdict
        );
    }
    for area in &result.areas {
        let _ = writeln!(md, "\n## {} {}\n", area.id, area.name);
        let _ = writeln!(
            md,
            "| code | name | status | share | other declared areas |\n|---|---|---|---:|---|"
        );
        for l in result.lines.iter().filter(|l| l.area == area.id) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.1}% | {} |",
                region.code(l.unit),
                region.names[l.unit],
                l.status.label(),
                100.0 * l.share(),
                l.other_areas.join(", ")
            );
        }
    }
    md
}
