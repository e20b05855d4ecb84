//! Outputs built from an evaluation: the matrix in its formats, plain-language
//! explanations, and escaping for every format a user-written string reaches.

pub mod escape;
pub mod explain;
pub mod matrix;
