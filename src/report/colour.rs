//! Area colours: neighbouring areas never share a colour, and an area's colour is stable
//! across runs and thresholds because each area prefers a colour derived from its centre code.

use std::collections::BTreeSet;

use crate::areas::Area;
use crate::region::Region;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Mixed with white: `t` = 0 keeps the colour, 1 gives white.
    pub fn tint(self, t: f64) -> Rgb {
        let m = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * t).round() as u8;
        Rgb(m(self.0), m(self.1), m(self.2))
    }
}

/// Twelve colours distinguishable on a grey base (ColorBrewer Set3/Paired-like, saturated
/// enough for a printed report).
pub const PALETTE: [Rgb; 12] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
    Rgb(0xe3, 0x77, 0xc2),
    Rgb(0xbc, 0xbd, 0x22),
    Rgb(0x17, 0xbe, 0xcf),
    Rgb(0x39, 0x3b, 0x79),
    Rgb(0xad, 0x49, 0x4a),
    Rgb(0x63, 0x79, 0x39),
];

/// Preferred palette slot of an area: a hash of its centre code(s), so it does not move when
/// other areas appear or vanish.
fn preferred(area: &Area, region: &Region) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &u in &area.centre.units {
        h ^= u64::from(region.code(u).0);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % PALETTE.len() as u64) as usize
}

/// Colours areas greedily in centre-code order: each takes its preferred colour unless a
/// neighbouring area (sharing a member, or with members that border) already has it, then the
/// next free one. With 12 colours and planar-ish area graphs a free colour always exists in
/// practice; if not, the least-used among neighbours is taken (and neighbours may then clash).
pub fn area_colours(region: &Region, areas: &[Area]) -> Vec<Rgb> {
    let n = areas.len();
    let sets: Vec<BTreeSet<usize>> = areas
        .iter()
        .map(|a| a.units().into_iter().collect())
        .collect();
    let touches = |a: usize, b: usize| {
        sets[a].iter().any(|&u| {
            sets[b].contains(&u)
                || region
                    .adjacency
                    .neighbours(u)
                    .iter()
                    .any(|&v| sets[b].contains(&(v as usize)))
        })
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&k| {
        areas[k]
            .centre
            .units
            .iter()
            .map(|&u| region.code(u))
            .collect::<Vec<_>>()
    });
    let mut slot: Vec<Option<usize>> = vec![None; n];
    for &k in &order {
        let taken: Vec<usize> = (0..n)
            .filter(|&j| j != k && slot[j].is_some() && touches(k, j))
            .filter_map(|j| slot[j])
            .collect();
        let start = preferred(&areas[k], region);
        let free = (0..PALETTE.len())
            .map(|d| (start + d) % PALETTE.len())
            .find(|c| !taken.contains(c));
        slot[k] = Some(free.unwrap_or_else(|| {
            (0..PALETTE.len())
                .min_by_key(|c| taken.iter().filter(|t| *t == c).count())
                .expect("non-empty palette")
        }));
    }
    slot.into_iter()
        .map(|s| PALETTE[s.expect("every area coloured")])
        .collect()
}
