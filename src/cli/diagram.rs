//! `reachmap diagram`: one diagram to stdout.

use std::path::Path;

use clap::ValueEnum;

use super::{Outcome, emit, fail, load};
use crate::diagram::{self, Lang, View};
use crate::model::{Date, Model};
use crate::reach::Evaluation;

/// `--view access|countries|category:C`, before the category is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewArg {
    Access,
    Countries,
    Category(String),
}

/// Parses `--view`.
pub fn view_arg(text: &str) -> Result<ViewArg, String> {
    match text {
        "access" => Ok(ViewArg::Access),
        "countries" => Ok(ViewArg::Countries),
        _ => match text.strip_prefix("category:") {
            Some(id) if !id.is_empty() => Ok(ViewArg::Category(id.to_string())),
            _ => Err(format!(
                "\"{text}\" is not a view; use access, countries or category:ID \
                 (e.g. category:user.content.message)"
            )),
        },
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiagramFormat {
    Dot,
    Svg,
    Mermaid,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Ja => Lang::Ja,
        }
    }
}

fn resolve(model: &Model, view: &ViewArg) -> Result<View, Outcome> {
    Ok(match view {
        ViewArg::Access => View::Access,
        ViewArg::Countries => View::Countries,
        ViewArg::Category(id) => match model.category_by_id(id) {
            Some(c) => View::Category(c),
            None => {
                let hint =
                    crate::model::diag::suggest(id, model.categories.iter().map(|c| c.id.as_str()))
                        .map(|s| format!("; did you mean \"{s}\"?"))
                        .unwrap_or_default();
                return Err(fail(format!("unknown category \"{id}\"{hint}")));
            }
        },
    })
}

pub fn run(
    path: &Path,
    view: &ViewArg,
    format: DiagramFormat,
    as_of: Option<Date>,
    lang: LangArg,
) -> Outcome {
    let Ok(model) = load(path) else {
        return Outcome::Failed;
    };
    let view = match resolve(&model, view) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let evaluation = Evaluation::new(&model, as_of.unwrap_or_else(|| model.default_date()));
    let picture = diagram::build(&evaluation, view, lang.into());
    match format {
        DiagramFormat::Dot => emit(&diagram::dot(&picture)),
        DiagramFormat::Mermaid => emit(&diagram::mermaid(&picture)),
        DiagramFormat::Svg => {
            let dot = diagram::dot(&picture);
            match diagram::svg(&dot) {
                Ok(svg) => emit(&svg),
                Err(e) => {
                    // The DOT is still written, so the work is not lost; the
                    // exit code says the SVG asked for is not what came out.
                    emit(&dot);
                    return fail(format!("{e}; the DOT source was written instead"));
                }
            }
        }
    }
    Outcome::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_parse() {
        assert_eq!(view_arg("access"), Ok(ViewArg::Access));
        assert_eq!(view_arg("countries"), Ok(ViewArg::Countries));
        assert_eq!(
            view_arg("category:user.content"),
            Ok(ViewArg::Category("user.content".into()))
        );
        assert!(view_arg("category:").is_err());
        assert!(view_arg("map").unwrap_err().contains("category:ID"));
    }
}
