//! Analysis level: which codes are units, and why every other code is set aside.

use std::collections::HashMap;
use std::fmt;

use super::{Kind, Muni, MuniCode, Registry};

/// The spatial level of analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Level {
    /// Municipalities: designated cities whole, each special ward separate (default; the level of
    /// the 連携中枢都市圏 rules).
    #[default]
    Municipality,
    /// The finer level: designated-city wards and special wards separate.
    Ward,
}

impl fmt::Display for Level {
    /// The level as users write it (`--level municipality|ward`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Municipality => "municipality",
            Level::Ward => "ward",
        })
    }
}

/// Why a code that the census lists is not a unit at the chosen level. Every person so set
/// aside is counted under its reason in the run's conservation line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SetAsideReason {
    /// A designated-city ward, at municipality level: its city's aggregate already counts it.
    WardOfDesignatedCity,
    /// A designated city's aggregate, at ward level: its wards already count it.
    DesignatedCityAggregate,
    /// 13100 東京都特別区部: the 23 special wards already count it.
    SpecialWardsAggregate,
}

impl SetAsideReason {
    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            SetAsideReason::WardOfDesignatedCity => "designated-city ward (counted in its city)",
            SetAsideReason::DesignatedCityAggregate => {
                "designated-city aggregate (counted in its wards)"
            }
            SetAsideReason::SpecialWardsAggregate => "13100 special-wards aggregate",
        }
    }
}

impl fmt::Display for SetAsideReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a code stands for at a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An analysis unit.
    Unit(Muni),
    /// A census unknown destination (99998 or 99999).
    UnknownDestination,
    /// Not a unit at this level, for the reason given.
    SetAside(SetAsideReason),
}

/// The analysis units of one level, indexed densely in code order.
#[derive(Clone, Debug)]
pub struct Units {
    level: Level,
    codes: Vec<MuniCode>,
    resolve: HashMap<MuniCode, Resolved>,
}

impl Units {
    pub(super) fn new(registry: &Registry, level: Level) -> Self {
        let mut codes = Vec::new();
        let mut resolve = HashMap::new();
        for entry in registry.entries() {
            let set_aside = match (entry.kind, level) {
                (Kind::SpecialWardsAggregate, _) => Some(SetAsideReason::SpecialWardsAggregate),
                (Kind::DesignatedCityWard, Level::Municipality) => {
                    Some(SetAsideReason::WardOfDesignatedCity)
                }
                (Kind::DesignatedCity, Level::Ward) => {
                    Some(SetAsideReason::DesignatedCityAggregate)
                }
                _ => None,
            };
            let resolved = match set_aside {
                Some(reason) => Resolved::SetAside(reason),
                None => {
                    codes.push(entry.code);
                    Resolved::Unit(Muni(codes.len() as u32 - 1))
                }
            };
            resolve.insert(entry.code, resolved);
        }
        Units {
            level,
            codes,
            resolve,
        }
    }

    /// Builds units directly from a list of codes (synthetic data, tests); every code is a
    /// unit. Codes are sorted and must be distinct.
    ///
    /// # Panics
    /// If two codes are equal (a broken caller, not user input).
    pub fn from_codes(mut codes: Vec<MuniCode>) -> Self {
        codes.sort();
        assert!(
            codes.windows(2).all(|w| w[0] != w[1]),
            "unit codes must be distinct"
        );
        let resolve = codes
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, Resolved::Unit(Muni(i as u32))))
            .collect();
        Units {
            level: Level::Municipality,
            codes,
            resolve,
        }
    }

    /// The level these units are at.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there are no units.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Unit codes in index order (ascending code).
    pub fn codes(&self) -> &[MuniCode] {
        &self.codes
    }

    /// The code of unit `m`.
    pub fn code(&self, m: Muni) -> MuniCode {
        self.codes[m.index()]
    }

    /// What `code` stands for; `None` when the registry does not know it.
    pub fn resolve(&self, code: MuniCode) -> Option<Resolved> {
        if code.is_unknown_destination() {
            return Some(Resolved::UnknownDestination);
        }
        self.resolve.get(&code).copied()
    }

    /// The unit index of `code`, if it is a unit at this level.
    pub fn index_of(&self, code: MuniCode) -> Option<Muni> {
        match self.resolve(code) {
            Some(Resolved::Unit(m)) => Some(m),
            _ => None,
        }
    }
}
