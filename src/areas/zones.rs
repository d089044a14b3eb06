//! Commuting zones as areas (`delineate --scheme cz`), so that every writer, map and the
//! report take them as they take candidate 連携中枢都市圏. A zone has no central city: the
//! unit where the most people work or study (staying + inflow: its jobs and school places, so
//! the Tokyo zone is named by a ward of central Tokyo, not by 川崎市, which has more resident
//! commuters than any one ward) labels it (its "centre" in the files, with its own
//! rule text), every other unit is a member whose figure is the persons it sends to the rest
//! of its zone, over its resident commuters.

use super::{Area, Membership, Tier};
use crate::matrix::Threshold;
use crate::region::Region;
use crate::rules::cz::{commuting_zones, cz_input, CzParams};
use crate::rules::Centre;

/// Rule text of a zone's labelling unit.
pub const RULE_ZONE_LABEL: &str = "most jobs and school places of its commuting zone (labels it)";
/// Rule text of a zone member.
pub const RULE_ZONE_MEMBER: &str =
    "commuting zone: average-linkage dissimilarity below the cut (Tolbert-Sizer)";

/// The commuting zones of `region` (see `rules::cz`), one area each, every unit in exactly one;
/// `cut` is the cut as an exact decimal (written to the `threshold` column).
/// `links`: unit pairs joined by fixed road links, mergeable like neighbours.
pub fn zone_areas(
    region: &Region,
    params: &CzParams,
    cut: Threshold,
    links: &[(usize, usize)],
) -> Vec<Area> {
    let zones = commuting_zones(&cz_input(region, links), params);
    zones
        .into_iter()
        .map(|zone| {
            // The label: most people working or studying there, then the lower code.
            let jobs = |u: usize| region.metrics.staying[u] + region.metrics.inflow[u];
            let label = zone
                .iter()
                .copied()
                .max_by(|&a, &b| jobs(a).cmp(&jobs(b)).then_with(|| b.cmp(&a)))
                .expect("zones are not empty");
            let mut members: Vec<Membership> = Vec::with_capacity(zone.len());
            let others =
                |u: usize| -> Vec<usize> { zone.iter().copied().filter(|&v| v != u).collect() };
            members.push(Membership {
                unit: label,
                tier: Tier::Centre,
                persons: region.persons_to(label, &others(label)),
                denominator: region.denominator(label),
                threshold: cut,
                rule: RULE_ZONE_LABEL,
            });
            for &u in zone.iter().filter(|&&u| u != label) {
                members.push(Membership {
                    unit: u,
                    tier: Tier::One,
                    persons: region.persons_to(u, &others(u)),
                    denominator: region.denominator(u),
                    threshold: cut,
                    rule: RULE_ZONE_MEMBER,
                });
            }
            let mut area = Area {
                centre: Centre { units: vec![label] },
                members,
                exclaves: Vec::new(),
                islands: Vec::new(),
            };
            // Exclaves by land: a member joined across a road link only is listed as one.
            area.set_contiguity(region);
            area
        })
        .collect()
}
