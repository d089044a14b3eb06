//! Exact edge keys: two polygons share an edge when their rings contain the same two vertices
//! consecutively. Topological sources (TopoJSON arcs, N03) write shared vertices identically,
//! so comparing the bits of the coordinates is exact, with no tolerance to tune.

use geo::{Coord, MultiPolygon};

/// A vertex, by the bits of its coordinates.
pub(crate) type VertexKey = (u64, u64);

/// An undirected edge: its two vertices, smaller first.
pub(crate) type EdgeKey = (VertexKey, VertexKey);

pub(crate) fn vertex_key(c: Coord<f64>) -> VertexKey {
    // +0.0 and -0.0 are the same place.
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// Every ring segment of `shape` as directed pairs of coordinates (degenerate ones skipped).
pub(crate) fn segments(
    shape: &MultiPolygon<f64>,
) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    shape
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines().map(|l| (l.start, l.end)))
        .filter(|(a, b)| vertex_key(*a) != vertex_key(*b))
}

/// The sorted, deduplicated undirected edge keys of `shape`.
pub(crate) fn edge_keys(shape: &MultiPolygon<f64>) -> Vec<EdgeKey> {
    let mut keys: Vec<EdgeKey> = segments(shape)
        .map(|(a, b)| {
            let (ka, kb) = (vertex_key(a), vertex_key(b));
            if ka <= kb {
                (ka, kb)
            } else {
                (kb, ka)
            }
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Number of keys two sorted lists have in common.
pub(crate) fn shared_count(a: &[EdgeKey], b: &[EdgeKey]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}
