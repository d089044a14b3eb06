//! `toshiken report`: report.html, the printable document of a run (see
//! `report::report_html`). With `--merge`, the same rules run on the data without the mergers
//! too, and every area the mergers change is shown before and after.

use std::path::PathBuf;

use super::delineate::{build_region_with_warnings, renkei_params, rule_record, DelineateOptions};
use super::map::MAP_TITLE;
use super::{Config, Timings};
use crate::areas::delineate;
use crate::io;
use crate::report::{report_html, MapData, ReportRun};
use crate::rules::{evaluate_centres, find_centres};

/// The file `report` writes.
pub const REPORT_FILE: &str = "report.html";

/// Writes OUT/report.html and run.json.
///
/// # Errors
/// Loading failures or a write failure.
pub fn run_report(config: &Config, options: &DelineateOptions) -> anyhow::Result<Vec<PathBuf>> {
    let (params, warnings) = renkei_params(options)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut timings = Timings::default();
    let (region, shape_warnings) =
        build_region_with_warnings(config, &options.merges, &mut timings)?;
    let (evaluations, areas) = timings.time("rules", || {
        let evaluations = evaluate_centres(&region, &params);
        let centres = find_centres(&region, &evaluations, &params);
        let areas = delineate(&region, &centres, &params);
        (evaluations, areas)
    });
    // Without the mergers, for the before/after pages.
    let baseline = if options.merges.is_empty() {
        None
    } else {
        let quiet = Config {
            verbose: false,
            ..config.clone()
        };
        let (region, _) = build_region_with_warnings(&quiet, &[], &mut timings)?;
        let evaluations = evaluate_centres(&region, &params);
        let centres = find_centres(&region, &evaluations, &params);
        let areas = delineate(&region, &centres, &params);
        Some((region, evaluations, areas))
    };
    let mut record = rule_record(config, options, &params, "report")?;
    record.warnings = shape_warnings.into_iter().chain(warnings).collect();
    super::RunRecord::begin(&config.out, "report")?;
    let path = config.out.join(REPORT_FILE);
    timings.time("report", || -> anyhow::Result<()> {
        let data = MapData::new(&region, &areas, None, MAP_TITLE);
        let run = ReportRun {
            data: &data,
            evaluations: &evaluations,
        };
        let parameters: Vec<(String, String)> = record
            .summary_rows()
            .into_iter()
            .filter(|(k, _)| k.starts_with("parameter: ") || k.starts_with("input: "))
            .collect();
        let html = match &baseline {
            Some((b_region, b_evaluations, b_areas)) => {
                let b_data = MapData::new(b_region, b_areas, None, MAP_TITLE);
                let b_run = ReportRun {
                    data: &b_data,
                    evaluations: b_evaluations,
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
