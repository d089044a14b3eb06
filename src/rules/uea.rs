//! 都市雇用圏 (Urban Employment Areas) of Kanemoto and Tokuoka (2002, 「日本の都市圏設定基準」,
//! 応用地域学研究 7, 1–15), as stated on CSIS's definition page
//! (<http://www.csis.u-tokyo.ac.jp/UEA/uea_def_e.htm>, with its corrections page `uea_def.htm`).
//! Readings this engine had to choose are marked *reading*; `docs/research/issue13-schemes.md`
//! says what each source states.
//!
//! - **Units.** Municipalities, designated cities whole, Tokyo's 23 special wards as one unit
//!   (東京都区部, 13100) (*reading*: the published tables list 特別区部 as one core).
//! - **Core (中心都市)** (u1, u2): DID population ≥ 10,000 (`--uea-core-did`), and not an
//!   outlying municipality of another core. Candidates are taken in decreasing DID population
//!   (then by code): a candidate sending ≥ 10 % (`--threshold`) of its commuters to an existing
//!   core (its central municipalities together; the largest share if several) is outlying
//!   (*reading*: the order of Kanemoto–Kurima's iterations could not be read). When a core and
//!   a candidate each send ≥ 10 % to the other, the one with the lower share to the other is
//!   the core (CSIS). A core found afterwards to send ≥ 10 % to another area's core or suburb
//!   (its largest such target) stops being a core and everything is recomputed (CSIS's 栗東町
//!   correction: a suburb of any order cannot be a core).
//! - **Co-core (副次中心)** (u3, u4): an outlying candidate whose 従業常住比 (persons working or
//!   studying in it / its resident commuters, both over known places of work) is ≥ 1 and whose DID population is ≥ 100,000
//!   (`--uea-co-core-did`) or ≥ 1/3 of the main core's (*reading*: "of the core" taken as the
//!   first central municipality, so that the test does not depend on the order co-cores join).
//! - **1次郊外**: ≥ 10 % of its commuters to the central municipalities together; several
//!   areas: the largest share (CSIS (c)).
//! - **2次以降の郊外**: ≥ 10 % to a suburb that is its largest target among every central
//!   municipality set and every suburb (CSIS (d); the 富加町 correction). Suburbs are assigned
//!   in rounds: round r's targets are the cores and the suburbs of earlier rounds, so a
//!   suburb's order is its round, and a municipality keeps the area of the first round in
//!   which it qualifies (*reading*).
//! - **Class**: MEA (大都市雇用圏) when the central municipalities' DID population together is
//!   ≥ 50,000 (`--uea-mea-did`), else McEA (小都市雇用圏).
//! - **Commuters.** The UEA counts employed persons (就業者) only; the census OD this engine
//!   reads counts workers and students together (通勤者・通学者, table 6-1), and only those
//!   leaving home. Students commute mostly within their own or to nearby large municipalities,
//!   so shares to large cores run higher than the published ones and more small
//!   municipalities pass 10 %: the difference is stated in clauses.csv and in run.json.
//!
//! Every threshold is decided on integers.

use std::collections::BTreeMap;

use super::renkei::threshold_text;
use super::scheme::{CentreRecord, Criterion, MethodStep, Outcome, Scheme};
use super::Centre;
use crate::areas::{Area, Membership, Tier};
use crate::matrix::Threshold;
use crate::region::{MergeError, Region};
use crate::registry::{Kind, MuniCode, Units};

/// Rule text of the main central municipality.
pub const RULE_UEA_CORE: &str = "中心都市: DID population ≥ floor, not outlying (Kanemoto-Tokuoka)";
/// Rule text of a co-core.
pub const RULE_UEA_CO_CORE: &str =
    "副次中心: outlying, 従業常住比 ≥ 1, DID ≥ 100,000 or ≥ 1/3 of the core's";
/// Rule text of a first-order suburb.
pub const RULE_UEA_SUBURB1: &str =
    "1次郊外: ≥ threshold of commuters to the central municipalities";
/// Rule text of a second-order suburb.
pub const RULE_UEA_SUBURB2: &str = "2次郊外: ≥ threshold to a 1次郊外, its largest target";
/// Rule text of a third-order suburb.
pub const RULE_UEA_SUBURB3: &str = "3次郊外: ≥ threshold to a 2次郊外, its largest target";
/// Rule text of a suburb of order four or more.
pub const RULE_UEA_SUBURB4: &str = "4次以降の郊外: ≥ threshold to a suburb, its largest target";

/// Parameters of the UEA.
#[derive(Clone, Debug)]
pub struct Uea {
    /// u1: a core has at least this DID population (default 10,000).
    pub core_did: u64,
    /// An area is an MEA when its cores' DID population is at least this (default 50,000).
    pub mea_did: u64,
    /// u4: a co-core has at least this DID population, or a third of the main core's
    /// (default 100,000).
    pub co_core_did: u64,
    /// Suburb threshold (default 0.1).
    pub threshold: Threshold,
    /// DID population by code (municipalities without a DID are absent).
    pub did: BTreeMap<MuniCode, u64>,
    /// Count Tokyo's special wards as one unit (default true).
    pub wards_as_one: bool,
}

impl Uea {
    /// The published defaults with the given DID table.
    pub fn new(did: BTreeMap<MuniCode, u64>) -> Self {
        Uea {
            core_did: 10_000,
            mea_did: 50_000,
            co_core_did: 100_000,
            threshold: Threshold::TENTH,
            did,
            wards_as_one: true,
        }
    }

    /// DID population of unit `i` (the sum over a merged unit's codes).
    fn did_of(&self, region: &Region, i: usize) -> u64 {
        if region.merged[i].is_empty() {
            self.did.get(&region.code(i)).copied().unwrap_or(0)
        } else {
            region.merged[i]
                .iter()
                .map(|c| self.did.get(c).copied().unwrap_or(0))
                .sum()
        }
    }
}

/// What a target of a commuting share is: an area's central municipalities together, or one
/// suburb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Cores(usize),
    Suburb(usize),
}

/// One suburb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suburb {
    /// Unit index.
    pub unit: usize,
    /// 1 for a 1次郊外, 2 for a 2次郊外 …
    pub order: u32,
    /// The suburb it commutes to (`None` for a 1次郊外: the central municipalities).
    pub via: Option<usize>,
    /// Persons to its target.
    pub persons: u64,
}

/// One urban employment area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UeaArea {
    /// Central municipalities, the main core first, then co-cores in the order they joined.
    pub cores: Vec<usize>,
    /// Suburbs in the order assigned (round, then index).
    pub suburbs: Vec<Suburb>,
}

/// Why a candidate is not a core, for its record.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CandidateFate {
    Core,
    /// Co-core of area k, sending it `persons`.
    CoCore(usize, u64),
    /// Outlying to area k (sending its central municipalities `persons`) without the co-core
    /// conditions.
    Outlying(usize, u64),
    /// Barred after the fact: outlying to another area's core or suburb; the area it ended in.
    Excluded(usize),
}

/// Why a core was barred: the unit it sends to (the main core of a core set, or a suburb),
/// whether that is a core set, and the persons and denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Barred {
    target: usize,
    cores: bool,
    persons: u64,
    denominator: u64,
}

struct Pass {
    areas: Vec<UeaArea>,
    fate: BTreeMap<usize, CandidateFate>,
}

/// The units' DID populations, 従業常住比 parts and the pass over a candidate set.
struct Ctx<'a> {
    region: &'a Region,
    p: &'a Uea,
    did: Vec<u64>,
}

impl Ctx<'_> {
    /// Persons from `u` to each target, with `core_of` and `suburb` the current roles.
    fn targets(
        &self,
        u: usize,
        core_of: &[Option<usize>],
        suburb_of: &[Option<usize>],
    ) -> BTreeMap<Target, u64> {
        let (dest, persons) = self.region.matrix.row(u);
        let mut out: BTreeMap<Target, u64> = BTreeMap::new();
        for (&d, &p) in dest.iter().zip(persons) {
            let d = d as usize;
            if d == u {
                continue;
            }
            if let Some(k) = core_of[d] {
                *out.entry(Target::Cores(k)).or_default() += u64::from(p);
            } else if suburb_of[d].is_some() {
                *out.entry(Target::Suburb(d)).or_default() += u64::from(p);
            }
        }
        out
    }

    /// The largest target meeting the threshold (ties: cores before suburbs, lower index).
    fn best(&self, u: usize, targets: &BTreeMap<Target, u64>) -> Option<(Target, u64)> {
        let mut best: Option<(Target, u64)> = None;
        for (&t, &p) in targets {
            if best.is_none_or(|(_, bp)| p > bp) {
                best = Some((t, p));
            }
        }
        best.filter(|&(_, p)| self.p.threshold.is_met(p, self.region.denominator(u)))
    }

    fn co_core(&self, c: usize, main: usize) -> bool {
        let (workplace, resident) = workplace_ratio(self.region, c);
        workplace >= resident
            && resident > 0
            && (self.did[c] >= self.p.co_core_did || 3 * self.did[c] >= self.did[main])
    }

    /// Cores and suburbs with the candidates in `excluded` barred from being cores.
    fn pass(&self, excluded: &[usize]) -> Pass {
        let region = self.region;
        let n = region.len();
        let mut cand: Vec<usize> = (0..n)
            .filter(|&i| self.did[i] >= self.p.core_did && !excluded.contains(&i))
            .collect();
        cand.sort_by_key(|&i| (std::cmp::Reverse(self.did[i]), i));
        let mut areas: Vec<UeaArea> = Vec::new();
        let mut core_of: Vec<Option<usize>> = vec![None; n];
        let none: Vec<Option<usize>> = vec![None; n];
        let mut fate: BTreeMap<usize, CandidateFate> = BTreeMap::new();
        for &i in excluded {
            fate.insert(i, CandidateFate::Excluded(usize::MAX));
        }
        for &c in &cand {
            let targets = self.targets(c, &core_of, &none);
            let Some((Target::Cores(k), to_k)) = self.best(c, &targets) else {
                core_of[c] = Some(areas.len());
                fate.insert(c, CandidateFate::Core);
                areas.push(UeaArea {
                    cores: vec![c],
                    suburbs: Vec::new(),
                });
                continue;
            };
            let main = areas[k].cores[0];
            let back = region.persons_to(main, &[c]);
            // Mutual: the one with the lower share to the other is the core.
            let swap = areas[k].cores.len() == 1
                && self.p.threshold.is_met(back, region.denominator(main))
                && u128::from(back) * u128::from(region.denominator(c))
                    > u128::from(to_k) * u128::from(region.denominator(main));
            if swap {
                areas[k].cores = vec![c];
                core_of[c] = Some(k);
                core_of[main] = None;
                fate.insert(c, CandidateFate::Core);
                if self.co_core(main, c) {
                    areas[k].cores.push(main);
                    core_of[main] = Some(k);
                    fate.insert(main, CandidateFate::CoCore(k, back));
                } else {
                    fate.insert(main, CandidateFate::Outlying(k, back));
                }
            } else if self.co_core(c, main) {
                areas[k].cores.push(c);
                core_of[c] = Some(k);
                fate.insert(c, CandidateFate::CoCore(k, to_k));
            } else {
                fate.insert(c, CandidateFate::Outlying(k, to_k));
            }
        }
        // Suburbs in rounds.
        let mut suburb_of: Vec<Option<usize>> = vec![None; n];
        let mut order: Vec<u32> = vec![0; n];
        loop {
            let found: Vec<(usize, Target, u64)> = (0..n)
                .filter(|&u| core_of[u].is_none() && suburb_of[u].is_none())
                .filter_map(|u| {
                    let t = self.targets(u, &core_of, &suburb_of);
                    self.best(u, &t).map(|(t, p)| (u, t, p))
                })
                .collect();
            if found.is_empty() {
                break;
            }
            for (u, t, persons) in found {
                let (k, o, via) = match t {
                    Target::Cores(k) => (k, 1, None),
                    Target::Suburb(s) => (suburb_of[s].expect("a suburb"), order[s] + 1, Some(s)),
                };
                suburb_of[u] = Some(k);
                order[u] = o;
                areas[k].suburbs.push(Suburb {
                    unit: u,
                    order: o,
                    via,
                    persons,
                });
            }
        }
        // Fix the fate of excluded candidates: the area they ended in.
        for &i in excluded {
            if let Some(k) = suburb_of[i] {
                fate.insert(i, CandidateFate::Excluded(k));
            }
        }
        Pass { areas, fate }
    }

    /// A core that sends ≥ threshold to another area's cores or suburbs (its largest such
    /// target), with that share as (persons, denominator).
    fn outlying_core(&self, pass: &Pass) -> Option<(usize, Barred)> {
        let n = self.region.len();
        let mut core_of: Vec<Option<usize>> = vec![None; n];
        let mut suburb_of: Vec<Option<usize>> = vec![None; n];
        for (k, a) in pass.areas.iter().enumerate() {
            for &c in &a.cores {
                core_of[c] = Some(k);
            }
            for s in &a.suburbs {
                suburb_of[s.unit] = Some(k);
            }
        }
        let mut worst: Option<(usize, Barred)> = None;
        for (k, a) in pass.areas.iter().enumerate() {
            for &c in &a.cores {
                let mut t = self.targets(c, &core_of, &suburb_of);
                t.retain(|target, _| match *target {
                    Target::Cores(j) => j != k,
                    Target::Suburb(s) => suburb_of[s] != Some(k),
                });
                let Some((target, persons)) = self.best(c, &t) else {
                    continue;
                };
                // Mutual with another area's main core: the lower share stays the core.
                if let Target::Cores(j) = target {
                    let other = pass.areas[j].cores[0];
                    let back = self.region.persons_to(other, &a.cores);
                    let dc = self.region.denominator(c);
                    let dother = self.region.denominator(other);
                    if self.p.threshold.is_met(back, dother)
                        && u128::from(back) * u128::from(dc)
                            >= u128::from(persons) * u128::from(dother)
                    {
                        continue;
                    }
                }
                let d = self.region.denominator(c);
                let larger = worst.is_none_or(|(w, b)| {
                    let lhs = u128::from(persons) * u128::from(b.denominator);
                    let rhs = u128::from(b.persons) * u128::from(d);
                    lhs > rhs || (lhs == rhs && c < w)
                });
                if larger {
                    let (target, cores) = match target {
                        Target::Cores(j) => (pass.areas[j].cores[0], true),
                        Target::Suburb(s) => (s, false),
                    };
                    worst = Some((
                        c,
                        Barred {
                            target,
                            cores,
                            persons,
                            denominator: d,
                        },
                    ));
                }
            }
        }
        worst
    }
}

/// The urban employment areas of `region` with a record per DID candidate.
pub fn uea_areas(region: &Region, p: &Uea) -> (Vec<UeaArea>, Vec<CentreRecord>) {
    let ctx = Ctx {
        region,
        p,
        did: (0..region.len()).map(|i| p.did_of(region, i)).collect(),
    };
    let mut excluded: Vec<usize> = Vec::new();
    let mut barred: BTreeMap<usize, Barred> = BTreeMap::new();
    let mut pass = ctx.pass(&excluded);
    // Each step bars one core; at most one step per unit.
    while let Some((c, why)) = ctx.outlying_core(&pass) {
        if excluded.contains(&c) || excluded.len() >= region.len() {
            break;
        }
        excluded.push(c);
        barred.insert(c, why);
        pass = ctx.pass(&excluded);
    }
    let records = records(&ctx, &pass, &barred);
    (pass.areas, records)
}

fn records(ctx: &Ctx<'_>, pass: &Pass, barred: &BTreeMap<usize, Barred>) -> Vec<CentreRecord> {
    let region = ctx.region;
    let p = ctx.p;
    let area_name = |k: usize| -> String {
        pass.areas
            .get(k)
            .map_or("another area".to_string(), |a| region.label(a.cores[0]))
    };
    pass.fate
        .iter()
        .map(|(&i, fate)| {
            let (workplace, resident) = workplace_ratio(region, i);
            let (role, note, main) = match fate {
                CandidateFate::Core => {
                    let k = pass
                        .areas
                        .iter()
                        .position(|a| a.cores[0] == i)
                        .expect("a core heads its area");
                    let did: u64 = pass.areas[k].cores.iter().map(|&c| ctx.did[c]).sum();
                    let class = if did >= p.mea_did { "MEA" } else { "McEA" };
                    (
                        "central municipality",
                        format!("{class}: central municipalities' DID population {did}"),
                        i,
                    )
                }
                CandidateFate::CoCore(k, persons) => (
                    "co-core",
                    format!(
                        "副次中心 of {}: sends {} to its central municipalities, 従業常住比 ≥ 1 and DID large enough",
                        area_name(*k),
                        share(*persons, region.denominator(i))
                    ),
                    pass.areas[*k].cores[0],
                ),
                CandidateFate::Outlying(k, persons) => (
                    "suburb",
                    format!(
                        "outlying: sends {} to the central municipalities of {}, without the co-core conditions",
                        share(*persons, region.denominator(i)),
                        area_name(*k)
                    ),
                    pass.areas[*k].cores[0],
                ),
                CandidateFate::Excluded(k) => {
                    let why = barred.get(&i).copied();
                    let target = why.map_or("another area".to_string(), |b| {
                        let area_of = |u: usize| {
                            pass.areas
                                .iter()
                                .find(|a| a.cores.contains(&u) || a.suburbs.iter().any(|s| s.unit == u))
                                .map_or("another area".to_string(), |a| region.label(a.cores[0]))
                        };
                        if b.cores {
                            format!(
                                "{} to the central municipalities of {}",
                                share(b.persons, b.denominator),
                                area_of(b.target)
                            )
                        } else {
                            format!(
                                "{} to {}, a suburb in the {} area",
                                share(b.persons, b.denominator),
                                region.label(b.target),
                                area_of(b.target)
                            )
                        }
                    });
                    (
                        "suburb",
                        format!(
                            "a core at first, but it sends {target} (≥ {}; a suburb of any order cannot be a core)",
                            threshold_text(p.threshold)
                        ),
                        pass.areas.get(*k).map_or(i, |a| a.cores[0]),
                    )
                }
            };
            let not_outlying = matches!(fate, CandidateFate::Core);
            let u3 = resident > 0 && workplace >= resident;
            let u4 = ctx.did[i] >= p.co_core_did || 3 * ctx.did[i] >= ctx.did[main];
            // What decided against a central municipality: nothing for a core or a co-core;
            // being outlying and the co-core test that failed for a suburb.
            let failed = match fate {
                CandidateFate::Core | CandidateFate::CoCore(..) => Vec::new(),
                CandidateFate::Outlying(..) => std::iter::once("u2_not_outlying")
                    .chain((!u3).then_some("u3_workplace_ratio"))
                    .chain((!u4).then_some("u4_co_core_did"))
                    .collect(),
                CandidateFate::Excluded(_) => vec!["u2_not_outlying"],
            };
            CentreRecord {
                unit: i,
                failed,
                criteria: vec![
                    Criterion {
                        id: "u1_did",
            flag: "u1_did_met",
                        value: ctx.did[i].to_string(),
                        met: ctx.did[i] >= p.core_did,
                    },
                    Criterion {
                        id: "u2_not_outlying",
            flag: "u2_not_outlying_met",
                        value: if not_outlying {
                            "no area takes ≥ the threshold of its commuters".to_string()
                        } else {
                            note.clone()
                        },
                        met: not_outlying,
                    },
                    Criterion {
                        id: "u3_workplace_ratio",
            flag: "u3_workplace_ratio_met",
                        value: if resident > 0 {
                            format!(
                                "{:.4} ({workplace}/{resident})",
                                workplace as f64 / resident as f64
                            )
                        } else {
                            "unknown".to_string()
                        },
                        met: u3,
                    },
                    Criterion {
                        id: "u4_co_core_did",
            flag: "u4_co_core_did_met",
                        value: format!(
                            "{} (≥ {} or ≥ 1/3 of {})",
                            ctx.did[i], p.co_core_did, ctx.did[main]
                        ),
                        met: u4,
                    },
                ],
                role,
                note,
            }
        })
        .collect()
}

/// 従業常住比 of unit `i` as (persons working or studying there, resident commuters), both over
/// known places only: staying + inflow against staying + outflow. Residents whose place of work
/// is unknown (99998/99999) cannot be counted where they work, so they are left out of the
/// residents too (counting them would put every city with many unknowns below 1: 札幌市 0.9420
/// instead of 1.0008).
fn workplace_ratio(region: &Region, i: usize) -> (u64, u64) {
    let m = &region.metrics;
    (m.staying[i] + m.inflow[i], m.staying[i] + m.outflow[i])
}

/// `0.1070 (1234/11532)`.
fn share(persons: u64, denominator: u64) -> String {
    format!(
        "{:.4} ({persons}/{denominator})",
        persons as f64 / denominator.max(1) as f64
    )
}

impl Scheme for Uea {
    fn id(&self) -> &'static str {
        "uea"
    }
    fn name_ja(&self) -> &'static str {
        "都市雇用圏"
    }
    fn allows_overlaps(&self) -> bool {
        false
    }

    /// Tokyo's special wards as one unit, 13100 東京都区部.
    fn units(&self, region: Region) -> Result<Region, MergeError> {
        if !self.wards_as_one {
            return Ok(region);
        }
        let wards: Vec<MuniCode> = (0..region.len())
            .filter(|&i| region.kinds[i] == Kind::SpecialWard)
            .map(|i| region.code(i))
            .collect();
        if wards.len() < 2 {
            return Ok(region);
        }
        let mut merged = region.merge(std::slice::from_ref(&wards))?;
        let k = merged
            .index_of(wards[0])
            .expect("the merger keeps the first code");
        let aggregate = MuniCode::parse("13100").expect("a valid code");
        let codes: Vec<MuniCode> = (0..merged.len())
            .map(|i| if i == k { aggregate } else { merged.code(i) })
            .collect();
        merged.units = Units::from_codes(codes);
        merged.names[k] = "東京都区部".to_string();
        merged.kinds[k] = Kind::SpecialWardsAggregate;
        Ok(merged)
    }

    /// MEA or McEA by the central municipalities' DID population together.
    fn area_type(&self, region: &Region, area: &Area) -> String {
        let did: u64 = area
            .centre
            .units
            .iter()
            .map(|&c| self.did_of(region, c))
            .sum();
        if did >= self.mea_did { "MEA" } else { "McEA" }.to_string()
    }

    fn delineate(&self, region: &Region) -> Outcome {
        let (ueas, records) = uea_areas(region, self);
        let mut areas: Vec<Area> = ueas
            .iter()
            .map(|u| {
                let threshold = self.threshold;
                let mut members: Vec<Membership> = u
                    .cores
                    .iter()
                    .enumerate()
                    .map(|(x, &c)| Membership {
                        unit: c,
                        tier: Tier::Centre,
                        persons: region.persons_to(c, &u.cores),
                        denominator: region.denominator(c),
                        threshold,
                        rule: if x == 0 {
                            RULE_UEA_CORE
                        } else {
                            RULE_UEA_CO_CORE
                        },
                    })
                    .collect();
                let mut suburbs = u.suburbs.clone();
                suburbs.sort_by_key(|s| s.unit);
                members.extend(suburbs.iter().map(|s| Membership {
                    unit: s.unit,
                    tier: if s.order == 1 { Tier::One } else { Tier::Two },
                    persons: s.persons,
                    denominator: region.denominator(s.unit),
                    threshold,
                    rule: match s.order {
                        1 => RULE_UEA_SUBURB1,
                        2 => RULE_UEA_SUBURB2,
                        3 => RULE_UEA_SUBURB3,
                        _ => RULE_UEA_SUBURB4,
                    },
                }));
                let mut area = Area {
                    centre: Centre {
                        units: u.cores.clone(),
                    },
                    members,
                    exclaves: Vec::new(),
                    islands: Vec::new(),
                };
                area.set_contiguity(region);
                area
            })
            .collect();
        areas.sort_by_key(|a| region.code(a.centre.units[0]));
        let t = threshold_text(self.threshold);
        let step = |id, implements: &str, value_used: String| MethodStep {
            id,
            implements: implements.to_string(),
            value_used,
        };
        let method = vec![
            step("u_units", "Kanemoto-Tokuoka (2002); CSIS UEA tables: 東京都区部 as one core", if self.wards_as_one { "the 23 special wards merged into 13100 東京都区部" } else { "special wards separate" }.to_string()),
            step("u1_did", "CSIS UEA definition (a): central municipality with DID population ≥ 10,000", format!("DID ≥ {} (census2020_did, table 1-2)", self.core_did)),
            step("u2_not_outlying", "CSIS (a): not an outlying municipality of another core; mutual pairs: the lower ratio is the core; 栗東町 correction: no suburb of any order is a core", format!("candidates by decreasing DID; outlying at ≥ {t} to an earlier core set; a core sending ≥ {t} to another area is barred and all recomputed")),
            step("u3_workplace_ratio", "CSIS (b): co-core needs 従業常住比 ≥ 1", "persons working or studying in it (staying + inflow) ≥ its resident commuters with a known place (staying + outflow)".to_string()),
            step("u4_co_core_did", "CSIS (b): co-core DID ≥ 100,000 or ≥ 1/3 of the core's", format!("DID ≥ {} or 3 × DID ≥ the main core's DID", self.co_core_did)),
            step("u_suburb1", "CSIS: 1次郊外 — ≥ 10 % of commuters to the central municipalities together; ties between cores: the strongest (c)", format!("≥ {t}, exact")),
            step("u_suburb_n", "CSIS: 2次以降 — ≥ 10 % to a suburb that is its largest target (d; 富加町 correction)", format!("≥ {t}; rounds: targets are cores and earlier rounds' suburbs; first qualifying round kept")),
            step("u_class", "Kanemoto-Tokuoka: MEA when the core's DID population ≥ 50,000, else McEA", format!("central municipalities' DID together ≥ {}", self.mea_did)),
            step("u_commuters", "Kanemoto-Tokuoka count 就業者 (workers) only", "this OD (census table 6-1) counts workers and students leaving home: shares to large cores run higher than the published ones".to_string()),
        ];
        Outcome {
            records,
            areas,
            method,
            renkei: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::MetricsParams;
    use crate::registry::Kind;

    fn code(n: u32) -> MuniCode {
        MuniCode::parse(&n.to_string()).unwrap()
    }

    /// Nine units, each with 1,000 resident commuters (hand-made; see the comments):
    /// A core (DID 60,000); F co-core (sends exactly 10 % to A, works 1,010 ≥ 1,000, DID
    /// 40,000 ≥ 60,000 / 3); B 1次 (20 % to A); C 2次 via B (15 % to B, 5 % to A);
    /// D 3次 via C (12 % to C); E a DID candidate (12,000) outlying to A without the co-core
    /// conditions (works 890); H 1次 only through the core set as a whole (9.9 % to A +
    /// 5 % to F); G a core of its own (15,000; 6 % to F); I a core at first (DID 11,000)
    /// that sends 13 % to the 3次郊外 D, so it cannot stay a core and becomes a 4次郊外.
    fn chain() -> (Region, Uea) {
        let names = ["A", "B", "C", "D", "E", "F", "G", "H", "I"];
        let units: Vec<(MuniCode, &str, Kind)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (code(98201 + i as u32), *n, Kind::City))
            .collect();
        let (a, b, c, d, e, f, g, h, i) = (0, 1, 2, 3, 4, 5, 6, 7, 8);
        let flows = vec![
            (a, a, 1000),
            (b, a, 200),
            (b, b, 800),
            (c, b, 150),
            (c, a, 50),
            (c, c, 800),
            (d, c, 120),
            (d, b, 30),
            (d, d, 850),
            (e, a, 110),
            (e, e, 890),
            (f, a, 100),
            (f, f, 900),
            (g, f, 60),
            (g, g, 940),
            (h, a, 99),
            (h, f, 50),
            (h, h, 851),
            (i, d, 130),
            (i, i, 870),
        ];
        let region = Region::from_flows(
            &units,
            &[Some(100_000); 9],
            &flows,
            &[],
            MetricsParams::default(),
        );
        let did = [
            (a, 60_000),
            (e, 12_000),
            (f, 40_000),
            (g, 15_000),
            (i, 11_000),
        ]
        .into_iter()
        .map(|(u, p)| (code(98201 + u as u32), p))
        .collect();
        (region, Uea::new(did))
    }

    #[test]
    fn a_chain_of_suburbs_to_the_fourth_order() {
        let (region, p) = chain();
        let (areas, records) = uea_areas(&region, &p);
        assert_eq!(areas.len(), 2, "{areas:?}");
        let main = &areas[0];
        assert_eq!(main.cores, vec![0, 5], "A, then its co-core F");
        let got: Vec<(usize, u32, Option<usize>, u64)> = main
            .suburbs
            .iter()
            .map(|s| (s.unit, s.order, s.via, s.persons))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 1, None, 200),    // B: 20 % to A
                (4, 1, None, 110),    // E: outlying candidate, 11 % to A
                (7, 1, None, 149),    // H: 99 + 50 to A and F together
                (2, 2, Some(1), 150), // C: B is its largest target
                (3, 3, Some(2), 120), // D: via C
                (8, 4, Some(3), 130), // I: barred as a core, via D
            ]
        );
        assert_eq!(areas[1].cores, vec![6], "G stands alone");
        assert!(areas[1].suburbs.is_empty());
        let role = |u: usize| records.iter().find(|r| r.unit == u).unwrap();
        assert_eq!(role(0).role, "central municipality");
        assert!(role(0).note.starts_with("MEA"), "{}", role(0).note);
        assert_eq!(role(5).role, "co-core");
        assert_eq!(role(4).role, "suburb");
        assert!(!role(4).criteria[2].met, "E works 890 of 1,000");
        assert_eq!(role(8).role, "suburb");
        assert!(
            role(8)
                .note
                .contains("sends 0.1300 (130/1000) to 98204 D, a suburb in the 98201 A area"),
            "{}",
            role(8).note
        );
        assert_eq!(role(8).failed, vec!["u2_not_outlying"]);
        assert!(role(0).failed.is_empty() && role(5).failed.is_empty());
        assert_eq!(
            role(4).failed,
            vec!["u2_not_outlying", "u3_workplace_ratio", "u4_co_core_did"]
        );
        assert!(role(6).note.starts_with("McEA"), "{}", role(6).note);
    }

    #[test]
    fn the_co_core_needs_a_third_of_the_core_or_the_floor() {
        let (region, mut p) = chain();
        // F at 19,999 is below 60,000 / 3 and below 100,000: an ordinary suburb, and H's
        // 9.9 % to A alone no longer qualifies it.
        p.did.insert(code(98206), 19_999);
        let (areas, _) = uea_areas(&region, &p);
        assert_eq!(areas[0].cores, vec![0]);
        let suburbs: Vec<usize> = areas[0].suburbs.iter().map(|s| s.unit).collect();
        assert!(suburbs.contains(&5) && !suburbs.contains(&7), "{suburbs:?}");
    }

    #[test]
    fn scheme_areas_carry_orders_as_tiers_and_classes() {
        let (region, p) = chain();
        let out = p.delineate(&region);
        let a = &out.areas[0];
        assert_eq!(a.centre.units, vec![0, 5]);
        let tier = |u: usize| a.members.iter().find(|m| m.unit == u).unwrap();
        assert_eq!(tier(1).tier, Tier::One);
        assert_eq!(tier(2).tier, Tier::Two);
        assert_eq!(tier(2).rule, RULE_UEA_SUBURB2);
        assert_eq!(tier(8).rule, RULE_UEA_SUBURB4);
        assert_eq!(p.area_type(&region, a), "MEA");
        assert_eq!(p.area_type(&region, &out.areas[1]), "McEA");
    }
}
