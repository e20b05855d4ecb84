//! A published sub-processor list (CSV) as model entries.
//!
//! Columns are recognised by their header, case-insensitively and with the
//! usual synonyms (see [`SYNONYMS`]); only the entity and the processing
//! location are required. Each sub-processor becomes:
//!
//! - one `[[organisation]]`, role `processor`, `country` = its corporate
//!   seat (when the list gives none: the first processing location, with a
//!   note saying so);
//! - one `[[system]]` per processing location, operated by it and holding
//!   the categories of the rows that name that location, so the location is
//!   reached as `stored` and the seat as `operated`;
//! - with `--controller`, one `[[contract]]` of kind `entrustment` from the
//!   controller, carrying the purposes and the transfer mechanism.
//!
//! No `[[access]]` is written: a list says where a sub-processor processes
//! data, which the operated system already expresses, but not from which
//! countries its staff can read it. Add accesses by hand when you know that.
//!
//! Rows naming the same entity merge into one organisation.

use std::collections::BTreeMap;

use super::{Block, Draft, Entry, ImportError, slug};
use crate::model::Section;
use crate::model::country::{self, CountryCode};

/// What the import needs besides the CSV text.
#[derive(Debug, Clone)]
pub struct Options {
    /// The file name written into every `source`.
    pub file_name: String,
    /// The controller's organisation id; `None` writes no contracts.
    pub controller: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Entity,
    Purpose,
    Location,
    Seat,
    Categories,
    Transfer,
}

/// Header spellings per column, compared after [`normalise_header`].
const SYNONYMS: &[(Column, &[&str])] = &[
    (
        Column::Entity,
        &[
            "entity",
            "entity name",
            "name",
            "sub processor",
            "sub processor name",
            "subprocessor",
            "subprocessor name",
            "company",
            "vendor",
            "provider",
        ],
    ),
    (
        Column::Purpose,
        &[
            "purpose",
            "purposes",
            "purpose of processing",
            "description",
            "service",
            "services",
            "nature of processing",
            "processing activities",
        ],
    ),
    (
        Column::Location,
        &[
            "location",
            "locations",
            "location s",
            "location of processing",
            "processing location",
            "processing locations",
            "country",
            "countries",
            "country of processing",
            "data location",
        ],
    ),
    (
        Column::Seat,
        &[
            "corporate location",
            "headquarters",
            "hq",
            "seat",
            "corporate seat",
            "registered office",
            "entity country",
            "country of incorporation",
        ],
    ),
    (
        Column::Categories,
        &[
            "categories",
            "data categories",
            "categories of data",
            "categories of personal data",
            "personal data",
        ],
    ),
    (
        Column::Transfer,
        &[
            "transfer mechanism",
            "transfer mechanisms",
            "transfer basis",
            "safeguards",
            "transfer safeguards",
        ],
    ),
];

/// Words that name a region, not a country: a list must say which countries.
const REGIONS: &[&str] = &[
    "eu",
    "eea",
    "european union",
    "european economic area",
    "europe",
    "emea",
    "apac",
    "asia",
    "asia pacific",
    "americas",
    "north america",
    "latin america",
    "middle east",
    "africa",
    "oceania",
    "global",
    "worldwide",
    "world",
    "various",
    "multiple",
];

/// The category used when a row names none.
const UNSPECIFIED: (&str, &str) = (
    "personal_data",
    "Personal data (categories not itemised in the list)",
);

fn normalise_header(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn column_of(header: &str) -> Option<Column> {
    let h = normalise_header(header);
    SYNONYMS
        .iter()
        .find(|(_, words)| words.contains(&h.as_str()))
        .map(|(c, _)| *c)
}

/// One data row, parsed.
struct Row {
    line: u64,
    entity: String,
    purpose: Option<String>,
    locations: Vec<CountryCode>,
    seat: Option<CountryCode>,
    /// (id, name as written)
    categories: Vec<(String, String)>,
    transfer: Option<String>,
}

/// One sub-processor, merged over its rows.
struct Processor {
    id: String,
    name: String,
    seat: Option<(CountryCode, u64)>,
    rows: Vec<u64>,
    purposes: Vec<String>,
    transfers: Vec<String>,
    categories: Vec<String>,
    /// Per processing location: the categories and rows that name it.
    systems: Vec<(CountryCode, Vec<String>, Vec<u64>)>,
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn rows_text(file: &str, rows: &[u64]) -> String {
    let numbers: Vec<String> = rows.iter().map(u64::to_string).collect();
    match numbers.as_slice() {
        [one] => format!("imported from {file} row {one}"),
        _ => format!("imported from {file} rows {}", numbers.join(", ")),
    }
}

/// The countries in a location cell: pieces separated by `;`, `/`, `|` or
/// line ends, each a country name or code; a piece that is not one country
/// may be several separated by commas ("USA, Ireland"), but "Korea,
/// Republic of" is tried whole first. Unknown pieces are returned as errors.
fn countries(cell: &str) -> Result<Vec<CountryCode>, Vec<String>> {
    let table = country::builtin();
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for part in cell
        .split([';', '/', '|', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if let Some(code) = table.lookup(part) {
            push_unique(&mut found, code);
            continue;
        }
        let pieces: Vec<&str> = part
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.len() < 2 {
            unknown.push(part.to_string());
            continue;
        }
        for piece in pieces {
            match table.lookup(piece) {
                Some(code) => push_unique(&mut found, code),
                None => unknown.push(piece.to_string()),
            }
        }
    }
    if unknown.is_empty() {
        Ok(found)
    } else {
        Err(unknown)
    }
}

fn unknown_country(place: &str, text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let hint = if REGIONS.contains(&lower.as_str()) {
        " (it is a region: list its countries instead, separated by \";\", e.g. \"Ireland; Germany\")"
            .to_string()
    } else if let Some(s) = country::builtin().suggest_name(text) {
        format!("; did you mean {s}?")
    } else {
        "; write an ISO code such as \"DE\" or an English name such as \"Germany\", and separate several with \";\"".to_string()
    };
    format!("{place}: \"{text}\" is not a country reachmap knows{hint}")
}

/// Reads the list and drafts the model entries.
pub fn import(text: &str, options: &Options) -> Result<Draft, ImportError> {
    let file = options.file_name.as_str();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(ImportError {
                problems: vec![format!("{file}: cannot read the header row: {e}")],
            });
        }
    };
    // The first column of each kind counts; later ones are reported as ignored.
    let mut columns: BTreeMap<Column, (usize, String)> = BTreeMap::new();
    let mut ignored = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column_of(h) {
            Some(c) if !columns.contains_key(&c) => {
                columns.insert(c, (i, h.trim_start_matches('\u{feff}').trim().to_string()));
            }
            _ if h.trim().is_empty() => {}
            _ => ignored.push(format!("\"{}\"", h.trim())),
        }
    }
    if !ignored.is_empty() {
        notes.push(format!("{file}: ignored columns {}", ignored.join(", ")));
    }
    for (needed, example) in [
        (Column::Entity, "Entity"),
        (Column::Location, "Location of processing"),
    ] {
        if !columns.contains_key(&needed) {
            let words = SYNONYMS
                .iter()
                .find(|(c, _)| *c == needed)
                .map(|(_, w)| w.join("\", \""))
                .unwrap_or_default();
            problems.push(format!(
                "{file} row 1: no \"{example}\" column; the header row has {}; name the column one of \"{words}\"",
                headers
                    .iter()
                    .map(|h| format!("\"{}\"", h.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |c: Column| -> Option<(String, &str)> {
            let (i, header) = columns.get(&c)?;
            let value = record.get(*i)?.trim();
            (!value.is_empty()).then(|| (value.to_string(), header.as_str()))
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let place = |header: &str| format!("{file} row {line}, column \"{header}\"");
        let Some((entity, _)) = cell(Column::Entity) else {
            problems.push(format!(
                "{} is empty; every row needs the sub-processor's name",
                place(&columns[&Column::Entity].1)
            ));
            continue;
        };
        let locations = match cell(Column::Location) {
            None => {
                problems.push(format!(
                    "{} is empty; say where {entity} processes the data",
                    place(&columns[&Column::Location].1)
                ));
                continue;
            }
            Some((text, header)) => match countries(&text) {
                Ok(found) => found,
                Err(unknown) => {
                    for u in unknown {
                        problems.push(unknown_country(&place(header), &u));
                    }
                    continue;
                }
            },
        };
        let seat = match cell(Column::Seat) {
            None => None,
            Some((text, header)) => match countries(&text).as_deref() {
                Ok([one]) => Some(*one),
                Ok(_) => {
                    problems.push(format!(
                        "{}: \"{text}\" names several countries; a corporate seat is one country",
                        place(header)
                    ));
                    continue;
                }
                Err(unknown) => {
                    for u in unknown {
                        problems.push(unknown_country(&place(header), u));
                    }
                    continue;
                }
            },
        };
        let mut categories = Vec::new();
        if let Some((text, _)) = cell(Column::Categories) {
            for name in text.split([';', ',', '\n']).map(str::trim) {
                let id = slug(name, '_');
                if !id.is_empty() && !categories.iter().any(|(i, _)| *i == id) {
                    categories.push((id, name.to_string()));
                }
            }
        }
        if categories.is_empty() {
            categories.push((UNSPECIFIED.0.to_string(), UNSPECIFIED.1.to_string()));
        }
        rows.push(Row {
            line,
            entity,
            purpose: cell(Column::Purpose).map(|(t, _)| t),
            locations,
            seat,
            categories,
            transfer: cell(Column::Transfer).map(|(t, _)| t),
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!(
            "{file}: the list has a header row but no sub-processors"
        ));
    }

    // Merge rows into processors, in order of first appearance.
    let mut categories: Vec<(String, String, Vec<u64>)> = Vec::new();
    let mut processors: Vec<Processor> = Vec::new();
    for row in &rows {
        let id = slug(&row.entity, '-');
        let id = if id.is_empty() {
            format!("processor-row-{}", row.line)
        } else {
            id
        };
        let index = match processors.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => {
                processors.push(Processor {
                    id: id.clone(),
                    name: row.entity.clone(),
                    seat: None,
                    rows: Vec::new(),
                    purposes: Vec::new(),
                    transfers: Vec::new(),
                    categories: Vec::new(),
                    systems: Vec::new(),
                });
                processors.len() - 1
            }
        };
        if options.controller.as_deref() == Some(id.as_str()) {
            problems.push(format!(
                "{file} row {}: {} would get the id \"{id}\", which --controller gives your own organisation; rename one of them",
                row.line, row.entity
            ));
        }
        let p = &mut processors[index];
        p.rows.push(row.line);
        if let Some(seat) = row.seat {
            match p.seat {
                Some((other, at)) if other != seat => problems.push(format!(
                    "{file} row {}: {} has its seat in {seat} here but in {other} in row {at}; one organisation has one seat",
                    row.line, row.entity
                )),
                Some(_) => {}
                None => p.seat = Some((seat, row.line)),
            }
        }
        if let Some(purpose) = &row.purpose {
            push_unique(&mut p.purposes, purpose.clone());
        }
        if let Some(transfer) = &row.transfer {
            push_unique(&mut p.transfers, transfer.clone());
        }
        for (cat_id, cat_name) in &row.categories {
            push_unique(&mut p.categories, cat_id.clone());
            match categories.iter_mut().find(|(i, _, _)| i == cat_id) {
                Some((_, _, lines)) => push_unique(lines, row.line),
                None => categories.push((cat_id.clone(), cat_name.clone(), vec![row.line])),
            }
        }
        for &loc in &row.locations {
            let index = match p.systems.iter().position(|(c, _, _)| *c == loc) {
                Some(i) => i,
                None => {
                    p.systems.push((loc, Vec::new(), Vec::new()));
                    p.systems.len() - 1
                }
            };
            let (_, held, lines) = &mut p.systems[index];
            for (cat_id, _) in &row.categories {
                push_unique(held, cat_id.clone());
            }
            push_unique(lines, row.line);
        }
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }

    let table = country::builtin();
    let mut draft = Draft {
        header: vec![
            format!("Imported by `reachmap import sub-processors` from {file}."),
            "Review every entry: a sub-processor list says who processes the data and where,"
                .into(),
            "not from which countries its staff can read it; add [[access]] entries for that."
                .into(),
        ],
        blocks: Vec::new(),
        notes,
    };
    draft.blocks.push(Block {
        comment: "Data categories as the list names them: rename them to your model's categories, or keep them.".into(),
        entries: categories
            .iter()
            .map(|(id, name, lines)| {
                Entry::new(Section::Category)
                    .text("id", id.clone())
                    .text("name", name.clone())
                    .text("source", rows_text(file, lines))
            })
            .collect(),
    });
    if options.controller.is_none() {
        draft.notes.push(
            "no --controller given, so no [[contract]] entries were written; rerun with --controller <your organisation id>"
                .into(),
        );
    }
    for p in &processors {
        let source = rows_text(file, &p.rows);
        let (seat, seat_note) = match p.seat {
            Some((seat, _)) => (seat, None),
            None => {
                let first = p.systems[0].0;
                (
                    first,
                    Some(format!(
                        "The list gives no corporate seat; assumed to be the first processing location, {}. Check it.",
                        table.info(first).name
                    )),
                )
            }
        };
        let transfers = (!p.transfers.is_empty()).then(|| p.transfers.join("; "));
        let mut org_note = seat_note;
        if options.controller.is_none()
            && let Some(t) = &transfers
        {
            let line = format!("Transfer mechanism per the list: {t}.");
            org_note = Some(match org_note {
                Some(n) => format!("{n} {line}"),
                None => line,
            });
        }
        let mut entries = vec![
            Entry::new(Section::Organisation)
                .text("id", p.id.clone())
                .text("name", p.name.clone())
                .text("country", seat.to_string())
                .text("role", "processor")
                .text_opt("note", org_note)
                .text("source", source.clone()),
        ];
        for (loc, held, lines) in &p.systems {
            let code = loc.to_string();
            entries.push(
                Entry::new(Section::System)
                    .text("id", format!("{}-{}", p.id, code.to_lowercase()))
                    .text("name", format!("{} in {}", p.name, table.info(*loc).name))
                    .text("country", code)
                    .text("operator", p.id.clone())
                    .list("holds", held.clone())
                    .text("source", rows_text(file, lines)),
            );
        }
        if let Some(controller) = &options.controller {
            entries.push(
                Entry::new(Section::Contract)
                    .text("from", controller.clone())
                    .text("to", p.id.clone())
                    .text("kind", "entrustment")
                    .text_opt(
                        "purpose",
                        (!p.purposes.is_empty()).then(|| p.purposes.join("; ")),
                    )
                    .list("categories", p.categories.clone())
                    .text_opt("transfer_basis", transfers)
                    .text("source", source.clone()),
            );
        }
        draft.blocks.push(Block {
            comment: format!(
                "{} ({})",
                p.name,
                source.trim_start_matches("imported from ")
            ),
            entries,
        });
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    #[test]
    fn headers_are_recognised_by_their_usual_names() {
        assert_eq!(column_of("Sub-processor"), Some(Column::Entity));
        assert_eq!(column_of("\u{feff}Entity Name"), Some(Column::Entity));
        assert_eq!(column_of("Location(s)"), Some(Column::Location));
        assert_eq!(column_of("LOCATION OF PROCESSING"), Some(Column::Location));
        assert_eq!(column_of("Headquarters"), Some(Column::Seat));
        assert_eq!(column_of("Data categories"), Some(Column::Categories));
        assert_eq!(column_of("Transfer mechanism"), Some(Column::Transfer));
        assert_eq!(column_of("Website"), None);
    }

    #[test]
    fn location_cells_split_into_countries() {
        assert_eq!(countries("USA; Ireland"), Ok(vec![code("US"), code("IE")]));
        assert_eq!(countries("USA, Ireland"), Ok(vec![code("US"), code("IE")]));
        assert_eq!(countries("Korea, Republic of"), Ok(vec![code("KR")]));
        assert_eq!(countries("DE / de"), Ok(vec![code("DE")]));
        assert_eq!(
            countries("USA, Irland; EU"),
            Err(vec!["Irland".to_string(), "EU".to_string()])
        );
    }

    fn problems(csv: &str, controller: Option<&str>) -> Vec<String> {
        let options = Options {
            file_name: "l.csv".into(),
            controller: controller.map(str::to_string),
        };
        import(csv, &options).expect_err("an error").problems
    }

    #[test]
    fn conflicting_facts_are_errors_naming_both_rows() {
        assert_eq!(
            problems("Entity,Location,Seat\nA,DE,DE\nA,FR,FR\n", None),
            [
                "l.csv row 3: A has its seat in FR here but in DE in row 2; one organisation has one seat"
            ]
        );
        assert_eq!(
            problems("Entity,Location,Seat\nA,DE,DE; FR\n", None),
            [
                "l.csv row 2, column \"Seat\": \"DE; FR\" names several countries; a corporate seat is one country"
            ]
        );
        assert_eq!(
            problems("Entity,Location\nShop,DE\n", Some("shop")),
            [
                "l.csv row 2: Shop would get the id \"shop\", which --controller gives your own organisation; rename one of them"
            ]
        );
        assert_eq!(
            problems("Entity,Location\n", None),
            ["l.csv: the list has a header row but no sub-processors"]
        );
    }
}
