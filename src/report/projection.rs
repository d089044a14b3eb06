//! Equirectangular projection with the longitude scaled by cos(36°), fitted into a pixel box.
//! Japan spans 20° of latitude, where this is within a few percent of equal-area.

use geo::{Coord, Rect};

/// Longitude scale factor: cos(36°).
const LON_SCALE: f64 = 0.809_016_994_374_947_5;

/// A lon/lat window drawn into a pixel box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Lon/lat window.
    pub window: Rect<f64>,
    /// Pixel box: x, y, width, height.
    pub px: (f64, f64, f64, f64),
    scale: f64,
    offset: (f64, f64),
}

impl Frame {
    /// Fits `window` into the pixel box, keeping the aspect ratio and centring it.
    pub fn fit(window: Rect<f64>, px: (f64, f64, f64, f64)) -> Self {
        let w = window.width() * LON_SCALE;
        let h = window.height();
        let scale = (px.2 / w).min(px.3 / h);
        let offset = (
            px.0 + (px.2 - w * scale) / 2.0,
            px.1 + (px.3 - h * scale) / 2.0,
        );
        Frame {
            window,
            px,
            scale,
            offset,
        }
    }

    /// Pixel position of a lon/lat coordinate.
    pub fn project(&self, c: Coord<f64>) -> (f64, f64) {
        let x = self.offset.0 + (c.x - self.window.min().x) * LON_SCALE * self.scale;
        let y = self.offset.1 + (self.window.max().y - c.y) * self.scale;
        (x, y)
    }

    /// Degrees of latitude per pixel (for simplification tolerances).
    pub fn degrees_per_px(&self) -> f64 {
        1.0 / self.scale
    }

    /// Pixels for `km` kilometres on the ground (111.32 km per degree of latitude).
    pub fn px_per_km(&self) -> f64 {
        self.scale / 111.32
    }

    /// Whether a lon/lat box overlaps the window.
    pub fn sees(&self, bbox: &Rect<f64>) -> bool {
        bbox.max().x >= self.window.min().x
            && bbox.min().x <= self.window.max().x
            && bbox.max().y >= self.window.min().y
            && bbox.min().y <= self.window.max().y
    }
}
