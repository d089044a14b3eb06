//! Label placement without overlaps: boxes are tried at positions around an anchor, in order,
//! and the first one that stays inside the bounds and clear of everything placed (labels,
//! symbols, insets, keys) is taken. A label that fits nowhere is not dropped: the caller puts
//! a number there instead and lists it in a key, so every area and member stays identified.

/// A box in pixels: left, top, right, bottom.
pub type Bbox = [f64; 4];

/// Width in pixels of `text` at `size`: full-width characters one em, others 0.6 em.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * size
}

/// Boxes taken so far, within bounds.
#[derive(Clone, Debug)]
pub struct Placer {
    bounds: Bbox,
    taken: Vec<Bbox>,
}

impl Placer {
    /// Nothing placed yet; labels must stay inside `bounds`.
    pub fn new(bounds: Bbox) -> Self {
        Placer {
            bounds,
            taken: Vec::new(),
        }
    }

    /// Marks `b` as taken (a symbol, an inset, a key).
    pub fn block(&mut self, b: Bbox) {
        self.taken.push(b);
    }

    /// Whether `b` is inside the bounds and overlaps nothing taken.
    pub fn is_free(&self, b: &Bbox) -> bool {
        b[0] >= self.bounds[0]
            && b[1] >= self.bounds[1]
            && b[2] <= self.bounds[2]
            && b[3] <= self.bounds[3]
            && !self
                .taken
                .iter()
                .any(|t| b[0] < t[2] && t[0] < b[2] && b[1] < t[3] && t[1] < b[3])
    }

    /// Takes the first free box among `candidates` and returns its index.
    pub fn place(&mut self, candidates: &[Bbox]) -> Option<usize> {
        let k = candidates.iter().position(|b| self.is_free(b))?;
        self.taken.push(candidates[k]);
        Some(k)
    }
}

impl Placer {
    /// [`place`](Self::place), or — when nothing is free — the first candidate anyway, taken
    /// too (a number must be drawn even where it overlaps).
    pub fn place_or_force(&mut self, candidates: &[Bbox]) -> usize {
        self.place(candidates).unwrap_or_else(|| {
            self.taken.push(candidates[0]);
            0
        })
    }
}

/// Boxes of size `w`×`h` around the point (`x`, `y`): centred on it when `centred`, then to
/// the right, left, above, below and the four diagonals at `gap` pixels, then the same twice as
/// far out.
pub fn around(x: f64, y: f64, w: f64, h: f64, gap: f64, centred: bool) -> Vec<Bbox> {
    around_rings(x, y, w, h, &[gap, 2.5 * gap], centred)
}

/// [`around`] with the rings at the given gaps (for numbers, which may sit further out
/// rather than on someone else's label).
pub fn around_rings(x: f64, y: f64, w: f64, h: f64, gaps: &[f64], centred: bool) -> Vec<Bbox> {
    let mut out = Vec::with_capacity(1 + 8 * gaps.len());
    if centred {
        out.push([x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0]);
    }
    for &g in gaps {
        out.extend([
            [x + g, y - h / 2.0, x + g + w, y + h / 2.0],
            [x - g - w, y - h / 2.0, x - g, y + h / 2.0],
            [x - w / 2.0, y - g - h, x + w / 2.0, y - g],
            [x - w / 2.0, y + g, x + w / 2.0, y + g + h],
            [x + g, y - g - h, x + g + w, y - g],
            [x + g, y + g, x + g + w, y + g + h],
            [x - g - w, y - g - h, x - g, y - g],
            [x - g - w, y + g, x - g, y + g + h],
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_free_position_is_taken_and_blocks_the_next() {
        let mut p = Placer::new([0.0, 0.0, 100.0, 100.0]);
        let c = around(50.0, 50.0, 20.0, 10.0, 4.0, true);
        assert_eq!(p.place(&c), Some(0)); // centred: [40, 45, 60, 55]
                                          // The same label again: centred is taken; to the right at 54..74 overlaps 40..60? No:
                                          // it starts at x + gap = 54 < 60, so it overlaps; left ends at 46 > 40: overlaps;
                                          // above: y 36..46 overlaps 45..55 by one pixel; below: 54..64 overlaps too; the
                                          // first diagonal (right, above: x 54..74, y 36..46) overlaps in x and y; all eight at
                                          // gap 4 overlap, so the first of the far ring (right at 60..80) is taken.
        assert_eq!(p.place(&c), Some(9));
        // Out of bounds is never free.
        assert!(!p.is_free(&[95.0, 0.0, 105.0, 10.0]));
    }

    #[test]
    fn full_width_characters_count_one_em() {
        assert_eq!(text_width("岡山市", 10.0), 30.0);
        assert_eq!(text_width("10.7%", 10.0), 30.0);
    }
}
