//! The designation lists a rule decides on, read as dated data: which cities are 指定都市 or
//! 中核市 on a given date (`--as-of`), from `data/rules/designated_cities.csv` and
//! `data/rules/core_cities.csv` or the files given by `--designated-cities` / `--core-cities`.

use std::collections::HashMap;
use std::fmt;

use super::{Date, Since};
use crate::io::{CoreCityRow, DesignatedCityRow, ListInfo};
use crate::registry::MuniCode;

/// What a city was on the as-of date, with the date its designation took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Designation {
    /// 指定都市 since this date.
    Designated(Since),
    /// 中核市 since this date.
    Core(Since),
    /// Neither.
    Neither,
}

impl Designation {
    /// `designated_city`, `core_city` or `none`.
    pub fn label(self) -> &'static str {
        match self {
            Designation::Designated(_) => "designated_city",
            Designation::Core(_) => "core_city",
            Designation::Neither => "none",
        }
    }

    /// Whether clause 1 (指定都市又は中核市) holds.
    pub fn qualifies(self) -> bool {
        !matches!(self, Designation::Neither)
    }

    /// The date the designation took effect, if any.
    pub fn since(self) -> Option<Since> {
        match self {
            Designation::Designated(s) | Designation::Core(s) => Some(s),
            Designation::Neither => None,
        }
    }
}

/// A list that cannot answer for the date asked.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// A core city whose exact designation date is unknown, asked about before the date by
    /// which the list knows it was in force.
    #[error("{file}: {record}: the list cannot say whether {code} {name} was a core city on {as_of}: it only records that the designation was in force by {bound}; give --as-of {bound} or later, or a --core-cities file with the exact date")]
    UnknownDate {
        /// List file.
        file: String,
        /// Line.
        record: String,
        /// Code.
        code: MuniCode,
        /// Name.
        name: String,
        /// The as-of date asked.
        as_of: Date,
        /// The bound the list knows.
        bound: Date,
    },
}

/// The designated-city and core-city lists, with where they came from.
#[derive(Clone, Debug)]
pub struct CityLists {
    designated: HashMap<MuniCode, Since>,
    core: Vec<CoreCityRow>,
    /// The designated-city list's provenance.
    pub designated_info: ListInfo,
    /// The core-city list's provenance.
    pub core_info: ListInfo,
}

impl CityLists {
    /// Builds the lookup from list rows.
    pub fn new(
        designated: &[DesignatedCityRow],
        designated_info: ListInfo,
        core: Vec<CoreCityRow>,
        core_info: ListInfo,
    ) -> Self {
        CityLists {
            designated: designated.iter().map(|r| (r.code, r.from)).collect(),
            core,
            designated_info,
            core_info,
        }
    }

    /// The shipped lists (`data/rules/`).
    ///
    /// # Panics
    /// If a shipped list does not parse (a build defect, caught by the tests).
    pub fn shipped() -> Self {
        let (d, di) = crate::io::read_designated_cities(None).expect("shipped list parses");
        let (c, ci) = crate::io::read_core_cities(None).expect("shipped list parses");
        CityLists::new(&d, di, c, ci)
    }

    /// What `code` was on `on`. A designated city counts as designated from its date on; a
    /// core city from `core_from` until the day before `core_until`.
    ///
    /// # Errors
    /// [`ListError::UnknownDate`] when the list cannot tell for that date.
    pub fn designation(&self, code: MuniCode, on: Date) -> Result<Designation, ListError> {
        if let Some(&since) = self.designated.get(&code) {
            if since.in_force_on(on) == Some(true) {
                return Ok(Designation::Designated(since));
            }
        }
        for row in self.core.iter().filter(|r| r.code == code) {
            if row.until.is_some_and(|u| u <= on) {
                continue;
            }
            return match row.from.in_force_on(on) {
                Some(true) => Ok(Designation::Core(row.from)),
                Some(false) => Ok(Designation::Neither),
                None => Err(ListError::UnknownDate {
                    file: self.core_info.file.clone(),
                    record: row.record.clone(),
                    code,
                    name: row.name.clone(),
                    as_of: on,
                    bound: match row.from {
                        Since::On(d) | Since::NoLaterThan(d) => d,
                    },
                }),
            };
        }
        Ok(Designation::Neither)
    }

    /// The core cities in force on `on` (for the registry's kinds).
    ///
    /// # Errors
    /// As [`CityLists::designation`].
    pub fn core_codes_on(&self, on: Date) -> Result<Vec<MuniCode>, ListError> {
        let mut out = Vec::new();
        for row in &self.core {
            if matches!(self.designation(row.code, on)?, Designation::Core(_)) {
                out.push(row.code);
            }
        }
        Ok(out)
    }

    /// Warnings for `on`: a date after a list's own as-of date.
    pub fn warnings(&self, on: Date) -> Vec<String> {
        [&self.designated_info, &self.core_info]
            .iter()
            .filter_map(|info| {
                info.as_of.filter(|&a| a < on).map(|a| {
                    format!(
                        "{} is as of {a}: designations after that date are not in it (--as-of {on})",
                        info.file
                    )
                })
            })
            .collect()
    }
}

impl fmt::Display for Designation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.since() {
            Some(s) => write!(f, "{} since {s}", self.label()),
            None => f.write_str(self.label()),
        }
    }
}
