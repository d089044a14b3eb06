//! Page headers checked before polars decodes a Parquet file. polars trusts a page header's
//! value count: a damaged header with a negative count makes it reserve 2^61 bytes and the
//! process aborts (not a panic that can be caught). So every page header of every column chunk
//! is read here first (Thrift compact protocol, the few fields that size buffers) and checked:
//! counts and sizes not negative, no more values than the row group has rows, pages that end
//! exactly at the end of their chunk inside the file.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use polars::prelude::*;

use super::ReadError;

/// Largest page header read (headers with statistics are a few hundred bytes).
const HEADER_BYTES: usize = 64 * 1024;

fn damaged(path: &Path, why: String) -> ReadError {
    ReadError::Table {
        path: path.to_path_buf(),
        problem: format!(
            "not a readable Parquet file (damaged, truncated, or another format with a .parquet name): {why}"
        ),
    }
}

/// Checks the metadata and every page header of the Parquet file at `path`.
///
/// # Errors
/// [`ReadError::Table`] saying what is damaged.
pub(crate) fn check_parquet(path: &Path) -> Result<(), ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut reader = ParquetReader::new(File::open(path).map_err(io)?);
    let metadata = super::guard::decode(|| reader.get_metadata().cloned())
        .ok_or_else(|| damaged(path, "its footer cannot be decoded".into()))?
        .map_err(|_| damaged(path, "its footer cannot be decoded".into()))?;
    for (g, group) in metadata.row_groups.iter().enumerate() {
        let rows = group.num_rows() as i64;
        for column in group.parquet_columns() {
            let start = match column.dictionary_page_offset() {
                Some(d) if d > 0 => d.min(column.data_page_offset()),
                _ => column.data_page_offset(),
            };
            let length = column.compressed_size();
            if start < 0 || length < 0 || (start as u64).saturating_add(length as u64) > size {
                return Err(damaged(
                    path,
                    format!("row group {g}: a column chunk lies outside the file"),
                ));
            }
            let end = start + length;
            let mut at = start;
            while at < end {
                let want = HEADER_BYTES.min((size - at as u64) as usize);
                let mut buf = vec![0u8; want];
                file.read_exact_at(&mut buf, at as u64).map_err(io)?;
                let header = read_page_header(&buf)
                    .map_err(|why| damaged(path, format!("row group {g}: page header: {why}")))?;
                header
                    .check(rows)
                    .map_err(|why| damaged(path, format!("row group {g}: {why}")))?;
                at += header.length as i64 + header.compressed as i64;
            }
            if at != end {
                return Err(damaged(
                    path,
                    format!("row group {g}: pages overrun their column chunk"),
                ));
            }
        }
    }
    Ok(())
}

/// The fields of a page header that size buffers.
#[derive(Debug, Default)]
struct PageHeader {
    /// Bytes of the header itself.
    length: usize,
    uncompressed: i32,
    compressed: i32,
    /// Value counts of the data / dictionary / v2 headers, nulls and level lengths.
    counts: Vec<i32>,
}

impl PageHeader {
    fn check(&self, rows: i64) -> Result<(), String> {
        if self.compressed < 0 || self.uncompressed < 0 {
            return Err("a page size is negative".into());
        }
        for &c in &self.counts {
            if c < 0 {
                return Err(format!("a page count is negative ({c})"));
            }
            if c as i64 > rows.max(0) && c as i64 > self.uncompressed as i64 * 8 {
                return Err(format!(
                    "a page claims {c} values in a row group of {rows} rows"
                ));
            }
        }
        Ok(())
    }
}

/// Thrift compact protocol, just enough to read a `PageHeader` and skip what it does not need
/// (also used by `parquet_int32`).
pub(crate) struct Thrift<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) at: usize,
}

impl Thrift<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.at).ok_or("header cut short")?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= ((b & 0x7f) as u64) << shift.min(63);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, String> {
        let v = self.zigzag()?;
        i32::try_from(v).map_err(|_| format!("{v} does not fit a 32-bit field"))
    }

    /// Skips a value of compact type `t`.
    fn skip(&mut self, t: u8, depth: usize) -> Result<(), String> {
        if depth > 32 {
            return Err("nested too deep".into());
        }
        match t {
            1 | 2 => Ok(()),
            3 => self.byte().map(|_| ()),
            4..=6 => self.varint().map(|_| ()),
            7 => {
                self.at += 8;
                (self.at <= self.buf.len())
                    .then_some(())
                    .ok_or_else(|| "header cut short".into())
            }
            8 => {
                let n = self.varint()? as usize;
                self.at = self.at.checked_add(n).ok_or("length overflow")?;
                (self.at <= self.buf.len())
                    .then_some(())
                    .ok_or_else(|| "header cut short".into())
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = if h >> 4 == 15 {
                    self.varint()? as usize
                } else {
                    (h >> 4) as usize
                };
                let et = h & 0x0f;
                for _ in 0..n {
                    if et == 1 || et == 2 {
                        self.byte()?;
                    } else {
                        self.skip(et, depth + 1)?;
                    }
                }
                Ok(())
            }
            11 => {
                let n = self.varint()? as usize;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.skip(kv >> 4, depth + 1)?;
                        self.skip(kv & 0x0f, depth + 1)?;
                    }
                }
                Ok(())
            }
            12 => self.skip_struct(depth + 1),
            other => Err(format!("unknown field type {other}")),
        }
    }

    /// Reads struct fields, calling `field(id, type, self)` for each; returns at STOP.
    pub(crate) fn fields(
        &mut self,
        depth: usize,
        field: &mut dyn FnMut(i16, u8, &mut Self) -> Result<bool, String>,
    ) -> Result<(), String> {
        let mut last: i16 = 0;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            let t = h & 0x0f;
            let id = if h >> 4 == 0 {
                i16::try_from(self.zigzag()?).map_err(|_| "bad field id")?
            } else {
                last.checked_add((h >> 4) as i16).ok_or("bad field id")?
            };
            last = id;
            if !field(id, t, self)? {
                self.skip(t, depth)?;
            }
        }
    }

    fn skip_struct(&mut self, depth: usize) -> Result<(), String> {
        self.fields(depth, &mut |_, _, _| Ok(false))
    }
}

fn read_page_header(buf: &[u8]) -> Result<PageHeader, String> {
    let mut t = Thrift { buf, at: 0 };
    let mut header = PageHeader::default();
    let mut sizes = (None, None);
    t.fields(0, &mut |id, ty, t| match (id, ty) {
        (2, 5) => {
            sizes.0 = Some(t.i32()?);
            Ok(true)
        }
        (3, 5) => {
            sizes.1 = Some(t.i32()?);
            Ok(true)
        }
        // data_page_header, dictionary_page_header, data_page_header_v2: their i32 fields
        // are value, null and row counts and level byte lengths.
        (5 | 7 | 8, 12) => {
            let mut counts = Vec::new();
            t.fields(1, &mut |sub, sty, t| {
                if sty == 5 && (id != 8 || matches!(sub, 1..=3 | 5 | 6)) && (id == 8 || sub == 1) {
                    counts.push(t.i32()?);
                    Ok(true)
                } else {
                    Ok(false)
                }
            })?;
            header.counts.extend(counts);
            Ok(true)
        }
        _ => Ok(false),
    })?;
    header.length = t.at;
    header.uncompressed = sizes.0.ok_or("no uncompressed page size")?;
    header.compressed = sizes.1.ok_or("no compressed page size")?;
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{write_table, OutColumn, OutFormat, OutValues};

    #[test]
    fn a_negative_page_count_is_refused_before_polars_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let col = |name, v: Vec<u64>| OutColumn {
            name,
            values: OutValues::U64(v.into_iter().map(Some).collect()),
        };
        write_table(
            &path,
            OutFormat::Parquet,
            &[col("origin", vec![1, 2, 3]), col("persons", vec![4, 5, 6])],
        )
        .unwrap();
        check_parquet(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // The first page header follows the 4-byte magic. Setting any of its bytes to 0x01
        // (zigzag −1) that makes a count negative must be caught here.
        let header = read_page_header(&bytes[4..]).unwrap();
        assert_eq!(
            header.counts.first(),
            Some(&3),
            "3 values in the first page"
        );
        let mut caught = 0;
        for i in 4..4 + header.length {
            let mut b = bytes.clone();
            b[i] = 0x01;
            if read_page_header(&b[4..]).is_ok_and(|h| h.counts.iter().any(|&c| c < 0)) {
                std::fs::write(&path, &b).unwrap();
                let err = check_parquet(&path).unwrap_err().to_string();
                assert!(err.contains("a page count is negative (-1)"), "{err}");
                caught += 1;
            }
        }
        assert!(caught > 0);
    }
}
