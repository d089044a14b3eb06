//! A decoder for the one Parquet layout that zone ODs come in: a flat INT32 column chunk,
//! dictionary-encoded or plain, uncompressed, zstd or snappy, data pages v1 or v2, with no
//! nulls. It decodes a chunk page by page into a sink (straight into the matrix), with one
//! reused zstd context and reused buffers per thread, and without materialising definition
//! levels. The parquet crate's column reader, which the caller falls back to, does the same
//! work through a new decompression context and a zeroed buffer per page, a definition level
//! per value and an intermediate vector (about a fifth of the load's CPU time at 10^8 flows).
//!
//! Anything else — another encoding or codec, a null, a nested column, a page that does not
//! add up — returns `None`, and the caller reads the chunk with the crate instead. Nothing
//! here trusts a size without checking it against the bytes it has.
//!
//! Format: <https://parquet.apache.org/docs/file-format/> (page headers in Thrift compact
//! protocol; the RLE / bit-packing hybrid for levels and dictionary indices).

use std::cell::RefCell;
use std::fs::File;
use std::os::unix::fs::FileExt;

use super::parquet_check::Thrift;

/// Where decoded values go.
pub(crate) trait Int32Sink {
    /// `count` rows of `value`.
    fn repeat(&mut self, value: i32, count: usize) -> Option<()>;
    /// Rows of these values, in order.
    fn values(&mut self, values: &[i32]) -> Option<()>;
}

/// The codecs read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    Uncompressed,
    Zstd,
    Snappy,
}

/// One column chunk: its bytes in the file, codec, maximum definition level (0 or 1) and
/// value count.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunk {
    pub start: u64,
    pub len: u64,
    pub codec: Codec,
    pub max_def: i16,
    pub rows: usize,
}

/// A thread's reused buffers.
struct Scratch {
    chunk: Vec<u8>,
    page: Vec<u8>,
    dictionary: Vec<i32>,
    indices: Vec<i32>,
    zstd: Option<zstd::bulk::Decompressor<'static>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        chunk: Vec::new(),
        page: Vec::new(),
        dictionary: Vec::new(),
        indices: Vec::with_capacity(BATCH),
        zstd: None,
    });
}

/// Values unpacked per step (a few kB, in cache).
const BATCH: usize = 1024;

/// Page types and encodings of the format.
const DATA_PAGE: i32 = 0;
const DICTIONARY_PAGE: i32 = 2;
const DATA_PAGE_V2: i32 = 3;
const PLAIN: i32 = 0;
const PLAIN_DICTIONARY: i32 = 2;
const RLE: i32 = 3;
const RLE_DICTIONARY: i32 = 8;

/// The fields of a page header used here.
#[derive(Debug, Default)]
struct Header {
    length: usize,
    kind: i32,
    uncompressed: i32,
    compressed: i32,
    num_values: i32,
    encoding: i32,
    def_encoding: i32,
    /// v2 only.
    num_nulls: i32,
    def_len: i32,
    rep_len: i32,
    is_compressed: bool,
}

fn read_header(buf: &[u8]) -> Option<Header> {
    let mut t = Thrift { buf, at: 0 };
    let mut h = Header {
        is_compressed: true,
        def_encoding: RLE,
        ..Header::default()
    };
    let mut seen = [false; 3];
    t.fields(0, &mut |id, ty, t| {
        match (id, ty) {
            (1, 5) => {
                h.kind = t.i32()?;
                seen[0] = true;
            }
            (2, 5) => {
                h.uncompressed = t.i32()?;
                seen[1] = true;
            }
            (3, 5) => {
                h.compressed = t.i32()?;
                seen[2] = true;
            }
            (5 | 7 | 8, 12) => sub_fields(id, t, &mut h)?,
            _ => return Ok(false),
        }
        Ok(true)
    })
    .ok()?;
    h.length = t.at;
    (seen.iter().all(|&s| s)
        && h.uncompressed >= 0
        && h.compressed >= 0
        && h.num_values >= 0
        && h.def_len >= 0
        && h.rep_len >= 0)
        .then_some(h)
}

/// The fields of a data, dictionary or v2 data page header (`id` 5, 7 or 8).
fn sub_fields(id: i16, t: &mut Thrift<'_>, h: &mut Header) -> Result<(), String> {
    t.fields(1, &mut |sub, ty, t| {
        match (id, sub, ty) {
            (5 | 7 | 8, 1, 5) => h.num_values = t.i32()?,
            (5 | 7, 2, 5) | (8, 4, 5) => h.encoding = t.i32()?,
            (5, 3, 5) => h.def_encoding = t.i32()?,
            (8, 2, 5) => h.num_nulls = t.i32()?,
            (8, 5, 5) => h.def_len = t.i32()?,
            (8, 6, 5) => h.rep_len = t.i32()?,
            // A bool's value is its type: 1 true, 2 false.
            (8, 7, 1 | 2) => h.is_compressed = ty == 1,
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// Decodes `chunk` of `file` into `sink`; `None` on anything unusual (see the module).
pub(crate) fn decode_chunk(file: &File, chunk: Chunk, sink: &mut dyn Int32Sink) -> Option<()> {
    if chunk.max_def > 1 || chunk.len > (1 << 31) {
        return None;
    }
    SCRATCH.with(|scratch| {
        let scratch = &mut *scratch.try_borrow_mut().ok()?;
        let Scratch {
            chunk: bytes,
            page,
            dictionary,
            indices,
            zstd,
        } = scratch;
        // Grown when needed, never cleared: the read overwrites what it uses.
        let len = chunk.len as usize;
        if bytes.len() < len {
            bytes.resize(len, 0);
        }
        let bytes = &mut bytes[..len];
        file.read_exact_at(bytes, chunk.start).ok()?;
        dictionary.clear();
        let mut has_dictionary = false;
        let mut rows = 0usize;
        let mut at = 0usize;
        while at < len {
            let h = read_header(&bytes[at..])?;
            at += h.length;
            let body = bytes.get(at..at.checked_add(h.compressed as usize)?)?;
            at += h.compressed as usize;
            match h.kind {
                DICTIONARY_PAGE => {
                    if has_dictionary || !matches!(h.encoding, PLAIN | PLAIN_DICTIONARY) {
                        return None;
                    }
                    let plain = decompress(chunk.codec, body, h.uncompressed, page, zstd)?;
                    let n = h.num_values as usize;
                    if plain.len() < n.checked_mul(4)? {
                        return None;
                    }
                    dictionary.extend(
                        plain[..4 * n]
                            .chunks_exact(4)
                            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    );
                    has_dictionary = true;
                }
                DATA_PAGE => {
                    let n = h.num_values as usize;
                    let plain = decompress(chunk.codec, body, h.uncompressed, page, zstd)?;
                    let mut data: &[u8] = plain;
                    if chunk.max_def == 1 {
                        if h.def_encoding != RLE || data.len() < 4 {
                            return None;
                        }
                        let len = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
                        let levels = data.get(4..4usize.checked_add(len)?)?;
                        all_present(levels, n)?;
                        data = &data[4 + len..];
                    }
                    values(
                        data,
                        h.encoding,
                        n,
                        dictionary,
                        has_dictionary,
                        indices,
                        sink,
                    )?;
                    rows = rows.checked_add(n)?;
                }
                DATA_PAGE_V2 => {
                    let n = h.num_values as usize;
                    // No nulls, no repetition: the levels are skipped.
                    if h.num_nulls != 0 || h.rep_len != 0 {
                        return None;
                    }
                    let levels = h.def_len as usize;
                    let rest = body.get(levels..)?;
                    let data: &[u8] = if h.is_compressed {
                        let uncompressed = h.uncompressed.checked_sub(h.def_len)?;
                        decompress(chunk.codec, rest, uncompressed, page, zstd)?
                    } else {
                        rest
                    };
                    values(
                        data,
                        h.encoding,
                        n,
                        dictionary,
                        has_dictionary,
                        indices,
                        sink,
                    )?;
                    rows = rows.checked_add(n)?;
                }
                // Index pages carry nothing to decode; anything else is unknown here.
                _ => return None,
            }
        }
        (rows == chunk.rows).then_some(())
    })
}

/// The page's data, decompressed into `page` (or the body itself when uncompressed).
fn decompress<'a>(
    codec: Codec,
    body: &'a [u8],
    uncompressed: i32,
    page: &'a mut Vec<u8>,
    zstd: &mut Option<zstd::bulk::Decompressor<'static>>,
) -> Option<&'a [u8]> {
    let size = usize::try_from(uncompressed).ok()?;
    match codec {
        Codec::Uncompressed => (body.len() == size).then_some(body),
        Codec::Zstd => {
            if zstd.is_none() {
                *zstd = Some(zstd::bulk::Decompressor::new().ok()?);
            }
            page.clear();
            page.reserve(size);
            let written = zstd.as_mut()?.decompress_to_buffer(body, page).ok()?;
            (written == size && page.len() == size).then_some(&page[..])
        }
        Codec::Snappy => {
            if snap::raw::decompress_len(body).ok()? != size {
                return None;
            }
            page.clear();
            page.resize(size, 0);
            let written = snap::raw::Decoder::new().decompress(body, page).ok()?;
            (written == size).then_some(&page[..])
        }
    }
}

/// Checks that `levels` (bit width 1, the RLE / bit-packing hybrid) says all `n` values are
/// present.
fn all_present(levels: &[u8], n: usize) -> Option<()> {
    let mut r = Hybrid { buf: levels, at: 0 };
    let mut left = n;
    while left > 0 {
        match r.run(1)? {
            Run::Repeat { value, count } => {
                if value != 1 {
                    return None;
                }
                left = left.saturating_sub(count);
            }
            Run::Packed { bytes, count } => {
                let take = count.min(left);
                // `take` bits set, from the lowest of each byte.
                let full = take / 8;
                if bytes[..full].iter().any(|&b| b != 0xff) {
                    return None;
                }
                let rest = take % 8;
                if rest > 0 && bytes[full] & ((1u8 << rest) - 1) != (1u8 << rest) - 1 {
                    return None;
                }
                left -= take;
            }
        }
    }
    Some(())
}

/// Decodes `n` values of a data page body into `sink`.
fn values(
    data: &[u8],
    encoding: i32,
    n: usize,
    dictionary: &[i32],
    has_dictionary: bool,
    indices: &mut Vec<i32>,
    sink: &mut dyn Int32Sink,
) -> Option<()> {
    match encoding {
        PLAIN => {
            let bytes = data.get(..n.checked_mul(4)?)?;
            let mut batch = [0i32; BATCH];
            for piece in bytes.chunks(4 * BATCH) {
                let k = piece.len() / 4;
                for (v, b) in batch[..k].iter_mut().zip(piece.chunks_exact(4)) {
                    *v = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
                sink.values(&batch[..k])?;
            }
            Some(())
        }
        RLE_DICTIONARY | PLAIN_DICTIONARY if has_dictionary => {
            let (&width, rest) = data.split_first()?;
            if width > 32 {
                return None;
            }
            let width = u32::from(width);
            let mut r = Hybrid { buf: rest, at: 0 };
            let mut left = n;
            while left > 0 {
                match r.run(width)? {
                    Run::Repeat { value, count } => {
                        let count = count.min(left);
                        let v = *dictionary.get(usize::try_from(value).ok()?)?;
                        sink.repeat(v, count)?;
                        left -= count;
                    }
                    Run::Packed { bytes, count } => {
                        let take = count.min(left);
                        let mut done = 0;
                        while done < take {
                            let k = (take - done).min(BATCH);
                            indices.clear();
                            indices.resize(k, 0);
                            // Unpacked and looked up in one pass; an index past the dictionary
                            // (a damaged page) is found after it.
                            let top = unpack(bytes, width, done, dictionary, indices);
                            if top as usize >= dictionary.len() {
                                return None;
                            }
                            sink.values(indices)?;
                            done += k;
                        }
                        left -= take;
                    }
                }
            }
            Some(())
        }
        _ => None,
    }
}

/// Unpacks indices `first .. first + out.len()` of bit width `width` (≤ 32), packed
/// least-significant bit first in `bytes` (which holds them: checked by [`Hybrid::run`]), and
/// writes the dictionary's value for each into `out`. Returns the largest index: when it is
/// not below the dictionary's length, `out` is not to be used (an index past the end reads
/// the last entry instead of failing, so that the loop has no branch).
fn unpack(bytes: &[u8], width: u32, first: usize, dictionary: &[i32], out: &mut [i32]) -> u32 {
    if dictionary.is_empty() {
        return u32::MAX;
    }
    // One copy per width, so that shifts and masks are constants.
    macro_rules! by_width {
        ($($w:literal)*) => {
            match width {
                0 => {
                    out.fill(dictionary[0]);
                    0
                }
                $($w => unpack_width::<$w>(bytes, first, dictionary, out),)*
                _ => unreachable!("bit widths above 32 are refused before"),
            }
        };
    }
    by_width!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32)
}

fn unpack_width<const W: usize>(
    bytes: &[u8],
    first: usize,
    dictionary: &[i32],
    out: &mut [i32],
) -> u32 {
    let mask = if W == 32 {
        u64::from(u32::MAX)
    } else {
        (1u64 << W) - 1
    };
    let last = dictionary.len() - 1;
    let mut top = 0u32;
    // Each index is read from the eight bytes at its first bit (≤ 32 bits at a shift below 8):
    // without a branch while those eight bytes lie inside `bytes`, byte by byte after.
    let fast = if bytes.len() >= 8 {
        (((bytes.len() - 8) * 8 + 7) / W + 1)
            .saturating_sub(first)
            .min(out.len())
    } else {
        0
    };
    for (k, o) in out[..fast].iter_mut().enumerate() {
        let bit = (first + k) * W;
        let b = bit / 8;
        let word = u64::from_le_bytes(bytes[b..b + 8].try_into().expect("eight bytes"));
        let i = ((word >> (bit % 8)) & mask) as u32;
        top = top.max(i);
        *o = dictionary[(i as usize).min(last)];
    }
    for (k, o) in out.iter_mut().enumerate().skip(fast) {
        let bit = (first + k) * W;
        let b = bit / 8;
        let mut word = [0u8; 8];
        let tail = &bytes[b.min(bytes.len())..];
        let m = tail.len().min(8);
        word[..m].copy_from_slice(&tail[..m]);
        let i = ((u64::from_le_bytes(word) >> (bit % 8)) & mask) as u32;
        top = top.max(i);
        *o = dictionary[(i as usize).min(last)];
    }
    top
}

/// A run of the RLE / bit-packing hybrid.
enum Run<'a> {
    Repeat {
        value: i64,
        count: usize,
    },
    /// `count` values (a multiple of 8) packed in `bytes`.
    Packed {
        bytes: &'a [u8],
        count: usize,
    },
}

/// Reader of the RLE / bit-packing hybrid (no length prefix).
struct Hybrid<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Hybrid<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.at)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// The next run of values of `width` bits; `None` when the data ends or is damaged.
    fn run(&mut self, width: u32) -> Option<Run<'a>> {
        let header = self.varint()?;
        let n = usize::try_from(header >> 1).ok()?;
        if header & 1 == 1 {
            let count = n.checked_mul(8)?;
            let len = n.checked_mul(width as usize)?;
            let bytes = self.buf.get(self.at..self.at.checked_add(len)?)?;
            self.at += len;
            (count > 0).then_some(Run::Packed { bytes, count })
        } else {
            let len = (width as usize).div_ceil(8);
            let bytes = self.buf.get(self.at..self.at + len)?;
            self.at += len;
            let mut value = 0i64;
            for (k, &b) in bytes.iter().enumerate() {
                value |= i64::from(b) << (8 * k);
            }
            (n > 0).then_some(Run::Repeat { value, count: n })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::data_type::Int32Type;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::file::writer::SerializedFileWriter;
    use proptest::prelude::*;

    /// Collects what the decoder gives.
    #[derive(Default)]
    struct Collect(Vec<i32>);

    impl Int32Sink for Collect {
        fn repeat(&mut self, value: i32, count: usize) -> Option<()> {
            self.0.extend(std::iter::repeat_n(value, count));
            Some(())
        }
        fn values(&mut self, values: &[i32]) -> Option<()> {
            self.0.extend_from_slice(values);
            Some(())
        }
    }

    #[derive(Clone, Copy, Debug)]
    struct Layout {
        v2: bool,
        dictionary: bool,
        codec: u8,
        optional: bool,
        page_rows: usize,
        dictionary_bytes: usize,
    }

    /// Writes one INT32 column (nulls where `values` has `None`) in `layout`; returns the
    /// decoded chunks of every row group, or `None` where the decoder declined.
    fn round_trip(
        values: &[Option<i32>],
        layout: Layout,
        group_rows: usize,
    ) -> Vec<Option<Vec<i32>>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.parquet");
        let repetition = if layout.optional {
            "OPTIONAL"
        } else {
            "REQUIRED"
        };
        let schema = parquet::schema::parser::parse_message_type(&format!(
            "message m {{ {repetition} INT32 v; }}"
        ))
        .unwrap();
        let props = WriterProperties::builder()
            .set_writer_version(if layout.v2 {
                WriterVersion::PARQUET_2_0
            } else {
                WriterVersion::PARQUET_1_0
            })
            .set_dictionary_enabled(layout.dictionary)
            .set_dictionary_page_size_limit(layout.dictionary_bytes)
            .set_data_page_row_count_limit(layout.page_rows)
            .set_write_batch_size(layout.page_rows.min(1024))
            .set_compression(match layout.codec {
                0 => Compression::UNCOMPRESSED,
                1 => Compression::SNAPPY,
                _ => Compression::ZSTD(ZstdLevel::default()),
            })
            .build();
        let mut w =
            SerializedFileWriter::new(File::create(&path).unwrap(), schema.into(), props.into())
                .unwrap();
        for part in values.chunks(group_rows.max(1)) {
            let mut group = w.next_row_group().unwrap();
            let mut c = group.next_column().unwrap().unwrap();
            let present: Vec<i32> = part.iter().flatten().copied().collect();
            let defs: Vec<i16> = part.iter().map(|v| i16::from(v.is_some())).collect();
            c.typed::<Int32Type>()
                .write_batch(&present, layout.optional.then_some(&defs[..]), None)
                .unwrap();
            c.close().unwrap();
            group.close().unwrap();
        }
        w.close().unwrap();
        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        let file = File::open(&path).unwrap();
        reader
            .metadata()
            .row_groups()
            .iter()
            .map(|group| {
                let column = group.column(0);
                let (start, len) = column.byte_range();
                let chunk = Chunk {
                    start,
                    len,
                    codec: match column.compression() {
                        Compression::UNCOMPRESSED => Codec::Uncompressed,
                        Compression::SNAPPY => Codec::Snappy,
                        _ => Codec::Zstd,
                    },
                    max_def: i16::from(layout.optional),
                    rows: group.num_rows() as usize,
                };
                let mut sink = Collect::default();
                decode_chunk(&file, chunk, &mut sink).map(|()| sink.0)
            })
            .collect()
    }

    const USUAL: Layout = Layout {
        v2: false,
        dictionary: true,
        codec: 2,
        optional: true,
        page_rows: 20_000,
        dictionary_bytes: 1 << 20,
    };

    #[test]
    fn the_usual_layout_decodes_every_value() {
        // Runs (RLE) and scattered values (bit-packed indices), several pages per chunk.
        let values: Vec<Option<i32>> = (0..50_000)
            .map(|i: i32| {
                Some(if i < 10_000 {
                    i / 1000
                } else {
                    (i * 7919) % 40_000
                })
            })
            .collect();
        let want: Vec<i32> = values.iter().flatten().copied().collect();
        let got = round_trip(&values, USUAL, 30_000);
        assert_eq!(got.len(), 2);
        let got: Vec<i32> = got.into_iter().flat_map(|g| g.expect("decoded")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_null_is_declined() {
        let mut values: Vec<Option<i32>> = (0..5_000).map(Some).collect();
        values[4_321] = None;
        let got = round_trip(&values, USUAL, 5_000);
        assert_eq!(got, vec![None]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every layout this decoder reads gives back exactly what was written: page versions,
        /// dictionary or plain (and a dictionary that overflows into plain pages), each
        /// codec, optional or required, pages of a few rows to many, values of 1 to 31 bits.
        #[test]
        fn layouts_round_trip(
            bits in 1u32..31,
            distinct in 1i32..5_000,
            rows in 1usize..6_000,
            run in 1usize..40,
            v2 in any::<bool>(),
            dictionary in any::<bool>(),
            codec in 0u8..3,
            optional in any::<bool>(),
            page_rows in 1usize..3_000,
            dictionary_bytes in prop_oneof![Just(1usize << 20), Just(256usize)],
            group_rows in 1usize..8_000,
            seed in any::<u64>(),
        ) {
            let mut x = seed | 1;
            let top = 1i64 << bits;
            let values: Vec<Option<i32>> = (0..rows)
                .map(|i| {
                    if i % run == 0 {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                    }
                    let d = (x % distinct as u64) as i64;
                    Some(((d * 2_654_435_761) % top) as i32)
                })
                .collect();
            let layout = Layout { v2, dictionary, codec, optional, page_rows, dictionary_bytes };
            let got = round_trip(&values, layout, group_rows);
            // Version 2 writers encode integers that are not in a dictionary as
            // DELTA_BINARY_PACKED, which this decoder leaves to the crate.
            let delta = v2 && (!dictionary || dictionary_bytes < 1 << 20);
            let mut at = 0;
            for (g, group) in got.iter().enumerate() {
                let len = (rows - at).min(group_rows);
                let want: Vec<i32> = values[at..at + len].iter().flatten().copied().collect();
                match group {
                    Some(group) => prop_assert_eq!(group, &want),
                    None => prop_assert!(delta, "group {} of layout {:?} declined", g, layout),
                }
                at += len;
            }
            prop_assert_eq!(at, rows);
        }
    }
}
