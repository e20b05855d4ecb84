//! The rules, each drafting its findings (see [`super::draft`]).

use super::draft::{About, Draft, Place, Text};
use crate::model::{CategoryIdx, CategorySet, Kind, Model, Role, Severity, SystemIdx};
use crate::reach::{Evaluation, Reach};

fn country_label(
    model: &Model,
    evaluation: &Evaluation,
    code: crate::model::CountryCode,
) -> String {
    let info = model.country_info(code, evaluation.date());
    format!("{} ({code})", info.name)
}

fn category_label(model: &Model, c: CategoryIdx) -> String {
    let category = model.category(c);
    format!("{} ({})", category.name, category.id)
}

/// Policy violations: a policy in force denies a country that reaches a
/// category it covers, by a kind it names.
pub(super) fn policies<'m>(evaluation: &Evaluation<'m>, reach: &[Reach], out: &mut Vec<Draft<'m>>) {
    let model = evaluation.model();
    for policy in model
        .policies
        .iter()
        .filter(|p| p.window.applies(evaluation.date()))
    {
        for r in reach {
            if !policy.categories.contains(r.category) || !policy.rule.denies(r.country) {
                continue;
            }
            let kinds: Vec<Kind> = r
                .kinds
                .iter()
                .copied()
                .filter(|k| policy.kinds.is_empty() || policy.kinds.contains(k))
                .collect();
            let Some(&first) = kinds.first() else {
                continue;
            };
            let path = if first == r.kinds[0] {
                r.path.clone()
            } else {
                evaluation
                    .witness(r.country, r.category, first)
                    .unwrap_or_default()
            };
            let what = policy
                .message
                .clone()
                .unwrap_or_else(|| format!("policy {} is violated", policy.id));
            let message = format!(
                "{what}: {} reaches {} ({})",
                country_label(model, evaluation, r.country),
                category_label(model, r.category),
                kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.push(Draft {
                severity: policy.severity,
                rule: &policy.id,
                country: Some(r.country),
                category: Some(r.category),
                org: None,
                location: Place::of(policy.meta.location.as_ref()),
                about: About::Written(Box::new(Text {
                    message,
                    kinds: Some(kinds),
                    path: Some(path.render(model)),
                    help: Some(
                        "end or restrict the path shown, or change the policy if the reach is intended"
                            .into(),
                    ),
                })),
            });
        }
    }
}

/// A foreign country that reaches personal data but is missing from
/// `disclosed_countries`, once per country.
pub(super) fn undisclosed<'m>(
    evaluation: &Evaluation<'m>,
    reach: &[Reach],
    out: &mut Vec<Draft<'m>>,
) {
    let model = evaluation.model();
    let Some(disclosed) = &model.info.disclosed_countries else {
        return;
    };
    let home = model.info.home;
    for group in reach.chunk_by(|a, b| a.country == b.country) {
        let country = group[0].country;
        if country == home || disclosed.contains(&country) {
            continue;
        }
        let names: Vec<&str> = group
            .iter()
            .map(|r| model.category(r.category).id.as_str())
            .collect();
        let shown = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
        let more = if names.len() > 5 {
            format!(" and {} more", names.len() - 5)
        } else {
            String::new()
        };
        let message = format!(
            "{} reaches {} categor{} ({shown}{more}) but is not named in disclosed_countries",
            country_label(model, evaluation, country),
            names.len(),
            if names.len() == 1 { "y" } else { "ies" }
        );
        out.push(Draft {
            severity: Severity::Error,
            rule: "undisclosed-country",
            country: Some(country),
            category: Some(group[0].category),
            org: None,
            location: Place::of(model.info.meta.location.as_ref()),
            about: About::Written(Box::new(Text {
                message,
                kinds: Some(group[0].kinds.clone()),
                path: Some(group[0].path.render(model)),
                help: Some(format!(
                    "add \"{country}\" to disclosed_countries once the public disclosure names it"
                )),
            })),
        });
    }
}

/// An access by an organisation that is neither a controller nor reached
/// from one through contracts or parent links.
pub(super) fn uncontracted<'m>(evaluation: &Evaluation<'m>, out: &mut Vec<Draft<'m>>) {
    let model = evaluation.model();
    let chains = evaluation.contract_chains();
    // Per organisation, in one pass, so that sifting the accesses does not
    // read an organisation for each.
    let uncontracted: Vec<bool> = model
        .organisations
        .iter()
        .zip(&chains)
        .map(|(o, chain)| o.role != Role::Controller && chain.is_none())
        .collect();
    for &a in evaluation.active_accesses() {
        let access = &model.accesses[a];
        if uncontracted[access.who.0 as usize] {
            out.push(Draft {
                severity: Severity::Error,
                rule: "uncontracted-access",
                country: Some(access.from_country),
                category: None,
                org: Some(access.who),
                location: Place::of(access.meta.location.as_ref()),
                about: About::Uncontracted(access.who, access.to),
            });
        }
    }
}

/// The lints, in the order [`super::RULES`] lists them.
pub(super) fn lints<'m>(evaluation: &Evaluation<'m>) -> Vec<Draft<'m>> {
    let model = evaluation.model();
    let mut out = Vec::new();
    let mut receives = vec![false; model.systems.len()];
    for f in evaluation.active_flows() {
        receives[model.flows[f].to.0 as usize] = true;
    }
    for (i, s) in model.systems.iter().enumerate() {
        let idx = SystemIdx(i as u32);
        if evaluation.system_active(idx) && s.holds.is_clear() && !receives[i] {
            out.push(Draft {
                severity: Severity::Warning,
                rule: "idle-system",
                country: None,
                category: None,
                org: None,
                location: Place::of(s.meta.location.as_ref()),
                about: About::IdleSystem(idx),
            });
        }
    }
    for &a in evaluation.active_accesses() {
        let access = &model.accesses[a];
        // `access_reads(a).is_clear()` without building the set: what the
        // system holds shares no word with what the access names.
        let reads_nothing = access.categories.as_ref().is_some_and(|categories| {
            let holds = evaluation.holdings(access.to).words();
            holds
                .iter()
                .zip(categories.words())
                .all(|(h, c)| h & c == 0)
        });
        if reads_nothing {
            out.push(Draft {
                severity: Severity::Warning,
                rule: "access-reads-nothing",
                country: None,
                category: None,
                org: Some(access.who),
                location: Place::of(access.meta.location.as_ref()),
                about: About::ReadsNothing(access.who, access.to),
            });
        }
    }
    let mut named = CategorySet::empty(model.categories.len());
    let lists = (model.systems.iter().map(|s| &s.holds_named))
        .chain(model.flows.iter().map(|f| &f.categories_named))
        .chain(model.accesses.iter().map(|a| &a.categories_named))
        .chain(model.contracts.iter().map(|c| &c.categories_named))
        .chain(model.policies.iter().map(|p| &p.categories_named));
    // A large model soon names every category; the remaining million
    // entries need not be read.
    let mut unnamed = model.categories.len();
    for list in lists {
        if unnamed == 0 {
            break;
        }
        for &c in list {
            if !named.contains(c) {
                named.insert(c);
                unnamed -= 1;
            }
        }
    }
    let named_list: Vec<CategoryIdx> = named.iter().collect();
    let covered = model.category_set(&named_list);
    for (i, c) in model.categories.iter().enumerate() {
        let idx = CategoryIdx(i as u32);
        // Used when it, a descendant or an ancestor is named.
        let used = model.subtree(idx).iter().any(|d| named.contains(d)) || covered.contains(idx);
        if !used {
            out.push(Draft {
                severity: Severity::Info,
                rule: "unused-category",
                country: None,
                category: None,
                org: None,
                location: Place::of(c.meta.location.as_ref()),
                about: About::UnusedCategory(idx),
            });
        }
    }
    let mut referenced = vec![false; model.organisations.len()];
    for s in &model.systems {
        referenced[s.operator.0 as usize] = true;
    }
    for a in &model.accesses {
        referenced[a.who.0 as usize] = true;
    }
    for c in &model.contracts {
        referenced[c.from.0 as usize] = true;
        referenced[c.to.0 as usize] = true;
    }
    for o in &model.organisations {
        if let Some(p) = o.parent {
            referenced[p.0 as usize] = true;
        }
    }
    for (i, o) in model.organisations.iter().enumerate() {
        if !referenced[i] && o.role != Role::Controller {
            out.push(Draft {
                severity: Severity::Info,
                rule: "unreferenced-organisation",
                country: None,
                category: None,
                org: Some(crate::model::OrgIdx(i as u32)),
                location: Place::of(o.meta.location.as_ref()),
                about: About::UnreferencedOrganisation(crate::model::OrgIdx(i as u32)),
            });
        }
    }
    out
}
