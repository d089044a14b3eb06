//! Candidate areas: tier-1 and tier-2 members of each centre, with a decision record per
//! membership, multi-membership (overlaps) and contiguity.
//!
//! Tier 1 (the declaration list): every unit whose share to the centre (to both cities
//! together for a pair) meets the threshold (default 0.1), decided on integers.
//!
//! Tier 2 (likely partners), a documented rule: a unit that is tier 1 nowhere and is not a
//! centre joins the area whose centre is its largest commuting destination among all
//! centres (ties: the area listed first), when that share meets the tier-2 floor (default
//! 0.05) and the unit borders the area (its centre, tier-1 or already accepted tier-2
//! members; repeated until nothing changes, in code order).

mod compare;
mod sweep;
mod zones;

pub use compare::{compare, AreaMatch, Comparison, Partition};
pub use sweep::{sweep, SweepRow};
pub use zones::{zone_areas, RULE_ZONE_LABEL, RULE_ZONE_MEMBER};

use crate::matrix::Threshold;
use crate::region::Region;
use crate::rules::{Centre, RenkeiParams};

/// Role of a unit in an area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The central city (or one of the pair).
    Centre,
    /// Share to the centre ≥ threshold.
    One,
    /// Likely partner (see module docs).
    Two,
}

impl Tier {
    /// The tier in Japanese, for maps and reports.
    pub fn label_ja(self) -> &'static str {
        match self {
            Tier::Centre => "中心市",
            Tier::One => "1次",
            Tier::Two => "2次",
        }
    }

    /// Label used in output files.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Centre => "centre",
            Tier::One => "1",
            Tier::Two => "2",
        }
    }
}

/// One membership with its decision record.
#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    /// Unit index.
    pub unit: usize,
    /// Tier.
    pub tier: Tier,
    /// Persons from the unit to the centre (both cities for a pair).
    pub persons: u64,
    /// The unit's share denominator.
    pub denominator: u64,
    /// The threshold applied.
    pub threshold: Threshold,
    /// The rule, in words.
    pub rule: &'static str,
}

impl Membership {
    /// persons / denominator (NaN for a zero denominator).
    pub fn share(&self) -> f64 {
        self.persons as f64 / self.denominator as f64
    }
}

/// A candidate area.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    /// Its centre.
    pub centre: Centre,
    /// Centre units first, then members in code order.
    pub members: Vec<Membership>,
    /// Members not connected by land to the centre through other members.
    pub exclaves: Vec<usize>,
    /// Of those, members that border no unit at all (islands).
    pub islands: Vec<usize>,
}

impl Area {
    /// Whether centre and members form one connected piece.
    pub fn is_contiguous(&self) -> bool {
        self.exclaves.is_empty()
    }

    /// Member units (centre included) in order.
    pub fn units(&self) -> Vec<usize> {
        self.members.iter().map(|m| m.unit).collect()
    }

    /// Fills `exclaves` (members not reached by land from the first member, the centre) and
    /// `islands` (those of them bordering no unit).
    pub fn set_contiguity(&mut self, region: &Region) {
        let units = self.units();
        self.exclaves = region.adjacency.unreachable_from_first(&units);
        self.islands = self
            .exclaves
            .iter()
            .copied()
            .filter(|&u| region.adjacency.is_isolated(u))
            .collect();
    }

    /// Total population (`None` if any member's is missing).
    pub fn population(&self, region: &Region) -> Option<u64> {
        self.members.iter().map(|m| region.population[m.unit]).sum()
    }
}

/// Rule texts used in decision records.
pub const RULE_CENTRE: &str = "eligible central city";
/// Rule text of each city of a two-centre (複眼型) pair: neither qualifies alone.
pub const RULE_PAIR_CENTRE: &str = "city of a two-centre pair (要綱第9)";
/// Tier-1 rule text.
pub const RULE_TIER1: &str = "share to centre ≥ threshold";
/// Tier-2 rule text.
pub const RULE_TIER2: &str = "largest centre destination, share ≥ tier-2 floor, borders the area";

/// Builds every candidate area.
pub fn delineate(region: &Region, centres: &[Centre], params: &RenkeiParams) -> Vec<Area> {
    let mut areas = centred_areas(
        region,
        centres,
        params.get_threshold(),
        [RULE_CENTRE, RULE_PAIR_CENTRE],
        RULE_TIER1,
    );
    add_tier2(region, &mut areas, params.get_tier2_floor());
    for area in &mut areas {
        area.set_contiguity(region);
    }
    areas
}

/// One area per centre: the centre's units (`rules[0]` for a single centre, `rules[1]` for
/// each city of a pair) and every other unit whose share to the centre's units together
/// meets `threshold` (tier 1, `member_rule`), in code order; contiguity not yet set. The
/// 10 % rule every scheme with centres shares.
pub fn centred_areas(
    region: &Region,
    centres: &[Centre],
    threshold: Threshold,
    rules: [&'static str; 2],
    member_rule: &'static str,
) -> Vec<Area> {
    centres
        .iter()
        .map(|c| {
            let mut members: Vec<Membership> = c
                .units
                .iter()
                .map(|&u| Membership {
                    unit: u,
                    tier: Tier::Centre,
                    persons: region.persons_to(u, &c.units),
                    denominator: region.denominator(u),
                    threshold,
                    rule: if c.is_pair() { rules[1] } else { rules[0] },
                })
                .collect();
            for u in 0..region.len() {
                if c.units.contains(&u) {
                    continue;
                }
                let persons = region.persons_to(u, &c.units);
                let denominator = region.denominator(u);
                if threshold.is_met(persons, denominator) {
                    members.push(Membership {
                        unit: u,
                        tier: Tier::One,
                        persons,
                        denominator,
                        threshold,
                        rule: member_rule,
                    });
                }
            }
            Area {
                centre: c.clone(),
                members,
                exclaves: Vec::new(),
                islands: Vec::new(),
            }
        })
        .collect()
}

fn add_tier2(region: &Region, areas: &mut [Area], floor: Threshold) {
    let n = region.len();
    let mut taken = vec![false; n];
    for area in areas.iter() {
        for m in &area.members {
            taken[m.unit] = true;
        }
    }
    // Best centre per free unit.
    let mut best: Vec<Option<(usize, u64)>> = vec![None; n];
    for u in 0..n {
        if taken[u] {
            continue;
        }
        for (k, area) in areas.iter().enumerate() {
            let persons = region.persons_to(u, &area.centre.units);
            if persons > 0 && best[u].is_none_or(|(_, p)| persons > p) {
                best[u] = Some((k, persons));
            }
        }
    }
    let mut inside: Vec<Vec<bool>> = areas
        .iter()
        .map(|a| {
            let mut v = vec![false; n];
            for m in &a.members {
                v[m.unit] = true;
            }
            v
        })
        .collect();
    loop {
        let mut changed = false;
        for u in 0..n {
            let Some((k, persons)) = best[u] else {
                continue;
            };
            let denominator = region.denominator(u);
            if inside[k][u] || !floor.is_met(persons, denominator) {
                continue;
            }
            if region
                .adjacency
                .neighbours(u)
                .iter()
                .any(|&v| inside[k][v as usize])
            {
                inside[k][u] = true;
                areas[k].members.push(Membership {
                    unit: u,
                    tier: Tier::Two,
                    persons,
                    denominator,
                    threshold: floor,
                    rule: RULE_TIER2,
                });
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for area in areas.iter_mut() {
        area.members
            .sort_by_key(|m| (m.tier != Tier::Centre, m.unit));
    }
}

/// Units that are members (any tier, centre included) of two or more areas, with the areas.
pub fn overlaps(areas: &[Area], n: usize) -> Vec<(usize, Vec<usize>)> {
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, a) in areas.iter().enumerate() {
        for m in &a.members {
            of[m.unit].push(k);
        }
    }
    of.into_iter()
        .enumerate()
        .filter(|(_, ks)| ks.len() >= 2)
        .collect()
}
