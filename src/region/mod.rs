//! `Region`: everything the delineation rules look at — units with names and kinds, the
//! commute matrix, population, shapes, adjacency and metrics — owned, so that a scenario
//! (a merger of municipalities) can produce another one.

mod merge;

pub use merge::{parse_merge, MergeError};

use geo::MultiPolygon;

use crate::dataset::Dataset;
use crate::geometry::{par_adjacency, Adjacency, UnitShapes};
use crate::matrix::{CommuteMatrix, Metrics, MetricsParams};
use crate::registry::{Kind, Muni, MuniCode, Units};

/// The analysis units of one delineation, with all their data in index order.
#[derive(Clone, Debug)]
pub struct Region {
    /// Unit codes (a merged unit keeps the code of its highest-ranked member, see `merge`).
    pub units: Units,
    /// Display names (`倉敷市+笠岡市` for a merger).
    pub names: Vec<String>,
    /// Prefecture names.
    pub prefectures: Vec<String>,
    /// Kinds.
    pub kinds: Vec<Kind>,
    /// The commute matrix over `units`.
    pub matrix: CommuteMatrix,
    /// Resident population.
    pub population: Vec<Option<u64>>,
    /// Shapes (`None` where the boundaries have none).
    pub shapes: UnitShapes,
    /// Rook adjacency of `shapes`.
    pub adjacency: Adjacency,
    /// Metrics of `matrix` under `params`.
    pub metrics: Metrics,
    /// The conventions the metrics were computed with.
    pub params: MetricsParams,
    /// Codes merged into each unit (empty when the unit was not merged).
    pub merged: Vec<Vec<MuniCode>>,
    /// Office location (lat, lng) of each unit, from the master (a merged unit keeps the
    /// office of the member whose code it keeps).
    pub offices: Vec<Option<(f64, f64)>>,
}

impl Region {
    /// Builds the region of a loaded dataset with its unit shapes.
    ///
    /// # Panics
    /// If `shapes` is not aligned to the dataset's units (a caller bug).
    pub fn new(dataset: &Dataset, shapes: UnitShapes, params: MetricsParams) -> Self {
        assert_eq!(
            shapes.len(),
            dataset.units.len(),
            "shapes must be aligned to units"
        );
        let entry = |c: &MuniCode| {
            dataset
                .registry
                .get(*c)
                .expect("units come from the registry")
        };
        let codes = dataset.units.codes();
        let adjacency = par_adjacency(&shapes);
        let metrics = Metrics::par_compute(&dataset.matrix, &dataset.population, &params);
        Region {
            units: dataset.units.clone(),
            names: codes.iter().map(|c| entry(c).name.clone()).collect(),
            prefectures: codes.iter().map(|c| entry(c).prefecture.clone()).collect(),
            kinds: codes.iter().map(|c| entry(c).kind).collect(),
            matrix: dataset.matrix.clone(),
            population: dataset.population.clone(),
            shapes,
            adjacency,
            metrics,
            params,
            merged: vec![Vec::new(); codes.len()],
            offices: codes.iter().map(|c| entry(c).office).collect(),
        }
    }

    /// A region made by hand (rule fixtures, synthetic what-ifs): units by code with name and
    /// kind, population, flows `(from, to, persons)` between unit indices (a flow to itself is
    /// staying; repeats are summed), no unknown destinations, no shapes, and the given
    /// neighbour pairs as adjacency.
    ///
    /// # Panics
    /// If the codes are not ascending and distinct, a vector is not one per unit, or a flow
    /// names no unit (a fixture bug).
    pub fn from_flows(
        units: &[(MuniCode, &str, Kind)],
        population: &[Option<u64>],
        flows: &[(usize, usize, u32)],
        neighbours: &[(usize, usize)],
        params: MetricsParams,
    ) -> Self {
        let n = units.len();
        assert_eq!(population.len(), n, "one population per unit");
        assert!(
            units.windows(2).all(|w| w[0].0 < w[1].0),
            "codes ascending and distinct"
        );
        let triplets = flows
            .iter()
            .map(|&(a, b, p)| {
                assert!(a < n && b < n, "flow between units");
                (a as u32, b as u32, p)
            })
            .collect();
        let matrix = CommuteMatrix::from_triplets_summed(n, triplets, vec![0; n], vec![true; n])
            .expect("a fixture's flows fit the matrix");
        let pairs: Vec<(u32, u32)> = neighbours
            .iter()
            .map(|&(a, b)| (a as u32, b as u32))
            .collect();
        let metrics = Metrics::compute(&matrix, population, &params);
        Region {
            units: Units::from_codes(units.iter().map(|u| u.0).collect()),
            names: units.iter().map(|u| u.1.to_string()).collect(),
            prefectures: vec![String::new(); n],
            kinds: units.iter().map(|u| u.2).collect(),
            matrix,
            population: population.to_vec(),
            shapes: vec![None; n],
            adjacency: crate::geometry::Adjacency::from_pairs(n, &pairs),
            metrics,
            params,
            merged: vec![Vec::new(); n],
            offices: vec![None; n],
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// True when there are no units.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Code of unit `i`.
    pub fn code(&self, i: usize) -> MuniCode {
        self.units.code(Muni(i as u32))
    }

    /// Index of `code`, if it is a unit.
    pub fn index_of(&self, code: MuniCode) -> Option<usize> {
        self.units.index_of(code).map(Muni::index)
    }

    /// `code name` for messages.
    pub fn label(&self, i: usize) -> String {
        format!("{} {}", self.code(i), self.names[i])
    }

    /// Persons from unit `from` to the units `to` together.
    pub fn persons_to(&self, from: usize, to: &[usize]) -> u64 {
        to.iter()
            .map(|&t| u64::from(self.matrix.get(from, t)))
            .sum()
    }

    /// Share denominator of unit `i` under the region's conventions.
    pub fn denominator(&self, i: usize) -> u64 {
        self.metrics.share_denominator[i]
    }

    /// The shape of unit `i`, if any.
    pub fn shape(&self, i: usize) -> Option<&MultiPolygon<f64>> {
        self.shapes[i].as_ref()
    }
}
