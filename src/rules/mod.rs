//! Delineation schemes, one per file. `renkei`: the 連携中枢都市圏 requirements
//! (連携中枢都市圏構想推進要綱); `lists`: the dated designation lists they decide on;
//! `metro`: the 三大都市圏 lookup; `dates`: the calendar dates of those lists; `scheme`: the
//! [`Scheme`] trait every delineation implements; `teiju`: 定住自立圏; `uea`: 都市雇用圏
//! (Kanemoto–Tokuoka); `cz`: commuting zones.

pub mod cz;
mod dates;
pub mod lists;
mod metro;
pub mod renkei;
pub mod scheme;
pub mod teiju;
pub mod uea;

pub use dates::{Date, Since, CENSUS_DATE};
pub use lists::{CityLists, Designation, ListError};
pub use metro::MetroAreas;
pub use renkei::{
    evaluate_centres, evaluate_pair, evaluate_unit, find_centres, pair_candidates, Centre,
    CentreEvaluation, Clause, DayNightTable, PairCandidate, RatioSource, RenkeiParams,
};
pub use scheme::{CentreRecord, Criterion, MethodStep, Outcome, RenkeiDetail, Scheme};
pub use teiju::Teiju;
pub use uea::Uea;
