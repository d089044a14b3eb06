//! Daytime population and the day/night ratio (昼夜間人口比率).

/// How commuters with an unknown destination count in the daytime population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnknownInDaytime {
    /// They neither leave nor stay: daytime = resident − outflow + inflow with outflow to known
    /// units only (default; the census cannot place them, so they are not moved).
    #[default]
    NotMoved,
    /// They are counted as leaving: outflow includes unknown destinations (a lower bound on the
    /// daytime population).
    Leave,
}

/// Daytime population per unit: `population − outflow + inflow` (minus unknown destinations
/// under [`UnknownInDaytime::Leave`]). `None` where the population is missing or the unit has
/// no commuting data (its outflow is unknown).
pub fn daytime_population(
    population: &[Option<u64>],
    outflow: &[u64],
    inflow: &[u64],
    unknown: &[u64],
    has_data: &[bool],
    convention: UnknownInDaytime,
) -> Vec<Option<i64>> {
    (0..population.len())
        .map(|i| {
            let night = population[i]? as i64;
            if !has_data[i] {
                return None;
            }
            let leaving = outflow[i]
                + match convention {
                    UnknownInDaytime::NotMoved => 0,
                    UnknownInDaytime::Leave => unknown[i],
                };
            Some(night - leaving as i64 + inflow[i] as i64)
        })
        .collect()
}

/// Day/night ratio `daytime / population`; `None` where either is missing or the population is
/// zero.
pub fn day_night_ratio(daytime: &[Option<i64>], population: &[Option<u64>]) -> Vec<Option<f64>> {
    daytime
        .iter()
        .zip(population)
        .map(|(&day, &night)| match (day, night) {
            (Some(day), Some(night)) if night > 0 => Some(day as f64 / night as f64),
            _ => None,
        })
        .collect()
}
