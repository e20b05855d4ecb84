//! `reachmap import sub-processors FILE.csv` and `reachmap import fides DIR`:
//! model entries drafted from what a privacy team already has.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::files::write_file;
use super::{Outcome, emit, fail, parse_country};
use crate::import::{Draft, ImportError, fides, subprocessors};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A published sub-processor list (CSV): an organisation per
    /// sub-processor, a system per processing location, a contract each
    #[command(long_about = SUB_PROCESSORS_ABOUT)]
    SubProcessors {
        /// The CSV file; the first row names the columns
        file: PathBuf,
        /// Your organisation's id in the model; contracts run from it
        #[arg(long, value_name = "ID")]
        controller: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// fides manifests (YAML): systems, datasets, data categories and the
    /// flows between them
    #[command(long_about = FIDES_ABOUT)]
    Fides {
        /// A manifest file, or a folder searched for *.yml and *.yaml
        dir: PathBuf,
        /// Country of your organisation and of every system whose manifest
        /// does not say where it is (e.g. JP)
        #[arg(long, value_name = "CC")]
        country: String,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(Debug, clap::Args)]
pub struct Output {
    /// Write the entries to this .toml file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite the --out file if it exists
    #[arg(long, requires = "out")]
    pub force: bool,
}

const SUB_PROCESSORS_ABOUT: &str = "\
Drafts model entries from a published sub-processor list (CSV).

Columns are found by their header, in any case: the entity (Entity, Name,
Sub-processor), where it processes data (Location, Country, Location of
processing), and optionally the purpose (Purpose, Description, Service), its
corporate seat (Corporate location, Headquarters, Seat), the data categories
(Categories, Data categories) and the transfer mechanism (Transfer mechanism,
Safeguards). Countries may be codes or English names (\"USA\", \"Korea,
Republic of\"); separate several with \";\".

Each sub-processor becomes an [[organisation]] (role processor), one
[[system]] per processing location that it operates, and, with --controller,
an entrustment [[contract]] from your organisation. No [[access]] is written:
the list does not say from where its staff can read the data.

Every entry records its row in `source`. Review the result, then save it as
a file of your model directory.";

const FIDES_ABOUT: &str = "\
Drafts model entries from fides manifests (system:, dataset:, organization:
and data_category: resources in YAML).

Systems and datasets become [[system]] entries holding the data categories
their privacy declarations or fields name; egress, ingress and
dataset_references become [[flow]] entries; fides data category keys become
[[category]] entries with their dotted ancestors. A system's country is
meta.country or meta.location when given, else the seat in its vendor's
legal_address, else --country; third_country_transfers add a system in each
listed country. Every assumption is written into the entry's note.";

pub fn run(args: ImportArgs) -> Outcome {
    let (result, out) = match args.source {
        ImportSource::SubProcessors {
            file,
            controller,
            out,
        } => {
            let text = match fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
            };
            let options = subprocessors::Options {
                file_name: shown_name(&file),
                controller,
            };
            (subprocessors::import(&text, &options), out)
        }
        ImportSource::Fides { dir, country, out } => {
            let country = match parse_country(&country) {
                Ok(c) => c,
                Err(o) => return o,
            };
            if !dir.exists() {
                return fail(format!("{} does not exist", dir.display()));
            }
            (fides::import_path(&dir, &fides::Options { country }), out)
        }
    };
    finish(result, &out)
}

/// The name written into `source`: the file name alone, so a model does not
/// record where the list happened to be downloaded.
fn shown_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn finish(result: Result<Draft, ImportError>, out: &Output) -> Outcome {
    let draft = match result {
        Ok(d) => d,
        Err(e) => {
            for problem in &e.problems {
                eprintln!("error: {problem}");
            }
            return Outcome::Failed;
        }
    };
    for note in &draft.notes {
        eprintln!("note: {note}");
    }
    let text = draft.to_toml();
    match &out.out {
        None => emit(&text),
        Some(path) => {
            if let Err(message) = write_file(path, &text, out.force) {
                return fail(message);
            }
            eprintln!("wrote {}", path.display());
        }
    }
    Outcome::Ok
}
