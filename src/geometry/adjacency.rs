//! Adjacency of units: rstar finds the pairs whose bounding boxes meet, then an exact test
//! keeps the pairs that share at least one boundary edge (rook contiguity).

use geo::{BoundingRect, MultiPolygon};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use super::edges::{edge_keys, shared_count, EdgeKey};

/// Symmetric neighbour lists, each sorted ascending, indexed like the shapes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Adjacency {
    neighbours: Vec<Vec<u32>>,
    /// Shared edges with each neighbour, parallel to `neighbours`.
    edges: Vec<Vec<usize>>,
}

impl Adjacency {
    /// Builds adjacency from explicit neighbour pairs (tests, synthetic data). Pairs are made
    /// symmetric; self-pairs and repeats are ignored.
    pub fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Self {
        let mut neighbours = vec![Vec::new(); n];
        for &(a, b) in pairs {
            if a != b {
                neighbours[a as usize].push(b);
                neighbours[b as usize].push(a);
            }
        }
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
        }
        let edges = neighbours.iter().map(|l| vec![1; l.len()]).collect();
        Adjacency { neighbours, edges }
    }

    /// The adjacency after merging units: unit `i` becomes `map[i]` of `m` units. Two merged
    /// units are neighbours when any of their members were, with the shared edges added up;
    /// borders inside a group vanish. This is what rebuilding from the dissolved shapes gives,
    /// without re-reading coordinates (so a repaired shape keeps the neighbours it had).
    pub fn merged(&self, map: &[u32], m: usize) -> Adjacency {
        let mut rows: Vec<std::collections::BTreeMap<u32, usize>> = vec![Default::default(); m];
        for (i, list) in self.neighbours.iter().enumerate() {
            let a = map[i];
            for (&j, &e) in list.iter().zip(&self.edges[i]) {
                let b = map[j as usize];
                if a != b {
                    *rows[a as usize].entry(b).or_insert(0) += e;
                }
            }
        }
        Adjacency {
            neighbours: rows.iter().map(|r| r.keys().copied().collect()).collect(),
            edges: rows.iter().map(|r| r.values().copied().collect()).collect(),
        }
    }

    /// Neighbours of unit `i`, ascending.
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.neighbours[i]
    }

    /// Whether `a` and `b` share a boundary edge.
    pub fn are_adjacent(&self, a: usize, b: usize) -> bool {
        self.neighbours[a].binary_search(&(b as u32)).is_ok()
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    /// True when there are no units.
    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// Number of undirected neighbour pairs.
    pub fn pair_count(&self) -> usize {
        self.neighbours.iter().map(Vec::len).sum::<usize>() / 2
    }

    /// Whether unit `i` borders no other unit (a whole-island municipality, or no shape).
    pub fn is_isolated(&self, i: usize) -> bool {
        self.neighbours[i].is_empty()
    }

    /// The adjacency restricted to `members` is connected from `members[0]`: returns the
    /// members not reachable from the first one through other members.
    pub fn unreachable_from_first(&self, members: &[usize]) -> Vec<usize> {
        let Some(&first) = members.first() else {
            return Vec::new();
        };
        let inside: std::collections::HashSet<usize> = members.iter().copied().collect();
        let mut seen = std::collections::HashSet::from([first]);
        let mut stack = vec![first];
        while let Some(u) = stack.pop() {
            for &v in &self.neighbours[u] {
                let v = v as usize;
                if inside.contains(&v) && seen.insert(v) {
                    stack.push(v);
                }
            }
        }
        members
            .iter()
            .copied()
            .filter(|m| !seen.contains(m))
            .collect()
    }

    /// Total shared edges of unit `i` with all its neighbours.
    pub fn shared_edges(&self, i: usize) -> usize {
        self.edges[i].iter().sum()
    }
}

/// Adjacency of `shapes` (a unit without a shape has no neighbours), serially.
pub fn adjacency(shapes: &[Option<MultiPolygon<f64>>]) -> Adjacency {
    build(shapes, false)
}

/// Parallel twin of [`adjacency`]; identical output for any number of threads.
pub fn par_adjacency(shapes: &[Option<MultiPolygon<f64>>]) -> Adjacency {
    build(shapes, true)
}

fn build(shapes: &[Option<MultiPolygon<f64>>], parallel: bool) -> Adjacency {
    let n = shapes.len();
    let keys_of = |s: &Option<MultiPolygon<f64>>| s.as_ref().map(edge_keys).unwrap_or_default();
    let keys: Vec<Vec<EdgeKey>> = if parallel {
        shapes.par_iter().map(keys_of).collect()
    } else {
        shapes.iter().map(keys_of).collect()
    };
    let boxes: Vec<Option<AABB<[f64; 2]>>> = shapes
        .iter()
        .map(|s| {
            s.as_ref()
                .and_then(|s| s.bounding_rect())
                .map(|r| AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
        })
        .collect();
    let tree = RTree::bulk_load(
        boxes
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|b| GeomWithData::new(Rectangle::from_aabb(b), i as u32)))
            .collect(),
    );
    let row = |i: usize| -> Vec<(u32, usize)> {
        let Some(b) = boxes[i] else { return Vec::new() };
        let mut found: Vec<(u32, usize)> = tree
            .locate_in_envelope_intersecting(&b)
            .map(|c| c.data)
            .filter(|&j| j as usize != i)
            .filter_map(|j| {
                let shared = shared_count(&keys[i], &keys[j as usize]);
                (shared > 0).then_some((j, shared))
            })
            .collect();
        found.sort_unstable();
        found
    };
    let rows: Vec<Vec<(u32, usize)>> = if parallel {
        (0..n).into_par_iter().map(row).collect()
    } else {
        (0..n).map(row).collect()
    };
    Adjacency {
        edges: rows
            .iter()
            .map(|r| r.iter().map(|x| x.1).collect())
            .collect(),
        neighbours: rows
            .into_iter()
            .map(|r| r.into_iter().map(|x| x.0).collect())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64) -> Option<MultiPolygon<f64>> {
        Some(MultiPolygon::new(vec![
            polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0), (x: x, y: y)],
        ]))
    }

    #[test]
    fn rook_not_queen() {
        // 0 1
        // 2 .    and 3 touches 0 only at a corner, 4 is far away.
        let shapes = vec![
            square(0.0, 1.0),
            square(1.0, 1.0),
            square(0.0, 0.0),
            square(-1.0, 2.0),
            square(9.0, 9.0),
            None,
        ];
        let a = adjacency(&shapes);
        assert_eq!(a.neighbours(0), &[1, 2]);
        assert_eq!(a.neighbours(1), &[0]);
        assert_eq!(a.neighbours(3), &[] as &[u32]);
        assert!(a.is_isolated(4) && a.is_isolated(5));
        assert_eq!(a, par_adjacency(&shapes));
        assert_eq!(a.unreachable_from_first(&[0, 1, 4]), vec![4]);
    }

    #[test]
    fn merging_units_equals_rebuilding_from_the_dissolved_shapes() {
        // 0 1 2 in a row above 3 4 5; merge 1+4 and 0+3 (each a 1×2 column).
        let shapes = vec![
            square(0.0, 1.0),
            square(1.0, 1.0),
            square(2.0, 1.0),
            square(0.0, 0.0),
            square(1.0, 0.0),
            square(2.0, 0.0),
        ];
        let map = [0u32, 1, 2, 0, 1, 3];
        let merged_shapes = vec![
            Some(crate::geometry::dissolve([
                shapes[0].as_ref().unwrap(),
                shapes[3].as_ref().unwrap(),
            ])),
            Some(crate::geometry::dissolve([
                shapes[1].as_ref().unwrap(),
                shapes[4].as_ref().unwrap(),
            ])),
            shapes[2].clone(),
            shapes[5].clone(),
        ];
        let rebuilt = adjacency(&merged_shapes);
        assert_eq!(adjacency(&shapes).merged(&map, 4), rebuilt);
        // 0+3 and 1+4 share two unit edges; 1+4 touches 2 and 5 by one each.
        assert_eq!(rebuilt.neighbours(1), &[0, 2, 3]);
        assert_eq!(rebuilt.shared_edges(1), 4);
    }
}
