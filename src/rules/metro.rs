//! The three big metropolitan areas (三大都市圏) as a rule sees them: which units are inside,
//! and which are their designated cities and special wards.

use std::collections::HashMap;

use crate::io::{MetroEntry, MetroRow, MetroStatus};
use crate::registry::MuniCode;

/// Metro membership by code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetroAreas {
    names: Vec<String>,
    prefectures: HashMap<u8, usize>,
    municipalities: HashMap<MuniCode, usize>,
    cores: Vec<Vec<MuniCode>>,
    status: HashMap<MuniCode, MetroStatus>,
    /// Where the table came from, for reports.
    pub source: String,
}

impl MetroAreas {
    /// Builds the lookup from table rows.
    pub fn from_rows(rows: &[MetroRow], source: &str) -> Self {
        let mut m = MetroAreas {
            source: source.to_string(),
            ..Self::default()
        };
        for row in rows {
            let k = match m.names.iter().position(|n| *n == row.metro) {
                Some(k) => k,
                None => {
                    m.names.push(row.metro.clone());
                    m.cores.push(Vec::new());
                    m.names.len() - 1
                }
            };
            if let MetroEntry::Municipality(c) | MetroEntry::Core(c) = row.entry {
                m.status.insert(c, row.status);
            }
            match row.entry {
                MetroEntry::Prefecture(p) => {
                    m.prefectures.insert(p, k);
                }
                MetroEntry::Municipality(c) => {
                    m.municipalities.insert(c, k);
                }
                MetroEntry::Core(c) => {
                    m.municipalities.insert(c, k);
                    m.cores[k].push(c);
                }
            }
        }
        m
    }

    /// The metro `code` lies in: a municipality row wins over a prefecture row.
    pub fn metro_of(&self, code: MuniCode) -> Option<usize> {
        self.municipalities
            .get(&code)
            .or_else(|| self.prefectures.get(&code.prefecture()))
            .copied()
    }

    /// How the table knows `code` is inside (`None`: outside, or inside by a prefecture row,
    /// which counts as named).
    pub fn status_of(&self, code: MuniCode) -> Option<MetroStatus> {
        self.metro_of(code).map(|_| {
            self.status
                .get(&code)
                .copied()
                .unwrap_or(MetroStatus::Named)
        })
    }

    /// Name of metro `k`.
    pub fn name(&self, k: usize) -> &str {
        &self.names[k]
    }

    /// Designated cities and special wards of metro `k`.
    pub fn cores(&self, k: usize) -> &[MuniCode] {
        &self.cores[k]
    }

    /// Number of metros.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when the table names no metro.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
