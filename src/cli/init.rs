//! `reachmap init [DIR]`: a commented starter model to edit, and the JSON
//! Schema that lets editors check it.

use std::fs;
use std::path::PathBuf;

use super::files::{exists_message, write_file};
use super::{Outcome, fail};

/// The starter model; `tests/eco.rs` checks that it loads and checks cleanly.
pub const TEMPLATE: &str = include_str!("../../templates/init/model.toml");
/// File names written into DIR. The template's `#:schema` line names the second.
pub const MODEL_FILE: &str = "model.toml";
pub const SCHEMA_FILE: &str = "model.schema.json";

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to create; it may exist already
    #[arg(default_value = "reachmap-model")]
    pub dir: PathBuf,
    /// Overwrite model.toml and model.schema.json if they exist
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: InitArgs) -> Outcome {
    let files = [
        (args.dir.join(MODEL_FILE), TEMPLATE.to_string()),
        (args.dir.join(SCHEMA_FILE), crate::model::schema::render()),
    ];
    // Refuse before writing anything, so a refusal changes nothing.
    if !args.force
        && let Some((path, _)) = files.iter().find(|(p, _)| p.exists())
    {
        return fail(exists_message(path));
    }
    if let Err(e) = fs::create_dir_all(&args.dir) {
        return fail(format!("cannot create {}: {e}", args.dir.display()));
    }
    for (path, text) in &files {
        if let Err(message) = write_file(path, text, args.force) {
            return fail(message);
        }
    }
    eprintln!(
        "created {} and {}\nnext: edit {}, then run `reachmap check {}`",
        files[0].0.display(),
        files[1].0.display(),
        files[0].0.display(),
        args.dir.display()
    );
    Outcome::Ok
}
