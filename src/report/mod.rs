//! Outputs built from an evaluation: the matrix in its formats, plain-language
//! explanations, the disclosure-ready report set (APPI statement, sub-processor
//! list, Art. 30 record, findings, the one-page HTML report), and escaping for every format a
//! user-written string reaches.

pub mod art30;
pub mod disclosure;
pub mod escape;
pub mod explain;
pub mod findings;
pub mod handling;
pub mod html;
pub mod lang;
pub mod matrix;
pub mod set;
pub mod subprocessors;
