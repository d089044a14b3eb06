//! Audit of declared memberships against the commuting data: each declared member's share to
//! its centre, members below the threshold (membership by agreement), municipalities at or
//! above the threshold that are missing, municipalities declared in two or more areas, and
//! declared centres that fail a criterion today.

use std::collections::BTreeMap;

use crate::io::{DeclaredArea, DeclaredMember};
use crate::region::Region;
use crate::registry::MuniCode;
use crate::rules::{evaluate_pair, evaluate_unit, RenkeiParams};

/// A declared file that does not fit the data.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A declared code that is not a unit.
    #[error("{file}: {record}: declared {what} {code} {name} of area {area} is not a municipality of the data (unknown code, or a ward: declare its city)")]
    UnknownCode {
        /// The declared file.
        file: std::path::PathBuf,
        /// Centre or member.
        what: &'static str,
        /// Code.
        code: MuniCode,
        /// Name as declared.
        name: String,
        /// Area id.
        area: String,
        /// Where.
        record: String,
    },
}

/// Status of one audit line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A declared central city.
    Centre,
    /// Declared, share ≥ threshold.
    Meets,
    /// Declared, share below the threshold: membership by agreement only.
    AgreementOnly,
    /// Not declared although its share meets the threshold.
    Missing,
}

impl Status {
    /// Label in audit.html and on audit maps.
    pub fn label_ja(self) -> &'static str {
        match self {
            Status::Centre => "中心市",
            Status::Meets => "宣言済み・基準以上",
            Status::AgreementOnly => "宣言済み・基準未満（協定のみ）",
            Status::Missing => "基準以上だが宣言なし",
        }
    }

    /// Label in audit.csv.
    pub fn label(self) -> &'static str {
        match self {
            Status::Centre => "centre",
            Status::Meets => "declared, meets threshold",
            Status::AgreementOnly => "declared, below threshold (agreement only)",
            Status::Missing => "missing: meets threshold but not declared",
        }
    }
}

/// One audit line: an (area, municipality) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditLine {
    /// Area id.
    pub area: String,
    /// Unit index.
    pub unit: usize,
    /// Status.
    pub status: Status,
    /// Persons to the area's centre(s).
    pub persons: u64,
    /// Denominator.
    pub denominator: u64,
    /// Whether the share meets the threshold.
    pub meets: bool,
    /// Member by a prefectural scheme only (declared file says national_scheme = no).
    pub prefectural_only: bool,
    /// Other declared areas of this municipality.
    pub other_areas: Vec<String>,
}

impl AuditLine {
    /// persons / denominator.
    pub fn share(&self) -> f64 {
        self.persons as f64 / self.denominator as f64
    }
}

/// A municipality declared in two or more areas.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiMembership {
    /// Unit.
    pub unit: usize,
    /// (area id, persons to its centre, denominator).
    pub areas: Vec<(String, u64, u64)>,
}

impl MultiMembership {
    /// `A01 5.6% (1293/23181); A02 18.4% (4275/23181)`: each area with the share to its centre.
    pub fn shares_text(&self) -> String {
        self.areas
            .iter()
            .map(|(id, p, d)| format!("{id} {:.1}% ({p}/{d})", 100.0 * *p as f64 / *d as f64))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A declared centre's evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct CentreCheck {
    /// Area id.
    pub area: String,
    /// Centre unit(s): two for a 複眼型 area, checked against the pair rule.
    pub units: Vec<usize>,
    /// Failed criteria with values (empty = passes all).
    pub failures: Vec<String>,
}

/// Everything the audit found.
#[derive(Clone, Debug, PartialEq)]
pub struct Audit {
    /// Declared areas, in file order.
    pub areas: Vec<DeclaredArea>,
    /// Lines per area: centres, declared members, then missing municipalities.
    pub lines: Vec<AuditLine>,
    /// Municipalities declared in ≥ 2 areas.
    pub multi: Vec<MultiMembership>,
    /// Centre checks.
    pub centres: Vec<CentreCheck>,
}

/// Audits `members` of `areas` against `region`.
///
/// # Errors
/// [`AuditError::UnknownCode`] for a declared code that is not a unit of the region.
pub fn audit(
    region: &Region,
    areas: &[DeclaredArea],
    members: &[DeclaredMember],
    params: &RenkeiParams,
) -> Result<Audit, AuditError> {
    let threshold = params.get_threshold();
    let unit_of =
        |code: MuniCode, what, name: &str, area: &str, record: &str, file: &std::path::Path| {
            region
                .index_of(code)
                .ok_or_else(|| AuditError::UnknownCode {
                    file: file.to_path_buf(),
                    what,
                    code,
                    name: name.to_string(),
                    area: area.to_string(),
                    record: record.to_string(),
                })
        };
    let mut declared_in: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for m in members {
        let u = unit_of(m.code, "member", &m.name, &m.area, &m.record, &m.file)?;
        declared_in.entry(u).or_default().push(m.area.clone());
    }
    let mut lines = Vec::new();
    let mut centres = Vec::new();
    let mut centre_units_of: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for area in areas {
        let cu: Vec<usize> = area
            .centres
            .iter()
            .map(|&c| unit_of(c, "centre", "", &area.id, &area.record, &area.file))
            .collect::<Result<_, _>>()?;
        centre_units_of.insert(area.id.clone(), cu.clone());
        if let [a, b] = cu[..] {
            // A two-centre (複眼型) area: every pair clause (要綱第9), for both cities.
            let failures = evaluate_pair(region, params, a, b).failures;
            centres.push(CentreCheck {
                area: area.id.clone(),
                units: cu.clone(),
                failures,
            });
        } else {
            for &c in &cu {
                // Every single-centre clause (要綱第3), whatever the city's size.
                let failures = evaluate_unit(region, params, c).failures(params);
                centres.push(CentreCheck {
                    area: area.id.clone(),
                    units: vec![c],
                    failures,
                });
            }
        }
        let declared: Vec<&DeclaredMember> = members.iter().filter(|m| m.area == area.id).collect();
        let line = |u: usize, status: Status, prefectural_only: bool| {
            let persons = region.persons_to(u, &cu);
            let denominator = region.denominator(u);
            AuditLine {
                area: area.id.clone(),
                unit: u,
                status,
                persons,
                denominator,
                meets: threshold.is_met(persons, denominator),
                prefectural_only,
                other_areas: declared_in
                    .get(&u)
                    .map(|v| v.iter().filter(|a| **a != area.id).cloned().collect())
                    .unwrap_or_default(),
            }
        };
        for &c in &cu {
            lines.push(line(c, Status::Centre, false));
        }
        let mut listed: Vec<usize> = cu.clone();
        for m in declared.iter().filter(|m| !m.central) {
            let u = region.index_of(m.code).expect("checked above");
            listed.push(u);
            let mut l = line(u, Status::Meets, !m.national_scheme);
            if !l.meets {
                l.status = Status::AgreementOnly;
            }
            lines.push(l);
        }
        for u in 0..region.len() {
            if listed.contains(&u) {
                continue;
            }
            let l = line(u, Status::Missing, false);
            if l.meets {
                lines.push(l);
            }
        }
    }
    let multi = declared_in
        .iter()
        .filter(|(_, a)| a.len() >= 2)
        .map(|(&u, a)| MultiMembership {
            unit: u,
            areas: a
                .iter()
                .map(|id| {
                    let cu = &centre_units_of[id];
                    (id.clone(), region.persons_to(u, cu), region.denominator(u))
                })
                .collect(),
        })
        .collect();
    Ok(Audit {
        areas: areas.to_vec(),
        lines,
        multi,
        centres,
    })
}
