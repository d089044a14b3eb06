//! Maps: the national PNG checked pixel by pixel, and map.html opened in a real headless
//! Chromium (DOM after the page's script ran, a real click event, a screenshot).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use geo::coord;
use resvg::tiny_skia::Pixmap;
use toshiken::areas::{delineate, Area};
use toshiken::commands::{build_region, Config, Timings, MAP_TITLE};
use toshiken::io::read_metro_areas;
use toshiken::region::Region;
use toshiken::report::{Frame, MapData, NATIONAL_FRAMES};
use toshiken::rules::{evaluate_centres, find_centres, MetroAreas, RenkeiParams};

use crate::common::real_dir;

/// Whether the machine can render Japanese labels; CI installs the font (see .ci/run), a
/// developer machine without one skips the map tests with a notice.
fn fonts_available() -> bool {
    if toshiken::report::find_japanese_font(None).is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install a Japanese font (see .ci/run)"
    );
    eprintln!("SKIPPED: no Japanese font (apt-get install fonts-ipafont-gothic)");
    false
}

/// `toshiken map --declared …` on the national data, once per test binary.
fn maps_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("maps");
        let data = real_dir();
        let run = Command::new(env!("CARGO_BIN_EXE_toshiken"))
            .args([
                "map",
                "-q",
                "--data",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .args(["--declared", data.join("declared").to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        out
    })
}

/// The national region and its candidate areas with the default rules, as `map` draws them.
fn national_areas() -> &'static (Region, Vec<Area>) {
    static AREAS: OnceLock<(Region, Vec<Area>)> = OnceLock::new();
    AREAS.get_or_init(|| {
        let config = Config {
            data: Some(real_dir()),
            verbose: false,
            ..Config::default()
        };
        let region = build_region(&config, &[], &mut Timings::default()).unwrap();
        let params = RenkeiParams::new(MetroAreas::from_rows(
            &read_metro_areas(None).unwrap().0,
            "built in",
        ));
        let areas = delineate(
            &region,
            &find_centres(&region, &evaluate_centres(&region, &params), &params),
            &params,
        );
        (region, areas)
    })
}

/// Values of `attr` on elements of `class` in an SVG written by toshiken.
fn tagged<'a>(svg: &'a str, class: &str, attr: &str) -> std::collections::BTreeSet<&'a str> {
    svg.split(&format!("class=\"{class}\" {attr}=\""))
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect()
}

#[test]
fn every_area_and_every_member_is_identified_on_its_map() {
    if !fonts_available() {
        return;
    }
    let dir = maps_dir();
    let (region, areas) = national_areas();
    let data = MapData::new(region, areas, None, MAP_TITLE);
    // National: each area by its name, or by a number that the key explains.
    let svg = std::fs::read_to_string(dir.join("map.svg")).unwrap();
    let named = tagged(&svg, "label", "data-area");
    let numbered = tagged(&svg, "badge", "data-area");
    let keyed = tagged(&svg, "key", "data-area");
    let ids: std::collections::BTreeSet<&str> = data.ids.iter().map(String::as_str).collect();
    assert_eq!(&named | &numbered, ids, "areas neither named nor numbered");
    assert!(named.is_disjoint(&numbered));
    assert_eq!(numbered, keyed, "every number is in the key");
    // Every centre carries the centre symbol.
    let marked = tagged(&svg, "centre", "data-code");
    for a in areas {
        for &u in &a.centre.units {
            let code = region.code(u).to_string();
            assert!(marked.contains(code.as_str()), "centre {code} unmarked");
        }
    }
    // Municipalities not drawn (beyond the frames) are in no area, and the footer counts them.
    let drawn: std::collections::BTreeSet<&str> = tagged(&svg, "u", "data-code");
    let off: Vec<usize> = (0..region.len())
        .filter(|&u| !drawn.contains(region.code(u).to_string().as_str()))
        .collect();
    for &u in &off {
        assert!(
            data.records[u].is_empty(),
            "{} is in an area but not drawn",
            region.code(u)
        );
    }
    assert!(
        svg.contains(&format!("地図の範囲外 {} 市町村", off.len())),
        "footer does not count the {} municipalities off the map",
        off.len()
    );
    // Area maps: every member named with its share or numbered, and listed in the table.
    for (k, a) in areas.iter().enumerate() {
        let svg = std::fs::read_to_string(dir.join("areas").join(format!("{}.svg", data.ids[k])))
            .unwrap();
        let named = tagged(&svg, "label", "data-code");
        let numbered = tagged(&svg, "badge", "data-code");
        let listed = tagged(&svg, "key", "data-code");
        let members: std::collections::BTreeSet<String> = a
            .members
            .iter()
            .map(|m| region.code(m.unit).to_string())
            .collect();
        let members: std::collections::BTreeSet<&str> =
            members.iter().map(String::as_str).collect();
        assert_eq!(
            &named | &numbered,
            members,
            "{}: members not identified",
            data.ids[k]
        );
        assert_eq!(listed, members, "{}: table", data.ids[k]);
    }
}

fn pixel(p: &Pixmap, x: f64, y: f64) -> (u8, u8, u8) {
    let c = p
        .pixel(x.round() as u32, y.round() as u32)
        .unwrap()
        .demultiply();
    (c.red(), c.green(), c.blue())
}

#[test]
fn national_png_has_the_area_colour_in_okayama_and_sea_elsewhere() {
    if !fonts_available() {
        return;
    }
    let dir = maps_dir();
    let png = Pixmap::load_png(dir.join("map.png")).unwrap();
    assert_eq!((png.width(), png.height()), (1500, 1620)); // 1000×1080 at 1.5×
                                                           // Colours the same way the map did.
    let (region, areas) = national_areas();
    let data = MapData::new(region, areas, None, MAP_TITLE);
    let k = data.ids.iter().position(|id| id == "C33100").unwrap();
    let (_, window, px, _) = NATIONAL_FRAMES[0];
    let f = Frame::fit(
        geo::Rect::new(
            coord! { x: window[0], y: window[1] },
            coord! { x: window[2], y: window[3] },
        ),
        (px[0], px[1], px[2], px[3]),
    );
    // Points well inside 岡山市 (a 0.03° ring around each inside too) on a 0.01° grid. The
    // city is ~30 px wide at 1.5× and carries its label, so each pixel there is either the area
    // colour or label ink (a neutral grey: black text, white halo); at least 40 % are the colour.
    let okayama = region.index_of(toshiken::MuniCode(33100)).unwrap();
    let shape = region.shape(okayama).unwrap();
    let inside = |lon: f64, lat: f64| {
        (0..8).all(|i| {
            let a = f64::from(i) * std::f64::consts::FRAC_PI_4;
            geo::Contains::contains(
                shape,
                &geo::Point::new(lon + 0.03 * a.cos(), lat + 0.03 * a.sin()),
            )
        })
    };
    let pixels: Vec<(u8, u8, u8)> = (0..40)
        .flat_map(|i| {
            (0..40).map(move |j| (133.7 + 0.01 * f64::from(i), 34.55 + 0.01 * f64::from(j)))
        })
        .filter(|&(lon, lat)| inside(lon, lat))
        .map(|(lon, lat)| f.project(coord! { x: lon, y: lat }))
        .map(|(x, y)| pixel(&png, x * 1.5, y * 1.5))
        .collect();
    let c = data.colours[k];
    let exact = pixels.iter().filter(|&&p| p == (c.0, c.1, c.2)).count();
    assert!(pixels.len() > 100, "{}", pixels.len());
    assert!(
        exact * 5 > pixels.len() * 2,
        "only {exact} of {} pixels in 岡山市 have the 岡山 colour",
        pixels.len()
    );
    for &p in &pixels {
        let neutral = p.0.abs_diff(p.1) < 8 && p.1.abs_diff(p.2) < 8;
        let mixed_with_colour = (p.0 >= p.1) && (p.1.abs_diff(p.2) < 8); // colour blended with ink
        assert!(
            p == (c.0, c.1, c.2) || neutral || mixed_with_colour,
            "unexpected colour {p:?} in 岡山市"
        );
    }
    // Pacific south of the Kii peninsula, and the Sea of Japan off Shimane: background.
    for (lon, lat) in [(135.0, 33.0), (132.0, 36.5)] {
        let (x, y) = f.project(coord! { x: lon, y: lat });
        assert_eq!(
            pixel(&png, x * 1.5, y * 1.5),
            (0xf4, 0xf8, 0xfb),
            "sea at {lon},{lat}"
        );
    }
    // 北海道 inland, in no area (中川町 01465 is far from any centre): grey.
    let nakagawa = region.index_of(toshiken::MuniCode(1465)).unwrap();
    assert!(data.records[nakagawa].is_empty());
    let p = data.label_point(nakagawa).unwrap();
    let (x, y) = f.project(p);
    assert_eq!(pixel(&png, x * 1.5, y * 1.5), (0xde, 0xde, 0xde));
    // The national SVG stays small.
    assert!(std::fs::metadata(dir.join("map.svg")).unwrap().len() < 5_000_000);
    assert!(dir.join("areas/C34207.png").exists() && dir.join("areas/C34207.svg").exists());
    // A centre's own figure: staying in the city for a single centre (倉敷市 75.4 %), staying
    // in either city for a pair (山口市: 86.1 % to 山口市 or 宇部市, of whom 81.5 % stay in
    // 山口市 itself), and labelled so.
    let kurashiki = std::fs::read_to_string(dir.join("areas/C33202.svg")).unwrap();
    assert!(kurashiki.contains("市内 75.4%"), "倉敷市");
    let pair = std::fs::read_to_string(dir.join("areas/C35202+35203.svg")).unwrap();
    assert!(
        pair.contains("中心2市内 86.1%") && pair.contains("中心2市内 85.5%"),
        "山口市+宇部市"
    );
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH")?
                .to_str()?
                .split(':')
                .map(|d| Path::new(d).join(name))
                .find(|p| p.exists())
        })
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--virtual-time-budget=15000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn map_html_works_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Chromium (see .ci/run)"
        );
        eprintln!("SKIPPED: no chromium on PATH (apt-get install chromium)");
        return;
    };
    if !fonts_available() {
        return;
    }
    let dir = maps_dir();
    let html = std::fs::read_to_string(dir.join("map.html")).unwrap();
    // Self-contained: nothing fetched from anywhere.
    for needle in ["<script src", "<link", "@import", "url(http", "src=\"http"] {
        assert!(
            !html.contains(needle),
            "map.html refers to an outside resource: {needle}"
        );
    }
    let svg = std::fs::read_to_string(dir.join("map.svg")).unwrap();
    let expected_paths = svg.matches("<path class=\"u\"").count();
    // Every municipality drawn in the mainland or an inset is in the page (the others, in no
    // area, are checked in every_area_and_every_member_is_identified_on_its_map).
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}#click=33207", dir.join("map.html").display());
    let dom = headless(&browser, profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not finish"
    );
    assert_eq!(
        dom.matches("<path class=\"u").count(),
        expected_paths,
        "municipality shapes in the DOM"
    );
    let list_items = dom.matches("<li data-area=").count();
    let areas_in_svg: std::collections::HashSet<&str> = svg
        .split("class=\"outline\" data-area=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(list_items, areas_in_svg.len(), "one list entry per area");
    // The click on 井原市 (a real MouseEvent dispatched by the page for #click=) shows its
    // candidate area and both declared areas with shares.
    let info = &dom[dom.find("<div id=\"info\"").expect("info panel")..];
    assert!(
        info.contains("33207 井原市"),
        "{}",
        &info[..info.len().min(2000)]
    );
    assert!(info.contains("C34207"), "candidate area 福山 missing");
    assert!(
        info.contains("data-declared=\"A01\"") && info.contains("data-declared=\"A02\""),
        "declared areas missing"
    );
    assert!(
        info.contains("15.3%") && info.contains("3.2%"),
        "shares missing"
    );
    assert!(
        dom.contains("class=\"u sel\""),
        "clicked shape not selected"
    );
    // The panel speaks Japanese only: the kind and the rule in words, no English record text.
    assert!(
        info.contains("市 ／ 人口 38,406"),
        "{}",
        &info[..info.len().min(600)]
    );
    for english in ["share to centre", "city ／", "eligible central city"] {
        assert!(
            !info[..info.find("</div>").unwrap()].contains(english),
            "{english} in the panel"
        );
    }

    // Choosing an area zooms to it: the viewBox shrinks around 岡山's area, municipality
    // names appear and the area labels give way to them.
    let dom = headless(&browser, profile.path())
        .arg("--window-size=1400,1000")
        .arg("--dump-dom")
        .arg(format!(
            "file://{}#area=C33100",
            dir.join("map.html").display()
        ))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    let svg_tag = &dom[dom.find("<svg").unwrap()..];
    let svg_tag = &svg_tag[..svg_tag.find('>').unwrap()];
    let vb: Vec<f64> = svg_tag
        .split("viewBox=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(vb[2] < 200.0, "not zoomed: viewBox {vb:?}");
    // 岡山市's office (133.93°E, 34.66°N) is inside the view.
    let (_, window, px, _) = NATIONAL_FRAMES[0];
    let f = Frame::fit(
        geo::Rect::new(
            coord! { x: window[0], y: window[1] },
            coord! { x: window[2], y: window[3] },
        ),
        (px[0], px[1], px[2], px[3]),
    );
    let (x, y) = f.project(coord! { x: 133.93, y: 34.66 });
    assert!(
        vb[0] < x && x < vb[0] + vb[2] && vb[1] < y && y < vb[1] + vb[3],
        "岡山 ({x}, {y}) outside {vb:?}"
    );
    assert!(svg_tag.contains("zoomed"), "{svg_tag}");
    assert!(
        dom.contains("id=\"names\" display=\"inline\""),
        "names hidden when zoomed"
    );

    // A screenshot that is not blank, kept as an artefact in target/tmp.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("map-html-screenshot.png");
    let run = headless(&browser, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1400,1000")
        .arg(format!(
            "file://{}#area=C33100",
            dir.join("map.html").display()
        ))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = Pixmap::load_png(&shot).unwrap();
    let mut colours = std::collections::HashSet::new();
    let mut not_white = 0usize;
    for p in png.pixels() {
        let c = p.demultiply();
        if (c.red(), c.green(), c.blue()) != (255, 255, 255) {
            not_white += 1;
        }
        colours.insert((c.red() / 16, c.green() / 16, c.blue() / 16));
    }
    assert!(
        not_white > png.pixels().len() / 2,
        "screenshot mostly blank: {not_white}"
    );
    assert!(
        colours.len() > 30,
        "screenshot has only {} colours",
        colours.len()
    );
}

#[test]
fn audit_maps_show_each_status_as_audit_csv_says() {
    if !fonts_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let run = crate::common::toshiken(&[
        "audit",
        "-q",
        "--data",
        data.to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
        "--declared",
        data.join("declared").to_str().unwrap(),
        "--html",
    ]);
    assert!(run.status.success(), "{}", crate::common::text(&run.stderr));
    let html = std::fs::read_to_string(tmp.path().join("audit.html")).unwrap();
    let csv = std::fs::read_to_string(tmp.path().join("audit.csv")).unwrap();
    // area → (code, status) from audit.csv (the status is the fifth field; quoted when it
    // holds a comma).
    let mut by_area: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = Default::default();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.splitn(5, ',').collect();
        let status = match f[4].strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap(),
            None => f[4].split(',').next().unwrap(),
        };
        by_area.entry(f[0]).or_default().push((f[2], status));
    }
    // Every declared area (data/…/declared/areas.csv, after its comment lines) is audited.
    let declared_areas = std::fs::read_to_string(data.join("declared/areas.csv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count()
        - 1;
    assert_eq!(by_area.len(), declared_areas);
    let mut missing_seen = 0;
    for (area, lines) in &by_area {
        let start = html.find(&format!("<h2 id=\"{area}\"")).unwrap();
        let svg_at = start + html[start..].find("<svg").unwrap();
        let svg = &html[svg_at..svg_at + html[svg_at..].find("</svg>").unwrap()];
        let undeclared = tagged(svg, "undeclared", "data-code");
        let listed = tagged(svg, "key", "data-code");
        let identified = &tagged(svg, "label", "data-code") | &tagged(svg, "badge", "data-code");
        for &(code, status) in lines {
            // Every line of the audit is on its area's map, named or numbered, and listed.
            assert!(
                listed.contains(code) && identified.contains(code),
                "{area} {code}"
            );
            let outlined = undeclared.contains(code);
            assert_eq!(
                outlined,
                status == "missing: meets threshold but not declared",
                "{area} {code} {status}"
            );
            missing_seen += usize::from(outlined);
        }
        let has = |s: &str| lines.iter().any(|l| l.1 == s);
        assert_eq!(
            svg.contains("基準以上だが宣言なし"),
            has("missing: meets threshold but not declared"),
            "{area}: legend"
        );
        assert_eq!(
            svg.contains("宣言済みで基準未満"),
            has("declared, below threshold (agreement only)"),
            "{area}: legend"
        );
    }
    // 坂出市 (37203) in 瀬戸・高松 (A08) and 倉敷市 (33202) in 岡山 (A21) meet 0.1 but are not
    // declared there.
    assert!(missing_seen >= 2);
    assert!(html.contains("基準以上だが宣言なし"));
}
