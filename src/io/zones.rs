//! Zone tables for fine-grained OD (mesh cells, mobile-phone OD, `toshiken synth`):
//! `population` with columns `zone,population` (dense ids `0..n`) and a long OD
//! `origin,destination,persons`. Parquet is read one row group at a time, so memory holds the
//! zone matrix plus one row group; CSV is accepted for small tables.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::table::{extension, Table};
use super::write::WriteError;
use super::ReadError;
use super::{od_table, OutColumn, OutValues};
use crate::matrix::{check_zones, Csr, CsrBuilder, OdError, OriginStarts};

/// The key column that marks a population table as a zone table.
pub const ZONE_COLUMN: &str = "zone";

/// The names accepted for a zone table's population column.
const POPULATION_COLUMNS: [&str; 2] = ["population", "persons"];

/// Whether the population table at `path` is keyed by `zone` (zone mode) rather than by
/// municipality code.
///
/// # Errors
/// The file cannot be opened or its header read.
pub fn is_zone_table(path: &Path) -> Result<bool, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    match extension(path).as_deref() {
        Some("parquet") | Some("pq") => {
            let mut reader = ParquetReader::new(File::open(path).map_err(io)?);
            let schema = super::guard::decode(|| reader.schema())
                .ok_or_else(|| not_parquet(path))?
                .map_err(|_| not_parquet(path))?;
            let found = schema.iter_names().any(|n| n.as_str() == ZONE_COLUMN);
            Ok(found)
        }
        _ => {
            use std::io::BufRead;
            let mut line = String::new();
            std::io::BufReader::new(File::open(path).map_err(io)?)
                .read_line(&mut line)
                .map_err(io)?;
            Ok(line
                .trim_start_matches('\u{feff}')
                .split(',')
                .any(|c| c.trim().trim_matches('"') == ZONE_COLUMN))
        }
    }
}

/// Reads `zone,population`: ids must be exactly `0..n`, each once, in any order.
///
/// # Errors
/// [`ReadError`] naming the record for a bad id or count, a repeated id, or a gap.
pub fn read_zone_population(path: &Path) -> Result<Vec<u64>, ReadError> {
    let table = Table::read_only(path, &[&[ZONE_COLUMN], &POPULATION_COLUMNS])?;
    let none = |_: usize| String::new();
    let zones = table.counts(table.column("zone", &[ZONE_COLUMN])?, &none)?;
    let code_of = |i: usize| format!("zone {}", zones[i].map_or(String::new(), |z| z.to_string()));
    let population = table.counts(table.column("population", &POPULATION_COLUMNS)?, &code_of)?;
    let n = table.height();
    let mut out = vec![0u64; n];
    // The row that gave each id (`UNSEEN` before). Filled with a non-zero value so that its
    // pages are written from the start: zeroed pages from the system are read-only shared
    // pages until the first write, and that write would copy each one (with a TLB flush of
    // every thread) once the lookups below have read it.
    const UNSEEN: usize = usize::MAX;
    let mut seen: Vec<usize> = vec![UNSEEN; n];
    for i in 0..n {
        let bad = |value: String, expected| ReadError::BadValue {
            path: path.to_path_buf(),
            record: table.record_text(i),
            column: "zone".to_string(),
            code: String::new(),
            value,
            expected,
        };
        let z = zones[i].ok_or_else(|| bad(String::new(), "a zone id"))?;
        if z >= n as u64 {
            return Err(bad(z.to_string(), "a zone id below the number of rows"));
        }
        let z = z as usize;
        if let Some(j) = Some(seen[z]).filter(|&j| j != UNSEEN) {
            return Err(ReadError::DuplicateCode {
                path: path.to_path_buf(),
                record: table.record_text(i),
                first: table.record_text(j),
                code: format!("zone {z}"),
            });
        }
        seen[z] = i;
        out[z] = population[i].ok_or_else(|| ReadError::BadCount {
            path: path.to_path_buf(),
            record: table.record_text(i),
            column: "population".to_string(),
            code: format!("zone {z}"),
            value: String::new(),
            problem: "missing",
        })?;
    }
    // n rows, ids < n, no repeats: every id is present.
    debug_assert!(seen.iter().all(|&j| j != UNSEEN));
    Ok(out)
}

/// Reads a zone OD into the zone matrix. `progress(rows_done, rows_total)` is called after
/// each row group.
///
/// # Errors
/// [`ReadError`] naming file, row and zones for a missing column, an empty, negative or
/// too-large value, an unknown zone or a repeated pair.
pub fn read_zone_od(
    path: &Path,
    n: usize,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Csr, ReadError> {
    let zone_err = |problem| ReadError::ZoneOd {
        path: path.to_path_buf(),
        problem,
    };
    match extension(path).as_deref() {
        Some("parquet") | Some("pq") => {}
        _ => {
            // Small tables: read whole, then count and fill.
            let table = Table::read(path)?;
            let none = |_: usize| String::new();
            let o = table.counts(table.column("origin", &od_table::ORIGIN_COLUMNS)?, &none)?;
            let d = table.counts(table.column("destination", &od_table::DEST_COLUMNS)?, &none)?;
            let pair = |i: usize| {
                let s = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
                format!("{} → {}", s(o[i]), s(d[i]))
            };
            let p = table.counts(table.column("persons", &od_table::PERSONS_COLUMNS)?, &pair)?;
            let mut flows = Vec::with_capacity(table.height());
            for i in 0..table.height() {
                let missing = |column: &str| ReadError::BadCount {
                    path: path.to_path_buf(),
                    record: table.record_text(i),
                    column: column.to_string(),
                    code: pair(i),
                    value: String::new(),
                    problem: "missing",
                };
                let persons = p[i].ok_or_else(|| missing("persons"))?;
                let persons = u32::try_from(persons).map_err(|_| ReadError::BadCount {
                    path: path.to_path_buf(),
                    record: table.record_text(i),
                    column: "persons".to_string(),
                    code: pair(i),
                    value: persons.to_string(),
                    problem: "too large (over 4,294,967,295)",
                })?;
                flows.push((
                    o[i].ok_or_else(|| missing("origin"))?,
                    d[i].ok_or_else(|| missing("destination"))?,
                    persons,
                ));
            }
            let mut b = CsrBuilder::counting(n, flows.len());
            for (k, f) in flows.iter().enumerate() {
                b.count_origin(f.0, k as u64 + 1).map_err(zone_err)?;
            }
            b.start_fill();
            for (k, f) in flows.iter().enumerate() {
                b.fill(f.0, f.1, f.2, k as u64 + 1).map_err(zone_err)?;
            }
            progress(flows.len(), flows.len());
            return b.finish().map_err(zone_err);
        }
    }
    let source = ParquetSource::open(path)?;
    let total = source.rows;
    // First try: rows grouped by origin, every row group decoded in parallel straight into
    // its place in the matrix.
    if let Some(csr) = source.read_sorted(n, progress)? {
        return Ok(csr);
    }
    // Any order: count per origin, then scatter.
    let mut b = CsrBuilder::counting(n, total);
    source.for_each_group(&mut |row0, o, _, _| {
        for (k, &v) in o.iter().enumerate() {
            b.count_origin(u64::from(v), row0 + k as u64 + 1)
                .map_err(zone_err)?;
        }
        Ok(true)
    })?;
    b.start_fill();
    source.for_each_group(&mut |row0, o, d, p| {
        for k in 0..o.len() {
            b.fill(u64::from(o[k]), u64::from(d[k]), p[k], row0 + k as u64 + 1)
                .map_err(zone_err)?;
        }
        progress(row0 as usize + o.len(), total);
        Ok(true)
    })?;
    b.finish().map_err(zone_err)
}

/// A Parquet OD read one row group at a time.
struct ParquetSource {
    path: PathBuf,
    metadata: polars::io::parquet::metadata::FileMetadataRef,
    columns: [String; 3],
    rows: usize,
    /// The parquet crate's reader and the leaf index of each column, when all three are
    /// 32-bit integers that the column readers can decode straight into `u32` buffers.
    native: Option<NativeReader>,
}

/// The parquet crate's reader of a zone OD and, per column (origin, destination, persons),
/// its leaf index, whether it is unsigned and its maximum definition level.
struct NativeReader {
    reader: parquet::file::serialized_reader::SerializedFileReader<PreadFile>,
    /// The same file, for [`parquet_int32`](super::parquet_int32)'s reads.
    file: std::sync::Arc<File>,
    leaves: [(usize, bool, i16); 3],
}

type GroupFn<'a> = dyn FnMut(u64, &[u32], &[u32], &[u32]) -> Result<bool, ReadError> + 'a;

impl ParquetSource {
    fn open(path: &Path) -> Result<Self, ReadError> {
        let table_err = table_error(path);
        super::parquet_check::check_parquet(path)?;
        let mut reader = ParquetReader::new(open_file(path)?);
        let schema = super::guard::decode(|| reader.schema())
            .ok_or_else(|| not_parquet(path))?
            .map_err(table_err)?;
        let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        let find = |wanted: &'static str, accepted: &[&str]| {
            names
                .iter()
                .find(|n| accepted.contains(&n.trim()))
                .cloned()
                .ok_or_else(|| ReadError::MissingColumn {
                    path: path.to_path_buf(),
                    wanted,
                    accepted: accepted.join(", "),
                    found: names.join(", "),
                })
        };
        let columns = [
            find("origin", &od_table::ORIGIN_COLUMNS)?,
            find("destination", &od_table::DEST_COLUMNS)?,
            find("persons", &od_table::PERSONS_COLUMNS)?,
        ];
        let metadata = super::guard::decode(|| reader.get_metadata().cloned())
            .ok_or_else(|| not_parquet(path))?
            .map_err(table_err)?;
        let rows = metadata.num_rows;
        let native = native_reader(path, &columns);
        Ok(ParquetSource {
            path: path.to_path_buf(),
            metadata,
            columns,
            rows,
            native,
        })
    }

    /// Reads an OD whose rows are grouped by ascending origin (what `synth` and most exports
    /// write). Windows of row groups are decoded by one polars call each (polars decodes the
    /// window's groups in parallel on its own pool); each decoded batch is then checked (zone
    /// ids, order) and copied into its rows of the destination and persons arrays, in
    /// parallel. The arrays are allocated once at the file's row count, and the row pointer
    /// is built from where each origin starts ([`OriginStarts`], as the sorted builder does).
    /// `Ok(None)` when the rows are not grouped by origin (the caller then counts and
    /// scatters). A bad value is reported as the sequential reader would: the first one in
    /// file order.
    fn read_sorted(
        &self,
        n: usize,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<Option<Csr>, ReadError> {
        use rayon::prelude::*;
        let zone_err = |problem| ReadError::ZoneOd {
            path: self.path.clone(),
            problem,
        };
        let lengths = self.group_lengths();
        let total = self.rows;
        if lengths.iter().sum::<usize>() != total {
            return Err(not_parquet(&self.path));
        }
        if let Some(read) = self.read_sorted_native(n, &lengths, progress) {
            return read.map_err(zone_err);
        }
        // Fresh pages, first touched by the parallel copies. Memory holds the matrix plus one
        // window.
        let mut dest = vec![0u32; total];
        let mut persons = vec![0u32; total];
        let mut starts = OriginStarts::default();
        let (mut d_rest, mut p_rest) = (dest.as_mut_slice(), persons.as_mut_slice());
        let mut row0 = 0usize;
        // At most a sixth of the file per window, so that the matrix (two thirds of the OD's
        // three columns) plus one decoded window stay under the OD's size.
        // At least four groups, so that the window's group × column decodes keep every
        // thread busy (10^7 flows: 48 MB of window beside 80 MB of matrix).
        let per_window = (lengths.len() / 6).clamp(4, SORTED_WINDOW_GROUPS);
        for window in lengths.chunks(per_window) {
            let len: usize = window.iter().sum();
            if len == 0 {
                continue;
            }
            let batches = self.decode(row0, len)?;
            if batches
                .iter()
                .map(|b| b.1[0].as_slice().len())
                .sum::<usize>()
                != len
            {
                return Err(not_parquet(&self.path));
            }
            let mut tasks = Vec::with_capacity(batches.len());
            for batch in &batches {
                let blen = batch.1[0].as_slice().len();
                let (d, dt) = std::mem::take(&mut d_rest).split_at_mut(blen);
                let (p, pt) = std::mem::take(&mut p_rest).split_at_mut(blen);
                tasks.push((batch, d, p));
                (d_rest, p_rest) = (dt, pt);
            }
            let placed: Vec<_> = tasks
                .into_par_iter()
                .with_max_len(1)
                .map(|((start, [o, d, p]), dd, pp)| {
                    place_batch(
                        *start,
                        [o.as_slice(), d.as_slice(), p.as_slice()],
                        dd,
                        pp,
                        n,
                    )
                })
                .collect();
            drop(batches);
            // In file order: a bad value after rows that are out of order is left to the
            // counting reader (which meets the disorder first, as a sequential reader does).
            for batch in placed {
                match batch.map_err(zone_err)? {
                    Some(batch) if starts.follows(&batch) => starts.extend(batch),
                    _ => return Ok(None),
                }
            }
            row0 += len;
            progress(row0, total);
        }
        CsrBuilder::from_sorted_parts(starts.offsets(n, total), dest, persons)
            .map(Some)
            .map_err(zone_err)
    }

    /// [`Self::read_sorted`] with the parquet crate's column readers, when the three columns
    /// are flat INT32 columns: every row group and column is one task, all in parallel, each
    /// decoding its column chunk a few thousand rows at a time into a small buffer of its
    /// thread and checking and copying them straight into the group's rows of the matrix
    /// (the origin column only yields where each origin starts). No window of decoded
    /// columns is held, and the matrix's pages are the only new memory.
    ///
    /// `None` when anything is unusual (a null, a negative value of a signed column, a codec
    /// or encoding the crate does not read, a damaged page): the caller then reads the file
    /// through polars, which reports the problem with its row. Otherwise errors and order are
    /// resolved in file order as [`place_batch`] does them: per row group, an unknown origin,
    /// then an unknown destination, then origins that descend (`Ok(None)`).
    fn read_sorted_native(
        &self,
        n: usize,
        lengths: &[usize],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Option<Result<Option<Csr>, OdError>> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Mutex;
        let NativeReader {
            reader,
            file,
            leaves,
        } = self.native.as_ref()?;
        let total = self.rows;
        let mut dest = vec![0u32; total];
        let mut persons = vec![0u32; total];
        let mut tasks = Vec::with_capacity(3 * lengths.len());
        let (mut d_rest, mut p_rest) = (dest.as_mut_slice(), persons.as_mut_slice());
        let mut row0 = 0usize;
        for (g, &len) in lengths.iter().enumerate() {
            let (d, dt) = std::mem::take(&mut d_rest).split_at_mut(len);
            let (p, pt) = std::mem::take(&mut p_rest).split_at_mut(len);
            (d_rest, p_rest) = (dt, pt);
            tasks.push((g, row0, len, Target::Origins));
            tasks.push((g, row0, len, Target::Dest(d)));
            tasks.push((g, row0, len, Target::Persons(p)));
            row0 += len;
        }
        let done = AtomicUsize::new(0);
        let progress = Mutex::new(progress);
        // The first group whose origins descend: later groups are not needed (the file is
        // then read by counting, and problems in earlier groups are reported first).
        let descends = AtomicUsize::new(usize::MAX);
        let parts: Vec<Option<Result<Part, OdError>>> = tasks
            .into_par_iter()
            .with_max_len(1)
            .map(|(g, row0, len, target)| {
                let column = match &target {
                    Target::Origins => 0,
                    Target::Dest(_) => 1,
                    Target::Persons(_) => 2,
                };
                if g > descends.load(Ordering::Relaxed) {
                    return Some(Ok(Part::Skipped));
                }
                // The crate can panic on a damaged page instead of returning an error: that
                // too sends the file to polars, which reports it.
                let part = super::guard::decode(|| {
                    decode_into(reader, file, g, leaves[column], row0, len, n, target)
                })
                .flatten();
                if matches!(part, Some(Ok(Part::Origins(None)))) {
                    descends.fetch_min(g, Ordering::Relaxed);
                }
                if column == 2 && part.is_some() {
                    if let Ok(mut report) = progress.lock() {
                        let rows = done.fetch_add(len, Ordering::Relaxed) + len;
                        report(rows, total);
                    }
                }
                part
            })
            .collect();
        let parts: Vec<Result<Part, OdError>> = parts.into_iter().collect::<Option<_>>()?;
        let mut starts = OriginStarts::default();
        for group in parts.chunks(3) {
            let batch = match &group[0] {
                Err(e) => return Some(Err(e.clone())),
                Ok(Part::Origins(batch)) => batch,
                // Only groups after one whose origins descend are skipped, and the loop
                // returns at that one.
                Ok(Part::Filled | Part::Skipped) => unreachable!("the origin task yields starts"),
            };
            if let Err(e) = &group[1] {
                return Some(Err(e.clone()));
            }
            match batch {
                Some(batch) if starts.follows(batch) => starts.extend(batch.clone()),
                _ => return Some(Ok(None)),
            }
        }
        Some(CsrBuilder::from_sorted_parts(starts.offsets(n, total), dest, persons).map(Some))
    }

    /// The number of rows of each row group, in file order.
    fn group_lengths(&self) -> Vec<usize> {
        self.metadata
            .row_groups
            .iter()
            .map(|rg| rg.num_rows())
            .collect()
    }

    /// Calls `f(first_row_index, origins, destinations, persons)` per decoded batch (a row
    /// group, or part of one), in file order, until it returns `false`.
    fn for_each_group(&self, f: &mut GroupFn<'_>) -> Result<(), ReadError> {
        // Row groups are decoded a window at a time by polars, in parallel across the
        // window's groups: memory holds one window (2 groups of 2^20 rows: 24 MB).
        let lengths = self.group_lengths();
        let mut row0 = 0usize;
        for window in lengths.chunks(WINDOW_GROUPS) {
            let len: usize = window.iter().sum();
            if len > 0 {
                for (start, [o, d, p]) in self.decode(row0, len)? {
                    if !f(start as u64, o.as_slice(), d.as_slice(), p.as_slice())? {
                        return Ok(());
                    }
                }
            }
            row0 += len;
        }
        Ok(())
    }

    /// Decodes rows `row0 .. row0 + len` (whole row groups) and checks their values: with the
    /// parquet crate's column readers when the columns allow it (every row group and column a
    /// task of its own, decoded straight into a `u32` buffer), else through polars.
    fn decode(&self, row0: usize, len: usize) -> Result<Vec<(usize, [U32Values; 3])>, ReadError> {
        if let Some(batches) = self.decode_native(row0, len) {
            return Ok(batches);
        }
        self.decode_polars(row0, len)
    }

    /// The column readers' decode of the row groups that make up rows `row0 .. row0 + len`;
    /// `None` when anything is unusual (a null, a negative signed value, a codec or encoding
    /// the crate does not read, a damaged page): polars then decodes the same rows and reports
    /// the problem with its row, as before.
    fn decode_native(&self, row0: usize, len: usize) -> Option<Vec<(usize, [U32Values; 3])>> {
        use parquet::file::reader::FileReader;
        use rayon::prelude::*;
        let NativeReader { reader, leaves, .. } = self.native.as_ref()?;
        let lengths = self.group_lengths();
        let mut start = 0usize;
        let mut groups = Vec::new();
        for (g, &l) in lengths.iter().enumerate() {
            if start >= row0 && start < row0 + len {
                groups.push((g, start, l));
            }
            start += l;
        }
        if groups.iter().map(|g| g.2).sum::<usize>() != len {
            return None;
        }
        let tasks: Vec<(usize, usize, usize)> = groups
            .iter()
            .flat_map(|&(g, _, l)| (0..3).map(move |c| (g, c, l)))
            .collect();
        let columns: Vec<Option<Vec<u32>>> = tasks
            .par_iter()
            .with_max_len(1)
            .map(|&(g, c, l)| {
                super::guard::decode(|| {
                    let group = reader.get_row_group(g).ok()?;
                    let (leaf, unsigned, max_def) = leaves[c];
                    let column = group.get_column_reader(leaf).ok()?;
                    read_u32_column(column, l, unsigned, max_def)
                })
                .flatten()
            })
            .collect();
        let mut columns = columns.into_iter();
        groups
            .iter()
            .map(|&(_, start, _)| {
                let mut next = || columns.next().flatten().map(U32Values::Converted);
                Some((start, [next()?, next()?, next()?]))
            })
            .collect()
    }

    /// Decodes rows `row0 .. row0 + len` through polars and checks their values; one batch per
    /// chunk that polars produced (a row group), without copying where the chunks line up.
    fn decode_polars(
        &self,
        row0: usize,
        len: usize,
    ) -> Result<Vec<(usize, [U32Values; 3])>, ReadError> {
        let path = &self.path;
        let table_err = table_error(path);
        let mut reader = ParquetReader::new(open_file(path)?)
            .with_columns(Some(self.columns.to_vec()))
            .with_slice(Some((row0, len)));
        reader.set_metadata(self.metadata.clone());
        let frame = super::guard::decode(|| reader.finish())
            .ok_or_else(|| not_parquet(path))?
            .map_err(table_err)?;
        if frame.columns().iter().any(|c| c.len() != frame.height()) {
            return Err(not_parquet(path));
        }
        let col = |name: &str| frame.column(name).map_err(table_err);
        let (oc, dc, pc) = (
            col(&self.columns[0])?,
            col(&self.columns[1])?,
            col(&self.columns[2])?,
        );
        // Batch boundaries: the origin column's chunks (each column is sliced to them; a
        // slice across chunks is copied into one by `u32_values`).
        let bounds: Vec<usize> = oc.as_materialized_series().chunk_lengths().collect();
        let mut batches = Vec::with_capacity(bounds.len());
        let mut offset = 0usize;
        for blen in bounds {
            if blen == 0 {
                continue;
            }
            let start = row0 + offset;
            let slice = |c: &Column| c.slice(offset as i64, blen);
            let o = zone_ids(path, &slice(oc), start, "origin")?;
            let d = zone_ids(path, &slice(dc), start, "destination")?;
            let p = persons(path, &slice(pc), start, o.as_slice(), d.as_slice())?;
            batches.push((start, [o, d, p]));
            offset += blen;
        }
        Ok(batches)
    }
}

/// The parquet crate's reader of `path` and the leaf index of each of `columns`, when every
/// one is a flat INT32 column (unsigned, or signed: a negative value then sends the rows to
/// polars); `None` otherwise (the polars path reads everything else).
fn native_reader(path: &Path, columns: &[String; 3]) -> Option<NativeReader> {
    use parquet::basic::{ConvertedType, LogicalType, Type as Physical};
    use parquet::file::reader::FileReader;
    let file = PreadFile::open(path)?;
    let handle = std::sync::Arc::clone(&file.file);
    let reader = super::guard::decode(|| {
        parquet::file::serialized_reader::SerializedFileReader::new(file).ok()
    })??;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut leaves = [(0usize, false, 0i16); 3];
    for (k, name) in columns.iter().enumerate() {
        let (i, leaf) = schema
            .columns()
            .iter()
            .enumerate()
            .find(|(_, c)| c.path().parts() == [name.as_str()])?;
        if leaf.physical_type() != Physical::INT32 || leaf.max_rep_level() != 0 {
            return None;
        }
        // Whole numbers only: an INT32 column may also hold a DECIMAL (hundredths), a DATE or
        // a TIME, which polars refuses with the row; read as integers they would be wrong.
        let integer = matches!(
            leaf.logical_type_ref(),
            None | Some(LogicalType::Integer { .. })
        ) && matches!(
            leaf.converted_type(),
            ConvertedType::NONE
                | ConvertedType::INT_8
                | ConvertedType::INT_16
                | ConvertedType::INT_32
                | ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
        );
        if !integer {
            return None;
        }
        let unsigned = matches!(
            leaf.logical_type_ref(),
            Some(LogicalType::Integer {
                is_signed: false,
                ..
            })
        ) || leaf.converted_type() == ConvertedType::UINT_32;
        leaves[k] = (i, unsigned, leaf.max_def_level());
    }
    Some(NativeReader {
        reader,
        file: handle,
        leaves,
    })
}

/// Values of one INT32 column chunk of `rows` rows as `u32`: `None` on a null, on a negative
/// value of a signed column, or on any decoding error (the caller falls back to polars).
fn read_u32_column(
    column: parquet::column::reader::ColumnReader,
    rows: usize,
    unsigned: bool,
    max_def: i16,
) -> Option<Vec<u32>> {
    use parquet::column::reader::ColumnReader;
    let ColumnReader::Int32ColumnReader(mut r) = column else {
        return None;
    };
    let mut values: Vec<i32> = Vec::with_capacity(rows);
    // Definition levels in bounded chunks: a nullable column (as polars writes it) has one
    // per row; they are only checked to be all present, never kept.
    let mut defs: Vec<i16> = Vec::with_capacity(CHUNK_ROWS.min(rows));
    while values.len() < rows {
        defs.clear();
        let before = values.len();
        let want = CHUNK_ROWS.min(rows - before);
        let (records, read, _) = r
            .read_records(want, (max_def > 0).then_some(&mut defs), None, &mut values)
            .ok()?;
        if records == 0 || read != records || defs.iter().any(|&d| d != max_def) {
            return None;
        }
    }
    if values.len() != rows || (!unsigned && values.iter().any(|&v| v < 0)) {
        return None;
    }
    // Same size and alignment: the conversion reuses the allocation.
    Some(values.into_iter().map(|v| v as u32).collect())
}

/// Rows decoded per call of a column reader (bounds the definition levels held).
const CHUNK_ROWS: usize = 1 << 16;

/// Where one task of [`ParquetSource::read_sorted_native`] puts its column chunk.
enum Target<'a> {
    /// The origins: checked, and where each one starts gathered.
    Origins,
    /// The destinations: checked and copied into the group's rows of the matrix.
    Dest(&'a mut [u32]),
    /// The persons: copied into the group's rows of the matrix.
    Persons(&'a mut [u32]),
}

/// What one task of [`ParquetSource::read_sorted_native`] found.
enum Part {
    /// Where each origin starts in the group; `None` when its origins descend.
    Origins(Option<Vec<(u32, usize)>>),
    /// The column was copied into the matrix.
    Filled,
    /// Not decoded: an earlier group's origins descend, so the file is read by counting.
    Skipped,
}

/// Decodes column `leaf` of row group `g` (rows `row0 .. row0 + len` of the file) into
/// `target`; `None` on anything unusual (see [`ParquetSource::read_sorted_native`]).
#[allow(clippy::too_many_arguments)]
fn decode_into(
    reader: &parquet::file::serialized_reader::SerializedFileReader<PreadFile>,
    file: &File,
    g: usize,
    (leaf, unsigned, max_def): (usize, bool, i16),
    row0: usize,
    len: usize,
    n: usize,
    mut target: Target<'_>,
) -> Option<Result<Part, OdError>> {
    use parquet::file::reader::FileReader;
    // First the decoder for the usual layout (dictionary or plain pages, no nulls), straight
    // into the target.
    if let Some(chunk) = chunk_of(reader, g, leaf, max_def) {
        let mut sink = ChunkSink::new(&mut target, unsigned, row0, n);
        if super::parquet_int32::decode_chunk(file, chunk, &mut sink).is_some() && sink.at == len {
            return Some(sink.finish());
        }
    }
    // Anything else: the crate's column reader, through the same checks (the target is
    // written again from its start).
    let group = reader.get_row_group(g).ok()?;
    let values = read_u32_column(group.get_column_reader(leaf).ok()?, len, unsigned, max_def)?;
    let mut sink = ChunkSink::new(&mut target, unsigned, row0, n);
    sink.put(&values)?;
    (sink.at == len).then(|| sink.finish())
}

/// Where row group `g`'s column `leaf` lies in the file and how it is compressed, when it is
/// a codec [`parquet_int32`](super::parquet_int32) reads.
fn chunk_of(
    reader: &parquet::file::serialized_reader::SerializedFileReader<PreadFile>,
    g: usize,
    leaf: usize,
    max_def: i16,
) -> Option<super::parquet_int32::Chunk> {
    use super::parquet_int32::{Chunk, Codec};
    use parquet::basic::Compression;
    use parquet::file::reader::FileReader;
    let group = reader.metadata().row_groups().get(g)?;
    let column = group.columns().get(leaf)?;
    let codec = match column.compression() {
        Compression::UNCOMPRESSED => Codec::Uncompressed,
        Compression::ZSTD(_) => Codec::Zstd,
        Compression::SNAPPY => Codec::Snappy,
        _ => return None,
    };
    let (start, len) = column.byte_range();
    Some(Chunk {
        start,
        len,
        codec,
        max_def,
        rows: usize::try_from(group.num_rows()).ok()?,
    })
}

/// Receives one column chunk's values (from [`parquet_int32`](super::parquet_int32) or the
/// crate's column reader), checks them and puts them where [`Target`] says.
struct ChunkSink<'t, 'a> {
    target: &'t mut Target<'a>,
    unsigned: bool,
    /// File row (0-based) of the chunk's first value.
    row0: usize,
    n: usize,
    /// Values received so far.
    at: usize,
    starts: OriginStarts,
    descends: bool,
    /// The first unknown zone, with its file row.
    error: Option<OdError>,
}

impl<'t, 'a> ChunkSink<'t, 'a> {
    fn new(target: &'t mut Target<'a>, unsigned: bool, row0: usize, n: usize) -> Self {
        ChunkSink {
            target,
            unsigned,
            row0,
            n,
            at: 0,
            starts: OriginStarts::default(),
            descends: false,
            error: None,
        }
    }

    /// What the task found, once every value was received.
    fn finish(self) -> Result<Part, OdError> {
        match (self.error, &*self.target) {
            (Some(e), _) => Err(e),
            (None, Target::Origins) => Ok(Part::Origins(
                (!self.descends).then(|| self.starts.into_starts()),
            )),
            (None, _) => Ok(Part::Filled),
        }
    }

    /// Checks values (already known not to be negative) and puts them where the target says.
    fn put(&mut self, chunk: &[u32]) -> Option<()> {
        let end = self.at.checked_add(chunk.len())?;
        let first = (self.row0 + self.at) as u64;
        if let Some(column) = self.column() {
            if self.error.is_none() {
                if let Err(e) = check_zones(chunk, self.n, column, first) {
                    self.error = Some(e);
                }
            }
        }
        match &mut *self.target {
            Target::Origins => {
                if !self.descends {
                    match OriginStarts::of_batch(chunk, self.row0 + self.at) {
                        Some(batch) if self.starts.follows(&batch) => self.starts.extend(batch),
                        _ => self.descends = true,
                    }
                }
            }
            Target::Dest(out) | Target::Persons(out) => {
                out.get_mut(self.at..end)?.copy_from_slice(chunk)
            }
        }
        self.at = end;
        Some(())
    }

    fn column(&self) -> Option<&'static str> {
        match self.target {
            Target::Origins => Some("origin"),
            Target::Dest(_) => Some("destination"),
            Target::Persons(_) => None,
        }
    }
}

impl super::parquet_int32::Int32Sink for ChunkSink<'_, '_> {
    fn repeat(&mut self, value: i32, count: usize) -> Option<()> {
        if !self.unsigned && value < 0 {
            return None;
        }
        let v = value as u32;
        let end = self.at.checked_add(count)?;
        if let Some(column) = self.column() {
            if self.error.is_none() && v as usize >= self.n {
                self.error = Some(OdError::UnknownZone {
                    row: (self.row0 + self.at) as u64 + 1,
                    column,
                    zone: u64::from(v),
                    n: self.n,
                });
            }
        }
        match &mut *self.target {
            Target::Origins => {
                let batch = [(v, self.row0 + self.at)];
                if !self.descends && self.starts.follows(&batch) {
                    self.starts.extend(batch.to_vec());
                } else {
                    self.descends = true;
                }
            }
            Target::Dest(out) | Target::Persons(out) => out.get_mut(self.at..end)?.fill(v),
        }
        self.at = end;
        Some(())
    }

    fn values(&mut self, values: &[i32]) -> Option<()> {
        if !self.unsigned && values.iter().fold(0i32, |m, &v| m.min(v)) < 0 {
            return None;
        }
        // Same size and alignment; negative values of a signed column were refused above.
        self.put(bytemuck_u32(values))
    }
}

/// `i32`s known to be non-negative (or bit patterns of a `u32` column) as `u32`s.
fn bytemuck_u32(values: &[i32]) -> &[u32] {
    // SAFETY: i32 and u32 have the same size and alignment, and every bit pattern is valid.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u32>(), values.len()) }
}

/// A file the parquet crate reads with positioned reads (`pread`), so that tasks on several
/// threads can read their column chunks at once. The crate's own reader of a `File` clones
/// the descriptor and seeks, and clones share one file position: concurrent tasks then read
/// each other's bytes.
pub(crate) struct PreadFile {
    pub(crate) file: std::sync::Arc<File>,
    len: u64,
}

impl PreadFile {
    fn open(path: &Path) -> Option<Self> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        Some(PreadFile {
            file: std::sync::Arc::new(file),
            len,
        })
    }
}

/// A reader at a position of a [`PreadFile`].
pub(crate) struct PreadRead {
    file: std::sync::Arc<File>,
    at: u64,
}

impl std::io::Read for PreadRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let read = self.file.read_at(buf, self.at)?;
        self.at += read as u64;
        Ok(read)
    }
}

impl parquet::file::reader::Length for PreadFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl parquet::file::reader::ChunkReader for PreadFile {
    type T = std::io::BufReader<PreadRead>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        // Page headers are read a few bytes at a time: buffered.
        Ok(std::io::BufReader::with_capacity(
            1024,
            PreadRead {
                file: std::sync::Arc::clone(&self.file),
                at: start,
            },
        ))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        use std::os::unix::fs::FileExt;
        let mut buffer = vec![0u8; length];
        self.file.read_exact_at(&mut buffer, start)?;
        Ok(buffer.into())
    }
}

/// Checks one decoded batch (rows from `start`, 0-based) and copies its destinations and
/// persons into `dest` and `persons`; returns where each origin starts in it, or `None` when
/// its origins descend.
fn place_batch(
    start: usize,
    [o, d, p]: [&[u32]; 3],
    dest: &mut [u32],
    persons: &mut [u32],
    n: usize,
) -> Result<Option<Vec<(u32, usize)>>, OdError> {
    // Origins before destinations, as a row-by-row reader would report them.
    check_zones(o, n, "origin", start as u64)?;
    check_zones(d, n, "destination", start as u64)?;
    dest.copy_from_slice(d);
    persons.copy_from_slice(p);
    Ok(OriginStarts::of_batch(o, start))
}

/// Row groups decoded together by one polars call when reading an OD grouped by origin, at
/// most (16 × 2^20 rows: 192 MB of decoded columns).
const SORTED_WINDOW_GROUPS: usize = 16;

/// Row groups decoded together by one polars call.
const WINDOW_GROUPS: usize = 2;

fn open_file(path: &Path) -> Result<File, ReadError> {
    File::open(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn table_error(path: &Path) -> impl Fn(PolarsError) -> ReadError + Copy + '_ {
    move |_| not_parquet(path)
}

fn not_parquet(path: &Path) -> ReadError {
    ReadError::Table {
        path: path.to_path_buf(),
        problem: "not a readable Parquet table with the expected columns (damaged, truncated, or another format)".to_string(),
    }
}

/// A batch column as `u32` values: the decoded array itself when it is a null-free `UInt32`
/// column (no copy), else a checked conversion.
enum U32Values {
    Stored(UInt32Chunked),
    Converted(Vec<u32>),
}

impl U32Values {
    fn as_slice(&self) -> &[u32] {
        match self {
            U32Values::Stored(ca) => ca.cont_slice().expect("single chunk without nulls"),
            U32Values::Converted(v) => v,
        }
    }
}

/// `check(i, value)` reports a bad value at batch row `i`.
fn u32_values(
    path: &Path,
    column: &Column,
    check: &dyn Fn(usize, Option<i64>) -> ReadError,
) -> Result<U32Values, ReadError> {
    let table_err = |_| ReadError::Table {
        path: path.to_path_buf(),
        problem: format!(
            "column '{}' of type {} cannot be read as whole numbers",
            column.name(),
            column.dtype()
        ),
    };
    if column.dtype() == &DataType::UInt32 && column.null_count() == 0 {
        let ca = column.u32().map_err(table_err)?;
        let ca = if ca.chunks().len() == 1 {
            ca.clone()
        } else {
            ca.rechunk().into_owned()
        };
        if ca.cont_slice().is_ok() {
            return Ok(U32Values::Stored(ca));
        }
    }
    if !column.dtype().is_integer() {
        return Err(check(0, None));
    }
    let cast = column.cast(&DataType::Int64).map_err(table_err)?;
    let ints = cast.i64().map_err(table_err)?;
    ints.iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some(v) if (0..=i64::from(u32::MAX)).contains(&v) => Ok(v as u32),
            other => Err(check(i, other)),
        })
        .collect::<Result<Vec<u32>, ReadError>>()
        .map(U32Values::Converted)
}

fn zone_ids(
    path: &Path,
    column: &Column,
    row0: usize,
    name: &'static str,
) -> Result<U32Values, ReadError> {
    let dtype = column.dtype().to_string();
    u32_values(path, column, &|i, v| ReadError::BadValue {
        path: path.to_path_buf(),
        record: format!("row {}", row0 + i + 1),
        column: name.to_string(),
        code: String::new(),
        value: v.map_or_else(|| format!("(empty or {dtype})"), |v| v.to_string()),
        expected: "a zone id (a whole number from 0)",
    })
}

fn persons(
    path: &Path,
    column: &Column,
    row0: usize,
    o: &[u32],
    d: &[u32],
) -> Result<U32Values, ReadError> {
    let dtype = column.dtype().to_string();
    u32_values(path, column, &|i, v| ReadError::BadCount {
        path: path.to_path_buf(),
        record: format!("row {}", row0 + i + 1),
        column: "persons".to_string(),
        code: format!("{} → {}", o[i], d[i]),
        value: v.map_or_else(|| format!("(empty or {dtype})"), |v| v.to_string()),
        problem: match v {
            None => "missing or not an integer",
            Some(v) if v < 0 => "negative",
            Some(_) => "too large (over 4,294,967,295)",
        },
    })
}

/// Rows per row group written by [`ZoneOdWriter`]: 12 MB of decoded columns.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// Streams a zone OD to Parquet.
pub struct ZoneOdWriter {
    path: PathBuf,
    inner: polars::io::parquet::write::BatchedWriter<File>,
    rows: u64,
}

impl ZoneOdWriter {
    /// Creates `path` (and its folder) with columns `origin, destination, persons` (UInt32).
    ///
    /// # Errors
    /// [`WriteError`] when the file cannot be created.
    pub fn create(path: &Path) -> Result<Self, WriteError> {
        let io = |source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let file = File::create(path).map_err(io)?;
        let schema = Schema::from_iter([
            Field::new("origin".into(), DataType::UInt32),
            Field::new("destination".into(), DataType::UInt32),
            Field::new("persons".into(), DataType::UInt32),
        ]);
        let inner = ParquetWriter::new(file)
            .batched(&schema)
            .map_err(|source| WriteError::Encode {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(ZoneOdWriter {
            path: path.to_path_buf(),
            inner,
            rows: 0,
        })
    }

    /// Writes the flows as row groups of at most [`ROW_GROUP_ROWS`] rows (readers then hold
    /// one small group at a time).
    ///
    /// # Errors
    /// [`WriteError`] on encoding or I/O failure.
    pub fn write(
        &mut self,
        origin: &[u32],
        dest: &[u32],
        persons: &[u32],
    ) -> Result<(), WriteError> {
        for start in (0..origin.len()).step_by(ROW_GROUP_ROWS) {
            let end = (start + ROW_GROUP_ROWS).min(origin.len());
            self.write_group(&origin[start..end], &dest[start..end], &persons[start..end])?;
        }
        Ok(())
    }

    fn write_group(
        &mut self,
        origin: &[u32],
        dest: &[u32],
        persons: &[u32],
    ) -> Result<(), WriteError> {
        let encode = |source| WriteError::Encode {
            path: self.path.clone(),
            source,
        };
        let frame = DataFrame::new_infer_height(vec![
            Column::new("origin".into(), origin),
            Column::new("destination".into(), dest),
            Column::new("persons".into(), persons),
        ])
        .map_err(encode)?;
        self.inner.write_batch(&frame).map_err(encode)?;
        self.rows += origin.len() as u64;
        Ok(())
    }

    /// Writes the footer; returns the rows written and the file size in bytes.
    ///
    /// # Errors
    /// [`WriteError`] on I/O failure.
    pub fn finish(self) -> Result<(u64, u64), WriteError> {
        let bytes = self.inner.finish().map_err(|source| WriteError::Encode {
            path: self.path.clone(),
            source,
        })?;
        Ok((self.rows, bytes))
    }
}

/// A `u32` column for [`super::write_table`].
pub fn u32_column(name: &'static str, v: &[u32]) -> OutColumn {
    OutColumn {
        name,
        values: OutValues::U64Full(v.iter().map(|&x| u64::from(x)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An OD grouped by origin in eight row groups of 40,000 rows, written as `synth` writes
    /// (UInt32 columns through polars).
    fn grouped_od(path: &Path) -> (usize, Vec<(u32, u32, u32)>) {
        let n = 4_000usize;
        let flows: Vec<(u32, u32, u32)> = (0..n as u32)
            .flat_map(|o| (0..80u32).map(move |k| (o, (o + 7 * k) % n as u32, o % 97 + k + 1)))
            .collect();
        let mut w = ZoneOdWriter::create(path).unwrap();
        for part in flows.chunks(40_000) {
            let col = |f: fn(&(u32, u32, u32)) -> u32| part.iter().map(f).collect::<Vec<u32>>();
            w.write(&col(|r| r.0), &col(|r| r.1), &col(|r| r.2))
                .unwrap();
        }
        w.finish().unwrap();
        (n, flows)
    }

    /// The column readers decode every row group at once on the pool's threads, each task
    /// reading its own column chunk: no task may see another's bytes (the crate's own `File`
    /// reader shares one file position between them, which made every window fall back to
    /// polars). The path must succeed on its own, not through the fallback.
    #[test]
    fn parallel_column_readers_read_their_own_chunks() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("od.parquet");
        let (n, mut flows) = grouped_od(&path);
        let source = ParquetSource::open(&path).unwrap();
        assert!(source.native.is_some(), "UInt32 columns are read natively");
        let lengths = source.group_lengths();
        assert_eq!(lengths.len(), 8);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for _ in 0..5 {
            let read = pool.install(|| source.read_sorted_native(n, &lengths, &mut |_, _| {}));
            let csr = read
                .expect("the native path reads the file")
                .unwrap()
                .expect("grouped by origin");
            flows.sort_unstable_by_key(|f| (f.0, f.1));
            assert_eq!(csr, Csr::from_triplets(n, &flows).unwrap());
        }
        // The windows of the counting reader use the same column readers.
        let batches = source.decode_native(0, lengths[0] + lengths[1]).unwrap();
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[1].0, 40_000);
        assert_eq!(batches[1].1[0].as_slice()[0], 500);
    }

    /// Writes three INT32 columns with the parquet crate's writer; `persons_type` is the
    /// annotation of the persons column (e.g. `(DECIMAL(9,2))`).
    fn int32_od(path: &Path, persons_type: &str, columns: [&[i32]; 3]) {
        int32_od_with(path, persons_type, columns, Default::default());
    }

    /// [`int32_od`] with the writer's properties.
    fn int32_od_with(
        path: &Path,
        persons_type: &str,
        columns: [&[i32]; 3],
        props: parquet::file::properties::WriterProperties,
    ) {
        use parquet::data_type::Int32Type;
        use parquet::file::writer::SerializedFileWriter;
        let schema = parquet::schema::parser::parse_message_type(&format!(
            "message od {{ REQUIRED INT32 origin; REQUIRED INT32 destination; REQUIRED INT32 persons {persons_type}; }}"
        ))
        .unwrap();
        let mut w =
            SerializedFileWriter::new(File::create(path).unwrap(), schema.into(), props.into())
                .unwrap();
        let mut group = w.next_row_group().unwrap();
        for values in columns {
            let mut c = group.next_column().unwrap().unwrap();
            c.typed::<Int32Type>()
                .write_batch(values, None, None)
                .unwrap();
            c.close().unwrap();
        }
        group.close().unwrap();
        w.close().unwrap();
    }

    /// INT32 columns that are not whole numbers (a DECIMAL stores hundredths, a DATE days) are
    /// not read as integers by the column readers; plain INT32 columns are.
    #[test]
    fn only_integer_int32_columns_are_read_natively() {
        let tmp = tempfile::tempdir().unwrap();
        let columns: [&[i32]; 3] = [&[0, 0, 1], &[0, 1, 1], &[500, 250, 700]];
        let plain = tmp.path().join("plain.parquet");
        int32_od(&plain, "", columns);
        assert!(ParquetSource::open(&plain).unwrap().native.is_some());
        let od = read_zone_od(&plain, 2, &mut |_, _| {}).unwrap();
        assert_eq!(
            od,
            Csr::from_triplets(2, &[(0, 0, 500), (0, 1, 250), (1, 1, 700)]).unwrap()
        );
        for annotation in ["(DECIMAL(9,2))", "(DATE)"] {
            let path = tmp.path().join("typed.parquet");
            int32_od(&path, annotation, columns);
            assert!(
                ParquetSource::open(&path).unwrap().native.is_none(),
                "{annotation}"
            );
            // polars reads it or refuses it with the column; never as 500, 250, 700 persons.
            if let Ok(od) = read_zone_od(&path, 2, &mut |_, _| {}) {
                assert_ne!(od.row(0).1, &[500u32, 250][..], "{annotation}");
            }
        }
    }

    /// A layout our page decoder leaves to the crate (version-2 pages without a dictionary are
    /// DELTA_BINARY_PACKED): the crate's column reader fills the matrix through the same
    /// checks, and an unknown destination is still reported at its row.
    #[test]
    fn the_crate_reads_what_our_decoder_declines() {
        use parquet::file::properties::{WriterProperties, WriterVersion};
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("delta.parquet");
        let props = || {
            WriterProperties::builder()
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_dictionary_enabled(false)
                .build()
        };
        let columns: [&[i32]; 3] = [&[0, 0, 1, 2], &[0, 1, 1, 0], &[5, 2, 7, 9]];
        int32_od_with(&path, "", columns, props());
        let source = ParquetSource::open(&path).unwrap();
        let NativeReader { reader, file, .. } = source.native.as_ref().unwrap();
        let chunk = chunk_of(reader, 0, 1, 0).unwrap();
        let mut declined = tests_sink::Count(0);
        assert!(super::super::parquet_int32::decode_chunk(file, chunk, &mut declined).is_none());
        let lengths = source.group_lengths();
        let csr = source
            .read_sorted_native(3, &lengths, &mut |_, _| {})
            .expect("the crate reads it")
            .unwrap()
            .expect("grouped by origin");
        assert_eq!(
            csr,
            Csr::from_triplets(3, &[(0, 0, 5), (0, 1, 2), (1, 1, 7), (2, 0, 9)]).unwrap()
        );
        int32_od_with(
            &path,
            "",
            [&[0, 0, 1, 2], &[0, 1, 3, 0], &[5, 2, 7, 9]],
            props(),
        );
        let source = ParquetSource::open(&path).unwrap();
        let err = source
            .read_sorted_native(3, &source.group_lengths(), &mut |_, _| {})
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 3") && err.contains("zone 3"), "{err}");
    }

    mod tests_sink {
        /// Counts what a decoder gives.
        pub struct Count(pub usize);
        impl crate::io::parquet_int32::Int32Sink for Count {
            fn repeat(&mut self, _: i32, count: usize) -> Option<()> {
                self.0 += count;
                Some(())
            }
            fn values(&mut self, values: &[i32]) -> Option<()> {
                self.0 += values.len();
                Some(())
            }
        }
    }

    /// Origins that descend in one row group: the groups after it are not decoded, and the
    /// file is read by counting.
    #[test]
    fn a_descent_stops_the_column_readers() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("od.parquet");
        let n = 4_000usize;
        let mut flows: Vec<(u32, u32, u32)> = (0..n as u32)
            .flat_map(|o| (0..80u32).map(move |k| (o, (o + 7 * k) % n as u32, k + 1)))
            .collect();
        // Row group 2 (rows 80,000..120,000) ends with origin 0 again.
        flows[119_999].0 = 0;
        flows[119_999].1 = 3_999;
        let mut w = ZoneOdWriter::create(&path).unwrap();
        for part in flows.chunks(40_000) {
            let col = |f: fn(&(u32, u32, u32)) -> u32| part.iter().map(f).collect::<Vec<u32>>();
            w.write(&col(|r| r.0), &col(|r| r.1), &col(|r| r.2))
                .unwrap();
        }
        w.finish().unwrap();
        let source = ParquetSource::open(&path).unwrap();
        let lengths = source.group_lengths();
        let read = source.read_sorted_native(n, &lengths, &mut |_, _| {});
        assert!(matches!(read, Some(Ok(None))), "not grouped by origin");
        let od = read_zone_od(&path, n, &mut |_, _| {}).unwrap();
        let mut sorted = flows.clone();
        sorted.sort_unstable_by_key(|f| (f.0, f.1));
        assert_eq!(od, Csr::from_triplets(n, &sorted).unwrap());
    }

    /// A signed column with a negative count is not decoded by the column readers: polars
    /// reads the file and names the row.
    #[test]
    fn negative_signed_persons_fall_back_and_name_the_row() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("od.parquet");
        let mut frame = df!(
            "origin" => [0i32, 0, 1],
            "destination" => [0i32, 1, 1],
            "persons" => [5i32, -2, 7],
        )
        .unwrap();
        ParquetWriter::new(File::create(&path).unwrap())
            .finish(&mut frame)
            .unwrap();
        let source = ParquetSource::open(&path).unwrap();
        assert!(source.native.is_some());
        let lengths = source.group_lengths();
        assert!(source
            .read_sorted_native(2, &lengths, &mut |_, _| {})
            .is_none());
        let err = read_zone_od(&path, 2, &mut |_, _| {})
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 2") && err.contains("negative"), "{err}");
    }
}
