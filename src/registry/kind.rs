//! `Kind`: what sort of local government a code is.

use std::fmt;

/// The kind of a registry entry. Designated cities are whole-city aggregates of their wards;
/// `SpecialWardsAggregate` is 13100 東京都特別区部, which is never an analysis unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 政令指定都市 as a whole (the 20 aggregates such as 33100 岡山市).
    DesignatedCity,
    /// A ward (行政区) of a designated city, e.g. 33101 岡山市北区.
    DesignatedCityWard,
    /// One of Tokyo's 23 special wards (特別区, 13101–13123).
    SpecialWard,
    /// 13100 東京都特別区部: the sum of the special wards, listed by the census.
    SpecialWardsAggregate,
    /// 中核市 as of the census date (2020-10-01).
    CoreCity,
    /// Any other 市.
    City,
    /// 町.
    Town,
    /// 村.
    Village,
}

impl Kind {
    /// Stable machine-readable label used in output files.
    pub fn label(self) -> &'static str {
        match self {
            Kind::DesignatedCity => "designated_city",
            Kind::DesignatedCityWard => "designated_city_ward",
            Kind::SpecialWard => "special_ward",
            Kind::SpecialWardsAggregate => "special_wards_aggregate",
            Kind::CoreCity => "core_city",
            Kind::City => "city",
            Kind::Town => "town",
            Kind::Village => "village",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
