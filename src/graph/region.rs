//! The commuting network and the land borders in one petgraph graph, for rules that need both
//! (e.g. "contiguous with the area and sending ≥ 5 % to its centre").

use petgraph::graph::{DiGraph, NodeIndex};

use super::FlowEdge;
use crate::geometry::Adjacency;
use crate::matrix::{CommuteMatrix, ShareDenominator};
use crate::registry::{MuniCode, Units};

/// An edge of the region graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Link {
    /// Commuters from source to target.
    Flow(FlowEdge),
    /// Source and target share a boundary edge (stored once per direction).
    Border,
}

/// Nodes are units (node `i` = unit `i`); edges are every off-diagonal flow, then every border
/// in both directions.
pub type RegionGraph = DiGraph<MuniCode, Link, u32>;

/// Builds the region graph.
///
/// # Panics
/// If `units`, `m` and `adjacency` differ in size (a caller bug).
pub fn region_graph(
    m: &CommuteMatrix,
    units: &Units,
    adjacency: &Adjacency,
    denominator: ShareDenominator,
) -> RegionGraph {
    assert!(
        units.len() == m.n() && adjacency.len() == m.n(),
        "units, matrix and adjacency must match"
    );
    let flows = super::commuting_graph(m, units, denominator);
    let mut graph: RegionGraph = flows.map(|_, &code| code, |_, &e| Link::Flow(e));
    for i in 0..m.n() {
        for &j in adjacency.neighbours(i) {
            graph.add_edge(NodeIndex::new(i), NodeIndex::new(j as usize), Link::Border);
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_and_flows_share_nodes() {
        let m =
            CommuteMatrix::from_triplets(3, vec![(0, 1, 4), (1, 1, 2)], vec![0; 3], vec![true; 3])
                .unwrap();
        let units = Units::from_codes(vec![MuniCode(1), MuniCode(2), MuniCode(3)]);
        let adjacency = Adjacency::from_pairs(3, &[(1, 2)]);
        let g = region_graph(&m, &units, &adjacency, ShareDenominator::AllCommuters);
        assert_eq!(g.node_count(), 3);
        let borders = g
            .edge_weights()
            .filter(|w| matches!(w, Link::Border))
            .count();
        let flows = g
            .edge_weights()
            .filter(|w| matches!(w, Link::Flow(_)))
            .count();
        assert_eq!((borders, flows), (2, 1));
        assert!(g.contains_edge(NodeIndex::new(2), NodeIndex::new(1)));
    }
}
