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
    if !db.faces().any(is_japanese) {
        return Err(PngError::NoJapaneseFont);
    }
    keep_japanese_in_memory(&mut db);
    Ok(Arc::new(db))
}

/// Reads the files of the Japanese faces into memory once. A face loaded from a file is
/// memory-mapped again for every run of text shaped with it, and unmapping it in a process
/// with worker threads flushes every core's TLB (14 % of `map`'s samples; the maps stage
/// went from 1.9 s to 1.1 s). A file that cannot be read keeps its mapped face.
fn keep_japanese_in_memory(db: &mut usvg::fontdb::Database) {
    let mut files: Vec<(PathBuf, Vec<usvg::fontdb::ID>)> = Vec::new();
    for face in db.faces().filter(|f| is_japanese(f)) {
        if let usvg::fontdb::Source::File(path) = &face.source {
            match files.iter_mut().find(|(p, _)| p == path) {
                Some((_, ids)) => ids.push(face.id),
                None => files.push((path.clone(), vec![face.id])),
            }
        }
    }
    for (path, ids) in files {
        if let Ok(bytes) = std::fs::read(&path) {
            for id in ids {
                db.remove_face(id);
            }
            db.load_font_data(bytes);
        }
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
    let bytes = encode_png(&pixmap).map_err(|e| PngError::Write {
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

/// RGBA PNG of `pixmap` (demultiplied in place of tiny-skia's copy), compressed with the
/// png crate's fast DEFLATE: the balanced level took the maps stage from 0.91 s to 1.1 s for
/// files a quarter smaller (area PNGs 12 MB instead of 16 MB).
fn encode_png(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let rgba: Vec<u8> = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.write_header()?.write_image_data(&rgba)?;
    Ok(bytes)
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
