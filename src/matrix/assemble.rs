//! From raw OD records to a [`CommuteMatrix`] at one level, with the conservation account.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::raw::{Location, RawOd, Record};
use super::{CommuteMatrix, MatrixError};
use crate::registry::{MuniCode, Resolved, SetAsideReason, Units};

/// Which end of a flow a set-aside code was on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum End {
    /// The whole origin row was set aside.
    Origin,
    /// The destination cell was set aside.
    Destination,
}

/// Persons read = persons used + persons set aside, by reason. Built by [`assemble`], which
/// refuses to return a matrix whose account does not balance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conservation {
    /// Sum of every record read.
    pub read: u64,
    /// Persons in matrix cells (known destination units).
    pub used_known: u64,
    /// Persons kept as unknown destination of a unit origin.
    pub used_unknown: u64,
    /// Persons not used, by where and why.
    pub set_aside: BTreeMap<(End, SetAsideReason), u64>,
    /// Persons of records that repeat an earlier record exactly (same origin, destination and
    /// persons): read, counted once, the repeat set aside.
    pub repeated: u64,
    /// Each exact repeat: where it is and where the record it repeats is.
    pub repeats: Vec<(String, String)>,
}

impl Conservation {
    /// Persons used (known + unknown destination).
    pub fn used(&self) -> u64 {
        self.used_known + self.used_unknown
    }

    /// Persons set aside, all reasons (exact repeats included).
    pub fn set_aside_total(&self) -> u64 {
        self.set_aside.values().sum::<u64>() + self.repeated
    }

    /// Whether read = used + set aside.
    pub fn balances(&self) -> bool {
        self.read == self.used() + self.set_aside_total()
    }
}

impl fmt::Display for Conservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "persons read {} = used {} ({} to known units + {} to unknown destinations) + set aside {}",
            thousands(self.read),
            thousands(self.used()),
            thousands(self.used_known),
            thousands(self.used_unknown),
            thousands(self.set_aside_total()),
        )?;
        if !self.set_aside.is_empty() || self.repeated > 0 {
            let mut parts: Vec<String> = self
                .set_aside
                .iter()
                .map(|((end, reason), n)| {
                    let end = match end {
                        End::Origin => "origin rows",
                        End::Destination => "destination cells",
                    };
                    format!("{end} of {reason}: {}", thousands(*n))
                })
                .collect();
            if !self.repeats.is_empty() {
                parts.push(format!(
                    "exact repeats of an earlier record ({} records): {}",
                    self.repeats.len(),
                    thousands(self.repeated)
                ));
            }
            write!(f, " [{}]", parts.join("; "))?;
        }
        write!(
            f,
            " — {}",
            if self.balances() {
                "balanced"
            } else {
                "NOT BALANCED"
            }
        )
    }
}

/// Formats an integer with thousands separators (`70,379,523`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Errors while mapping raw records to units.
#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    /// A code the registry does not know.
    #[error("{location}: {end} code {code} is not in the municipality registry ({})", crate::io::vintage_hint(.code))]
    UnknownCode {
        /// Where.
        location: Location,
        /// Which end.
        end: &'static str,
        /// The code.
        code: MuniCode,
    },
    /// An unknown-destination code (99998/99999) used as an origin.
    #[error("{location}: {code} means an unknown destination and cannot be an origin")]
    UnknownAsOrigin {
        /// Where.
        location: Location,
        /// The code.
        code: MuniCode,
    },
    /// The same origin–destination pair twice.
    #[error("{location}: duplicate origin–destination pair with other persons, first seen at {first}; an exact repeat would be dropped, a conflicting one cannot be settled")]
    DuplicatePair {
        /// The repeat.
        location: Location,
        /// The first record.
        first: Location,
    },
    /// A cell too large for the matrix's 32-bit counts.
    #[error(
        "{location}: {persons} persons exceeds the largest supported cell ({})",
        u32::MAX
    )]
    TooLarge {
        /// Where.
        location: Location,
        /// Persons.
        persons: u64,
    },
    /// A stated total that differs from the sum of the origin's records.
    #[error("{location}: stated total {stated} ≠ {summed} summed over the origin's destinations at this level (known + unknown)")]
    TotalMismatch {
        /// Where the total is stated.
        location: Location,
        /// Stated.
        stated: u64,
        /// Summed.
        summed: u64,
    },
    /// A source that states totals has flows for an origin without one.
    #[error("{location}: origin has flows but no stated total")]
    MissingTotal {
        /// The first flow of the origin.
        location: Location,
    },
    /// An origin whose total is stated twice.
    #[error("{location}: total stated twice")]
    DuplicateTotal {
        /// The repeat.
        location: Location,
    },
    /// The matrix constructor refused the result (an internal invariant).
    #[error("internal: the assembled matrix is invalid: {0}")]
    Matrix(#[from] MatrixError),
}

/// Maps every record of `raw` to `units`, sets aside double-counting codes with their reason,
/// checks stated totals, and builds the matrix.
///
/// # Errors
/// [`AssembleError`] naming file, record and code for an unknown code, a duplicate pair, a
/// cell over `u32::MAX`, or a stated total that does not match its flows.
pub fn assemble(
    raw: &RawOd,
    units: &Units,
) -> Result<(CommuteMatrix, Conservation), AssembleError> {
    let n = units.len();
    let mut account = Conservation::default();
    let mut triplets = Vec::with_capacity(raw.flows.len());
    let mut unknown = vec![0u64; n];
    let mut has_data = vec![false; n];

    // Duplicates first, on codes, so the error names both records whatever the level. An
    // exact repeat (same persons) is set aside and reported; a repeat with other persons is
    // a conflict nobody can settle here.
    let mut order: Vec<usize> = (0..raw.flows.len()).collect();
    order.sort_by_key(|&k| (raw.flows[k].origin, raw.flows[k].dest, k));
    let mut repeat = vec![false; raw.flows.len()];
    let mut first = 0;
    for w in 1..order.len() {
        let (a, b) = (&raw.flows[order[first]], &raw.flows[order[w]]);
        if (a.origin, a.dest) != (b.origin, b.dest) {
            first = w;
            continue;
        }
        if a.persons != b.persons {
            return Err(AssembleError::DuplicatePair {
                location: raw.locate(b),
                first: raw.locate(a),
            });
        }
        repeat[order[w]] = true;
        account
            .repeats
            .push((raw.locate(b).to_string(), raw.locate(a).to_string()));
    }
    account.repeats.sort();

    for (k, flow) in raw.flows.iter().enumerate() {
        account.read += flow.persons;
        if repeat[k] {
            account.repeated += flow.persons;
            continue;
        }
        let origin = match units.resolve(flow.origin) {
            None => {
                return Err(AssembleError::UnknownCode {
                    location: raw.locate(flow),
                    end: "origin",
                    code: flow.origin,
                })
            }
            Some(Resolved::UnknownDestination) => {
                return Err(AssembleError::UnknownAsOrigin {
                    location: raw.locate(flow),
                    code: flow.origin,
                })
            }
            Some(Resolved::SetAside(reason)) => {
                *account.set_aside.entry((End::Origin, reason)).or_default() += flow.persons;
                continue;
            }
            Some(Resolved::Unit(m)) => m,
        };
        has_data[origin.index()] = true;
        match units.resolve(flow.dest) {
            None => {
                return Err(AssembleError::UnknownCode {
                    location: raw.locate(flow),
                    end: "destination",
                    code: flow.dest,
                })
            }
            Some(Resolved::SetAside(reason)) => {
                *account
                    .set_aside
                    .entry((End::Destination, reason))
                    .or_default() += flow.persons;
            }
            Some(Resolved::UnknownDestination) => {
                unknown[origin.index()] += flow.persons;
                account.used_unknown += flow.persons;
            }
            Some(Resolved::Unit(d)) => {
                let persons = u32::try_from(flow.persons).map_err(|_| AssembleError::TooLarge {
                    location: raw.locate(flow),
                    persons: flow.persons,
                })?;
                triplets.push((origin.0, d.0, persons));
                account.used_known += flow.persons;
            }
        }
    }

    let matrix = CommuteMatrix::from_triplets(n, triplets, unknown, has_data)?;
    check_totals(raw, units, &matrix)?;
    debug_assert!(account.balances());
    Ok((matrix, account))
}

fn check_totals(raw: &RawOd, units: &Units, matrix: &CommuteMatrix) -> Result<(), AssembleError> {
    if raw.totals.is_empty() {
        return Ok(());
    }
    let total_location = |origin: MuniCode, file: u32| Location {
        file: raw.files[file as usize].clone(),
        record: raw
            .totals
            .iter()
            .find(|t| t.origin == origin && t.file == file)
            .map_or(Record::JsonTotal, |t| t.record),
        origin,
        dest: None,
    };
    let mut stated: HashMap<MuniCode, u64> = HashMap::with_capacity(raw.totals.len());
    for t in &raw.totals {
        if stated.insert(t.origin, t.persons).is_some() {
            return Err(AssembleError::DuplicateTotal {
                location: total_location(t.origin, t.file),
            });
        }
        match units.resolve(t.origin) {
            None | Some(Resolved::UnknownDestination) => {
                return Err(AssembleError::UnknownCode {
                    location: total_location(t.origin, t.file),
                    end: "origin",
                    code: t.origin,
                })
            }
            Some(Resolved::SetAside(_)) => {}
            Some(Resolved::Unit(m)) => {
                let summed = matrix.total(m.index());
                if summed != t.persons {
                    return Err(AssembleError::TotalMismatch {
                        location: total_location(t.origin, t.file),
                        stated: t.persons,
                        summed,
                    });
                }
            }
        }
    }
    if let Some(flow) = raw.flows.iter().find(|f| !stated.contains_key(&f.origin)) {
        return Err(AssembleError::MissingTotal {
            location: raw.locate(flow),
        });
    }
    Ok(())
}
