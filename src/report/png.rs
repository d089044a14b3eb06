//! SVG → PNG through resvg (pure Rust). Labels need a font with Japanese glyphs: the system's
//! fonts are searched (Debian: fonts-ipafont-gothic or fonts-noto-cjk), and a run without one
//! is an error rather than a map of empty boxes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use resvg::{tiny_skia, usvg};

/// A PNG that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// No installed font has Japanese glyphs.
    #[error("no font with Japanese glyphs found (looked for IPAGothic, IPAexGothic, Noto Sans CJK JP among the system fonts); install one, e.g. `apt-get install fonts-ipafont-gothic`, or pass --font FILE")]
    NoJapaneseFont,
    /// `--font FILE` that cannot be used.
    #[error("--font {path}: {reason}")]
    Font {
        /// Path.
        path: PathBuf,
        /// Reason.
        reason: String,
    },
    /// The SVG did not parse (an internal error).
    #[error("internal: SVG rejected by usvg: {0}")]
    Svg(String),
    /// Writing the PNG failed.
    #[error("{path}: cannot write PNG: {reason}")]
    Write {
        /// Path.
        path: PathBuf,
        /// Reason.
        reason: String,
    },
}

/// A font database with the system fonts (and `extra` if given), checked to contain a font
/// that renders 岡山.
///
/// # Errors
/// [`PngError::NoJapaneseFont`] when none does.
pub fn find_japanese_font(extra: Option<&Path>) -> Result<Arc<usvg::fontdb::Database>, PngError> {
    let mut db = usvg::fontdb::Database::new();
    db.load_system_fonts();
    if let Some(p) = extra {
        let before = db.len();
        db.load_font_file(p).map_err(|e| PngError::Font {
            path: p.to_path_buf(),
            reason: format!("cannot read: {e}"),
        })?;
        if db.len() == before {
            return Err(PngError::Font {
                path: p.to_path_buf(),
                reason: "not a font file (TrueType/OpenType .ttf, .otf or .ttc)".to_string(),
            });
        }
        if !db.faces().skip(before).any(is_japanese) {
            return Err(PngError::Font {
                path: p.to_path_buf(),
                reason: "this font has no Japanese glyphs (needed for the labels)".to_string(),
            });
        }
    }
    let has_japanese = db.faces().any(is_japanese);
    if has_japanese {
        Ok(Arc::new(db))
    } else {
        Err(PngError::NoJapaneseFont)
    }
}

/// Renders `svg` to a PNG file at its own size (`scale` 1) or larger.
///
/// # Errors
/// [`PngError`] if the SVG does not parse or the file cannot be written.
pub fn svg_to_png(
    svg: &str,
    fonts: Arc<usvg::fontdb::Database>,
    scale: f32,
    path: &Path,
) -> Result<(), PngError> {
    let options = usvg::Options {
        fontdb: fonts,
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PngError::Svg(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| PngError::Svg("empty size".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| PngError::Svg("empty pixmap".into()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap.encode_png().map_err(|e| PngError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    crate::io::write_atomic(path, |f| std::io::Write::write_all(f, &bytes)).map_err(|e| {
        PngError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })
}

/// A face that names itself in Japanese (IPAゴシック, Noto Sans CJK JP…) or is one of the known
/// Japanese families.
fn is_japanese(face: &usvg::fontdb::FaceInfo) -> bool {
    const KNOWN: [&str; 5] = [
        "IPAGothic",
        "IPAexGothic",
        "IPAPGothic",
        "Noto Sans CJK JP",
        "Noto Sans JP",
    ];
    face.families.iter().any(|(name, lang)| {
        *lang == usvg::fontdb::Language::Japanese_Japan || KNOWN.contains(&name.as_str())
    })
}
