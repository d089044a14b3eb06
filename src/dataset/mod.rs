//! Loading one consistent dataset: registry, analysis units, commute matrix, population and
//! the conservation account, from a data directory laid out as `../shared/data/jp`.

mod data_dir;

pub use data_dir::{resolve_data_dir, resolve_with, DataDir, DataDirSource, DATA_ENV, FALLBACKS};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::io::{self, ReadError};
use crate::matrix::{assemble, AssembleError, CommuteMatrix, Conservation, RawOd};
use crate::registry::{
    Kind, Level, MasterRow, MuniCode, Registry, RegistryError, RegistryParams, Units,
};

/// Path of the census OD folder inside a data directory.
pub const OD_DIR: &str = "census2020_od_market_research102";
/// Path of the population table inside a data directory.
pub const POPULATION_FILE: &str =
    "census2020_prelim_population_dstokuron/municipality_population_2020.csv";
/// Path of the municipality master inside a data directory.
pub const MASTER_FILE: &str = "code4fukui_localgovjp/localgovjp-utf8.csv";

/// Anything that stops a dataset from loading.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// No usable data directory.
    #[error("no data directory: tried {tried}. Pass --data DIR or set TOSHIKEN_DATA (see data/README.md for how to build one from e-Stat and MLIT)")]
    DataDir {
        /// What was tried.
        tried: String,
    },
    /// An input file is missing.
    #[error("{path}: {what} not found")]
    Missing {
        /// Path.
        path: PathBuf,
        /// Which input.
        what: &'static str,
    },
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The master is inconsistent.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The OD could not be mapped to units.
    #[error(transparent)]
    Assemble(#[from] AssembleError),
    /// A population below the unit's resident commuters: a table in thousands, or for another
    /// year or level.
    #[error("{path}: {record}: population {population} of {code} {name} is below its {commuters} resident commuters in the OD; is the table in thousands, or for another year or level?")]
    PopulationBelowCommuters {
        /// Population file.
        path: PathBuf,
        /// Record.
        record: String,
        /// Code.
        code: MuniCode,
        /// Name.
        name: String,
        /// Population.
        population: u64,
        /// Resident commuters (the OD's total for the unit).
        commuters: u64,
    },
    /// `--units population`: a code of the table that cannot be made a unit.
    #[error(
        "{path}: {record}: {code} {name} cannot be made a unit (--units population): {problem}"
    )]
    UnitsFromPopulation {
        /// Population file.
        path: PathBuf,
        /// Record.
        record: String,
        /// Code.
        code: MuniCode,
        /// Name as the table gives it.
        name: String,
        /// Why.
        problem: String,
    },
    /// With `--units population`, an OD code that is not one of the table's units.
    #[error("{location}: {end} code {code} is not in {}, whose codes are the units with --units population{}", .population.display(), match .master_name {
        Some(name) => format!(" (the master has it, {name}, but the table gives it no row)"),
        None => String::new(),
    })]
    NotAUnitOfThePopulation {
        /// Where in the OD.
        location: String,
        /// Which end.
        end: &'static str,
        /// The code.
        code: MuniCode,
        /// The population table.
        population: PathBuf,
        /// The master's name for the code, if it has it.
        master_name: Option<String>,
    },
    /// A population record for a code the registry does not know.
    #[error("{path}: {record}: code {code} is not in the municipality registry ({})", crate::io::vintage_hint(.code))]
    PopulationCode {
        /// Population file.
        path: PathBuf,
        /// Record.
        record: String,
        /// Code.
        code: MuniCode,
    },
}

/// The three inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputPaths {
    /// OD: a folder of census JSON, one JSON file, or a long CSV/Parquet table.
    pub od: PathBuf,
    /// Population table.
    pub population: PathBuf,
    /// Municipality master.
    pub master: PathBuf,
    /// A crosswalk from the inputs' codes to the master's vintage (`--crosswalk`).
    pub crosswalk: Option<PathBuf>,
    /// `--units population`: the units are the population table's codes, not the master's.
    pub units_from_population: bool,
}

impl InputPaths {
    /// The standard layout of a data directory.
    pub fn in_dir(dir: &Path) -> Self {
        InputPaths {
            od: dir.join(OD_DIR),
            population: dir.join(POPULATION_FILE),
            master: dir.join(MASTER_FILE),
            crosswalk: None,
            units_from_population: false,
        }
    }
}

/// Something worth telling the user that is not an error (reported, never guessed around).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A unit with no population value.
    MissingPopulation {
        /// Code.
        code: MuniCode,
        /// Name.
        name: String,
    },
    /// An OD record that repeats an earlier one exactly, set aside.
    RepeatedRecord {
        /// Where the repeat is.
        at: String,
        /// Where the record it repeats is.
        first: String,
    },
    /// Codes of another vintage mapped through `--crosswalk`.
    Crosswalk {
        /// The crosswalk file.
        file: String,
        /// `old→new` of every code the inputs used, in code order.
        mapped: Vec<(MuniCode, MuniCode)>,
    },
    /// `--units population`: the units are the population table's codes.
    UnitsFromPopulation {
        /// The population table.
        file: String,
        /// Codes the master lacks, made units with the table's names (no office location).
        added: Vec<(MuniCode, String)>,
        /// Master codes (not wards) the table lacks, left out.
        left_out: Vec<(MuniCode, String)>,
    },
    /// A unit with no commuting row.
    NoCommutingData {
        /// Code.
        code: MuniCode,
        /// Name.
        name: String,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Crosswalk { file, mapped } => {
                let shown: Vec<String> = mapped
                    .iter()
                    .take(10)
                    .map(|(o, n)| format!("{o}→{n}"))
                    .collect();
                write!(
                    f,
                    "{file}: {} code{} of the inputs mapped to the master's vintage ({}{}); their persons are added",
                    mapped.len(),
                    if mapped.len() == 1 { "" } else { "s" },
                    shown.join(", "),
                    if mapped.len() > 10 { ", …" } else { "" }
                )
            }
            Note::UnitsFromPopulation {
                file,
                added,
                left_out,
            } => {
                let list = |v: &[(MuniCode, String)]| {
                    let mut shown: Vec<String> =
                        v.iter().take(10).map(|(c, n)| format!("{c} {n}")).collect();
                    if v.len() > 10 {
                        shown.push("…".to_string());
                    }
                    if shown.is_empty() {
                        "none".to_string()
                    } else {
                        shown.join(", ")
                    }
                };
                write!(
                    f,
                    "{file}: units from the population table — {} code{} the master lacks made {} with the table's names and no office location ({}); {} master code{} the table lacks left out ({})",
                    added.len(),
                    if added.len() == 1 { "" } else { "s" },
                    if added.len() == 1 { "a unit" } else { "units" },
                    list(added),
                    left_out.len(),
                    if left_out.len() == 1 { "" } else { "s" },
                    list(left_out)
                )
            }
            Note::MissingPopulation { code, name } => {
                write!(
                    f,
                    "{code} {name}: no population in the census file (left empty, not estimated)"
                )
            }
            Note::RepeatedRecord { at, first } => {
                write!(f, "{at}: exact repeat of {first}; counted once")
            }
            Note::NoCommutingData { code, name } => {
                write!(
                    f,
                    "{code} {name}: no commuting data (commuter columns left empty)"
                )
            }
        }
    }
}

/// A prefecture's name, units, units with an OD row and units with a population.
type PrefectureCounts<'a> = (&'a str, usize, usize, usize);

/// A loaded dataset.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Every code.
    pub registry: Registry,
    /// Analysis units at the chosen level.
    pub units: Units,
    /// The commute matrix over `units`.
    pub matrix: CommuteMatrix,
    /// Resident population per unit.
    pub population: Vec<Option<u64>>,
    /// Persons read = used + set aside.
    pub conservation: Conservation,
    /// Where each input came from.
    pub inputs: InputPaths,
    /// Number of OD files read.
    pub od_files: usize,
    /// Missing values, reported.
    pub notes: Vec<Note>,
    /// What the inputs' layout leaves unchecked (an e-Stat CSV without its section headers does
    /// not state its table id), reported with [`Dataset::warnings`].
    pub input_warnings: Vec<String>,
}

impl Dataset {
    /// What the inputs cannot support, to be printed and recorded with every result: the
    /// prefectures of whose units none has an OD row (a prefecture file left out). Inflows
    /// from there are missing, so the daytime population, day/night ratio and shares of every
    /// other unit are too low as well. Likewise the prefectures of whose units none has a
    /// population, and the cities (市) without one: their day/night ratio is unknown, so none
    /// of them can be judged as a centre.
    pub fn warnings(&self) -> Vec<String> {
        let mut by_pref: std::collections::BTreeMap<u8, PrefectureCounts> = Default::default();
        for (i, &code) in self.units.codes().iter().enumerate() {
            let name = self
                .registry
                .get(code)
                .map(|e| e.prefecture.as_str())
                .unwrap_or("");
            let entry = by_pref.entry(code.prefecture()).or_insert((name, 0, 0, 0));
            entry.1 += 1;
            if self.matrix.has_data(i) {
                entry.2 += 1;
            }
            if self.population.get(i).copied().flatten().is_some() {
                entry.3 += 1;
            }
        }
        let mut warnings = self.input_warnings.clone();
        // "k of n prefectures (u units: 隣県 (1), …)" for the prefectures of which no unit has
        // what `has` counts, or `None` when every prefecture has some.
        let uncovered = |has: &dyn Fn(&PrefectureCounts) -> usize| -> Option<String> {
            let missing: Vec<(&str, usize)> = by_pref
                .values()
                .filter(|v| has(v) == 0)
                .map(|(p, n, _, _)| (*p, *n))
                .collect();
            if missing.is_empty() {
                return None;
            }
            let units: usize = missing.iter().map(|m| m.1).sum();
            let names: Vec<String> = missing
                .iter()
                .take(10)
                .map(|(p, n)| format!("{p} ({n})"))
                .collect();
            Some(format!(
                "{} of {} prefectures ({} unit{}: {}{})",
                missing.len(),
                by_pref.len(),
                units,
                if units == 1 { "" } else { "s" },
                names.join(", "),
                if missing.len() > 10 { ", …" } else { "" }
            ))
        };
        if let Some(which) = uncovered(&|v| v.3) {
            warnings.push(format!(
                "the population table has no value for any unit of {which}: their day/night ratios are unknown, so none of them can be a centre, and area populations are too low. Give the population of every prefecture"
            ));
        }
        // Cities without a population outside those prefectures: each could be a centre.
        let gone: std::collections::BTreeSet<u8> = by_pref
            .iter()
            .filter(|(_, v)| v.3 == 0)
            .map(|(&p, _)| p)
            .collect();
        let cities: Vec<String> = self
            .units
            .codes()
            .iter()
            .enumerate()
            .filter(|&(i, code)| {
                !gone.contains(&code.prefecture())
                    && self.population.get(i).copied().flatten().is_none()
                    && self.registry.get(*code).is_some_and(|e| {
                        matches!(e.kind, Kind::DesignatedCity | Kind::CoreCity | Kind::City)
                    })
            })
            .map(|(_, &code)| {
                let name = self.registry.get(code).map_or("", |e| e.name.as_str());
                format!("{code} {name}")
            })
            .collect();
        if !cities.is_empty() {
            warnings.push(format!(
                "the population table has no value for {} cit{} ({}{}): {} day/night ratio is unknown, so {} cannot be judged as a centre",
                cities.len(),
                if cities.len() == 1 { "y" } else { "ies" },
                cities.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
                if cities.len() > 10 { ", …" } else { "" },
                if cities.len() == 1 { "its" } else { "their" },
                if cities.len() == 1 { "it" } else { "they" },
            ));
        }
        let staying: u64 = (0..self.matrix.n())
            .map(|i| u64::from(self.matrix.get(i, i)))
            .sum();
        if staying == 0 && self.matrix.nnz() > 0 {
            warnings.push("no origin has anyone working or studying at home (no origin = destination records): an OD without its diagonal makes every share to a centre too high. Include the staying flows".to_string());
        }
        if let Some(which) = uncovered(&|v| v.2) {
            warnings.push(format!(
                "the OD has no row for any unit of {which}: commuting from there is missing, so the daytime population, day/night ratio and shares of every other unit are too low. Give the OD of every prefecture"
            ));
        }
        warnings
    }

    /// Reads the inputs and assembles the dataset at `level`.
    ///
    /// # Errors
    /// [`DatasetError`] naming the file, record and code of the first problem.
    pub fn load(
        inputs: &InputPaths,
        level: Level,
        params: &RegistryParams,
    ) -> Result<Self, DatasetError> {
        for (path, what) in [
            (&inputs.master, "municipality master"),
            (&inputs.population, "population table"),
            (&inputs.od, "OD data"),
        ] {
            if !path.exists() {
                return Err(DatasetError::Missing {
                    path: path.clone(),
                    what,
                });
            }
        }
        let master = io::read_master(&inputs.master)?;
        let raw = io::read_od(&inputs.od)?;
        let population_rows = io::read_population(&inputs.population)?;
        let mut first_notes = Vec::new();
        let mut input_warnings = Vec::new();
        let (raw, population_rows) = match &inputs.crosswalk {
            None => (raw, population_rows),
            Some(crosswalk) => {
                let rows = io::read_crosswalk(crosswalk)?;
                // A crosswalk maps onto the master's codes: a new code the master lacks would
                // only be reported later against the OD record that used the old one.
                if !inputs.units_from_population {
                    let known: HashSet<MuniCode> = master.iter().map(|r| r.code).collect();
                    if let Some(row) = rows.iter().find(|r| !known.contains(&r.new)) {
                        return Err(ReadError::Table {
                            path: crosswalk.clone(),
                            problem: format!(
                                "{}: new code {} is not a code of the municipality master ({}): a crosswalk maps the inputs' codes onto the master's",
                                row.record,
                                row.new,
                                inputs.master.display()
                            ),
                        }
                        .into());
                    }
                }
                let (raw, population_rows, mapped) = apply_crosswalk(&raw, &population_rows, &rows);
                if mapped.is_empty() {
                    input_warnings.push(format!(
                        "{}: none of its {} old code{} occurs in the OD or the population table, so nothing was mapped: is it the crosswalk for these inputs' census?",
                        crosswalk.display(),
                        rows.len(),
                        if rows.len() == 1 { "" } else { "s" }
                    ));
                }
                first_notes.push(Note::Crosswalk {
                    file: crosswalk.display().to_string(),
                    mapped,
                });
                (raw, population_rows)
            }
        };
        // The master's own registry: its names and designated cities' wards, also when the
        // units come from the population table.
        let full = Registry::build(&inputs.master, &master, params)?;
        let (registry, full) = if inputs.units_from_population {
            let (rows, note) = units_from_population(&master, &full, &population_rows, inputs)?;
            first_notes.push(note);
            (Registry::build(&inputs.master, &rows, params)?, Some(full))
        } else {
            (full, None)
        };
        let mut dataset = match Self::from_parts(registry, level, &raw, &population_rows, inputs) {
            Err(DatasetError::Assemble(AssembleError::UnknownCode {
                location,
                end,
                code,
            })) if inputs.units_from_population => {
                return Err(DatasetError::NotAUnitOfThePopulation {
                    location: location.to_string(),
                    end,
                    code,
                    population: inputs.population.clone(),
                    master_name: full
                        .as_ref()
                        .and_then(|f| f.get(code))
                        .map(|e| e.name.clone()),
                })
            }
            other => other?,
        };
        for (k, note) in first_notes.into_iter().enumerate() {
            dataset.notes.insert(k, note);
        }
        dataset.input_warnings.extend(input_warnings);
        Ok(dataset)
    }

    /// Assembles a dataset from inputs already read.
    ///
    /// # Errors
    /// [`DatasetError::Assemble`] and [`DatasetError::PopulationCode`].
    pub fn from_parts(
        registry: Registry,
        level: Level,
        raw: &RawOd,
        population_rows: &[io::PopulationRow],
        inputs: &InputPaths,
    ) -> Result<Self, DatasetError> {
        let units = registry.units(level);
        let (matrix, conservation) = assemble(raw, &units)?;
        let mut by_code: HashMap<MuniCode, Option<u64>> =
            HashMap::with_capacity(population_rows.len());
        let mut record_of: HashMap<MuniCode, &str> = HashMap::with_capacity(population_rows.len());
        for row in population_rows {
            if registry.get(row.code).is_none() {
                return Err(DatasetError::PopulationCode {
                    path: inputs.population.clone(),
                    record: row.record.clone(),
                    code: row.code,
                });
            }
            by_code.insert(row.code, row.population);
            record_of.insert(row.code, &row.record);
        }
        let population: Vec<Option<u64>> = units
            .codes()
            .iter()
            .map(|c| by_code.get(c).copied().flatten())
            .collect();
        let name = |code: MuniCode| {
            registry
                .get(code)
                .map(|e| e.name.clone())
                .unwrap_or_default()
        };
        // Resident commuters are part of the resident population (census definitions).
        for (i, &code) in units.codes().iter().enumerate() {
            if let Some(p) = population[i] {
                let commuters = matrix.total(i);
                if commuters > p {
                    return Err(DatasetError::PopulationBelowCommuters {
                        path: inputs.population.clone(),
                        record: record_of.get(&code).copied().unwrap_or("").to_string(),
                        code,
                        name: name(code),
                        population: p,
                        commuters,
                    });
                }
            }
        }
        let mut notes: Vec<Note> = conservation
            .repeats
            .iter()
            .map(|(at, first)| Note::RepeatedRecord {
                at: at.clone(),
                first: first.clone(),
            })
            .collect();
        for (i, &code) in units.codes().iter().enumerate() {
            if population[i].is_none() {
                notes.push(Note::MissingPopulation {
                    code,
                    name: name(code),
                });
            }
            if !matrix.has_data(i) {
                notes.push(Note::NoCommutingData {
                    code,
                    name: name(code),
                });
            }
        }
        Ok(Dataset {
            registry,
            units,
            matrix,
            population,
            conservation,
            inputs: inputs.clone(),
            od_files: raw.files.len(),
            notes,
            input_warnings: [(&inputs.od, true), (&inputs.population, false)]
                .into_iter()
                .filter_map(|(path, od)| io::describe_input(path, od).1)
                .collect(),
        })
    }
}

/// The unit list of `--units population`: the master's rows for the population table's codes,
/// with the wards of a listed designated city and the city of a listed ward, and a row for each
/// code the master lacks, named as the table names it (spaces removed: a space marks a ward in
/// the master's layout), in the prefecture of its first two digits, with no office location.
/// 13100 (the special wards' aggregate, which the registry adds itself) is not a new unit.
/// Master codes the table lacks are left out. Returns the rows and the note that lists both.
///
/// # Errors
/// A new code that looks like a designated city's ward (a name ending in 区 outside Tokyo's
/// special wards: its city cannot be told), or whose prefecture the master has no row for.
fn units_from_population(
    master: &[MasterRow],
    full: &Registry,
    population: &[io::PopulationRow],
    inputs: &InputPaths,
) -> Result<(Vec<MasterRow>, Note), DatasetError> {
    let listed: HashSet<MuniCode> = population.iter().map(|r| r.code).collect();
    let by_code: HashMap<MuniCode, &MasterRow> = master.iter().map(|r| (r.code, r)).collect();
    let prefecture_of: HashMap<u8, &str> = master
        .iter()
        .map(|r| (r.code.prefecture(), r.prefecture.as_str()))
        .collect();
    // A designated-city ward's city, as the master's registry has it (not 13100 for a
    // special ward: Tokyo's wards are units of their own).
    let city_of = |r: &MasterRow| {
        full.get(r.code)
            .and_then(|e| e.parent)
            .filter(|p| !p.is_special_wards_aggregate())
    };
    let cities_of_listed_wards: HashSet<MuniCode> = master
        .iter()
        .filter(|r| listed.contains(&r.code))
        .filter_map(city_of)
        .collect();
    let kept = |r: &MasterRow| {
        listed.contains(&r.code)
            || cities_of_listed_wards.contains(&r.code)
            || city_of(r).is_some_and(|c| listed.contains(&c))
    };
    let mut rows: Vec<MasterRow> = master.iter().filter(|r| kept(r)).cloned().collect();
    let left_out: Vec<(MuniCode, String)> = master
        .iter()
        .filter(|r| !kept(r) && city_of(r).is_none())
        .map(|r| (r.code, r.name.clone()))
        .collect();
    let mut added = Vec::new();
    for row in population {
        if by_code.contains_key(&row.code) || row.code.is_special_wards_aggregate() {
            continue;
        }
        let name = row
            .name
            .as_deref()
            .map(|n| n.replace([' ', '\u{3000}'], ""))
            .filter(|n| !n.is_empty());
        let refuse = |name: &str, problem: String| DatasetError::UnitsFromPopulation {
            path: inputs.population.clone(),
            record: row.record.clone(),
            code: row.code,
            name: name.to_string(),
            problem,
        };
        let Some(name) = name else {
            return Err(refuse(
                "(no name)",
                "the master does not have this code, and the table gives it no name: a unit needs one (an area_name column, or in an e-Stat response the area's name in CLASS_INF)".to_string(),
            ));
        };
        let Some(&prefecture) = prefecture_of.get(&row.code.prefecture()) else {
            return Err(refuse(
                &name,
                format!(
                    "the master has no municipality of prefecture {:02}",
                    row.code.prefecture()
                ),
            ));
        };
        if name.ends_with('区') && !row.code.is_special_ward() {
            return Err(refuse(
                &name,
                "it looks like a ward of a designated city that the master does not have, and its city cannot be told from the table; give the table at the municipality level (the city's row, not its wards)".to_string(),
            ));
        }
        added.push((row.code, name.clone()));
        rows.push(MasterRow {
            code: row.code,
            prefecture: prefecture.to_string(),
            name,
            lat: None,
            lng: None,
            line: 0,
        });
    }
    rows.sort_by_key(|r| r.code);
    let note = Note::UnitsFromPopulation {
        file: inputs.population.display().to_string(),
        added,
        left_out,
    };
    Ok((rows, note))
}

/// The inputs with every code of `rows` replaced by its new code: flows between the same new
/// codes and the stated totals of one new origin added (keeping the first record's location for
/// messages), populations of one new code added (missing if any is). Persons read stay the same.
/// Returns the `old→new` pairs the inputs used.
fn apply_crosswalk(
    raw: &RawOd,
    population: &[io::PopulationRow],
    rows: &[io::CrosswalkRow],
) -> (RawOd, Vec<io::PopulationRow>, Vec<(MuniCode, MuniCode)>) {
    let map: HashMap<MuniCode, MuniCode> = rows.iter().map(|r| (r.old, r.new)).collect();
    let mut used: std::collections::BTreeSet<(MuniCode, MuniCode)> = Default::default();
    let mut to = |c: MuniCode| match map.get(&c) {
        Some(&n) => {
            used.insert((c, n));
            n
        }
        None => c,
    };
    let mut out = RawOd {
        files: raw.files.clone(),
        ..RawOd::default()
    };
    let mut at: HashMap<(MuniCode, MuniCode), usize> = HashMap::new();
    for f in &raw.flows {
        let (o, d) = (to(f.origin), to(f.dest));
        match at.get(&(o, d)) {
            Some(&k) => out.flows[k].persons += f.persons,
            None => {
                at.insert((o, d), out.flows.len());
                out.flows.push(crate::matrix::RawFlow {
                    origin: o,
                    dest: d,
                    ..*f
                });
            }
        }
    }
    let mut total_at: HashMap<MuniCode, usize> = HashMap::new();
    for t in &raw.totals {
        let o = to(t.origin);
        match total_at.get(&o) {
            Some(&k) => out.totals[k].persons += t.persons,
            None => {
                total_at.insert(o, out.totals.len());
                out.totals
                    .push(crate::matrix::StatedTotal { origin: o, ..*t });
            }
        }
    }
    let mut pop: Vec<io::PopulationRow> = Vec::with_capacity(population.len());
    let mut pop_at: HashMap<MuniCode, usize> = HashMap::new();
    for p in population {
        let c = to(p.code);
        match pop_at.get(&c) {
            Some(&k) => {
                pop[k].population = pop[k].population.zip(p.population).map(|(a, b)| a + b);
            }
            None => {
                pop_at.insert(c, pop.len());
                pop.push(io::PopulationRow {
                    code: c,
                    ..p.clone()
                });
            }
        }
    }
    (out, pop, used.into_iter().collect())
}
