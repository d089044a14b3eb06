//! Delineation schemes, one per file. `renkei`: the 連携中枢都市圏 requirements
//! (連携中枢都市圏構想推進要綱); `lists`: the dated designation lists they decide on;
//! `metro`: the 三大都市圏 lookup; `dates`: the calendar dates of those lists.

pub mod cz;
mod dates;
pub mod lists;
mod metro;
pub mod renkei;

pub use dates::{Date, Since, CENSUS_DATE};
pub use lists::{CityLists, Designation, ListError};
pub use metro::MetroAreas;
pub use renkei::{
    evaluate_centres, evaluate_pair, evaluate_unit, find_centres, pair_candidates, Centre,
    CentreEvaluation, Clause, DayNightTable, PairCandidate, RatioSource, RenkeiParams,
};
