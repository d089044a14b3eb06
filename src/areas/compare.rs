//! How two delineations of the same municipalities differ: the partition comparison of
//! LabourMarketAreas (Franconi, D'Alò and Ichim, R package, `compareLMA…`) and of the cluster
//! literature, on each run's *primary* area per municipality (its own area when it is a centre,
//! else the area whose centre draws the largest share; a municipality in no area is its own
//! singleton).
//!
//! - Adjusted Rand index (Hubert and Arabie 1985): pair counts from the contingency table,
//!   (index − expected) / (max − expected), 1 for identical partitions, about 0 for chance.
//! - Normalised mutual information, arithmetic normalisation (Strehl and Ghosh 2002; the
//!   default of scikit-learn): I(A;B) / ((H(A) + H(B)) / 2), natural logarithms.
//! - Per area of A: the area of B with the largest Jaccard index of their member sets (every
//!   membership, not only primary ones; ties to the earlier area of B).
//! - Municipalities in matched areas: of those in an area in A or in B, the ones whose primary
//!   area in B is the match of their primary area in A; the others are the moved ones.

/// One run's areas over the units `0..n`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Partition {
    /// Area ids, in the run's order.
    pub areas: Vec<String>,
    /// Every member of each area (unit indices, sorted, no repeats).
    pub members: Vec<Vec<usize>>,
    /// The primary area of each unit, `None` when it is in no area.
    pub primary: Vec<Option<usize>>,
}

/// An area of A and its best match in B.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaMatch {
    /// Area index in A.
    pub a: usize,
    /// Best area in B (`None`: no B area shares a member).
    pub b: Option<usize>,
    /// |a ∩ b| / |a ∪ b| of the member sets.
    pub jaccard: f64,
    /// Members in common.
    pub common: usize,
}

/// The comparison of two partitions of the same units.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Units compared.
    pub units: usize,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Normalised mutual information (arithmetic).
    pub nmi: f64,
    /// One match per area of A, in A's order.
    pub matches: Vec<AreaMatch>,
    /// Units in an area in A or in B.
    pub in_areas: usize,
    /// Of those, units whose B area is the match of their A area.
    pub in_matched: usize,
    /// The others, in unit order.
    pub moved: Vec<usize>,
}

fn pairs(n: u64) -> u128 {
    u128::from(n) * u128::from(n.saturating_sub(1)) / 2
}

/// Cluster label of each unit: its primary area, or a singleton of its own.
fn labels(p: &Partition) -> Vec<usize> {
    let areas = p.areas.len();
    p.primary
        .iter()
        .enumerate()
        .map(|(u, a)| a.unwrap_or(areas + u))
        .collect()
}

/// Adjusted Rand index and NMI of two labelings of the same units.
fn ari_nmi(a: &[usize], b: &[usize]) -> (f64, f64) {
    // Ordered maps: the floating-point sums run in one order, so the result is the same on
    // every run.
    use std::collections::BTreeMap;
    let n = a.len() as u64;
    let mut joint: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut ca: BTreeMap<usize, u64> = BTreeMap::new();
    let mut cb: BTreeMap<usize, u64> = BTreeMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_default() += 1;
        *ca.entry(x).or_default() += 1;
        *cb.entry(y).or_default() += 1;
    }
    let index: u128 = joint.values().map(|&c| pairs(c)).sum();
    let sa: u128 = ca.values().map(|&c| pairs(c)).sum();
    let sb: u128 = cb.values().map(|&c| pairs(c)).sum();
    let total = pairs(n);
    let ari = if total == 0 {
        1.0
    } else {
        let expected = sa as f64 * sb as f64 / total as f64;
        let max = (sa as f64 + sb as f64) / 2.0;
        if max == expected {
            1.0
        } else {
            (index as f64 - expected) / (max - expected)
        }
    };
    let nf = n as f64;
    let entropy = |c: &BTreeMap<usize, u64>| -> f64 {
        c.values()
            .map(|&k| {
                let p = k as f64 / nf;
                -p * p.ln()
            })
            .sum()
    };
    let (ha, hb) = (entropy(&ca), entropy(&cb));
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &k)| {
            let pxy = k as f64 / nf;
            pxy * (k as f64 * nf / (ca[&x] as f64 * cb[&y] as f64)).ln()
        })
        .sum();
    let nmi = if ha + hb == 0.0 {
        1.0
    } else {
        (2.0 * mi / (ha + hb)).clamp(0.0, 1.0)
    };
    (ari, nmi)
}

/// Compares `a` with `b` over the same `n` units.
///
/// # Panics
/// When either partition does not cover `n` units (an internal error: the caller builds both
/// over one registry).
pub fn compare(a: &Partition, b: &Partition) -> Comparison {
    assert_eq!(a.primary.len(), b.primary.len(), "one set of units");
    let (la, lb) = (labels(a), labels(b));
    let (ari, nmi) = ari_nmi(&la, &lb);
    let matches: Vec<AreaMatch> = a
        .members
        .iter()
        .enumerate()
        .map(|(i, ma)| {
            let mut best: Option<(usize, usize, usize)> = None; // (b, common, union)
            for (j, mb) in b.members.iter().enumerate() {
                let common = ma.iter().filter(|u| mb.binary_search(u).is_ok()).count();
                if common == 0 {
                    continue;
                }
                let union = ma.len() + mb.len() - common;
                // Larger Jaccard, exactly: common/union > c/u  ⇔  common·u > c·union.
                let better = best.is_none_or(|(_, c, un)| common * un > c * union);
                if better {
                    best = Some((j, common, union));
                }
            }
            match best {
                Some((j, common, union)) => AreaMatch {
                    a: i,
                    b: Some(j),
                    jaccard: common as f64 / union as f64,
                    common,
                },
                None => AreaMatch {
                    a: i,
                    b: None,
                    jaccard: 0.0,
                    common: 0,
                },
            }
        })
        .collect();
    let mut in_areas = 0;
    let mut moved = Vec::new();
    for u in 0..a.primary.len() {
        let (pa, pb) = (a.primary[u], b.primary[u]);
        if pa.is_none() && pb.is_none() {
            continue;
        }
        in_areas += 1;
        let kept = matches!((pa, pb), (Some(x), Some(y)) if matches[x].b == Some(y));
        if !kept {
            moved.push(u);
        }
    }
    Comparison {
        units: a.primary.len(),
        ari,
        nmi,
        in_matched: in_areas - moved.len(),
        in_areas,
        matches,
        moved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(n: usize, areas: &[&[usize]]) -> Partition {
        let mut primary = vec![None; n];
        for (k, members) in areas.iter().enumerate() {
            for &u in *members {
                primary[u].get_or_insert(k);
            }
        }
        Partition {
            areas: (0..areas.len()).map(|k| format!("X{k}")).collect(),
            members: areas.iter().map(|m| m.to_vec()).collect(),
            primary,
        }
    }

    #[test]
    fn identical_partitions_score_one() {
        let p = partition(6, &[&[0, 1, 2], &[3, 4]]);
        let c = compare(&p, &p);
        assert_eq!(c.ari, 1.0);
        // I(A;A) and H(A) are computed by different sums: equal to rounding.
        assert!((c.nmi - 1.0).abs() < 1e-12, "{}", c.nmi);
        assert_eq!((c.in_areas, c.in_matched), (5, 5));
        assert!(c.moved.is_empty());
    }

    #[test]
    fn a_moved_unit_by_hand() {
        // A: {0,1,2} {3,4} {5}; B: {0,1} {2,3,4} {5} (unit 5 in no area: a singleton).
        let a = partition(6, &[&[0, 1, 2], &[3, 4]]);
        let b = partition(6, &[&[0, 1], &[2, 3, 4]]);
        let c = compare(&a, &b);
        // Contingency: (A0,B0)=2, (A0,B1)=1, (A1,B1)=2, (5,5)=1. Index = 1 + 0 + 1 = 2.
        // ΣC(a,2) = 3 + 1 = 4; ΣC(b,2) = 1 + 3 = 4; C(6,2) = 15; expected = 16/15; max = 4.
        // ARI = (2 − 16/15) / (4 − 16/15) = (14/15) / (44/15) = 14/44.
        assert!((c.ari - 14.0 / 44.0).abs() < 1e-12, "{}", c.ari);
        // NMI: H(A) = H(B) = −(3/6 ln 3/6 + 2/6 ln 2/6 + 1/6 ln 1/6);
        // I = 2/6 ln(2·6/(3·2)) + 1/6 ln(1·6/(3·3)) + 2/6 ln(2·6/(2·3)) + 1/6 ln(6/1).
        let h = -(0.5f64 * 0.5f64.ln()
            + (1.0 / 3.0) * (1.0f64 / 3.0).ln()
            + (1.0 / 6.0) * (1.0f64 / 6.0).ln());
        let i = (2.0 / 6.0) * 2.0f64.ln()
            + (1.0 / 6.0) * (6.0f64 / 9.0).ln()
            + (2.0 / 6.0) * 2.0f64.ln()
            + (1.0 / 6.0) * 6.0f64.ln();
        assert!((c.nmi - i / h).abs() < 1e-12, "{} vs {}", c.nmi, i / h);
        // A0 {0,1,2} matches B0 {0,1} (2/3) over B1 {2,3,4} (1/5); A1 {3,4} matches B1 (2/3).
        assert_eq!(c.matches[0].b, Some(0));
        assert!((c.matches[0].jaccard - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(c.matches[1].b, Some(1));
        // Unit 2 went from A0 to B1, which is not A0's match: moved. 5 units in areas.
        assert_eq!(c.moved, vec![2]);
        assert_eq!((c.in_areas, c.in_matched), (5, 4));
    }

    #[test]
    fn a_unit_leaving_every_area_is_moved() {
        let a = partition(4, &[&[0, 1, 2]]);
        let b = partition(4, &[&[0, 1]]);
        let c = compare(&a, &b);
        assert_eq!(c.moved, vec![2]);
        assert_eq!((c.in_areas, c.in_matched), (3, 2));
    }
}
