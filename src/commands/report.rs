//! `toshiken report`: report.html, the printable document of a run (see
//! `report::report_html`). With `--merge`, the same rules run on the data without the mergers
//! too, and every area the mergers change is shown before and after.

use std::path::PathBuf;

use super::delineate::{
    build_region_with_warnings, renkei_params, rule_record, scheme_of, scheme_region,
    scheme_warnings, DelineateOptions,
};
use super::map::map_title;
use super::{Config, Timings};
use crate::io;
use crate::report::{report_html, MapData, ReportRun};
use crate::rules::Outcome;

/// The file `report` writes.
pub const REPORT_FILE: &str = "report.html";

/// Writes OUT/report.html and run.json.
///
/// # Errors
/// Loading failures or a write failure.
pub fn run_report(config: &Config, options: &DelineateOptions) -> anyhow::Result<Vec<PathBuf>> {
    let (params, mut warnings) = renkei_params(options)?;
    let scheme = scheme_of(config, options, &params)?;
    let mut timings = Timings::default();
    let (region, shape_warnings) =
        build_region_with_warnings(config, &options.merges, &mut timings)?;
    let (region, input_warnings) = scheme_region(config, options, scheme.as_ref(), region)?;
    warnings.extend(input_warnings);
    let outcome = timings.time("rules", || scheme.delineate(&region));
    let detail = outcome.renkei.clone().unwrap_or_default();
    warnings.extend(scheme_warnings(
        &region,
        &params,
        scheme.as_ref(),
        &outcome,
    )?);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    // Without the mergers, for the before/after pages.
    let baseline: Option<(_, Outcome)> = if options.merges.is_empty() {
        None
    } else {
        let quiet = Config {
            verbose: false,
            ..config.clone()
        };
        let (region, _) = build_region_with_warnings(&quiet, &[], &mut timings)?;
        let (region, _) = scheme_region(config, options, scheme.as_ref(), region)?;
        let outcome = scheme.delineate(&region);
        Some((region, outcome))
    };
    let title = map_title(scheme.as_ref());
    let mut record = rule_record(config, options, &params, "report")?;
    record.warnings = shape_warnings.into_iter().chain(warnings).collect();
    super::RunRecord::begin(&config.out, "report")?;
    let path = config.out.join(REPORT_FILE);
    timings.time("report", || -> anyhow::Result<()> {
        let data = MapData::new(&region, &outcome.areas, None, &title).with_terms(scheme.id());
        let run = ReportRun {
            data: &data,
            evaluations: &detail.evaluations,
            scheme: scheme.name_ja(),
            records: &outcome.records,
            method: &outcome.method,
        };
        let parameters: Vec<(String, String)> = record
            .summary_rows()
            .into_iter()
            .filter(|(k, _)| k.starts_with("parameter: ") || k.starts_with("input: "))
            .collect();
        let html = match &baseline {
            Some((b_region, b_outcome)) => {
                let b_data =
                    MapData::new(b_region, &b_outcome.areas, None, &title).with_terms(scheme.id());
                let b_detail = b_outcome.renkei.clone().unwrap_or_default();
                let b_run = ReportRun {
                    data: &b_data,
                    evaluations: &b_detail.evaluations,
                    scheme: scheme.name_ja(),
                    records: &b_outcome.records,
                    method: &b_outcome.method,
                };
                report_html(
                    &run,
                    &params,
                    &parameters,
                    &record.warnings,
                    Some((&b_run, &options.merges)),
                )
            }
            None => report_html(&run, &params, &parameters, &record.warnings, None),
        };
        io::write_text(&path, &html)?;
        Ok(())
    })?;
    if config.verbose {
        eprintln!("wrote {}", path.display());
    }
    if config.timings {
        eprintln!("{timings}");
    }
    let written = vec![path.clone(), record.write(&config.out, &[path], &timings)?];
    Ok(written)
}
