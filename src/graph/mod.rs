//! petgraph views of the commuting network and of land borders, for rules that traverse them.

mod commuting;
mod region;

pub use commuting::{commuting_graph, CommutingGraph, FlowEdge};
pub use region::{region_graph, Link, RegionGraph};
