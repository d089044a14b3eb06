//! Maps and reports people can look at: SVG written here, PNG through resvg, one
//! self-contained HTML map, and the audit as HTML.

mod colour;
mod html;
mod labels;
mod map_data;
mod png;
mod projection;
mod report_html;
mod svg;

pub use colour::{area_colours, Rgb, PALETTE};
pub use html::{audit_html, map_html, DeclaredByUnit};
pub use map_data::{MapData, Terms, UnitRecord};
pub use png::{find_japanese_font, svg_to_png, PngError};
pub use projection::Frame;
pub use report_html::{report_html, ReportRun};
pub use svg::{area_svg, national_svg, national_svg_with, NATIONAL_FRAMES};

/// Text escaped for HTML and SVG (text and attribute values).
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Credit line the sources ask for.
pub const CREDIT: &str = "出典：政府統計の総合窓口(e-Stat)、総務省『令和2年国勢調査』（加工して作成）／国土交通省国土数値情報（行政区域データ）を加工して作成";
