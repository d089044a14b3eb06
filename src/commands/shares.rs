//! `toshiken shares --from CODE`: one origin's full share vector.

use std::io::Write;

use anyhow::{bail, Context};

use super::Config;
use crate::dataset::Dataset;
use crate::matrix::{thousands, ShareDenominator};
use crate::registry::{MuniCode, Resolved, SetAsideReason};

/// Options of `shares`.
#[derive(Clone, Debug)]
pub struct SharesOptions {
    /// The origin.
    pub from: String,
    /// Print CSV instead of an aligned table.
    pub csv: bool,
}

/// One destination of the share vector. `code` is `None` for the unknown-destination line.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareRow {
    /// Destination code (`None` = unknown destination, 99998 + 99999).
    pub code: Option<MuniCode>,
    /// Destination name.
    pub name: String,
    /// Persons.
    pub persons: u64,
    /// Persons / the origin's share denominator.
    pub share: f64,
}

/// The share vector of `origin`: every destination by persons descending (ties by code),
/// then one line for the unknown destinations when they are part of the denominator (the
/// default), so that the shares printed sum to 1.
///
/// # Errors
/// When `origin` is not a unit at the dataset's level or has no commuting data.
pub fn share_rows(
    dataset: &Dataset,
    origin: MuniCode,
    config: &Config,
) -> anyhow::Result<(u64, Vec<ShareRow>)> {
    let units = &dataset.units;
    let i = match units.resolve(origin) {
        Some(Resolved::Unit(m)) => m.index(),
        Some(Resolved::SetAside(reason)) => {
            let hint = match reason {
                SetAsideReason::WardOfDesignatedCity => {
                    "use its city's code, or --level ward for the wards"
                }
                SetAsideReason::DesignatedCityAggregate => {
                    "use one of its wards' codes, or --level municipality for the whole city"
                }
                SetAsideReason::SpecialWardsAggregate => {
                    "the 23 special wards are units one by one: use a ward's code, 13101–13123"
                }
            };
            bail!(
                "{origin} is not a unit at {} level: {reason}; {hint}",
                units.level()
            )
        }
        _ => bail!("{origin} is not in the municipality registry"),
    };
    let m = &dataset.matrix;
    if !m.has_data(i) {
        bail!(
            "{origin} has no commuting data in {}",
            dataset.inputs.od.display()
        );
    }
    let denominator = config.params.get_share_denominator().of(m, i);
    let (dest, persons) = m.row(i);
    let mut rows: Vec<ShareRow> = dest
        .iter()
        .zip(persons)
        .map(|(&d, &p)| {
            let code = units.codes()[d as usize];
            ShareRow {
                code: Some(code),
                name: dataset
                    .registry
                    .get(code)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                persons: u64::from(p),
                share: f64::from(p) / denominator as f64,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.persons.cmp(&a.persons).then(a.code.cmp(&b.code)));
    if config.params.get_share_denominator() == ShareDenominator::AllCommuters {
        rows.push(ShareRow {
            code: None,
            name: "(unknown destination: 99998 + 99999)".to_string(),
            persons: m.unknown(i),
            share: m.unknown(i) as f64 / denominator as f64,
        });
    }
    Ok((denominator, rows))
}

/// Prints the share vector of `options.from` to stdout.
///
/// # Errors
/// A bad code, loading failures, or a closed stdout.
pub fn run_shares(config: &Config, options: &SharesOptions) -> anyhow::Result<()> {
    let Some(origin) = MuniCode::parse(options.from.trim()) else {
        return Err(super::UsageError(format!(
            "--from '{}' is not a 5-digit municipality code (e.g. 33202 for 倉敷市)",
            options.from
        ))
        .into());
    };
    let dataset = config.load()?;
    let (denominator, rows) = share_rows(&dataset, origin, config)?;
    let entry = dataset
        .registry
        .get(origin)
        .context("origin vanished from the registry")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if options.csv {
        writeln!(out, "origin,destination,name,persons,share")?;
        for r in &rows {
            let code = r
                .code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "unknown".to_string());
            let share = if r.share.is_finite() {
                r.share.to_string()
            } else {
                String::new()
            };
            writeln!(out, "{origin},{code},{},{},{share}", r.name, r.persons)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{origin} {} ({}, {}): {} resident commuters; share denominator {} ({})",
        entry.name,
        entry.prefecture,
        entry.kind,
        thousands(
            dataset
                .matrix
                .total(dataset.units.index_of(origin).expect("checked").index())
        ),
        thousands(denominator),
        config.params.get_share_denominator(),
    )?;
    writeln!(
        out,
        "{:>5}  {:<7} {:<16} {:>11} {:>9}",
        "rank", "code", "name", "persons", "share"
    )?;
    let mut sum = 0.0;
    for (rank, r) in rows.iter().enumerate() {
        sum += r.share;
        let code = r
            .code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".to_string());
        let marker = if r.code == Some(origin) {
            " (stays)"
        } else {
            ""
        };
        let share = if r.share.is_finite() {
            format!("{:>8.4}%", 100.0 * r.share)
        } else {
            format!("{:>9}", "-")
        };
        writeln!(
            out,
            "{:>5}  {:<7} {:<16} {:>11} {share}{marker}",
            rank + 1,
            code,
            r.name,
            thousands(r.persons),
        )?;
    }
    if denominator == 0 {
        writeln!(
            out,
            "{} destinations; no commuters in the denominator, so no shares",
            rows.len()
        )?;
    } else {
        writeln!(out, "{} destinations; shares sum to {:.6}", rows.len(), sum)?;
    }
    Ok(())
}
