//! SVG maps written by hand: projected, simplified to the display scale, one `<path>` per unit
//! and frame with `data-code`, pattern fills for municipalities in two or more areas.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{coord, BoundingRect, MultiPolygon, Rect, Simplify};

use super::colour::Rgb;
use super::labels::{around, around_rings, text_width, Bbox, Placer};
use super::map_data::MapData;
use super::projection::Frame;
use super::{esc, CREDIT};
use crate::areas::Tier;

/// Grey of a municipality in no area.
const NONE_FILL: &str = "#dedede";
/// Font families tried for labels (IPA Gothic from Debian's fonts-ipafont-gothic, Noto CJK).
pub const FONT_FAMILY: &str =
    "IPAGothic, 'IPAexGothic', 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif";

/// The national map's frames: name, lon/lat window, pixel box (x, y, w, h), inset border. An
/// inset's window says which areas it is for; it is drawn around those areas' members, in at
/// most its pixel box, or left out when no area is there.
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
        [20.0, 70.0, 240.0, 220.0],
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

/// Draws every unit seen by `f` and the area outlines (labels come after every frame).
fn draw_frame(
    s: &mut String,
    data: &MapData,
    f: &Frame,
    clip: &str,
    focus: Option<usize>,
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
        let _ = write!(
            s,
            r##"<path class="u" data-code="{}" d="{}" fill="{fill}" fill-rule="evenodd" stroke="#ffffff" stroke-width="0.35"><title>{}</title></path>"##,
            region.code(u),
            path_d(shape, f),
            esc(&region.names[u])
        );
    }
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
    s.push_str("</g>");
}

/// The centre symbol: a white dot with a dark ring, and the box it blocks.
fn symbol(s: &mut String, code: &str, x: f64, y: f64) -> Bbox {
    let _ = write!(
        s,
        r##"<circle class="centre" data-code="{code}" cx="{x:.1}" cy="{y:.1}" r="3.4" fill="#fff" stroke="#111" stroke-width="1.5" pointer-events="none"/>"##
    );
    [x - 4.5, y - 4.5, x + 4.5, y + 4.5]
}

/// A thin line from a symbol at (`x`, `y`) to a label box that does not touch it.
fn leader(s: &mut String, x: f64, y: f64, b: &Bbox) {
    let (px, py) = (b[0].max(x.min(b[2])), b[1].max(y.min(b[3])));
    if (px - x).hypot(py - y) > 7.0 {
        let _ = write!(
            s,
            r##"<line class="leader" x1="{x:.1}" y1="{y:.1}" x2="{px:.1}" y2="{py:.1}" stroke="#333" stroke-width="0.6" pointer-events="none"/>"##
        );
    }
}

/// One line of text at the left of `b`, baseline near its bottom, with a white halo.
fn text_in(s: &mut String, class: &str, attr: &str, b: &Bbox, size: f64, bold: bool, text: &str) {
    let weight = if bold { "bold" } else { "normal" };
    let _ = write!(
        s,
        r##"<text class="{class}" {attr} x="{:.1}" y="{:.1}" font-size="{size}" font-weight="{weight}" stroke="#fff" stroke-width="{}" paint-order="stroke" pointer-events="none">{}</text>"##,
        b[0] + 1.0,
        b[3] - size * 0.22,
        size / 4.0,
        esc(text)
    );
}

/// Legend rows: a swatch (fill, or a centre symbol) and its text.
fn legend(s: &mut String, x: f64, y: f64, rows: &[(String, String)]) {
    for (i, (fill, label)) in rows.iter().enumerate() {
        let yy = y + i as f64 * 16.0;
        if fill == "symbol" {
            symbol(s, "", x + 7.0, yy + 5.5);
        } else if fill == "undeclared" {
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{yy}" width="14" height="11" fill="#fff" stroke="#b00020" stroke-width="2" stroke-dasharray="4 2"/>"##
            );
        } else {
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{yy}" width="14" height="11" fill="{fill}" stroke="#666" stroke-width="0.5"/>"##
            );
        }
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="11">{}</text>"##,
            x + 20.0,
            yy + 10.0,
            esc(label)
        );
    }
}

/// A stripe pattern for a legend swatch.
fn legend_stripes(s: &mut String, id: &str, a: Rgb, b: Rgb) -> String {
    let _ = write!(
        s,
        r#"<defs><pattern id="{id}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="3" height="6" fill="{}"/><rect x="3" width="3" height="6" fill="{}"/></pattern></defs>"#,
        a.hex(),
        b.hex()
    );
    format!("url(#{id})")
}

/// The lon/lat box of the members of the areas whose members lie in `window`, padded; `None`
/// when no area reaches it (the inset is then left out).
fn inset_content(data: &MapData, window: [f64; 4]) -> Option<Rect<f64>> {
    let inside = |b: &Rect<f64>| {
        let c = b.center();
        c.x >= window[0] && c.x <= window[2] && c.y >= window[1] && c.y <= window[3]
    };
    // Polygon by polygon: a unit whose islands spread far beyond the window (小笠原村 with
    // 沖ノ鳥島 and 南鳥島) is shown by its parts inside it.
    let mut content: Option<Rect<f64>> = None;
    for a in data.areas {
        for m in &a.members {
            let Some(shape) = data.region.shape(m.unit) else {
                continue;
            };
            for b in shape
                .0
                .iter()
                .filter_map(|p| p.bounding_rect())
                .filter(inside)
            {
                content = Some(match content {
                    None => b,
                    Some(c) => Rect::new(
                        coord! { x: c.min().x.min(b.min().x), y: c.min().y.min(b.min().y) },
                        coord! { x: c.max().x.max(b.max().x), y: c.max().y.max(b.max().y) },
                    ),
                });
            }
        }
    }
    let c = content?;
    let pad = (c.width().max(c.height()) * 0.25).max(0.08);
    Some(Rect::new(
        coord! { x: c.min().x - pad, y: c.min().y - pad },
        coord! { x: c.max().x + pad, y: c.max().y + pad },
    ))
}

/// A frame for `content` inside the pixel box `max` (x, y, w, h), shrunk to the content's
/// shape; `right` keeps the box's right edge where it was (the Ogasawara corner).
fn inset_frame(content: Rect<f64>, max: [f64; 4], right: bool) -> Frame {
    let probe = Frame::fit(content, (0.0, 0.0, max[2], max[3]));
    let (x0, y0) = probe.project(coord! { x: content.min().x, y: content.max().y });
    let (x1, y1) = probe.project(coord! { x: content.max().x, y: content.min().y });
    let (w, h) = ((x1 - x0).ceil(), (y1 - y0).ceil());
    let x = if right { max[0] + max[2] - w } else { max[0] };
    Frame::fit(content, (x, max[1], w, h))
}

/// Where centre unit `u` is drawn: the frame that shows it and its pixel position.
fn locate(data: &MapData, frames: &[(Frame, Bbox)], u: usize) -> Option<(usize, f64, f64)> {
    let p = data.label_point(u)?;
    // The main frame first, where the point is not under an inset; an inset's padded window
    // may also reach the mainland (鹿児島市 beside the Tokara islands of its zone).
    for (i, (f, b)) in frames.iter().enumerate() {
        let (x, y) = f.project(p);
        let seen = f.sees(&Rect::new(p, p));
        let inside = x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
        let under_inset = i == 0
            && frames[1..]
                .iter()
                .any(|(_, ib)| x >= ib[0] && x <= ib[2] && y >= ib[1] && y <= ib[3]);
        if seen && inside && !under_inset {
            return Some((i, x, y));
        }
    }
    None
}

/// The national map: the main frame, insets for the areas beyond it (Okinawa, Ogasawara; left
/// out when no area is there), every centre marked, every area named where its name fits and
/// numbered with a key where it does not, legend, scale bar, credit.
pub fn national_svg(data: &MapData) -> String {
    national_svg_with(data, false)
}

/// [`national_svg`], with (for map.html) every municipality's name in a hidden group
/// `<g id="names">` that the page shows when zoomed in.
pub fn national_svg_with(data: &MapData, names: bool) -> String {
    let (w, h) = (1000.0, 1080.0);
    let mut body = String::new();
    let mut patterns = BTreeMap::new();
    let (_, window, px, _) = NATIONAL_FRAMES[0];
    let main = frame(window, px);
    draw_frame(&mut body, data, &main, "clip-main", None, &mut patterns);
    let mut frames: Vec<(Frame, Bbox)> = vec![(main, [px[0], px[1], px[0] + px[2], px[1] + px[3]])];
    for (name, window, px, _) in &NATIONAL_FRAMES[1..] {
        let Some(content) = inset_content(data, *window) else {
            continue;
        };
        let f = inset_frame(content, *px, *name == "ogasawara");
        let b = [f.px.0, f.px.1, f.px.0 + f.px.2, f.px.1 + f.px.3];
        let _ = write!(
            body,
            r##"<rect class="inset" data-inset="{name}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#f4f8fb" stroke="#888" stroke-width="0.8"/>"##,
            f.px.0, f.px.1, f.px.2, f.px.3
        );
        draw_frame(
            &mut body,
            data,
            &f,
            &format!("clip-{name}"),
            None,
            &mut patterns,
        );
        // The Okinawa window also reaches 奄美 and トカラ (鹿児島県) when an area has members there.
        let label = match *name {
            "okinawa" if content.max().y > 27.2 => "南西諸島（拡大）",
            "okinawa" => "沖縄（拡大）",
            _ => "小笠原（拡大）",
        };
        let _ = write!(
            body,
            r##"<text x="{}" y="{}" font-size="10" fill="#555">{label}</text>"##,
            f.px.0 + 4.0,
            f.px.1 + 12.0
        );
        scale_bar(
            &mut body,
            &f,
            f.px.0 + 6.0,
            f.px.1 + f.px.3 - 16.0,
            nice_km(f.px.2 * 0.35 / f.px_per_km()),
        );
        frames.push((f, b));
    }
    // The key of numbered areas sits in the Sea of Japan below the Okinawa inset (no land
    // there west of 133°E and north of 37°N); it is reserved before any label is placed.
    let key_top = frames
        .iter()
        .skip(1)
        .map(|(_, b)| b)
        .filter(|b| b[0] < 100.0)
        .map(|b| b[3] + 18.0)
        .fold(80.0, f64::max);
    // Where the key of numbered areas goes: first the Sea of Japan below the inset; when the
    // numbered areas do not fit there (the dense schemes: hundreds of areas), also the rest of
    // the Sea of Japan west of Noto and the Pacific south-east of Tokyo, in a smaller type, and
    // every label is placed again around the larger reserve.
    // The Pacific box ends left of the Ogasawara inset when that is drawn.
    let pacific_right = frames
        .iter()
        .skip(1)
        .map(|(_, b)| b)
        .filter(|b| b[0] > 500.0)
        .map(|b| b[0] - 10.0)
        .fold(990.0, f64::min);
    let layouts: [KeyLayout; 3] = [
        KeyLayout {
            boxes: vec![[20.0, key_top - 12.0, 300.0, 575.0]],
            font: 10.5,
            line: 14.0,
            column: Some(140.0),
        },
        KeyLayout {
            boxes: vec![
                [20.0, key_top - 12.0, 470.0, 575.0],
                [700.0, 735.0, pacific_right, 965.0],
            ],
            font: 9.0,
            line: 11.5,
            column: None,
        },
        KeyLayout {
            boxes: vec![
                [20.0, key_top - 12.0, 470.0, 575.0],
                [700.0, 735.0, pacific_right, 965.0],
            ],
            font: 7.5,
            line: 9.5,
            column: None,
        },
    ];
    let mut drawn = None;
    for (attempt, layout) in layouts.iter().enumerate() {
        let boxes = &layout.boxes;
        let mut placers: Vec<Placer> = frames
            .iter()
            .enumerate()
            .map(|(i, (_, b))| {
                let mut p = Placer::new(*b);
                if i == 0 {
                    for b in boxes {
                        p.block(*b);
                    }
                    for (_, ib) in &frames[1..] {
                        p.block([ib[0] - 3.0, ib[1] - 3.0, ib[2] + 3.0, ib[3] + 3.0]);
                    }
                }
                p
            })
            .collect();
        // Centre symbols first, so that no label covers one.
        let mut anchors: Vec<Option<(usize, f64, f64)>> = Vec::with_capacity(data.areas.len());
        let mut marks = String::new();
        // Every symbol with its frame and area, so that no label sits nearer another centre.
        let mut symbols: Vec<(usize, usize, f64, f64)> = Vec::new();
        for (k, a) in data.areas.iter().enumerate() {
            let mut first = None;
            for &u in &a.centre.units {
                if let Some((i, x, y)) = locate(data, &frames, u) {
                    let b = symbol(&mut marks, &data.region.code(u).to_string(), x, y);
                    placers[i].block(b);
                    symbols.push((k, i, x, y));
                    first = first.or(Some((i, x, y)));
                }
            }
            anchors.push(first);
        }
        // Candidates whose nearest symbol is their own area's (a label beside another centre
        // reads as that centre's).
        let own = |k: usize, i: usize, candidates: Vec<Bbox>, x: f64, y: f64| -> Vec<Bbox> {
            candidates
                .into_iter()
                .filter(|b| {
                    let (cx, cy) = (b[0].max(x.min(b[2])), b[1].max(y.min(b[3])));
                    let d0 = (cx - x).hypot(cy - y);
                    !symbols.iter().any(|&(k2, i2, x2, y2)| {
                        k2 != k && i2 == i && {
                            let (px, py) = (b[0].max(x2.min(b[2])), b[1].max(y2.min(b[3])));
                            (px - x2).hypot(py - y2) < d0
                        }
                    })
                })
                .collect()
        };
        // Names, larger areas first; what does not fit gets a number and a key entry.
        let mut order: Vec<usize> = (0..data.areas.len()).collect();
        order.sort_by_key(|&k| {
            std::cmp::Reverse(data.areas[k].population(data.region).unwrap_or(0))
        });
        let mut unplaced = Vec::new();
        let mut labels = String::new();
        for &k in &order {
            let Some((i, x, y)) = anchors[k] else {
                unplaced.push(k);
                continue;
            };
            let name = &data.titles[k];
            let size = 9.0;
            let candidates = own(
                k,
                i,
                around(x, y, text_width(name, size) + 2.0, size + 3.0, 5.0, false),
                x,
                y,
            );
            match placers[i].place(&candidates) {
                Some(c) => {
                    let attr = format!(r#"data-area="{}""#, esc(&data.ids[k]));
                    leader(&mut labels, x, y, &candidates[c]);
                    text_in(
                        &mut labels,
                        "label",
                        &attr,
                        &candidates[c],
                        size,
                        true,
                        name,
                    );
                }
                None => unplaced.push(k),
            }
        }

        // Numbers in area order, so that the key reads north to south.
        unplaced.sort_unstable();
        let entries: Vec<String> = unplaced.iter().map(|&k| data.titles[k].clone()).collect();
        let last = attempt + 1 == layouts.len();
        let (spots, fits) = layout.place(&entries);
        if !fits && !last {
            continue;
        }
        let mut key = String::new();
        if !unplaced.is_empty() {
            let _ = write!(
                key,
                r##"<text x="20" y="{key_top:.1}" font-size="11" font-weight="bold">地図上の番号</text>"##
            );
        }
        for (n, &k) in unplaced.iter().enumerate() {
            let number = (n + 1).to_string();
            let attr = format!(r#"data-area="{}""#, esc(&data.ids[k]));
            if let Some((i, x, y)) = anchors[k] {
                let size = 9.0;
                // Further out before overlapping anything (dense schemes number a hundred
                // areas), with a leader line back to the centre when set apart.
                let candidates = around_rings(
                    x,
                    y,
                    text_width(&number, size) + 2.0,
                    size + 3.0,
                    &[4.0, 10.0, 16.0, 24.0, 34.0, 46.0, 60.0],
                    false,
                );
                let c = placers[i].place_or_force(&candidates);
                leader(&mut labels, x, y, &candidates[c]);
                text_in(
                    &mut labels,
                    "badge",
                    &attr,
                    &candidates[c],
                    size,
                    true,
                    &number,
                );
            }
            let (x, y) = spots[n];
            let _ = write!(
                key,
                r##"<text class="key" {attr} x="{x:.1}" y="{y:.1}" font-size="{}"><tspan font-weight="bold">{number}</tspan> {}</text>"##,
                layout.font,
                esc(&data.titles[k])
            );
        }
        drawn = Some((marks, labels, key));
        break;
    }
    let (marks, labels, key) = drawn.expect("a layout is always drawn");
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
    if names {
        s.push_str(r##"<g id="names" display="none" pointer-events="none">"##);
        for u in 0..data.region.len() {
            if let Some((_, x, y)) = locate(data, &frames, u) {
                // A centre's name goes below its symbol (em: it scales with the font).
                let centre = data.records[u].iter().any(|r| r.tier == Tier::Centre);
                let _ = write!(
                    s,
                    r##"<text class="mn" x="{x:.1}" y="{y:.1}"{} font-size="3" text-anchor="middle" stroke="#fff" stroke-width="0.6" paint-order="stroke">{}</text>"##,
                    if centre { r#" dy="1.3em""# } else { "" },
                    esc(&data.region.names[u])
                );
            }
        }
        s.push_str("</g>");
    }
    s.push_str(&marks);
    s.push_str(&labels);
    s.push_str(&key);
    let sample = super::colour::PALETTE[0];
    let stripes = legend_stripes(&mut s, "legend-ov", sample, super::colour::PALETTE[1]);
    legend(
        &mut s,
        20.0,
        995.0 - 16.0,
        &[
            ("symbol".into(), data.terms.centre.into()),
            (sample.hex(), data.terms.tier1_legend.into()),
            (sample.tint(0.55).hex(), data.terms.tier2_legend.into()),
            (stripes, "複数の圏域に属する市町村".into()),
            (NONE_FILL.into(), "圏域外".into()),
        ]
        .into_iter()
        .filter(|(_, label)| label != "—")
        // Stripes only where a municipality is in two areas (never in a partition).
        .filter(|(_, label)| {
            label != "複数の圏域に属する市町村" || data.records.iter().any(|r| r.len() > 1)
        })
        .collect::<Vec<_>>(),
    );
    scale_bar(&mut s, &main, 320.0, 1010.0, 200.0);
    // Municipalities beyond every frame are in no area (an inset covers every area's members); the
    // footer says how many are not drawn.
    let off_map: Vec<usize> = (0..data.region.len())
        .filter(|&u| data.bboxes[u].is_some_and(|b| !frames.iter().any(|(f, _)| f.sees(&b))))
        .collect();
    let off_in_area = off_map
        .iter()
        .filter(|&&u| !data.records[u].is_empty())
        .count();
    // A few are named (小笠原村), many only counted.
    let named = |units: &[usize]| -> String {
        if units.len() <= 3 {
            format!(
                "（{}）",
                units
                    .iter()
                    .map(|&u| data.region.names[u].as_str())
                    .collect::<Vec<_>>()
                    .join("・")
            )
        } else {
            String::new()
        }
    };
    let _ = write!(
        s,
        r##"<text x="320" y="1040" font-size="10" fill="#444">{} {} ／ 市町村 {}{}</text>"##,
        data.terms.area,
        data.areas.len(),
        data.region.len(),
        match (off_map.len(), off_in_area) {
            (0, _) => String::new(),
            (n, 0) => format!(
                "（地図の範囲外 {n} 市町村{}：いずれの{}にも属さない）",
                named(&off_map),
                data.terms.area
            ),
            (n, m) => format!(
                "（地図の範囲外 {n} 市町村{}、うち {m} は{}に属する：areas.csv を参照）",
                named(&off_map),
                data.terms.area
            ),
        }
    );
    let _ = write!(
        s,
        r##"<text x="20" y="1070" font-size="9" fill="#444">{}</text>"##,
        esc(CREDIT)
    );
    s.push_str("</svg>");
    s
}

/// Where and how the national map's key of numbered areas is set.
struct KeyLayout {
    /// Boxes filled column by column; the first starts below its heading.
    boxes: Vec<Bbox>,
    /// Type size.
    font: f64,
    /// Line spacing.
    line: f64,
    /// Fixed column width, or `None` for the widest entry of each column.
    column: Option<f64>,
}

impl KeyLayout {
    /// The baseline position of each entry (`N name`), and whether they all fit in the boxes
    /// (entries that do not continue in further columns right of the last box).
    fn place(&self, entries: &[String]) -> (Vec<(f64, f64)>, bool) {
        let mut out = Vec::with_capacity(entries.len());
        let mut next = 0usize;
        let mut x = 0.0;
        for (bi, b) in self.boxes.iter().enumerate() {
            // The first box's heading takes its first line (28 px: heading and a gap).
            let top = if bi == 0 {
                b[1] + 28.0
            } else {
                b[1] + self.line
            };
            let rows = ((b[3] - top) / self.line).floor().max(0.0) as usize + 1;
            x = b[0];
            while next < entries.len() {
                let column = next..(next + rows).min(entries.len());
                let width = self.column.unwrap_or_else(|| {
                    column
                        .clone()
                        .map(|n| text_width(&format!("{} {}", n + 1, entries[n]), self.font))
                        .fold(0.0, f64::max)
                        + 10.0
                });
                if x + width > b[2] + 1.0 {
                    break;
                }
                for (row, _) in column.clone().enumerate() {
                    out.push((x, top + row as f64 * self.line));
                }
                next = column.end;
                x += width;
            }
        }
        let fits = next == entries.len();
        // Overflow: more columns of the last box's size, past its edge.
        let b = self.boxes[self.boxes.len() - 1];
        let top = b[1] + self.line;
        let rows = ((b[3] - top) / self.line).floor().max(0.0) as usize + 1;
        for (n, _) in entries.iter().enumerate().skip(next) {
            let row = (n - next) % rows;
            let col = (n - next) / rows;
            out.push((x + col as f64 * 120.0, top + row as f64 * self.line));
        }
        (out, fits)
    }
}

/// A round scale-bar length near `km`.
fn nice_km(km: f64) -> f64 {
    [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
        .into_iter()
        .rev()
        .find(|&n| n <= km)
        .unwrap_or(1.0)
}

/// A row of an area map's table (and its label).
struct Entry {
    unit: usize,
    row: Row,
    persons: u64,
    denominator: u64,
}

/// What a row of an area map's table is, in table order (centre, tier 1, tier 2, undeclared).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Row {
    Member(Tier),
    /// Meets the threshold, not declared (audit maps).
    Undeclared,
}

/// The row kind in words: candidate tiers, or an audit's statuses.
fn row_ja(row: Row, declared: bool, terms: &super::Terms) -> &'static str {
    match (row, declared) {
        (Row::Member(Tier::Centre), _) => terms.centre,
        (Row::Member(Tier::One), false) => terms.tiers[0],
        (Row::Member(Tier::Two), false) => terms.tiers[1],
        (Row::Member(Tier::One), true) => "基準以上",
        (Row::Member(Tier::Two), true) => "基準未満（協定）",
        (Row::Undeclared, _) => "宣言なし",
    }
}

/// One area zoomed: its members coloured (stripes where shared with another area), every
/// other municipality in view grey; each member named with its share where the name fits,
/// numbered where it does not, and every member listed in the numbered table beside the map.
pub fn area_svg(data: &MapData, k: usize) -> String {
    let area = &data.areas[k];
    let region = data.region;
    let mut bbox: Option<Rect<f64>> = None;
    let units = area
        .members
        .iter()
        .map(|m| m.unit)
        .chain(data.undeclared[k].iter().map(|u| u.0));
    for u in units {
        if let Some(b) = data.bboxes[u] {
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
    let map_w = 800.0;
    let f = frame(window, [0.0, 40.0, map_w, 760.0]);
    let mut body = String::new();
    let mut patterns = BTreeMap::new();
    draw_frame(&mut body, data, &f, "clip-area", Some(k), &mut patterns);

    // Rows in table order: centre, tier 1, tier 2, then (audits) the undeclared, each by
    // share (exact).
    let mut members: Vec<Entry> = area
        .members
        .iter()
        .map(|m| Entry {
            unit: m.unit,
            row: Row::Member(m.tier),
            persons: m.persons,
            denominator: m.denominator,
        })
        .chain(
            data.undeclared[k]
                .iter()
                .map(|&(unit, persons, denominator)| Entry {
                    unit,
                    row: Row::Undeclared,
                    persons,
                    denominator,
                }),
        )
        .collect();
    members.sort_by(|a, b| {
        a.row.cmp(&b.row).then_with(|| {
            (u128::from(b.persons) * u128::from(a.denominator))
                .cmp(&(u128::from(a.persons) * u128::from(b.denominator)))
        })
    });
    // The undeclared: a dashed outline over whatever fill they have.
    for e in members.iter().filter(|e| e.row == Row::Undeclared) {
        if let Some(shape) = region.shape(e.unit) {
            let _ = write!(
                body,
                r##"<path class="undeclared" data-code="{}" d="{}" fill="none" stroke="#b00020" stroke-width="2" stroke-dasharray="5 3" pointer-events="none"/>"##,
                region.code(e.unit),
                path_d(shape, &f)
            );
        }
    }
    let mut placer = Placer::new([0.0, 40.0, map_w, 800.0]);
    let mut marks = String::new();
    let anchors: Vec<Option<(f64, f64)>> = members
        .iter()
        .map(|m| data.label_point(m.unit).map(|p| f.project(p)))
        .collect();
    let is_centre = |e: &Entry| e.row == Row::Member(Tier::Centre);
    // A member that is the centre of another area: that area's title.
    let centre_elsewhere = |e: &Entry| {
        data.records[e.unit]
            .iter()
            .find(|r| r.tier == Tier::Centre && r.area != k)
            .map(|r| data.titles[r.area].clone())
    };
    for (m, a) in members.iter().zip(&anchors) {
        if let (true, Some((x, y))) = (is_centre(m) || centre_elsewhere(m).is_some(), a) {
            placer.block(symbol(&mut marks, &region.code(m.unit).to_string(), *x, *y));
        }
    }
    // The share as the table shows it (the centre's is of its own residents staying in it).
    let share_text = |m: &Entry| {
        let share = 100.0 * m.persons as f64 / m.denominator as f64;
        match m.row {
            Row::Member(Tier::Centre) => format!("{}{share:.1}%", data.centre_share_label(k)),
            _ => format!("{share:.1}%"),
        }
    };
    let mut labels = String::new();
    let mut numbered = vec![false; members.len()];
    for (n, (m, a)) in members.iter().zip(&anchors).enumerate() {
        let Some((x, y)) = *a else {
            numbered[n] = true;
            continue;
        };
        let name = &region.names[m.unit];
        let line2 = match m.row {
            Row::Member(Tier::Centre) => data.terms.centre.to_string(),
            Row::Undeclared => format!("宣言なし {}", share_text(m)),
            Row::Member(_) => share_text(m),
        };
        let (size, size2) = (11.0, 10.0);
        let w = text_width(name, size).max(text_width(&line2, size2)) + 4.0;
        let h = size + size2 + 5.0;
        let centred = !is_centre(m);
        let candidates = around(x, y, w, h, 5.0, centred);
        let attr = format!(r#"data-code="{}""#, region.code(m.unit));
        match placer.place(&candidates) {
            Some(c) => {
                let b = candidates[c];
                let cx = (b[0] + b[2]) / 2.0;
                let weight = if is_centre(m) { "bold" } else { "normal" };
                let _ = write!(
                    labels,
                    r##"<text class="label" {attr} x="{cx:.1}" y="{:.1}" font-size="{size}" font-weight="{weight}" text-anchor="middle" stroke="#fff" stroke-width="2.6" paint-order="stroke" pointer-events="none">{}<tspan x="{cx:.1}" dy="{}" font-size="{size2}" font-weight="normal">{}</tspan></text>"##,
                    b[1] + size,
                    esc(name),
                    size2 + 2.0,
                    esc(&line2)
                );
            }
            None => numbered[n] = true,
        }
    }
    for (n, (m, a)) in members.iter().zip(&anchors).enumerate() {
        let (true, Some((x, y))) = (numbered[n], *a) else {
            continue;
        };
        let number = (n + 1).to_string();
        let size = 10.0;
        let candidates = around_rings(
            x,
            y,
            text_width(&number, size) + 3.0,
            size + 3.0,
            &[3.0, 8.0, 14.0, 22.0, 32.0, 44.0],
            true,
        );
        let c = placer.place_or_force(&candidates);
        leader(&mut labels, x, y, &candidates[c]);
        let attr = format!(r#"data-code="{}""#, region.code(m.unit));
        text_in(
            &mut labels,
            "badge",
            &attr,
            &candidates[c],
            size,
            true,
            &number,
        );
    }

    // The table: every member with its number, tier and share.
    let rows_per_col = 66usize;
    let cols = members.len().div_ceil(rows_per_col).max(1);
    let elsewhere = |m: &Entry| {
        centre_elsewhere(m)
            .map(|t| format!("（{t}圏の{}）", data.terms.centre))
            .unwrap_or_default()
    };
    let row_text = |n: usize, m: &Entry| {
        format!(
            "{} {} {} {}{}",
            n + 1,
            region.names[m.unit],
            row_ja(m.row, data.declared, &data.terms),
            share_text(m),
            elsewhere(m)
        )
    };
    let col_w = members
        .iter()
        .enumerate()
        .map(|(n, m)| text_width(&row_text(n, m), 9.5) + 14.0)
        .fold(150.0, f64::max);
    let w = (map_w + 16.0 + cols as f64 * col_w).ceil();
    let mut table = String::new();
    let _ = write!(
        table,
        r##"<text x="{}" y="58" font-size="11" font-weight="bold">番号・市町村・区分・割合</text>"##,
        map_w + 12.0
    );
    for (n, m) in members.iter().enumerate() {
        let (col, row) = (n / rows_per_col, n % rows_per_col);
        let x = map_w + 12.0 + col as f64 * col_w;
        let y = 74.0 + row as f64 * 12.2;
        let _ = write!(
            table,
            r##"<text class="key" data-code="{}" x="{x:.1}" y="{y:.1}" font-size="9.5"><tspan font-weight="bold">{}</tspan> {} <tspan fill="#555">{} {}{}</tspan></text>"##,
            region.code(m.unit),
            n + 1,
            esc(&region.names[m.unit]),
            row_ja(m.row, data.declared, &data.terms),
            share_text(m),
            esc(&elsewhere(m))
        );
    }

    let count = |t: Tier| area.members.iter().filter(|m| m.tier == t).count();
    // The legend's rows decide the height: centre, tier 1, then tier 2, stripes and
    // undeclared only when drawn, and outside.
    let legend_rows = 3
        + usize::from(count(Tier::Two) > 0)
        + usize::from(!patterns.is_empty())
        + usize::from(!data.undeclared[k].is_empty());
    let credit_y = (800.0 + legend_rows as f64 * 16.0 + 8.0).max(892.0);
    let h = credit_y + 8.0;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}"><rect width="{w}" height="{h}" fill="#f4f8fb"/><rect x="{map_w}" width="{}" height="{h}" fill="#fff"/>"##,
        w - map_w
    );
    s.push_str(&defs(&patterns));
    let _ = write!(
        s,
        r##"<text x="16" y="26" font-size="17" font-weight="bold">{}</text><text x="{}" y="26" font-size="11" text-anchor="end" fill="#444">{}</text>"##,
        esc(&data.titles[k]),
        map_w - 16.0,
        if data.declared {
            format!(
                "中心市 {} ＋ 構成市町村 {}（基準以上 {}・基準未満 {}）／ 宣言なし {}",
                count(Tier::Centre),
                count(Tier::One) + count(Tier::Two),
                count(Tier::One),
                count(Tier::Two),
                data.undeclared[k].len()
            )
        } else {
            format!(
                "{} {} ＋ 構成市町村 {}（{} {}{}）",
                data.terms.centre,
                count(Tier::Centre),
                count(Tier::One) + count(Tier::Two),
                data.terms.tiers[0],
                count(Tier::One),
                // A scheme without a second tier does not name one.
                if data.terms.tiers[1] == "—" {
                    String::new()
                } else {
                    format!("・{} {}", data.terms.tiers[1], count(Tier::Two))
                }
            )
        }
    );
    s.push_str(&body);
    s.push_str(&marks);
    s.push_str(&labels);
    s.push_str(&table);
    let c = data.colours[k];
    let (one, two, other, outside) = if data.declared {
        (
            "中心市・宣言済みで基準以上",
            "宣言済みで基準未満（協定による構成）",
            "他の宣言圏域にも属する",
            "この圏域の宣言外",
        )
    } else {
        (
            data.terms.tier1_area,
            data.terms.tier2_area,
            "他の圏域にも属する",
            "圏域外",
        )
    };
    let mut rows = vec![
        ("symbol".to_string(), data.terms.centre.to_string()),
        (c.hex(), one.to_string()),
    ];
    if count(Tier::Two) > 0 {
        rows.push((c.tint(0.55).hex(), two.to_string()));
    }
    // The stripes exactly as drawn: the first pattern of this map, if any.
    if let Some((a, b)) = patterns.values().next() {
        let fill = legend_stripes(&mut s, "legend-ov", *a, *b);
        rows.push((fill, other.to_string()));
    }
    if !data.undeclared[k].is_empty() {
        rows.push(("undeclared".to_string(), "基準以上だが宣言なし".to_string()));
    }
    rows.push((NONE_FILL.to_string(), outside.to_string()));
    legend(&mut s, 16.0, 800.0, &rows);
    scale_bar(
        &mut s,
        &f,
        330.0,
        822.0,
        if f.px_per_km() > 4.0 { 20.0 } else { 50.0 },
    );
    let _ = write!(
        s,
        r##"<text x="330" y="852" font-size="10" fill="#444">{}</text><text x="16" y="{credit_y}" font-size="8.5" fill="#444">{}</text>"##,
        esc(&data.title),
        esc(CREDIT)
    );
    s.push_str("</svg>");
    s
}
