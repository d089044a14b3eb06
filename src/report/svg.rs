//! SVG maps written by hand: projected, simplified to the display scale, one `<path>` per unit
//! and frame with `data-code`, pattern fills for municipalities in two or more areas.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{coord, BoundingRect, MultiPolygon, Rect, Simplify};

use super::colour::Rgb;
use super::map_data::MapData;
use super::projection::Frame;
use super::CREDIT;
use crate::areas::Tier;

/// Grey of a municipality in no area.
const NONE_FILL: &str = "#dedede";
/// Font families tried for labels (IPA Gothic from Debian's fonts-ipafont-gothic, Noto CJK).
pub const FONT_FAMILY: &str =
    "IPAGothic, 'IPAexGothic', 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif";

/// The national map's frames: name, lon/lat window, pixel box (x, y, w, h), inset border.
pub const NATIONAL_FRAMES: [(&str, [f64; 4], [f64; 4], bool); 3] = [
    (
        "main",
        [128.4, 30.2, 146.0, 45.6],
        [10.0, 40.0, 980.0, 950.0],
        false,
    ),
    (
        "okinawa",
        [122.9, 24.0, 131.4, 30.1],
        [20.0, 70.0, 300.0, 270.0],
        true,
    ),
    (
        "ogasawara",
        [139.6, 24.0, 142.4, 27.9],
        [850.0, 770.0, 130.0, 200.0],
        true,
    ),
];

fn frame(window: [f64; 4], px: [f64; 4]) -> Frame {
    Frame::fit(
        Rect::new(
            coord! { x: window[0], y: window[1] },
            coord! { x: window[2], y: window[3] },
        ),
        (px[0], px[1], px[2], px[3]),
    )
}

fn path_d(shape: &MultiPolygon<f64>, f: &Frame) -> String {
    let simplified = shape.simplify(0.4 * f.degrees_per_px());
    let mut d = String::new();
    for polygon in &simplified {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let mut last = (f64::NAN, f64::NAN);
            for (k, c) in ring.0.iter().enumerate() {
                let (x, y) = f.project(*c);
                let (x, y) = ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0);
                if (x, y) == last {
                    continue;
                }
                let _ = write!(d, "{}{x} {y}", if k == 0 { "M" } else { "L" });
                last = (x, y);
            }
            d.push('Z');
        }
    }
    d
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fill of unit `u`, registering stripe patterns in `patterns` (id → two colours).
fn fill(
    data: &MapData,
    u: usize,
    focus: Option<usize>,
    patterns: &mut BTreeMap<String, (Rgb, Rgb)>,
) -> String {
    let records = &data.records[u];
    let shade = |k: usize, tier: Tier| {
        if tier == Tier::Two {
            data.colours[k].tint(0.55)
        } else {
            data.colours[k]
        }
    };
    let visible: Vec<&super::map_data::UnitRecord> = match focus {
        Some(k) if !records.iter().any(|r| r.area == k) => Vec::new(),
        _ => records.iter().collect(),
    };
    match visible.len() {
        0 => NONE_FILL.to_string(),
        1 => shade(visible[0].area, visible[0].tier).hex(),
        _ => {
            // The focused area's colour first, then the other area's.
            let first = visible
                .iter()
                .find(|r| Some(r.area) == focus)
                .copied()
                .unwrap_or(visible[0]);
            let second = visible
                .iter()
                .find(|r| r.area != first.area)
                .copied()
                .expect("two areas");
            let (a, b) = (
                shade(first.area, first.tier),
                shade(second.area, second.tier),
            );
            let id = format!("ov{}{}", &a.hex()[1..], &b.hex()[1..]);
            patterns.insert(id.clone(), (a, b));
            format!("url(#{id})")
        }
    }
}

fn defs(patterns: &BTreeMap<String, (Rgb, Rgb)>) -> String {
    let mut s = String::from("<defs>");
    for (id, (a, b)) in patterns {
        let _ = write!(
            s,
            r#"<pattern id="{id}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="3" height="6" fill="{}"/><rect x="3" width="3" height="6" fill="{}"/></pattern>"#,
            a.hex(),
            b.hex()
        );
    }
    s.push_str("</defs>");
    s
}

fn legend(s: &mut String, x: f64, y: f64, sample: Rgb) {
    let items = [
        (sample.hex(), "中心市・1次圏（通勤通学割合 ≥ 基準）"),
        (sample.tint(0.55).hex(), "2次圏（候補）"),
        ("url(#legend-ov)".to_string(), "複数の圏域に属する市町村"),
        (NONE_FILL.to_string(), "圏域外"),
    ];
    let _ = write!(
        s,
        r#"<defs><pattern id="legend-ov" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="3" height="6" fill="{}"/><rect x="3" width="3" height="6" fill="{}"/></pattern></defs>"#,
        sample.hex(),
        super::colour::PALETTE[1].hex()
    );
    for (i, (fill, label)) in items.iter().enumerate() {
        let yy = y + i as f64 * 16.0;
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{yy}" width="14" height="11" fill="{fill}" stroke="#666" stroke-width="0.5"/><text x="{}" y="{}" font-size="11">{label}</text>"##,
            x + 20.0,
            yy + 10.0
        );
    }
}

fn scale_bar(s: &mut String, f: &Frame, x: f64, y: f64, km: f64) {
    let w = km * f.px_per_km();
    let _ = write!(
        s,
        r##"<g class="scale"><rect x="{x}" y="{y}" width="{w:.1}" height="4" fill="#333"/><rect x="{:.1}" y="{y}" width="{:.1}" height="4" fill="#fff" stroke="#333" stroke-width="0.5"/><text x="{x}" y="{}" font-size="10">0</text><text x="{:.1}" y="{}" font-size="10" text-anchor="end">{km} km</text></g>"##,
        x + w / 2.0,
        w / 2.0,
        y - 3.0,
        x + w,
        y - 3.0
    );
}

/// Draws every unit seen by `f`, the area outlines and the centre labels.
fn draw_frame(
    s: &mut String,
    data: &MapData,
    f: &Frame,
    clip: &str,
    focus: Option<usize>,
    labels: Labels,
    patterns: &mut BTreeMap<String, (Rgb, Rgb)>,
) {
    let region = data.region;
    let _ = write!(
        s,
        r#"<clipPath id="{clip}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath><g clip-path="url(#{clip})">"#,
        f.px.0, f.px.1, f.px.2, f.px.3
    );
    for u in 0..region.len() {
        let (Some(shape), Some(bbox)) = (region.shape(u), data.bboxes[u]) else {
            continue;
        };
        if !f.sees(&bbox) {
            continue;
        }
        let fill = fill(data, u, focus, patterns);
        let centre = data.records[u]
            .iter()
            .any(|r| r.tier == Tier::Centre && focus.is_none_or(|k| r.area == k));
        let (stroke, width) = if centre {
            ("#111", 1.0)
        } else {
            ("#ffffff", 0.35)
        };
        let _ = write!(
            s,
            r#"<path class="u" data-code="{}" d="{}" fill="{fill}" fill-rule="evenodd" stroke="{stroke}" stroke-width="{width}"><title>{}</title></path>"#,
            region.code(u),
            path_d(shape, f),
            esc(&region.names[u])
        );
    }
    // Area outlines.
    for (k, outline) in data.outlines.iter().enumerate() {
        if focus.is_some_and(|fk| fk != k) || !outline.bounding_rect().is_some_and(|b| f.sees(&b)) {
            continue;
        }
        let darker = Rgb(
            data.colours[k].0 / 2,
            data.colours[k].1 / 2,
            data.colours[k].2 / 2,
        );
        let _ = write!(
            s,
            r#"<path class="outline" data-area="{}" d="{}" fill="none" stroke="{}" stroke-width="1.1" pointer-events="none"/>"#,
            esc(&data.ids[k]),
            path_d(outline, f),
            darker.hex()
        );
    }
    // Labels: centres on the national map; every member with its share on an area map.
    // Greedy placement without overlaps: larger areas (by population) first.
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut text = |u: usize, line2: Option<String>, bold: bool, size: f64| {
        let Some(p) = data.label_point(u) else { return };
        let (x, y) = f.project(p);
        let name = &data.region.names[u];
        let lines = if line2.is_some() { 2.0 } else { 1.0 };
        let w = name.chars().count() as f64 * size + 4.0;
        let bbox = (
            x - w / 2.0,
            y - size - 1.0,
            x + w / 2.0,
            y + (lines - 1.0) * (size + 2.0) + 2.0,
        );
        if placed
            .iter()
            .any(|b| bbox.0 < b.2 && b.0 < bbox.2 && bbox.1 < b.3 && b.1 < bbox.3)
        {
            return;
        }
        placed.push(bbox);
        let weight = if bold { "bold" } else { "normal" };
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="{size}" font-weight="{weight}" text-anchor="middle" stroke="#fff" stroke-width="{}" paint-order="stroke" pointer-events="none">{}"##,
            size / 4.5,
            esc(name)
        );
        if let Some(l) = line2 {
            let _ = write!(
                s,
                r#"<tspan x="{x:.1}" dy="{}" font-size="{}">{l}</tspan>"#,
                size + 1.0,
                size - 1.0
            );
        }
        s.push_str("</text>");
    };
    match labels {
        Labels::Centres => {
            let mut order: Vec<usize> = (0..data.areas.len()).collect();
            order
                .sort_by_key(|&k| std::cmp::Reverse(data.areas[k].population(region).unwrap_or(0)));
            for k in order {
                if let Some(&u) = data.areas[k].centre.units.first() {
                    if data.bboxes[u].is_some_and(|b| f.sees(&b)) {
                        text(u, None, true, 9.0);
                    }
                }
            }
        }
        Labels::Members(k) => {
            let mut members: Vec<&crate::areas::Membership> =
                data.areas[k].members.iter().collect();
            members.sort_by_key(|m| (m.tier != Tier::Centre, std::cmp::Reverse(m.persons)));
            for m in members {
                let share = format!("{:.1}%", 100.0 * m.share());
                text(m.unit, Some(share), m.tier == Tier::Centre, 11.0);
            }
        }
    }
    s.push_str("</g>");
}

#[derive(Clone, Copy)]
enum Labels {
    Centres,
    Members(usize),
}

/// The national map: mainland, Okinawa and Ogasawara insets, legend, scale bar, credit.
pub fn national_svg(data: &MapData) -> String {
    let (w, h) = (1000.0, 1080.0);
    let mut body = String::new();
    let mut patterns = BTreeMap::new();
    let mut main_frame = None;
    for (name, window, px, inset) in NATIONAL_FRAMES {
        let f = frame(window, px);
        if inset {
            let _ = write!(
                body,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f4f8fb" stroke="#888" stroke-width="0.8"/>"##,
                px[0], px[1], px[2], px[3]
            );
        }
        draw_frame(
            &mut body,
            data,
            &f,
            &format!("clip-{name}"),
            None,
            Labels::Centres,
            &mut patterns,
        );
        if inset {
            let label = if name == "okinawa" {
                "沖縄・奄美・トカラ"
            } else {
                "小笠原"
            };
            let _ = write!(
                body,
                r##"<text x="{}" y="{}" font-size="10" fill="#555">{label}</text>"##,
                px[0] + 4.0,
                px[1] + 12.0
            );
        } else {
            main_frame = Some(f);
        }
    }
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}"><rect id="sea" width="{w}" height="{h}" fill="#f4f8fb"/>"##
    );
    s.push_str(&defs(&patterns));
    let _ = write!(
        s,
        r##"<text x="20" y="26" font-size="18" font-weight="bold">{}</text>"##,
        esc(&data.title)
    );
    s.push_str(&body);
    legend(&mut s, 20.0, 995.0, super::colour::PALETTE[0]);
    if let Some(f) = main_frame {
        scale_bar(&mut s, &f, 320.0, 1010.0, 200.0);
    }
    let _ = write!(
        s,
        r##"<text x="320" y="1040" font-size="10" fill="#444">{} 候補圏域 {} ／ 市町村 {}</text>"##,
        esc(&data.title),
        data.areas.len(),
        data.region.len()
    );
    let _ = write!(
        s,
        r##"<text x="20" y="1070" font-size="9" fill="#444">{}</text>"##,
        esc(CREDIT)
    );
    s.push_str("</svg>");
    s
}

/// One area zoomed: its members coloured (stripes where shared with another area), every
/// other municipality in view grey, names and shares on members.
pub fn area_svg(data: &MapData, k: usize) -> String {
    let area = &data.areas[k];
    let mut bbox: Option<Rect<f64>> = None;
    for m in &area.members {
        if let Some(b) = data.bboxes[m.unit] {
            bbox = Some(match bbox {
                None => b,
                Some(a) => Rect::new(
                    coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                    coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
                ),
            });
        }
    }
    let bbox = bbox
        .unwrap_or_else(|| Rect::new(coord! { x: 135.0, y: 34.0 }, coord! { x: 136.0, y: 35.0 }));
    let pad = (bbox.width().max(bbox.height()) * 0.12).max(0.05);
    let window = [
        bbox.min().x - pad,
        bbox.min().y - pad,
        bbox.max().x + pad,
        bbox.max().y + pad,
    ];
    let (w, h) = (800.0, 900.0);
    let f = frame(window, [0.0, 40.0, w, 760.0]);
    let mut body = String::new();
    let mut patterns = BTreeMap::new();
    draw_frame(
        &mut body,
        data,
        &f,
        "clip-area",
        Some(k),
        Labels::Members(k),
        &mut patterns,
    );
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}"><rect width="{w}" height="{h}" fill="#f4f8fb"/>"##
    );
    s.push_str(&defs(&patterns));
    let members = area
        .members
        .iter()
        .filter(|m| m.tier != Tier::Centre)
        .count();
    let _ = write!(
        s,
        r##"<text x="16" y="26" font-size="17" font-weight="bold">{} {}</text><text x="784" y="26" font-size="11" text-anchor="end" fill="#444">構成市町村 {members}</text>"##,
        esc(&data.ids[k]),
        esc(&data.titles[k])
    );
    s.push_str(&body);
    legend(&mut s, 16.0, 808.0, data.colours[k]);
    scale_bar(
        &mut s,
        &f,
        330.0,
        822.0,
        if f.px_per_km() > 4.0 { 20.0 } else { 50.0 },
    );
    let _ = write!(
        s,
        r##"<text x="16" y="892" font-size="8.5" fill="#444">{}</text>"##,
        esc(CREDIT)
    );
    s.push_str("</svg>");
    s
}
