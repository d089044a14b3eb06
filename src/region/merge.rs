//! What-if mergers: `--merge 33202+33205` makes 倉敷市 and 笠岡市 one unit — matrix rows and
//! columns added, populations added, polygons dissolved — and everything is recomputed.

use std::collections::HashMap;

use super::Region;
use crate::geometry::dissolve;
use crate::matrix::{CommuteMatrix, MatrixError, Metrics};
use crate::registry::{Kind, MuniCode, Units};

/// A merger that cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Not of the form `CODE+CODE[+CODE…]`.
    #[error("--merge '{0}': expected two or more 5-digit codes joined by '+', e.g. 33202+33205")]
    Syntax(String),
    /// A code that is not a unit of the region.
    #[error("--merge: {code} is not a unit at this level (unknown code, or a ward: use its city's code)")]
    NotAUnit {
        /// The code.
        code: MuniCode,
    },
    /// A code named in two groups or twice in one.
    #[error("--merge: {code} is named more than once")]
    Repeated {
        /// The code.
        code: MuniCode,
    },
    /// The merged matrix is invalid (an internal error).
    #[error("internal: merged matrix: {0}")]
    Matrix(#[from] MatrixError),
}

/// Parses `33202+33205[+…]`.
///
/// # Errors
/// [`MergeError::Syntax`] when a part is not a 5-digit code or fewer than two are given.
pub fn parse_merge(text: &str) -> Result<Vec<MuniCode>, MergeError> {
    let codes: Option<Vec<MuniCode>> = text.split('+').map(|p| MuniCode::parse(p.trim())).collect();
    match codes {
        Some(c) if c.len() >= 2 => Ok(c),
        _ => Err(MergeError::Syntax(text.to_string())),
    }
}

fn kind_rank(kind: Kind) -> u8 {
    match kind {
        Kind::DesignatedCity => 6,
        Kind::CoreCity => 5,
        Kind::City | Kind::SpecialWard | Kind::DesignatedCityWard | Kind::SpecialWardsAggregate => {
            4
        }
        Kind::Town => 2,
        Kind::Village => 1,
    }
}

impl Region {
    /// The region with each group of codes merged into one unit that keeps the code of its
    /// highest-ranked member (the first written among equals), the highest kind of its
    /// members (a core city absorbing a town stays a core city), the sum of their populations (missing if any is missing), the dissolve of their
    /// shapes, and the sum of their matrix rows and columns (flows inside the group become
    /// staying). Adjacency and metrics are recomputed.
    ///
    /// # Errors
    /// [`MergeError`] for a code that is not a unit or is named twice.
    pub fn merge(&self, groups: &[Vec<MuniCode>]) -> Result<Region, MergeError> {
        let n = self.len();
        // old index → representative old index
        let mut rep: Vec<usize> = (0..n).collect();
        let mut seen: HashMap<MuniCode, ()> = HashMap::new();
        for group in groups {
            let mut idx = Vec::with_capacity(group.len());
            for &code in group {
                if seen.insert(code, ()).is_some() {
                    return Err(MergeError::Repeated { code });
                }
                idx.push(self.index_of(code).ok_or(MergeError::NotAUnit { code })?);
            }
            // The merged unit keeps the code of its highest-ranked member (指定都市 > 中核市 >
            // 市 > 町 > 村; the first written among equals), whatever order the user wrote: the
            // code decides the designation and metro lookups of the rules.
            let first = *idx
                .iter()
                .enumerate()
                .max_by_key(|&(k, &i)| (kind_rank(self.kinds[i]), std::cmp::Reverse(k)))
                .map(|(_, i)| i)
                .expect("a group has two codes or more");
            for &i in &idx {
                rep[i] = first;
            }
        }
        let keep: Vec<usize> = (0..n).filter(|&i| rep[i] == i).collect();
        let new_index: HashMap<usize, u32> = keep
            .iter()
            .enumerate()
            .map(|(k, &i)| (i, k as u32))
            .collect();
        let map = |i: usize| new_index[&rep[i]];
        let m = keep.len();

        let mut members: Vec<Vec<usize>> = vec![Vec::new(); m];
        for i in 0..n {
            members[map(i) as usize].push(i);
        }
        let mut triplets = Vec::with_capacity(self.matrix.nnz());
        let mut unknown = vec![0u64; m];
        let mut has_data = vec![false; m];
        for i in 0..n {
            let (dest, persons) = self.matrix.row(i);
            triplets.extend(
                dest.iter()
                    .zip(persons)
                    .map(|(&d, &p)| (map(i), map(d as usize), p)),
            );
            unknown[map(i) as usize] += self.matrix.unknown(i);
            has_data[map(i) as usize] |= self.matrix.has_data(i);
        }
        let matrix = CommuteMatrix::from_triplets_summed(m, triplets, unknown, has_data)?;

        let codes: Vec<MuniCode> = keep.iter().map(|&i| self.code(i)).collect();
        let units = Units::from_codes(codes.clone());
        // Units::from_codes sorts; keep order is code order already because `keep` is
        // ascending and indices follow code order.
        debug_assert_eq!(units.codes(), &codes[..]);
        let pick = |k: usize| &members[k];
        let names = (0..m)
            .map(|k| {
                pick(k)
                    .iter()
                    .map(|&i| self.names[i].as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect();
        let prefectures = (0..m)
            .map(|k| {
                let mut p: Vec<&str> = pick(k)
                    .iter()
                    .map(|&i| self.prefectures[i].as_str())
                    .collect();
                p.dedup();
                p.join("+")
            })
            .collect();
        let kinds = (0..m)
            .map(|k| {
                pick(k)
                    .iter()
                    .map(|&i| self.kinds[i])
                    .max_by_key(|&kd| kind_rank(kd))
                    .expect("non-empty")
            })
            .collect();
        let population = (0..m)
            .map(|k| {
                pick(k)
                    .iter()
                    .map(|&i| self.population[i])
                    .sum::<Option<u64>>()
            })
            .collect::<Vec<_>>();
        let shapes: Vec<_> = (0..m)
            .map(|k| {
                let parts: Vec<_> = pick(k)
                    .iter()
                    .filter_map(|&i| self.shapes[i].as_ref())
                    .collect();
                match parts.len() {
                    0 => None,
                    1 => Some(parts[0].clone()),
                    _ => Some(dissolve(parts)),
                }
            })
            .collect();
        let merged = (0..m)
            .map(|k| {
                if pick(k).len() > 1 {
                    pick(k).iter().map(|&i| self.code(i)).collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let unit_map: Vec<u32> = (0..n).map(map).collect();
        let adjacency = self.adjacency.merged(&unit_map, m);
        let metrics = Metrics::par_compute(&matrix, &population, &self.params);
        Ok(Region {
            units,
            names,
            prefectures,
            kinds,
            matrix,
            population,
            shapes,
            adjacency,
            metrics,
            params: self.params,
            merged,
            offices: keep.iter().map(|&i| self.offices[i]).collect(),
        })
    }
}
