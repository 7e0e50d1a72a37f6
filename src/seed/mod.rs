//! Data sets for trying and measuring physioplan: the demo (`physioplan demo`, `serve
//! --demo`) and synthetic data at scale (`physioplan generate`).

pub mod demo;
pub mod generate;
