//! reachmap: which countries can reach which personal data, through whom, on
//! which date.
//!
//! Load a [`model::Model`], evaluate it on a date with [`reach::Evaluation`],
//! and turn the answer into findings ([`check`]) and outputs.
//!
//! ```no_run
//! use reachmap::model::Model;
//! use reachmap::reach::Evaluation;
//!
//! let model = Model::load("models/line-2021".as_ref()).expect("a valid model");
//! let evaluation = Evaluation::new(&model, model.default_date());
//! for reach in evaluation.matrix() {
//!     println!("{} reaches {}", reach.country, model.category(reach.category).id);
//! }
//! ```

pub mod check;
pub mod cli;
pub mod diagram;
pub mod diff;
pub mod import;
pub mod model;
pub mod progress;
pub mod reach;
pub mod report;
pub mod synth;
mod threads;
