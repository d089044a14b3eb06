//! toshiken's integration tests: one binary, one module per feature.

mod cli;
mod common;
mod corpus;
mod delineate;
mod errors;
mod estat;
mod fixture;
mod fuzz;
mod maps;
mod n03;
mod outputs;
mod props;
mod real_data;
mod schemes;
mod vintage;
mod zones;
