//! Delineation schemes, one per file. `renkei`: the 連携中枢都市圏 requirements
//! (連携中枢都市圏構想推進要綱).

mod metro;
pub mod renkei;

pub use metro::MetroAreas;
pub use renkei::{evaluate_centres, find_centres, Centre, CentreEvaluation, RenkeiParams};
