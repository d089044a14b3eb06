//! The commuting network as a petgraph `DiGraph`.

use petgraph::graph::{DiGraph, NodeIndex};

use crate::matrix::{CommuteMatrix, ShareDenominator};
use crate::registry::{MuniCode, Units};

/// An edge origin → destination.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowEdge {
    /// Commuters.
    pub persons: u32,
    /// Their share of the origin's commuters (under the chosen denominator).
    pub share: f64,
}

/// Nodes are units (weight = code), node `i` is unit `i`; one edge per stored cell between
/// two different units, in CSR order. Commuters who stay home are not edges.
pub type CommutingGraph = DiGraph<MuniCode, FlowEdge, u32>;

/// Builds the commuting graph of `m` over `units`.
///
/// # Panics
/// If `units.len() != m.n()` (a caller bug: both come from the same dataset).
pub fn commuting_graph(
    m: &CommuteMatrix,
    units: &Units,
    denominator: ShareDenominator,
) -> CommutingGraph {
    assert_eq!(units.len(), m.n(), "units and matrix must match");
    let mut graph = CommutingGraph::with_capacity(m.n(), m.nnz());
    for &code in units.codes() {
        graph.add_node(code);
    }
    for i in 0..m.n() {
        let den = denominator.of(m, i) as f64;
        let (dest, persons) = m.row(i);
        for (&d, &p) in dest.iter().zip(persons) {
            if d as usize != i {
                graph.add_edge(
                    NodeIndex::new(i),
                    NodeIndex::new(d as usize),
                    FlowEdge {
                        persons: p,
                        share: f64::from(p) / den,
                    },
                );
            }
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::visit::EdgeRef;

    #[test]
    fn edges_match_off_diagonal_cells() {
        let m = CommuteMatrix::from_triplets(
            3,
            vec![(0, 0, 5), (0, 1, 5), (1, 2, 1), (2, 0, 3)],
            vec![0, 1, 0],
            vec![true; 3],
        )
        .unwrap();
        let units = Units::from_codes(vec![MuniCode(1), MuniCode(2), MuniCode(3)]);
        let g = commuting_graph(&m, &units, ShareDenominator::AllCommuters);
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 3);
        let e = g.edges(NodeIndex::new(0)).next().unwrap();
        assert_eq!(e.target(), NodeIndex::new(1));
        assert_eq!(e.weight().share, 0.5);
        let e = g.edges(NodeIndex::new(1)).next().unwrap();
        assert_eq!(e.weight().share, 0.5); // 1 of 2 (one unknown)
    }
}
