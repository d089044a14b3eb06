//! Registry of local-government codes: names, prefectures, kinds, ward → city links, and the
//! analysis units at a chosen [`Level`].

mod code;
mod kind;
mod level;

pub use code::{Muni, MuniCode, SPECIAL_WARDS_AGGREGATE, UNKNOWN, UNKNOWN_OR_ABROAD};
pub use kind::Kind;
pub use level::{Level, Resolved, SetAsideReason, Units};

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// One row of a municipality master, as read by `io` (code4fukui `localgovjp` layout).
#[derive(Clone, Debug, PartialEq)]
pub struct MasterRow {
    /// The code (check digit already verified by the reader).
    pub code: MuniCode,
    /// Prefecture name, e.g. `岡山県`.
    pub prefecture: String,
    /// Name as in the master; designated-city wards are written `岡山市 北区`.
    pub name: String,
    /// City or ward office latitude, degrees.
    pub lat: Option<f64>,
    /// City or ward office longitude, degrees.
    pub lng: Option<f64>,
    /// 1-based line number in the source file.
    pub line: usize,
}

/// A code known to the registry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The 5-digit code.
    pub code: MuniCode,
    /// Display name; wards are written without the master's space (`岡山市北区`).
    pub name: String,
    /// Prefecture name.
    pub prefecture: String,
    /// Kind as of the census date.
    pub kind: Kind,
    /// For a designated-city ward, its city; for a special ward, 13100.
    pub parent: Option<MuniCode>,
    /// Office location (lat, lng) in degrees, where the master has one.
    pub office: Option<(f64, f64)>,
}

/// Errors found while building the registry from a master file.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The same code appears on two lines of the master.
    #[error("{file}: line {line}: code {code} already listed on line {first_line}")]
    DuplicateCode {
        /// Master file.
        file: PathBuf,
        /// Line of the repeat.
        line: usize,
        /// First line.
        first_line: usize,
        /// The code.
        code: MuniCode,
    },
    /// A ward (`X市 Y区`) whose city `X市` is not listed in the same prefecture.
    #[error("{file}: line {line}: ward {code} '{name}' names city '{city}', which is not listed in {prefecture}")]
    WardWithoutCity {
        /// Master file.
        file: PathBuf,
        /// Line of the ward.
        line: usize,
        /// Ward code.
        code: MuniCode,
        /// Ward name as written.
        name: String,
        /// The city part of the name.
        city: String,
        /// Prefecture.
        prefecture: String,
    },
    /// A name that ends in neither 市, 町, 村 nor 区.
    #[error("{file}: line {line}: cannot tell the kind of {code} '{name}' (expected a name ending in 市, 町, 村 or 区)")]
    UnknownKind {
        /// Master file.
        file: PathBuf,
        /// Line.
        line: usize,
        /// Code.
        code: MuniCode,
        /// Name.
        name: String,
    },
}

/// Options for [`Registry::build`].
#[derive(Clone, Debug)]
pub struct RegistryParams {
    core_cities: Vec<MuniCode>,
}

impl Default for RegistryParams {
    /// Default: the core cities on the census date (2020-10-01) in the shipped list
    /// `data/rules/core_cities.csv` (60 cities).
    fn default() -> Self {
        let lists = crate::rules::CityLists::shipped();
        RegistryParams {
            core_cities: lists
                .core_codes_on(crate::rules::CENSUS_DATE)
                .expect("the shipped list knows every core city on the census date"),
        }
    }
}

impl RegistryParams {
    /// Replaces the list of 中核市 (default: those of the census date).
    pub fn core_cities(mut self, codes: Vec<MuniCode>) -> Self {
        self.core_cities = codes;
        self
    }
}

/// Every code of the master, plus 13100 when special wards exist, sorted by code.
#[derive(Clone, Debug)]
pub struct Registry {
    entries: Vec<Entry>,
    by_code: HashMap<MuniCode, usize>,
}

impl Registry {
    /// Builds the registry from master rows read from `file`.
    ///
    /// Designated cities are recognised from the data: a city is designated when the master
    /// lists wards written `<city> <ward>` in the same prefecture. Special wards are the 区 of
    /// prefecture 13 with local part 101–199.
    ///
    /// # Errors
    /// [`RegistryError`] for a repeated code, a ward whose city is missing, or a name whose kind
    /// cannot be told.
    pub fn build(
        file: &std::path::Path,
        rows: &[MasterRow],
        params: &RegistryParams,
    ) -> Result<Self, RegistryError> {
        let mut first_line: HashMap<MuniCode, usize> = HashMap::new();
        for row in rows {
            if let Some(&first) = first_line.get(&row.code) {
                return Err(RegistryError::DuplicateCode {
                    file: file.to_path_buf(),
                    line: row.line,
                    first_line: first,
                    code: row.code,
                });
            }
            first_line.insert(row.code, row.line);
        }
        let by_name: HashMap<(&str, &str), MuniCode> = rows
            .iter()
            .map(|r| ((r.prefecture.as_str(), r.name.as_str()), r.code))
            .collect();
        let core: HashSet<MuniCode> = params.core_cities.iter().copied().collect();

        let mut parent_of: HashMap<MuniCode, MuniCode> = HashMap::new();
        for row in rows {
            if let Some((city, _ward)) = row.name.split_once(' ') {
                let Some(&city_code) = by_name.get(&(row.prefecture.as_str(), city)) else {
                    return Err(RegistryError::WardWithoutCity {
                        file: file.to_path_buf(),
                        line: row.line,
                        code: row.code,
                        name: row.name.clone(),
                        city: city.to_string(),
                        prefecture: row.prefecture.clone(),
                    });
                };
                parent_of.insert(row.code, city_code);
            }
        }
        let designated: HashSet<MuniCode> = parent_of.values().copied().collect();

        let mut entries = Vec::with_capacity(rows.len() + 1);
        let mut has_special_wards = false;
        for row in rows {
            let is_special_ward = row.code.prefecture() == 13
                && (101..200).contains(&row.code.local_part())
                && row.name.ends_with('区')
                && !row.name.contains(' ');
            let (kind, parent) = if let Some(&city) = parent_of.get(&row.code) {
                (Kind::DesignatedCityWard, Some(city))
            } else if is_special_ward {
                has_special_wards = true;
                (Kind::SpecialWard, Some(SPECIAL_WARDS_AGGREGATE))
            } else if designated.contains(&row.code) {
                (Kind::DesignatedCity, None)
            } else if row.code == SPECIAL_WARDS_AGGREGATE {
                (Kind::SpecialWardsAggregate, None)
            } else if row.name.ends_with('市') {
                let kind = if core.contains(&row.code) {
                    Kind::CoreCity
                } else {
                    Kind::City
                };
                (kind, None)
            } else if row.name.ends_with('町') {
                (Kind::Town, None)
            } else if row.name.ends_with('村') {
                (Kind::Village, None)
            } else {
                return Err(RegistryError::UnknownKind {
                    file: file.to_path_buf(),
                    line: row.line,
                    code: row.code,
                    name: row.name.clone(),
                });
            };
            let office = row.lat.zip(row.lng);
            entries.push(Entry {
                code: row.code,
                name: row.name.replace(' ', ""),
                prefecture: row.prefecture.clone(),
                kind,
                parent,
                office,
            });
        }
        if has_special_wards && !first_line.contains_key(&SPECIAL_WARDS_AGGREGATE) {
            let prefecture = entries
                .iter()
                .find(|e| e.kind == Kind::SpecialWard)
                .map(|e| e.prefecture.clone())
                .unwrap_or_default();
            entries.push(Entry {
                code: SPECIAL_WARDS_AGGREGATE,
                name: "特別区部".to_string(),
                prefecture,
                kind: Kind::SpecialWardsAggregate,
                parent: None,
                office: None,
            });
        }
        entries.sort_by_key(|e| e.code);
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.code, i))
            .collect();
        Ok(Registry { entries, by_code })
    }

    /// The entry for `code`, if the registry knows it.
    pub fn get(&self, code: MuniCode) -> Option<&Entry> {
        self.by_code.get(&code).map(|&i| &self.entries[i])
    }

    /// All entries in code order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The analysis units at `level`, with the rule for every other code.
    pub fn units(&self, level: Level) -> Units {
        Units::new(self, level)
    }
}
