//! The one abstraction every delineation implements: a [`Scheme`] turns a [`Region`] into
//! centres with their decision records and areas with a decision record per membership
//! ([`Outcome`]). Everything after that — overlaps, contiguity, dissolve, the CSV, GeoJSON,
//! GeoPackage and workbook writers, the maps and the report — is shared and never knows which
//! scheme ran.
//!
//! The schemes: [`Renkei`] (連携中枢都市圏, `renkei.rs`), [`super::teiju::Teiju`] (定住自立圏),
//! [`super::uea::Uea`] (都市雇用圏, Kanemoto–Tokuoka) and [`super::cz::Cz`] (commuting zones).

use crate::areas::{delineate, Area};
use crate::region::{MergeError, Region};

use super::renkei::{evaluate_centres, find_centres, pair_candidates};
use super::{CentreEvaluation, PairCandidate, RenkeiParams};

/// One criterion of one evaluated unit: its id (the column in centres.csv), the value in
/// words and whether it is met.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// Column id, e.g. `t1_population`.
    pub id: &'static str,
    /// Column of the flag, e.g. `t1_population_met`.
    pub flag: &'static str,
    /// The value as written to centres.csv (exact where the rule is exact).
    pub value: String,
    /// Whether the criterion holds.
    pub met: bool,
}

/// The decision record of one unit a scheme evaluated as a possible centre.
#[derive(Clone, Debug, PartialEq)]
pub struct CentreRecord {
    /// Unit index.
    pub unit: usize,
    /// Every criterion, in the same order for every record of a scheme.
    pub criteria: Vec<Criterion>,
    /// What the unit became, in words (`centre`, `joint centre`, `co-core`, `not a centre`…).
    pub role: &'static str,
    /// Why, in words (the partner of a pair, the core it depends on…); empty when the
    /// criteria say it all.
    pub note: String,
    /// The criteria whose failure decided against the unit being a centre (empty for a
    /// centre). Not every criterion that does not hold: a UEA co-core test does not apply to a
    /// core, and a co-core is outlying by definition.
    pub failed: Vec<&'static str>,
}

/// One step of a scheme's method, with the clause or paper it implements and the value used
/// (written to clauses.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct MethodStep {
    /// Step id.
    pub id: &'static str,
    /// The clause or paper, in words.
    pub implements: String,
    /// The value or reading this run used.
    pub value_used: String,
}

/// The 連携中枢都市圏 tables that only that scheme has (centres.csv's clause columns,
/// pairs.csv, the Japanese failure texts).
#[derive(Clone, Debug, Default)]
pub struct RenkeiDetail {
    /// Clauses per evaluated city.
    pub evaluations: Vec<CentreEvaluation>,
    /// Admissible pairs (or the requested one) with the choice made.
    pub pairs: Vec<PairCandidate>,
}

/// What a scheme produced.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Decision record of every unit evaluated as a centre (empty for commuting zones, which
    /// have none).
    pub records: Vec<CentreRecord>,
    /// The areas, each with its centre first and a decision record per member.
    pub areas: Vec<Area>,
    /// The method, step by step.
    pub method: Vec<MethodStep>,
    /// For 連携中枢都市圏 only.
    pub renkei: Option<RenkeiDetail>,
}

/// A delineation scheme.
pub trait Scheme: Sync {
    /// Short id, the value of `--scheme` (`renkei`, `teiju`, `uea`, `cz`).
    fn id(&self) -> &'static str;
    /// Name in Japanese, for titles (`連携中枢都市圏`).
    fn name_ja(&self) -> &'static str;
    /// Whether a unit may belong to two areas (1-to-1 agreements) or not (a partition).
    fn allows_overlaps(&self) -> bool;
    /// The units the scheme works on: the region itself, or the region with units merged
    /// (the UEA counts Tokyo's 23 special wards as one). Mergers the user asked for are applied
    /// before.
    ///
    /// # Errors
    /// When the scheme's merger cannot be applied to this region.
    fn units(&self, region: Region) -> Result<Region, MergeError> {
        Ok(region)
    }
    /// Centres, records and areas.
    fn delineate(&self, region: &Region) -> Outcome;
    /// The type of an area in areas.csv and the maps (`single`, `pair (複眼型)`, `MEA` …).
    fn area_type(&self, _region: &Region, area: &Area) -> String {
        if area.centre.is_pair() {
            "pair (複眼型)"
        } else {
            "single"
        }
        .to_string()
    }
}

/// 連携中枢都市圏 (連携中枢都市圏構想推進要綱; see `renkei.rs`).
pub struct Renkei<'a>(pub &'a RenkeiParams);

impl Scheme for Renkei<'_> {
    fn id(&self) -> &'static str {
        "renkei"
    }
    fn name_ja(&self) -> &'static str {
        "連携中枢都市圏"
    }
    fn allows_overlaps(&self) -> bool {
        true
    }
    fn delineate(&self, region: &Region) -> Outcome {
        let params = self.0;
        let evaluations = evaluate_centres(region, params);
        let pairs = pair_candidates(region, &evaluations, params);
        let centres = find_centres(region, &evaluations, params);
        let areas = delineate(region, &centres, params);
        Outcome {
            records: Vec::new(),
            areas,
            method: Vec::new(),
            renkei: Some(RenkeiDetail { evaluations, pairs }),
        }
    }
}

/// Every rule text of every scheme (memberships.csv's `rule`) in Japanese, as map.html's panel and
/// the workbook show it.
pub const RULES_JA: &[(&str, &str)] = &[
    (
        crate::areas::RULE_CENTRE,
        "連携中枢都市の要件を満たす中心市",
    ),
    (crate::areas::RULE_PAIR_CENTRE, "複眼型の中心市（要綱第9）"),
    (crate::areas::RULE_TIER1, "中心市への通勤通学割合が基準以上"),
    (
        crate::areas::RULE_TIER2,
        "最も多く通う中心市への割合が2次の下限以上で、圏域に隣接",
    ),
    ("declared member", "宣言済みの構成市町村"),
    (
        super::teiju::RULE_TEIJU_CENTRE,
        "定住自立圏の中心市（人口4万人超・昼夜間人口比率1以上・三大都市圏外）",
    ),
    (
        super::teiju::RULE_TEIJU_PAIR,
        "複眼型中心市（隣接する2市、合計人口4万人超）",
    ),
    (
        super::teiju::RULE_TEIJU_MEMBER,
        "中心市への通勤通学割合が基準以上（通勤通学10%圏）",
    ),
    (
        super::uea::RULE_UEA_CORE,
        "中心都市（DID人口1万人以上、他の中心都市の郊外でない）",
    ),
    (
        super::uea::RULE_UEA_CO_CORE,
        "副次中心（従業常住比1以上、DID人口10万人以上または中心の1/3以上）",
    ),
    (
        super::uea::RULE_UEA_SUBURB1,
        "1次郊外（中心都市への通勤割合が基準以上）",
    ),
    (
        super::uea::RULE_UEA_SUBURB2,
        "2次郊外（1次郊外への割合が基準以上で最大の通勤先）",
    ),
    (
        super::uea::RULE_UEA_SUBURB3,
        "3次郊外（2次郊外への割合が基準以上で最大の通勤先）",
    ),
    (super::uea::RULE_UEA_SUBURB4, "4次以降の郊外"),
    (
        crate::areas::RULE_ZONE_LABEL,
        "通勤圏の代表（通勤通学者が最多の市町村）",
    ),
    (
        crate::areas::RULE_ZONE_MEMBER,
        "通勤圏の市町村（平均連結法、非類似度が切断値未満）",
    ),
];
