//! What-if removal: the model as if some entries had never been written, so
//! "what if we end the Dalian contract?" needs no edited copy of the files.
//!
//! The rules follow what a careful hand edit would have to do to keep the
//! model valid, and nothing more:
//! - an organisation takes with it its accesses and the contracts it is a
//!   party to; its subsidiaries stay but lose their `parent`. The systems it
//!   operates are not removed silently, because where their data goes is a
//!   decision reachmap cannot make: they must be named too (or re-assigned in
//!   the files), otherwise removal is refused;
//! - a system takes with it the flows into and out of it and the accesses to it;
//! - an access, flow or contract takes only itself.

use std::collections::BTreeSet;
use std::fmt;

use super::diag::suggest;
use super::{Model, OrgIdx, SystemIdx};

/// The namespaces an id given to [`Model::without`] may name, in the order
/// the prefixes are listed to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    Org,
    System,
    Access,
    Flow,
    Contract,
}

impl Namespace {
    pub const ALL: [Namespace; 5] = [
        Namespace::Org,
        Namespace::System,
        Namespace::Access,
        Namespace::Flow,
        Namespace::Contract,
    ];

    /// The prefix of the qualified form, as in witness paths: `org:`, `system:`.
    pub fn prefix(self) -> &'static str {
        match self {
            Namespace::Org => "org",
            Namespace::System => "system",
            Namespace::Access => "access",
            Namespace::Flow => "flow",
            Namespace::Contract => "contract",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Namespace::Org => "organisation",
            other => other.prefix(),
        }
    }

    fn from_prefix(prefix: &str) -> Option<Namespace> {
        match prefix {
            "org" | "organisation" | "organization" => Some(Namespace::Org),
            _ => Namespace::ALL.into_iter().find(|n| n.prefix() == prefix),
        }
    }

    /// Every id of this namespace in the model, with the entry's index.
    fn ids(self, model: &Model) -> Vec<(&str, usize)> {
        fn named(id: &Option<String>, i: usize) -> Option<(&str, usize)> {
            id.as_deref().map(|id| (id, i))
        }
        match self {
            Namespace::Org => model
                .organisations
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id.as_str(), i))
                .collect(),
            Namespace::System => model
                .systems
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect(),
            Namespace::Access => model
                .accesses
                .iter()
                .enumerate()
                .filter_map(|(i, a)| named(&a.id, i))
                .collect(),
            Namespace::Flow => model
                .flows
                .iter()
                .enumerate()
                .filter_map(|(i, f)| named(&f.id, i))
                .collect(),
            Namespace::Contract => model
                .contracts
                .iter()
                .enumerate()
                .filter_map(|(i, c)| named(&c.id, i))
                .collect(),
        }
    }
}

/// Why [`Model::without`] refused; every problem found, in the order the ids were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithoutError {
    pub problems: Vec<WithoutProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithoutProblem {
    /// No entry has this id (in `namespace`, when the id was qualified);
    /// `suggestion` is a near id, qualified when it needs to be.
    Unknown {
        id: String,
        namespace: Option<Namespace>,
        suggestion: Option<String>,
    },
    /// A bare id found in several namespaces; `options` are the qualified forms.
    Ambiguous { id: String, options: Vec<String> },
    /// An organisation to remove operates systems that are not removed with it.
    OperatesSystems { org: String, systems: Vec<String> },
}

impl fmt::Display for WithoutProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WithoutProblem::Unknown {
                id,
                namespace,
                suggestion,
            } => {
                let what = match namespace {
                    Some(n) => n.noun(),
                    None => "organisation, system, access, flow or contract",
                };
                write!(f, "--without \"{id}\": no {what} has this id")?;
                match (suggestion, namespace) {
                    (Some(s), _) => write!(f, "; did you mean \"{s}\"?"),
                    (
                        None,
                        None | Some(Namespace::Access | Namespace::Flow | Namespace::Contract),
                    ) => write!(
                        f,
                        "; accesses, flows and contracts can be named only when they have an `id`"
                    ),
                    (None, Some(_)) => Ok(()),
                }
            }
            WithoutProblem::Ambiguous { id, options } => write!(
                f,
                "--without \"{id}\" is ambiguous: write one of {}",
                options
                    .iter()
                    .map(|o| format!("\"{o}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            WithoutProblem::OperatesSystems { org, systems } => write!(
                f,
                "--without \"org:{org}\": it operates {}, which would be left without an operator; \
                 also remove {} (add {}), or give {} another operator in the model",
                systems
                    .iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                if systems.len() == 1 { "it" } else { "them" },
                systems
                    .iter()
                    .map(|s| format!("--without system:{s}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                if systems.len() == 1 { "it" } else { "them" },
            ),
        }
    }
}

impl fmt::Display for WithoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WithoutError {}

/// What the given ids name, by namespace; indices into the model's vectors.
#[derive(Default)]
struct Removal {
    orgs: BTreeSet<usize>,
    systems: BTreeSet<usize>,
    accesses: BTreeSet<usize>,
    flows: BTreeSet<usize>,
    contracts: BTreeSet<usize>,
}

impl Removal {
    fn set(&mut self, namespace: Namespace) -> &mut BTreeSet<usize> {
        match namespace {
            Namespace::Org => &mut self.orgs,
            Namespace::System => &mut self.systems,
            Namespace::Access => &mut self.accesses,
            Namespace::Flow => &mut self.flows,
            Namespace::Contract => &mut self.contracts,
        }
    }
}

fn resolve(model: &Model, given: &str, removal: &mut Removal) -> Result<(), WithoutProblem> {
    let qualified = given
        .split_once(':')
        .and_then(|(prefix, id)| Namespace::from_prefix(prefix).map(|n| (n, id)));
    if let Some((namespace, id)) = qualified {
        let ids = namespace.ids(model);
        if let Some(&(_, i)) = ids.iter().find(|(x, _)| *x == id) {
            removal.set(namespace).insert(i);
            return Ok(());
        }
        return Err(WithoutProblem::Unknown {
            id: given.to_string(),
            namespace: Some(namespace),
            suggestion: suggest(id, ids.iter().map(|(x, _)| *x))
                .map(|s| format!("{}:{s}", namespace.prefix())),
        });
    }
    let found: Vec<(Namespace, usize)> = Namespace::ALL
        .into_iter()
        .flat_map(|n| {
            n.ids(model)
                .into_iter()
                .filter(|(x, _)| *x == given)
                .map(move |(_, i)| (n, i))
        })
        .collect();
    match found.as_slice() {
        [(namespace, i)] => {
            removal.set(*namespace).insert(*i);
            Ok(())
        }
        [] => {
            let all: Vec<(Namespace, &str)> = Namespace::ALL
                .into_iter()
                .flat_map(|n| n.ids(model).into_iter().map(move |(x, _)| (n, x)))
                .collect();
            let suggestion = suggest(given, all.iter().map(|(_, x)| *x)).map(|s| {
                let namespace = all.iter().find(|(_, x)| *x == s).map(|(n, _)| *n);
                let ambiguous = all.iter().filter(|(_, x)| *x == s).count() > 1;
                match namespace {
                    Some(n) if ambiguous => format!("{}:{s}", n.prefix()),
                    _ => s.to_string(),
                }
            });
            Err(WithoutProblem::Unknown {
                id: given.to_string(),
                namespace: None,
                suggestion,
            })
        }
        many => Err(WithoutProblem::Ambiguous {
            id: given.to_string(),
            options: many
                .iter()
                .map(|(n, _)| format!("{}:{given}", n.prefix()))
                .collect(),
        }),
    }
}

/// New positions after removal: `None` for a removed entry.
fn renumber(len: usize, removed: &BTreeSet<usize>) -> Vec<Option<u32>> {
    let mut next = 0u32;
    (0..len)
        .map(|i| {
            if removed.contains(&i) {
                None
            } else {
                next += 1;
                Some(next - 1)
            }
        })
        .collect()
}

impl Model {
    /// The model without the named entries and what cannot exist without
    /// them (see the module documentation for the rules). An id is
    /// `org:X`, `system:X`, `access:X`, `flow:X`, `contract:X` or a bare id
    /// found in exactly one of those namespaces. Naming an entry twice is fine.
    pub fn without(&self, ids: &[String]) -> Result<Model, WithoutError> {
        let mut removal = Removal::default();
        let mut problems: Vec<WithoutProblem> = ids
            .iter()
            .filter_map(|id| resolve(self, id, &mut removal).err())
            .collect();
        for &o in &removal.orgs {
            let orphaned: Vec<String> = self
                .systems
                .iter()
                .enumerate()
                .filter(|(s, system)| {
                    system.operator.0 as usize == o && !removal.systems.contains(s)
                })
                .map(|(_, system)| system.id.clone())
                .collect();
            if !orphaned.is_empty() {
                problems.push(WithoutProblem::OperatesSystems {
                    org: self.organisations[o].id.clone(),
                    systems: orphaned,
                });
            }
        }
        if !problems.is_empty() {
            return Err(WithoutError { problems });
        }

        let org_at = renumber(self.organisations.len(), &removal.orgs);
        let system_at = renumber(self.systems.len(), &removal.systems);
        let org = |o: OrgIdx| org_at[o.0 as usize].map(OrgIdx);
        let system = |s: SystemIdx| system_at[s.0 as usize].map(SystemIdx);

        let mut model = self.clone();
        // Filtering keeps the order, so organisations and systems stay sorted by id.
        model.organisations = self
            .organisations
            .iter()
            .enumerate()
            .filter(|(i, _)| org_at[*i].is_some())
            .map(|(_, o)| {
                let mut o = o.clone();
                o.parent = o.parent.and_then(org);
                o
            })
            .collect();
        model.systems = self
            .systems
            .iter()
            .enumerate()
            .filter(|(i, _)| system_at[*i].is_some())
            .filter_map(|(_, s)| {
                let mut s = s.clone();
                s.operator = org(s.operator)?;
                Some(s)
            })
            .collect();
        model.flows = self
            .flows
            .iter()
            .enumerate()
            .filter(|(i, _)| !removal.flows.contains(i))
            .filter_map(|(_, f)| {
                let mut f = f.clone();
                f.from = system(f.from)?;
                f.to = system(f.to)?;
                Some(f)
            })
            .collect();
        model.accesses = self
            .accesses
            .iter()
            .enumerate()
            .filter(|(i, _)| !removal.accesses.contains(i))
            .filter_map(|(_, a)| {
                let mut a = a.clone();
                a.who = org(a.who)?;
                a.to = system(a.to)?;
                Some(a)
            })
            .collect();
        model.contracts = self
            .contracts
            .iter()
            .enumerate()
            .filter(|(i, _)| !removal.contracts.contains(i))
            .filter_map(|(_, c)| {
                let mut c = c.clone();
                c.from = org(c.from)?;
                c.to = org(c.to)?;
                Some(c)
            })
            .collect();
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[model]
name = "small"
home = "JP"

[[category]]
id = "a"
name = "A"

[[organisation]]
id = "ctl"
name = "Controller"
country = "JP"
role = "controller"

[[organisation]]
id = "shared"
name = "Shared name"
country = "KR"
role = "vendor"
parent = "ctl"

[[organisation]]
id = "sub"
name = "Subsidiary"
country = "KR"
role = "vendor"
parent = "shared"

[[system]]
id = "shared"
name = "A system with an organisation's id"
country = "JP"
operator = "ctl"
holds = ["a"]

[[system]]
id = "vendor-box"
name = "Run by the vendor"
country = "KR"
operator = "shared"
holds = ["a"]

[[access]]
id = "sub-reads"
who = "sub"
to = "shared"
"#;

    fn small() -> Model {
        Model::from_toml_str("small.toml", SMALL).expect("valid")
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_bare_id_in_two_namespaces_is_ambiguous() {
        let err = small().without(&ids(&["shared"])).unwrap_err();
        assert_eq!(
            err.problems,
            vec![WithoutProblem::Ambiguous {
                id: "shared".into(),
                options: vec!["org:shared".into(), "system:shared".into()],
            }]
        );
    }

    #[test]
    fn unknown_ids_get_a_suggestion_in_their_namespace() {
        let err = small()
            .without(&ids(&["system:vendor-bx", "sub-read", "nothing-like-it"]))
            .unwrap_err();
        assert_eq!(
            err.problems,
            vec![
                WithoutProblem::Unknown {
                    id: "system:vendor-bx".into(),
                    namespace: Some(Namespace::System),
                    suggestion: Some("system:vendor-box".into()),
                },
                WithoutProblem::Unknown {
                    id: "sub-read".into(),
                    namespace: None,
                    suggestion: Some("sub-reads".into()),
                },
                WithoutProblem::Unknown {
                    id: "nothing-like-it".into(),
                    namespace: None,
                    suggestion: None,
                },
            ]
        );
    }

    #[test]
    fn an_operator_cannot_go_without_its_systems() {
        let err = small().without(&ids(&["org:shared"])).unwrap_err();
        assert_eq!(
            err.problems,
            vec![WithoutProblem::OperatesSystems {
                org: "shared".into(),
                systems: vec!["vendor-box".into()],
            }]
        );
    }

    #[test]
    fn removing_an_organisation_detaches_children_and_renumbers() {
        let model = small()
            .without(&ids(&["org:shared", "system:vendor-box"]))
            .expect("both named");
        let org_ids: Vec<&str> = model.organisations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(org_ids, ["ctl", "sub"]);
        // `sub` had parent `shared`, which is gone.
        assert_eq!(model.organisations[1].parent, None);
        let system_ids: Vec<&str> = model.systems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(system_ids, ["shared"]);
        assert_eq!(model.systems[0].operator, OrgIdx(0));
        // The access by `sub` stays, re-pointed at the new indices.
        assert_eq!(model.accesses.len(), 1);
        assert_eq!(model.accesses[0].who, OrgIdx(1));
        assert_eq!(model.accesses[0].to, SystemIdx(0));
    }

    #[test]
    fn removing_a_system_removes_the_accesses_to_it() {
        let model = small().without(&ids(&["system:shared"])).expect("known");
        assert!(model.accesses.is_empty());
        assert_eq!(model.systems.len(), 1);
        assert_eq!(model.systems[0].id, "vendor-box");
        assert_eq!(model.systems[0].operator, OrgIdx(1));
    }
}
