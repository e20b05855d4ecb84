//! `--without ID`: evaluate a what-if without editing the model files.

use super::{Outcome, fail};
use crate::model::Model;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Without {
    /// Evaluate as if this entry were not in the model (repeatable): org:ID,
    /// system:ID, access:ID, flow:ID, contract:ID, or a bare id
    #[arg(
        long = "without",
        value_name = "ID",
        long_help = "Evaluate as if this entry were not in the model; repeat it to remove several. \
            Write org:ID, system:ID, access:ID, flow:ID or contract:ID, or a bare ID when only one \
            entry has it. Removing an organisation also removes its accesses and the contracts it \
            is a party to, and its subsidiaries lose their parent; the systems it operates must be \
            removed too (name them), because where their data would go is not for reachmap to guess. \
            Removing a system also removes the flows into and out of it and the accesses to it. \
            Accesses, flows and contracts can be named only when they have an id. \
            For diff, the removal applies to AFTER, so `diff M M --without X` shows what removing X changes."
    )]
    pub ids: Vec<String>,
}

impl Without {
    /// The model without the named entries, or the problems printed and a failed outcome.
    pub fn apply(&self, model: Model) -> Result<Model, Outcome> {
        if self.ids.is_empty() {
            return Ok(model);
        }
        model.without(&self.ids).map_err(|e| {
            for problem in &e.problems {
                fail(problem);
            }
            Outcome::Failed
        })
    }
}
