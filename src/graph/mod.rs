//! petgraph views of the commuting network, for rules that traverse it.

mod commuting;

pub use commuting::{commuting_graph, CommutingGraph, FlowEdge};
