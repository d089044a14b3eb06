//! `RawOd`: origin–destination records as read, before they are mapped to analysis units.
//! Every reader in `io` produces this one shape, so any OD source goes through the same
//! assembly and checks.

use std::fmt;
use std::path::PathBuf;

use crate::registry::MuniCode;

/// Where a record came from inside its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// A line of a text table (1-based, header = line 1).
    Line(u64),
    /// A row of a binary table such as Parquet (1-based).
    Row(u64),
    /// The cell `od[origin][dest]` of a census JSON file.
    JsonCell,
    /// The entry `total_employed[origin]` of a census JSON file.
    JsonTotal,
    /// The N-th entry (1-based) of `DATA_INF.VALUE` in an e-Stat API response.
    Value(u64),
}

/// One origin–destination count as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFlow {
    /// Residence code.
    pub origin: MuniCode,
    /// Work/school code (may be 99998/99999).
    pub dest: MuniCode,
    /// Persons (validated non-negative integer by the reader).
    pub persons: u64,
    /// Index into [`RawOd::files`].
    pub file: u32,
    /// Position inside that file.
    pub record: Record,
}

/// A stated per-origin total (census `total_employed`), to be checked against the flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatedTotal {
    /// Residence code.
    pub origin: MuniCode,
    /// Persons stated.
    pub persons: u64,
    /// Index into [`RawOd::files`].
    pub file: u32,
    /// Where it was stated.
    pub record: Record,
}

/// Everything an OD reader produces.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawOd {
    /// Source files, referenced by index.
    pub files: Vec<PathBuf>,
    /// Every record, in file order.
    pub flows: Vec<RawFlow>,
    /// Per-origin totals stated by the source (empty for long tables, which state none).
    pub totals: Vec<StatedTotal>,
}

impl RawOd {
    /// Human-readable location of a flow: file and record.
    pub fn locate(&self, flow: &RawFlow) -> Location {
        Location {
            file: self.files[flow.file as usize].clone(),
            record: flow.record,
            origin: flow.origin,
            dest: Some(flow.dest),
        }
    }

    /// Sum of persons over all records.
    pub fn persons_read(&self) -> u64 {
        self.flows.iter().map(|f| f.persons).sum()
    }
}

/// File + record + codes, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// File.
    pub file: PathBuf,
    /// Record inside it.
    pub record: Record,
    /// Origin code.
    pub origin: MuniCode,
    /// Destination code, when the record is a cell.
    pub dest: Option<MuniCode>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file.display())?;
        match (self.record, self.dest) {
            (Record::Line(n), _) => write!(f, "line {n}")?,
            (Record::Row(n), _) => write!(f, "row {n}")?,
            (Record::JsonCell, Some(d)) => write!(f, "od[\"{}\"][\"{d}\"]", self.origin)?,
            (Record::JsonCell, None) | (Record::JsonTotal, _) => {
                write!(f, "total_employed[\"{}\"]", self.origin)?
            }
            (Record::Value(n), _) => write!(f, "VALUE entry {n}")?,
        }
        match self.dest {
            Some(d) => write!(f, " (origin {}, destination {d})", self.origin),
            None => write!(f, " (origin {})", self.origin),
        }
    }
}
