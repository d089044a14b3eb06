//! Threshold sweeps: how many areas, members and overlaps each threshold gives.

use super::{delineate, overlaps, Tier};
use crate::matrix::Threshold;
use crate::region::Region;
use crate::rules::{evaluate_centres, find_centres, RenkeiParams};

/// One threshold's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepRow {
    /// The threshold.
    pub threshold: Threshold,
    /// Eligible centres (single + pairs).
    pub areas: usize,
    /// Areas with at least one tier-1 member.
    pub areas_with_members: usize,
    /// Tier-1 memberships.
    pub tier1: usize,
    /// Tier-2 memberships.
    pub tier2: usize,
    /// Units in two or more areas.
    pub overlaps: usize,
}

/// Runs the delineation for each threshold (metro test included, as it uses the same
/// threshold).
pub fn sweep(region: &Region, params: &RenkeiParams, thresholds: &[Threshold]) -> Vec<SweepRow> {
    thresholds
        .iter()
        .map(|&t| {
            let p = params.clone().threshold(t);
            let evaluations = evaluate_centres(region, &p);
            let centres = find_centres(region, &evaluations, &p);
            let areas = delineate(region, &centres, &p);
            let count = |tier| {
                areas
                    .iter()
                    .flat_map(|a| &a.members)
                    .filter(|m| m.tier == tier)
                    .count()
            };
            SweepRow {
                threshold: t,
                areas: areas.len(),
                areas_with_members: areas
                    .iter()
                    .filter(|a| a.members.iter().any(|m| m.tier == Tier::One))
                    .count(),
                tier1: count(Tier::One),
                tier2: count(Tier::Two),
                overlaps: overlaps(&areas, region.len()).len(),
            }
        })
        .collect()
}
