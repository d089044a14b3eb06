//! `toshiken map`: national SVG/PNG, one SVG/PNG per candidate area, and the interactive HTML.

use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;

use super::delineate::{
    build_region_with_warnings, renkei_params, rule_record, scheme_of, scheme_region,
    scheme_warnings, DelineateOptions,
};
use super::{paths_list, Config, InputFile, Timings};
use crate::areas::{Area, Membership, Tier};
use crate::audit::{audit, Audit, Status};
use crate::io;
use crate::region::Region;
use crate::report::{
    area_svg, find_japanese_font, map_html, national_svg, svg_to_png, DeclaredByUnit, MapData,
};
use crate::rules::{Centre, RenkeiParams, Scheme};

/// Title of the candidate map.
pub const MAP_TITLE: &str = "連携中枢都市圏 候補（令和2年国勢調査）";

/// Title of a scheme's national map and report.
pub fn map_title(scheme: &dyn Scheme) -> String {
    if scheme.id() == "renkei" {
        MAP_TITLE.to_string()
    } else {
        format!("{}（令和2年国勢調査）", scheme.name_ja())
    }
}

/// Options of `map`.
#[derive(Clone, Debug, Default)]
pub struct MapOptions {
    /// Rule options shared with `delineate`.
    pub rules: DelineateOptions,
    /// Declared memberships to show in the HTML info panel.
    pub declared: Option<PathBuf>,
    /// A font file with Japanese glyphs, added to the system fonts.
    pub font: Option<PathBuf>,
}

/// Writes map.svg, map.png, areas/<id>.svg|png and map.html.
///
/// # Errors
/// Loading failures, no Japanese font, or a write failure.
pub fn run_map(config: &Config, options: &MapOptions) -> anyhow::Result<Vec<PathBuf>> {
    let (params, mut warnings) = renkei_params(&options.rules)?;
    let scheme = scheme_of(config, &options.rules, &params)?;
    if options.declared.is_some() && scheme.id() != "renkei" {
        return Err(super::UsageError(format!(
            "--declared shows declared 連携中枢都市圏 beside the candidates: it applies to --scheme renkei only, not {}",
            scheme.id()
        ))
        .into());
    }
    let fonts = find_japanese_font(options.font.as_deref())?;
    let mut timings = Timings::default();
    let (region, shape_warnings) =
        build_region_with_warnings(config, &options.rules.merges, &mut timings)?;
    let (region, input_warnings) = scheme_region(config, &options.rules, scheme.as_ref(), region)?;
    warnings.extend(input_warnings);
    let outcome = timings.time("rules", || scheme.delineate(&region));
    let areas = &outcome.areas;
    let evaluations = outcome
        .renkei
        .as_ref()
        .map(|d| d.evaluations.as_slice())
        .unwrap_or_default();
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
    let declared = match &options.declared {
        Some(dir) => Some(declared_by_unit(&region, dir, &params)?),
        None => None,
    };
    let title = map_title(scheme.as_ref());
    let data = MapData::new(&region, areas, None, &title)
        .with_criteria(evaluations, &params)
        .with_terms(scheme.id());
    let out = &config.out;
    let mut written = Vec::new();
    super::RunRecord::begin(out, "map")?;
    timings.time("maps", || -> anyhow::Result<()> {
        let svg = national_svg(&data);
        let path = out.join("map.svg");
        write_file(&path, svg.as_bytes())?;
        written.push(path);
        let path = out.join("map.png");
        svg_to_png(&svg, fonts.clone(), 1.5, &path)?;
        written.push(path);
        // One task per area map: each is independent, so the files do not depend on threads.
        data.ids
            .par_iter()
            .enumerate()
            .try_for_each(|(k, id)| -> anyhow::Result<()> {
                let svg = area_svg(&data, k);
                let path = out.join("areas").join(format!("{id}.svg"));
                write_file(&path, svg.as_bytes())?;
                svg_to_png(&svg, fonts.clone(), 1.0, &path.with_extension("png"))?;
                Ok(())
            })?;
        for id in &data.ids {
            let path = out.join("areas").join(format!("{id}.svg"));
            written.push(path.with_extension("png"));
            written.push(path);
        }
        let path = out.join("map.html");
        write_file(&path, map_html(&data, declared.as_ref()).as_bytes())?;
        written.push(path);
        Ok(())
    })?;
    if config.verbose {
        eprintln!(
            "wrote {} ({} area maps in {})",
            paths_list(
                &written
                    .iter()
                    .filter(|p| !p.starts_with(out.join("areas")))
                    .cloned()
                    .collect::<Vec<_>>()
            ),
            data.ids.len(),
            out.join("areas").display()
        );
    }
    if config.timings {
        eprintln!("{timings}");
    }
    let mut record = rule_record(config, &options.rules, &params, "map")?;
    record.warnings = shape_warnings.into_iter().chain(warnings).collect();
    if let Some(dir) = &options.declared {
        record
            .inputs
            .push(InputFile::at("declared areas", &dir.join("areas.csv")));
        record
            .inputs
            .push(InputFile::at("declared members", &dir.join("members.csv")));
    }
    written.push(record.write(&config.out, &written, &timings)?);
    Ok(written)
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    io::write_atomic(path, |f| std::io::Write::write_all(f, bytes))?;
    Ok(())
}

/// Declared memberships per unit with the share to each declared centre, taken from the
/// audit (which computes them once for audit.csv too).
fn declared_by_unit(
    region: &Region,
    dir: &std::path::Path,
    params: &RenkeiParams,
) -> anyhow::Result<DeclaredByUnit> {
    let (areas, members) = io::read_declared(dir)
        .with_context(|| format!("reading declared memberships from {}", dir.display()))?;
    let result = audit(region, &areas, &members, params)?;
    let mut by_unit: DeclaredByUnit = vec![Vec::new(); region.len()];
    for line in result.lines.iter().filter(|l| l.status != Status::Missing) {
        let name = areas
            .iter()
            .find(|a| a.id == line.area)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        by_unit[line.unit].push((line.area.clone(), name, line.persons, line.denominator));
    }
    Ok(by_unit)
}

/// Declared areas as `Area`s for drawing: centres, members meeting the threshold as tier 1,
/// agreement-only members as tier 2 (missing municipalities are not drawn as members).
pub fn declared_areas(region: &Region, audit: &Audit, params: &RenkeiParams) -> Vec<Area> {
    audit
        .areas
        .iter()
        .map(|a| {
            let units: Vec<usize> = a
                .centres
                .iter()
                .filter_map(|&c| region.index_of(c))
                .collect();
            let members = audit
                .lines
                .iter()
                .filter(|l| l.area == a.id && l.status != Status::Missing)
                .map(|l| Membership {
                    unit: l.unit,
                    tier: match l.status {
                        Status::Centre => Tier::Centre,
                        Status::Meets => Tier::One,
                        _ => Tier::Two,
                    },
                    persons: l.persons,
                    denominator: l.denominator,
                    threshold: params.get_threshold(),
                    rule: "declared member",
                })
                .collect();
            Area {
                centre: Centre { units },
                members,
                exclaves: Vec::new(),
                islands: Vec::new(),
            }
        })
        .collect()
}
