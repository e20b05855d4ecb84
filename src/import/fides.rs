//! fides manifests (the YAML resources of the fideslang format) as model
//! entries.
//!
//! Read: `system:` (with `privacy_declarations`, `egress`, `ingress`,
//! `dataset_references`, `third_country_transfers`, `legal_name`,
//! `legal_address`, `organization_fides_key`), `dataset:` (with the data
//! categories of the dataset, its collections and their fields),
//! `organization:` and `data_category:`. Other resources (policies, data
//! uses, data subjects) are not about where data is and are ignored.
//!
//! Written:
//! - `[[category]]` for every data category named anywhere, and for each of
//!   its dotted ancestors, so that naming `user.contact` covers
//!   `user.contact.email`. Names come from `data_category:` resources when
//!   the manifests define them, else the key itself.
//! - `[[organisation]]` for each organisation (role `controller`, country
//!   `--country`), and for each system with a `legal_name`: that business,
//!   role `processor`, seated in the country that ends its `legal_address`
//!   when reachmap knows it, with an `entrustment` `[[contract]]` from the
//!   system's organisation.
//! - `[[system]]` for each system and each dataset (a dataset is where data
//!   rests). Its country is `meta.country` or `meta.location` when given,
//!   else the vendor's seat for a vendor's system, else `--country`. It
//!   holds the data categories of its privacy declarations (system) or of
//!   all its levels (dataset).
//! - `[[flow]]` for every `egress` and `ingress` between systems and
//!   datasets, and from each dataset a system references. A flow carries the
//!   categories the `DataFlow` lists, else those of the privacy declarations
//!   that name the other end; when neither says, it carries everything the
//!   source holds, the conservative reading. `egress` of A to B and
//!   `ingress` of B from A are one flow. Flows to or from `user` are not
//!   flows between systems and are skipped.
//! - For each country in `third_country_transfers` (ISO alpha-3 in fides)
//!   other than the system's own: a `[[system]]` in that country with a flow
//!   to it, so the country is reached; a note says that who holds the data
//!   there is not in the manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Block, Draft, Entry, ImportError, slug};
use crate::model::Section;
use crate::model::country::{self, CountryCode};

/// What the import needs besides the manifests.
#[derive(Debug, Clone)]
pub struct Options {
    /// The country of organisations, and of systems whose manifest says
    /// nothing about where they are.
    pub country: CountryCode,
}

#[derive(Debug, Default, Deserialize)]
struct Manifest {
    #[serde(default)]
    system: Vec<System>,
    #[serde(default)]
    dataset: Vec<Dataset>,
    #[serde(default)]
    organization: Vec<Organization>,
    #[serde(default)]
    data_category: Vec<DataCategory>,
}

#[derive(Debug, Deserialize)]
struct System {
    fides_key: String,
    name: Option<String>,
    description: Option<String>,
    organization_fides_key: Option<String>,
    egress: Option<Vec<DataFlow>>,
    ingress: Option<Vec<DataFlow>>,
    #[serde(default)]
    privacy_declarations: Vec<PrivacyDeclaration>,
    dataset_references: Option<Vec<String>>,
    third_country_transfers: Option<Vec<String>>,
    legal_name: Option<String>,
    legal_address: Option<String>,
    meta: Option<serde_yaml_ng::Value>,
}

#[derive(Debug, Deserialize)]
struct PrivacyDeclaration {
    #[serde(default)]
    data_categories: Vec<String>,
    data_use: Option<String>,
    egress: Option<Vec<String>>,
    ingress: Option<Vec<String>>,
    dataset_references: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct DataFlow {
    fides_key: String,
    #[serde(rename = "type")]
    kind: String,
    data_categories: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Dataset {
    fides_key: String,
    name: Option<String>,
    description: Option<String>,
    organization_fides_key: Option<String>,
    data_categories: Option<Vec<String>>,
    #[serde(default)]
    collections: Vec<Collection>,
    third_country_transfers: Option<Vec<String>>,
    meta: Option<serde_yaml_ng::Value>,
}

#[derive(Debug, Deserialize)]
struct Collection {
    data_categories: Option<Vec<String>>,
    #[serde(default)]
    fields: Vec<Field>,
}

#[derive(Debug, Deserialize)]
struct Field {
    data_categories: Option<Vec<String>>,
    #[serde(default)]
    fields: Vec<Field>,
}

#[derive(Debug, Deserialize)]
struct Organization {
    fides_key: String,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DataCategory {
    fides_key: String,
    name: Option<String>,
}

/// The organisation fides assumes when a resource names none.
const DEFAULT_ORGANIZATION: &str = "default_organization";

/// The manifest files under `path` (a file, or a directory searched
/// recursively for `*.yml` and `*.yaml`), sorted so the output is stable.
fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let p = entry.path();
            if p.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// One resource with the file it came from (relative to the input).
struct Sourced<T> {
    file: String,
    item: T,
}

/// Reads every manifest under `path` and drafts the model entries.
pub fn import_path(path: &Path, options: &Options) -> Result<Draft, ImportError> {
    let files = manifest_files(path).map_err(|p| ImportError { problems: vec![p] })?;
    if files.is_empty() {
        return Err(ImportError {
            problems: vec![format!(
                "{} holds no fides manifests (*.yml or *.yaml files)",
                path.display()
            )],
        });
    }
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        let shown = file
            .strip_prefix(path)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(file)
            .display()
            .to_string();
        match fs::read_to_string(file) {
            Ok(text) => texts.push((shown, text)),
            Err(e) => problems.push(format!("{shown}: cannot read: {e}")),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    import(&texts, options)
}

/// Drafts the model entries from manifest texts, each with its file name.
pub fn import(files: &[(String, String)], options: &Options) -> Result<Draft, ImportError> {
    let mut problems = Vec::new();
    let mut systems = Vec::new();
    let mut datasets = Vec::new();
    let mut organizations = Vec::new();
    // Names the manifests give categories, with the file that gives them.
    let mut category_names: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (file, text) in files {
        if text.trim().is_empty() {
            continue;
        }
        let manifest: Manifest = match serde_yaml_ng::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                let at = e
                    .location()
                    .map(|l| format!(":{}:{}", l.line(), l.column()))
                    .unwrap_or_default();
                problems.push(format!("{file}{at}: not a fides manifest: {e}"));
                continue;
            }
        };
        for s in manifest.system {
            systems.push(Sourced {
                file: file.clone(),
                item: s,
            });
        }
        for d in manifest.dataset {
            datasets.push(Sourced {
                file: file.clone(),
                item: d,
            });
        }
        for o in manifest.organization {
            organizations.push(Sourced {
                file: file.clone(),
                item: o,
            });
        }
        for c in manifest.data_category {
            if let Some(name) = c.name {
                category_names.insert(c.fides_key, (name, file.clone()));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    if systems.is_empty() && datasets.is_empty() {
        return Err(ImportError {
            problems: vec![
                "the manifests declare no system: and no dataset: resources, so there is nothing to import".into(),
            ],
        });
    }
    Builder {
        options,
        problems: Vec::new(),
        categories: BTreeSet::new(),
    }
    .build(&systems, &datasets, &organizations, &category_names)
}

/// Where a manifest says a resource is: `meta.country` or `meta.location`.
fn meta_country(meta: Option<&serde_yaml_ng::Value>) -> Option<String> {
    let meta = meta?;
    ["country", "location"]
        .iter()
        .find_map(|k| meta.get(*k).and_then(|v| v.as_str()).map(str::to_string))
}

/// The country at the end of a postal address ("..., CA 94080, USA").
fn address_country(address: &str) -> Option<CountryCode> {
    let last = address.rsplit([',', '\n']).next()?.trim();
    country::builtin().lookup(last)
}

/// A flow being assembled; `None` categories means "everything the source holds".
struct FlowDraft {
    categories: Option<BTreeSet<String>>,
    sources: BTreeSet<String>,
}

struct Builder<'a> {
    options: &'a Options,
    problems: Vec<String>,
    /// Every category named, before ancestors are added.
    categories: BTreeSet<String>,
}

impl Builder<'_> {
    fn country(&mut self, text: &str, place: &str) -> Option<CountryCode> {
        let found = country::builtin().lookup(text);
        if found.is_none() {
            let hint = country::builtin()
                .suggest_name(text)
                .map(|s| format!("; did you mean {s}?"))
                .unwrap_or_else(|| {
                    "; write an ISO code such as \"DEU\" or \"DE\", or an English name".into()
                });
            self.problems.push(format!(
                "{place}: \"{text}\" is not a country reachmap knows{hint}"
            ));
        }
        found
    }

    fn name_categories<'c>(&mut self, list: impl IntoIterator<Item = &'c String>) -> Vec<String> {
        let mut out = Vec::new();
        for c in list {
            self.categories.insert(c.clone());
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out.sort();
        out
    }

    fn build(
        mut self,
        systems: &[Sourced<System>],
        datasets: &[Sourced<Dataset>],
        organizations: &[Sourced<Organization>],
        category_names: &BTreeMap<String, (String, String)>,
    ) -> Result<Draft, ImportError> {
        let home = self.options.country;
        let table = country::builtin();

        // Ids: systems keep their fides_key; a dataset whose key a system
        // also uses gets "-dataset" appended.
        let system_keys: BTreeSet<&str> =
            systems.iter().map(|s| s.item.fides_key.as_str()).collect();
        let dataset_id: BTreeMap<&str, String> = datasets
            .iter()
            .map(|d| {
                let key = d.item.fides_key.as_str();
                let id = if system_keys.contains(key) {
                    format!("{key}-dataset")
                } else {
                    key.to_string()
                };
                (key, id)
            })
            .collect();
        let mut seen = BTreeMap::new();
        for (kind, key, file) in systems
            .iter()
            .map(|s| ("system", &s.item.fides_key, &s.file))
            .chain(
                datasets
                    .iter()
                    .map(|d| ("dataset", &d.item.fides_key, &d.file)),
            )
        {
            if let Some(other) = seen.insert((kind, key.clone()), file.clone()) {
                self.problems.push(format!(
                    "{file}: {kind} \"{key}\" is declared twice (also in {other})"
                ));
            }
        }
        let node_id = |kind: &str, key: &str| -> Option<String> {
            match kind {
                "system" => system_keys.contains(key).then(|| key.to_string()),
                "dataset" => dataset_id.get(key).cloned(),
                _ => None,
            }
        };

        // Organisations: declared ones, then any a resource names.
        let mut orgs: BTreeMap<String, (String, String)> = BTreeMap::new();
        for o in organizations {
            let name = o
                .item
                .name
                .clone()
                .unwrap_or_else(|| o.item.fides_key.clone());
            orgs.insert(
                o.item.fides_key.clone(),
                (name, format!("imported from fides manifest {}", o.file)),
            );
        }
        let named_orgs = systems
            .iter()
            .map(|s| (&s.item.organization_fides_key, &s.file))
            .chain(
                datasets
                    .iter()
                    .map(|d| (&d.item.organization_fides_key, &d.file)),
            );
        let mut implied_orgs = BTreeSet::new();
        for (key, file) in named_orgs {
            let key = key.as_deref().unwrap_or(DEFAULT_ORGANIZATION);
            if !orgs.contains_key(key) {
                implied_orgs.insert(key.to_string());
                orgs.insert(
                    key.to_string(),
                    (
                        key.to_string(),
                        format!("imported from fides manifest {file}"),
                    ),
                );
            }
        }

        let mut system_entries = Vec::new();
        let mut vendor_entries = Vec::new();
        let mut contract_entries = Vec::new();
        let mut flows: BTreeMap<(String, String), FlowDraft> = BTreeMap::new();
        let mut add_flow = |from: String, to: String, cats: Option<Vec<String>>, source: String| {
            let flow = flows.entry((from, to)).or_insert_with(|| FlowDraft {
                categories: Some(BTreeSet::new()),
                sources: BTreeSet::new(),
            });
            match (&mut flow.categories, cats) {
                (Some(set), Some(list)) => set.extend(list),
                (categories, _) => *categories = None,
            }
            flow.sources.insert(source);
        };
        let mut transfer_systems = Vec::new();

        for Sourced { file, item: s } in systems {
            let source = format!(
                "imported from fides manifest {file} (system {})",
                s.fides_key
            );
            let place = format!("{file}: system \"{}\"", s.fides_key);
            let org = s
                .organization_fides_key
                .clone()
                .unwrap_or_else(|| DEFAULT_ORGANIZATION.to_string());
            // A business of its own behind the system: a vendor.
            let vendor = s
                .legal_name
                .as_ref()
                .filter(|n| orgs.get(&org).is_none_or(|(org_name, _)| org_name != *n));
            let vendor_seat = s.legal_address.as_deref().and_then(address_country);
            let mut notes = Vec::new();
            let country = match meta_country(s.meta.as_ref()) {
                Some(text) => self.country(&text, &format!("{place}, meta")),
                None => match (vendor, vendor_seat) {
                    (Some(_), Some(seat)) => {
                        notes.push(format!(
                            "Location not in the manifest; assumed to be the vendor's seat, {}.",
                            table.info(seat).name
                        ));
                        Some(seat)
                    }
                    _ => {
                        notes.push(format!(
                            "Location not in the manifest; assumed to be {} (--country).",
                            table.info(home).name
                        ));
                        Some(home)
                    }
                },
            };
            let Some(country) = country else { continue };
            let operator = match vendor {
                Some(legal_name) => {
                    let id = match slug(legal_name, '-') {
                        id if id.is_empty() => format!("{}-vendor", s.fides_key),
                        id => id,
                    };
                    let seat = vendor_seat.unwrap_or(country);
                    let mut vendor_note = None;
                    if vendor_seat.is_none() {
                        vendor_note = Some(format!(
                            "Seat not found in legal_address; assumed to be {}.",
                            table.info(seat).name
                        ));
                    }
                    vendor_entries.push(
                        Entry::new(Section::Organisation)
                            .text("id", id.clone())
                            .text("name", legal_name.clone())
                            .text("country", seat.to_string())
                            .text("role", "processor")
                            .text_opt("note", vendor_note)
                            .text("source", source.clone()),
                    );
                    contract_entries.push(
                        Entry::new(Section::Contract)
                            .text("from", org.clone())
                            .text("to", id.clone())
                            .text("kind", "entrustment")
                            .text(
                                "purpose",
                                s.name.clone().unwrap_or_else(|| s.fides_key.clone()),
                            )
                            .text("source", source.clone()),
                    );
                    id
                }
                None => org.clone(),
            };
            let holds = self.name_categories(
                s.privacy_declarations
                    .iter()
                    .flat_map(|d| d.data_categories.iter()),
            );
            let uses: BTreeSet<&str> = s
                .privacy_declarations
                .iter()
                .filter_map(|d| d.data_use.as_deref())
                .collect();
            if !uses.is_empty() {
                notes.push(format!(
                    "Data uses: {}.",
                    uses.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
            system_entries.push(
                Entry::new(Section::System)
                    .text("id", s.fides_key.clone())
                    .text(
                        "name",
                        s.name.clone().unwrap_or_else(|| s.fides_key.clone()),
                    )
                    .text("country", country.to_string())
                    .text("operator", operator.clone())
                    .list("holds", holds)
                    .text_opt("note", join_notes(s.description.as_deref(), &notes))
                    .text("source", source.clone()),
            );

            // Flows declared on the system, with the declarations' categories.
            for (direction, list) in [("egress", &s.egress), ("ingress", &s.ingress)] {
                for flow in list.iter().flatten() {
                    if flow.kind == "user" {
                        continue;
                    }
                    let Some(other) = node_id(&flow.kind, &flow.fides_key) else {
                        self.problems.push(format!(
                            "{place}: {direction} names {} \"{}\", which no manifest here declares",
                            flow.kind, flow.fides_key
                        ));
                        continue;
                    };
                    let from_declarations: Vec<&String> = s
                        .privacy_declarations
                        .iter()
                        .filter(|d| {
                            let keys = if direction == "egress" {
                                &d.egress
                            } else {
                                &d.ingress
                            };
                            keys.iter().flatten().any(|k| *k == flow.fides_key)
                        })
                        .flat_map(|d| d.data_categories.iter())
                        .collect();
                    let cats = match &flow.data_categories {
                        Some(list) => Some(self.name_categories(list)),
                        None if !from_declarations.is_empty() => {
                            Some(self.name_categories(from_declarations))
                        }
                        None => None,
                    };
                    let (from, to) = if direction == "egress" {
                        (s.fides_key.clone(), other)
                    } else {
                        (other, s.fides_key.clone())
                    };
                    add_flow(from, to, cats, source.clone());
                }
            }
            // A dataset the system uses: its data is there for the system.
            let system_refs = s.dataset_references.iter().flatten().map(|k| (k, None));
            let declaration_refs = s.privacy_declarations.iter().flat_map(|d| {
                d.dataset_references
                    .iter()
                    .flatten()
                    .map(move |k| (k, Some(&d.data_categories)))
            });
            for (key, cats) in system_refs.chain(declaration_refs) {
                let Some(from) = dataset_id.get(key.as_str()).cloned() else {
                    self.problems.push(format!(
                        "{place}: dataset_references names \"{key}\", which no manifest here declares"
                    ));
                    continue;
                };
                let cats = cats.map(|c| self.name_categories(c));
                add_flow(from, s.fides_key.clone(), cats, source.clone());
            }
            for text in s.third_country_transfers.iter().flatten() {
                if let Some(code) = self.country(text, &format!("{place}, third_country_transfers"))
                    && code != country
                {
                    transfer_systems.push((
                        s.fides_key.clone(),
                        operator.clone(),
                        code,
                        source.clone(),
                    ));
                }
            }
        }

        for Sourced { file, item: d } in datasets {
            let id = dataset_id[d.fides_key.as_str()].clone();
            let source = format!(
                "imported from fides manifest {file} (dataset {})",
                d.fides_key
            );
            let place = format!("{file}: dataset \"{}\"", d.fides_key);
            let mut notes = Vec::new();
            let country = match meta_country(d.meta.as_ref()) {
                Some(text) => self.country(&text, &format!("{place}, meta")),
                None => {
                    notes.push(format!(
                        "Location not in the manifest; assumed to be {} (--country).",
                        table.info(home).name
                    ));
                    Some(home)
                }
            };
            let Some(country) = country else { continue };
            let mut named: Vec<&String> = d.data_categories.iter().flatten().collect();
            for c in &d.collections {
                named.extend(c.data_categories.iter().flatten());
                collect_fields(&c.fields, &mut named);
            }
            let holds = self.name_categories(named);
            let operator = d
                .organization_fides_key
                .clone()
                .unwrap_or_else(|| DEFAULT_ORGANIZATION.to_string());
            system_entries.push(
                Entry::new(Section::System)
                    .text("id", id.clone())
                    .text(
                        "name",
                        d.name.clone().unwrap_or_else(|| d.fides_key.clone()),
                    )
                    .text("country", country.to_string())
                    .text("operator", operator.clone())
                    .list("holds", holds)
                    .text_opt("note", join_notes(d.description.as_deref(), &notes))
                    .text("source", source.clone()),
            );
            for text in d.third_country_transfers.iter().flatten() {
                if let Some(code) = self.country(text, &format!("{place}, third_country_transfers"))
                    && code != country
                {
                    transfer_systems.push((id.clone(), operator.clone(), code, source.clone()));
                }
            }
        }

        for (from, operator, code, source) in &transfer_systems {
            let id = format!("{from}-transfer-{}", code.as_str().to_lowercase());
            let name = table.info(*code).name;
            system_entries.push(
                Entry::new(Section::System)
                    .text("id", id.clone())
                    .text("name", format!("{from}: transfers to {name}"))
                    .text("country", code.to_string())
                    .text("operator", operator.clone())
                    .text(
                        "note",
                        format!(
                            "fides lists {name} in third_country_transfers; where and by whom the data is held there is not in the manifest."
                        ),
                    )
                    .text("source", source.clone()),
            );
            add_flow(from.clone(), id, None, source.clone());
        }

        if !self.problems.is_empty() {
            return Err(ImportError {
                problems: self.problems,
            });
        }

        // Categories with their dotted ancestors.
        let mut all_categories = BTreeSet::new();
        for c in &self.categories {
            let mut prefix = String::new();
            for part in c.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                all_categories.insert(prefix.clone());
            }
        }
        let category_entries = all_categories
            .iter()
            .map(|c| {
                let entry = Entry::new(Section::Category).text("id", c.clone());
                match category_names.get(c) {
                    Some((name, file)) => entry
                        .text("name", name.clone())
                        .text("source", format!("imported from fides manifest {file}")),
                    None => entry
                        .text("name", c.clone())
                        .text("source", "fides data category key named in the manifests"),
                }
            })
            .collect();
        let org_entries = orgs
            .iter()
            .map(|(key, (name, source))| {
                Entry::new(Section::Organisation)
                    .text("id", key.clone())
                    .text("name", name.clone())
                    .text("country", home.to_string())
                    .text("role", "controller")
                    .text_opt(
                        "note",
                        implied_orgs.contains(key).then(|| {
                            format!("Named by organization_fides_key only; write its legal name here. Seat assumed to be {} (--country).", table.info(home).name)
                        }),
                    )
                    .text("source", source.clone())
            })
            .collect();
        let flow_entries = flows
            .into_iter()
            .map(|((from, to), flow)| {
                Entry::new(Section::Flow)
                    .text("id", format!("{from}-to-{to}"))
                    .text("from", from)
                    .text("to", to)
                    .list(
                        "categories",
                        flow.categories
                            .map(|s| s.into_iter().collect())
                            .unwrap_or_default(),
                    )
                    .text(
                        "source",
                        flow.sources.into_iter().collect::<Vec<_>>().join("; "),
                    )
            })
            .collect();

        system_entries.sort_by(|a, b| a.fields[0].1.cmp(&b.fields[0].1));
        vendor_entries.sort_by(|a, b| a.fields[0].1.cmp(&b.fields[0].1));
        vendor_entries.dedup_by(|a, b| a.fields[0] == b.fields[0]);
        Ok(Draft {
            header: vec![
                "Imported by `reachmap import fides` from fides manifests.".into(),
                "Review every entry: fides says which systems handle which data, not who can"
                    .into(),
                "read them from where; add [[access]] entries for that, and check each note."
                    .into(),
            ],
            blocks: vec![
                Block {
                    comment: "Data categories (fides keys; a dotted key covers its descendants)."
                        .into(),
                    entries: category_entries,
                },
                Block {
                    comment: "Organisations.".into(),
                    entries: org_entries,
                },
                Block {
                    comment: "Vendors behind systems (legal_name).".into(),
                    entries: vendor_entries,
                },
                Block {
                    comment: "Systems and datasets.".into(),
                    entries: system_entries,
                },
                Block {
                    comment:
                        "Flows (egress, ingress, dataset_references, third_country_transfers)."
                            .into(),
                    entries: flow_entries,
                },
                Block {
                    comment: "Contracts with vendors.".into(),
                    entries: contract_entries,
                },
            ],
            notes: Vec::new(),
        })
    }
}

fn collect_fields<'a>(fields: &'a [Field], out: &mut Vec<&'a String>) {
    for f in fields {
        out.extend(f.data_categories.iter().flatten());
        collect_fields(&f.fields, out);
    }
}

fn join_notes(description: Option<&str>, notes: &[String]) -> Option<String> {
    let parts: Vec<&str> = description
        .into_iter()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .chain(notes.iter().map(String::as_str))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
