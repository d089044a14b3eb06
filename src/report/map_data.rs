//! What a map shows: per unit, the areas it belongs to with tier and share; per area, its id,
//! name and colour. Built once and shared by the SVG, PNG and HTML writers.

use geo::{BoundingRect, InteriorPoint, MultiPolygon, Rect, Simplify};
use rayon::prelude::*;

use super::colour::{area_colours, Rgb};
use crate::areas::{Area, Tier};
use crate::region::Region;

/// One membership of a unit, for display.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRecord {
    /// Area index.
    pub area: usize,
    /// Tier.
    pub tier: Tier,
    /// Persons to the centre.
    pub persons: u64,
    /// Denominator.
    pub denominator: u64,
    /// The threshold as text.
    pub threshold: String,
    /// Rule in words.
    pub rule: &'static str,
}

/// The words a map uses for its scheme's roles (legends, headers, the map.html panel).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    /// The centre (`中心市`, `中心都市`, `代表市町村`).
    pub centre: &'static str,
    /// National legend: the centre and first tier.
    pub tier1_legend: &'static str,
    /// National legend: the second tier.
    pub tier2_legend: &'static str,
    /// Area map legend: the centre and first tier.
    pub tier1_area: &'static str,
    /// Area map legend: the second tier.
    pub tier2_area: &'static str,
    /// Short names of the two tiers (`1次`, `2次`).
    pub tiers: [&'static str; 2],
    /// The two tiers in map.html's panel (`1次圏`, `2次圏`).
    pub panel: [&'static str; 2],
    /// An area, in counts and notes (`候補圏域`).
    pub area: &'static str,
    /// What a centre's own figure counts, before it on area maps (`市内`: commuters staying in
    /// the centre; empty for a zone's label, whose figure is sent to the rest of its zone).
    pub centre_share: &'static str,
}

impl Terms {
    /// The words of scheme `id` (`renkei`, `teiju`, `uea`, `cz`; anything else: `renkei`'s).
    pub fn for_scheme(id: &str) -> Terms {
        match id {
            "teiju" => Terms {
                centre: "中心市",
                tier1_legend: "中心市・近隣市町村（通勤通学割合 ≥ 基準）",
                tier2_legend: "—",
                tier1_area: "中心市・近隣市町村（通勤通学割合 ≥ 基準）",
                tier2_area: "—",
                tiers: ["近隣", "—"],
                panel: ["近隣市町村", "—"],
                area: "候補圏域",
                centre_share: "市内 ",
            },
            "uea" => Terms {
                centre: "中心都市",
                tier1_legend: "中心都市・1次郊外（通勤割合 ≥ 基準）",
                tier2_legend: "2次以降の郊外",
                tier1_area: "中心都市・1次郊外（通勤割合 ≥ 基準）",
                tier2_area: "2次以降の郊外",
                tiers: ["1次郊外", "2次以降"],
                panel: ["1次郊外", "2次以降の郊外"],
                area: "都市雇用圏",
                centre_share: "中心都市内 ",
            },
            "cz" => Terms {
                centre: "代表市町村",
                tier1_legend: "通勤圏（代表市町村は従業・通学者が最多の市町村）",
                tier2_legend: "—",
                tier1_area: "通勤圏の市町村",
                tier2_area: "—",
                tiers: ["構成", "—"],
                panel: ["通勤圏の市町村", "—"],
                area: "通勤圏",
                centre_share: "",
            },
            _ => Terms::default(),
        }
    }
}

impl Default for Terms {
    /// 連携中枢都市圏's words.
    fn default() -> Self {
        Terms {
            centre: "中心市",
            tier1_legend: "中心市・1次圏（通勤通学割合 ≥ 基準）",
            tier2_legend: "2次圏（候補）",
            tier1_area: "中心市・1次（通勤通学割合 ≥ 基準）",
            tier2_area: "2次（候補）",
            tiers: ["1次", "2次"],
            panel: ["1次圏", "2次圏"],
            area: "候補圏域",
            centre_share: "市内 ",
        }
    }
}

/// Everything the map writers need.
pub struct MapData<'a> {
    /// The region.
    pub region: &'a Region,
    /// Areas.
    pub areas: &'a [Area],
    /// Area ids.
    pub ids: Vec<String>,
    /// Area titles (centre names, or the declared name).
    pub titles: Vec<String>,
    /// Area colours.
    pub colours: Vec<Rgb>,
    /// Memberships per unit.
    pub records: Vec<Vec<UnitRecord>>,
    /// Bounding box per unit.
    pub bboxes: Vec<Option<Rect<f64>>>,
    /// A point inside each unit for its label (see [`MapData::label_point`]), computed once.
    pub label_points: Vec<Option<geo::Coord<f64>>>,
    /// The dissolved outline of each area, computed once (in parallel, collected in area
    /// order) for every frame and map that draws it.
    pub outlines: Vec<MultiPolygon<f64>>,
    /// Title of the map.
    pub title: String,
    /// Central-city criteria of the cities evaluated: `None` for units not evaluated, else the
    /// failed criteria in Japanese words (empty = eligible).
    pub criteria: Vec<Option<Vec<String>>>,
    /// Declared areas (an audit): tier 1 means declared and meeting the threshold, tier 2
    /// declared below it (agreement only); legends and tables say so.
    pub declared: bool,
    /// Per area, municipalities meeting the threshold that are not declared members (an
    /// audit's "missing"): unit, persons to the centre, denominator. Drawn outlined.
    pub undeclared: Vec<Vec<(usize, u64, u64)>>,
    /// The scheme's words.
    pub terms: Terms,
}

impl<'a> MapData<'a> {
    /// What area `k`'s centre figure counts, before it: the scheme's word for one centre
    /// (`市内 `), or, for a two-centre area, `中心2市内 ` (each centre's commuters staying in
    /// either of the two cities, which is what the figure is).
    pub fn centre_share_label(&self, k: usize) -> &'static str {
        if self.terms.centre_share.is_empty() || self.areas[k].centre.units.len() < 2 {
            self.terms.centre_share
        } else {
            "中心2市内 "
        }
    }

    /// Collects the display data of `areas` over `region`.
    pub fn new(
        region: &'a Region,
        areas: &'a [Area],
        titles: Option<Vec<String>>,
        title: &str,
    ) -> Self {
        let ids: Vec<String> = areas.iter().map(|a| a.centre.id(region)).collect();
        let titles = titles.unwrap_or_else(|| {
            areas
                .iter()
                .map(|a| {
                    a.centre
                        .units
                        .iter()
                        .map(|&u| region.names[u].clone())
                        .collect::<Vec<_>>()
                        .join("・")
                })
                .collect()
        });
        let mut records: Vec<Vec<UnitRecord>> = vec![Vec::new(); region.len()];
        for (k, a) in areas.iter().enumerate() {
            for m in &a.members {
                records[m.unit].push(UnitRecord {
                    area: k,
                    tier: m.tier,
                    persons: m.persons,
                    denominator: m.denominator,
                    threshold: crate::rules::renkei::threshold_text(m.threshold),
                    rule: m.rule,
                });
            }
        }
        MapData {
            region,
            areas,
            ids,
            titles,
            colours: area_colours(region, areas),
            records,
            bboxes: region
                .shapes
                .iter()
                .map(|s| s.as_ref().and_then(|s| s.bounding_rect()))
                .collect(),
            label_points: (0..region.len())
                .into_par_iter()
                .map(|u| inner_point(region, u))
                .collect(),
            outlines: areas
                .par_iter()
                .map(|a| {
                    crate::geometry::dissolve(a.members.iter().filter_map(|m| region.shape(m.unit)))
                })
                .collect(),
            title: title.to_string(),
            criteria: vec![None; region.len()],
            declared: false,
            undeclared: vec![Vec::new(); areas.len()],
            terms: Terms::default(),
        }
    }

    /// The same data in the words of scheme `id` (see [`Terms::for_scheme`]).
    pub fn with_terms(mut self, id: &str) -> Self {
        self.terms = Terms::for_scheme(id);
        self
    }

    /// Marks the areas as declared ones, with the municipalities each is missing.
    pub fn declared(mut self, undeclared: Vec<Vec<(usize, u64, u64)>>) -> Self {
        self.declared = true;
        self.undeclared = undeclared;
        self
    }

    /// Attaches the central-city evaluation of each evaluated city.
    pub fn with_criteria(
        mut self,
        evaluations: &[crate::rules::CentreEvaluation],
        params: &crate::rules::RenkeiParams,
    ) -> Self {
        for e in evaluations {
            self.criteria[e.unit] = Some(e.failures_ja(params));
        }
        self
    }

    /// Replaces the ids (declared areas keep their own ids).
    pub fn with_ids(mut self, ids: Vec<String>) -> Self {
        self.ids = ids;
        self
    }

    /// A point inside unit `u` for its label: inside its largest part, so that an island does
    /// not carry the label.
    pub fn label_point(&self, u: usize) -> Option<geo::Coord<f64>> {
        self.label_points[u]
    }
}

fn inner_point(region: &Region, u: usize) -> Option<geo::Coord<f64>> {
    let shape = region.shape(u)?;
    let largest = shape
        .iter()
        .max_by(|a, b| geo::Area::unsigned_area(*a).total_cmp(&geo::Area::unsigned_area(*b)))?;
    largest.simplify(1e-4).interior_point().map(|p| p.0)
}
