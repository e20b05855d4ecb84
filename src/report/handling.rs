//! Who handles which personal data where, on the evaluation date: the entry
//! points of the reach semantics (a system storing data, an operator able to
//! read it, an access) with the organisation behind each, and the contracts
//! that explain each organisation. The disclosure, the sub-processor list and
//! the Art. 30 record are views of this one analysis, so they cannot disagree.

use std::collections::{BTreeSet, VecDeque};

use super::lang::{self, Lang};
use crate::model::{
    Access, CategoryIdx, CategorySet, ContractKind, CountryCode, Kind, Meta, Model, OrgIdx, Role,
    SystemIdx, Window,
};
use crate::reach::{Entry, Evaluation, Link, Reach};

/// One way data is handled on the date.
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: Kind,
    /// The country this unit gives reach to (SPEC §2).
    pub country: CountryCode,
    pub entry: Entry,
    /// The accessing organisation, or the system's operator.
    pub org: OrgIdx,
    /// The system accessed, operated or storing.
    pub system: SystemIdx,
    /// What the unit reads or holds; never empty.
    pub categories: CategorySet,
}

impl Unit {
    pub fn access<'m>(&self, model: &'m Model) -> Option<&'m Access> {
        match self.entry {
            Entry::Access(a) => Some(&model.accesses[a]),
            Entry::System(_) => None,
        }
    }

    /// The access's dates, or the system's.
    pub fn window(&self, model: &Model) -> Window {
        match self.access(model) {
            Some(a) => a.window,
            None => model.system(self.system).window,
        }
    }

    /// The entry's note and source: the access's, or the system's.
    pub fn meta<'m>(&self, model: &'m Model) -> &'m Meta {
        match self.access(model) {
            Some(a) => &a.meta,
            None => &model.system(self.system).meta,
        }
    }
}

/// How the organisation stands to the controller, from the contracts to it
/// that apply on the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// A controller handling the data itself.
    Controller,
    /// The kinds of the contracts to it, sorted.
    Contracts(Vec<ContractKind>),
    /// Neither a controller nor the recipient of any contract.
    NoContract,
}

/// The chain from a controller to an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
    /// The organisation is a controller.
    Controller,
    /// Contracts only, from a controller on (indices into `Model::contracts`).
    Contracts(Vec<usize>),
    /// No chain of contracts alone reaches it; this chain uses ownership.
    Ownership(Vec<Link>),
    /// Nothing connects it to a controller.
    Unconnected,
}

/// Where APPI Art. 28 places an organisation that handles data abroad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appi {
    /// The controller itself handles the data in a foreign country.
    OwnHandling,
    /// A third party seated in a foreign country: Art. 28 applies, whether
    /// the hand-over is entrustment or provision.
    ForeignThirdParty,
    /// A third party seated in a country designated under Rule 15.
    Rule15ThirdParty,
    /// Seated in the home country; its people handle the data abroad.
    DomesticParty,
}

/// The date's handling, with each organisation's contracts resolved.
pub struct Handling<'e, 'm> {
    pub evaluation: &'e Evaluation<'m>,
    pub units: Vec<Unit>,
    /// The evaluation's matrix.
    pub reach: Vec<Reach>,
    contract_chains: Vec<Option<Vec<usize>>>,
    any_chains: Vec<Option<Vec<Link>>>,
}

impl<'e, 'm> Handling<'e, 'm> {
    pub fn new(evaluation: &'e Evaluation<'m>) -> Handling<'e, 'm> {
        let model = evaluation.model();
        let units = evaluation
            .entries()
            .into_iter()
            .filter_map(|(country, kind, entry)| {
                let (org, system, categories) = match entry {
                    Entry::System(s) => {
                        (model.system(s).operator, s, evaluation.holdings(s).clone())
                    }
                    Entry::Access(a) => (
                        model.accesses[a].who,
                        model.accesses[a].to,
                        evaluation.access_reads(a),
                    ),
                };
                (!categories.is_clear()).then_some(Unit {
                    kind,
                    country,
                    entry,
                    org,
                    system,
                    categories,
                })
            })
            .collect();
        Handling {
            evaluation,
            units,
            reach: evaluation.matrix(),
            contract_chains: contract_only_chains(evaluation),
            any_chains: evaluation.contract_chains(),
        }
    }

    pub fn model(&self) -> &'m Model {
        self.evaluation.model()
    }

    /// Countries other than home that something gives reach to, sorted.
    pub fn foreign_countries(&self) -> Vec<CountryCode> {
        let home = self.model().info.home;
        self.reach
            .iter()
            .map(|r| r.country)
            .filter(|&c| c != home)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The matrix rows of one country: (category, kinds), by category id.
    pub fn reached(&self, country: CountryCode) -> Vec<(CategoryIdx, &[Kind])> {
        self.reach
            .iter()
            .filter(|r| r.country == country)
            .map(|r| (r.category, r.kinds.as_slice()))
            .collect()
    }

    /// Units giving reach to `country`, of the kinds given.
    pub fn units_in<'s>(
        &'s self,
        country: CountryCode,
        kinds: &'s [Kind],
    ) -> impl Iterator<Item = &'s Unit> + 's {
        self.units
            .iter()
            .filter(move |u| u.country == country && kinds.contains(&u.kind))
    }

    /// The organisations whose people or systems give reach to `country`
    /// (accessed, seat, operated), by id, each with its units there.
    pub fn recipients(&self, country: CountryCode) -> Vec<(OrgIdx, Vec<&Unit>)> {
        group_by_org(self.units_in(country, &[Kind::Accessed, Kind::Seat, Kind::Operated]))
    }

    pub fn relation(&self, org: OrgIdx) -> Relation {
        if self.model().organisation(org).role == Role::Controller {
            return Relation::Controller;
        }
        match self.evaluation.contract_kinds_to(org) {
            kinds if kinds.is_empty() => Relation::NoContract,
            kinds => Relation::Contracts(kinds),
        }
    }

    pub fn chain(&self, org: OrgIdx) -> Chain {
        if self.model().organisation(org).role == Role::Controller {
            return Chain::Controller;
        }
        let i = org.0 as usize;
        match (&self.contract_chains[i], &self.any_chains[i]) {
            (Some(contracts), _) => Chain::Contracts(contracts.clone()),
            (None, Some(links)) => Chain::Ownership(links.clone()),
            (None, None) => Chain::Unconnected,
        }
    }

    pub fn appi(&self, org: OrgIdx) -> Appi {
        let model = self.model();
        let o = model.organisation(org);
        if o.role == Role::Controller {
            Appi::OwnHandling
        } else if o.country == model.info.home {
            Appi::DomesticParty
        } else if model
            .country_info(o.country, self.evaluation.date())
            .appi_rule15
            == "yes"
        {
            Appi::Rule15ThirdParty
        } else {
            Appi::ForeignThirdParty
        }
    }

    /// Indices of the contracts to `org` that apply on the date.
    pub fn contracts_to(&self, org: OrgIdx) -> Vec<usize> {
        let date = self.evaluation.date();
        self.model()
            .contracts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.to == org && c.window.applies(date))
            .map(|(i, _)| i)
            .collect()
    }

    /// The transfer bases recorded on the contracts to `org`, sorted.
    pub fn transfer_bases(&self, org: OrgIdx) -> Vec<String> {
        let model = self.model();
        self.contracts_to(org)
            .into_iter()
            .filter_map(|c| model.contracts[c].transfer_basis.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Purposes of a unit: the access's own, else those of the contracts to
    /// its organisation (a system has no purpose of its own), sorted.
    pub fn purposes(&self, unit: &Unit) -> Vec<String> {
        let model = self.model();
        if let Some(p) = unit.access(model).and_then(|a| a.purpose.clone()) {
            return vec![p];
        }
        self.contract_purposes(unit.org)
    }

    /// Purposes of the contracts to `org`, sorted.
    pub fn contract_purposes(&self, org: OrgIdx) -> Vec<String> {
        let model = self.model();
        self.contracts_to(org)
            .into_iter()
            .filter_map(|c| model.contracts[c].purpose.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The controls recorded on the access units, sorted and deduplicated.
    pub fn controls<'u>(&self, units: impl IntoIterator<Item = &'u Unit>) -> Vec<String> {
        let model = self.model();
        units
            .into_iter()
            .filter_map(|u| u.access(model))
            .flat_map(|a| a.controls().iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Every organisation other than a controller that handles personal data
    /// on the date (has access, operates a system holding it, or runs a system
    /// storing it even without reading it) or receives a contract applying on
    /// the date, by id, with its units. Seat units repeat an access and are
    /// left out.
    pub fn processors(&self) -> Vec<(OrgIdx, Vec<&Unit>)> {
        let model = self.model();
        let reading = self.units.iter().filter(|u| u.kind != Kind::Seat);
        let mut out = group_by_org(reading);
        for c in &model.contracts {
            if c.window.applies(self.evaluation.date()) && !out.iter().any(|(o, _)| *o == c.to) {
                out.push((c.to, Vec::new()));
            }
        }
        out.retain(|(o, _)| model.organisation(*o).role != Role::Controller);
        out.sort_by_key(|(o, _)| *o);
        out
    }
}

/// Units grouped by organisation, organisations in id order, units in the
/// order given.
fn group_by_org<'u>(units: impl Iterator<Item = &'u Unit>) -> Vec<(OrgIdx, Vec<&'u Unit>)> {
    let mut out: Vec<(OrgIdx, Vec<&Unit>)> = Vec::new();
    for u in units {
        match out.iter_mut().find(|(o, _)| *o == u.org) {
            Some((_, list)) => list.push(u),
            None => out.push((u.org, vec![u])),
        }
    }
    out.sort_by_key(|(o, _)| *o);
    out
}

/// For each organisation, the shortest chain of contracts alone (applying on
/// the date) from a controller, or `None`. A disclosure names contracts, so
/// ownership links, which `Evaluation::contract_chains` also follows, are left
/// out here. Ties go to the lower contract index at each step, so the chain
/// is the same on every run.
fn contract_only_chains(evaluation: &Evaluation) -> Vec<Option<Vec<usize>>> {
    let model = evaluation.model();
    let date = evaluation.date();
    let n = model.organisations.len();
    // The contract that first reached each organisation; controllers are roots.
    let mut by: Vec<Option<Option<usize>>> = vec![None; n];
    let mut queue = VecDeque::new();
    for (i, o) in model.organisations.iter().enumerate() {
        if o.role == Role::Controller && o.window.applies(date) {
            by[i] = Some(None);
            queue.push_back(i);
        }
    }
    while let Some(at) = queue.pop_front() {
        for (ci, c) in model.contracts.iter().enumerate() {
            let to = c.to.0 as usize;
            if c.from.0 as usize == at && c.window.applies(date) && by[to].is_none() {
                by[to] = Some(Some(ci));
                queue.push_back(to);
            }
        }
    }
    (0..n)
        .map(|i| {
            let mut chain = Vec::new();
            let mut at = i;
            loop {
                match by[at]? {
                    None => break,
                    Some(ci) => {
                        chain.push(ci);
                        at = model.contracts[ci].from.0 as usize;
                    }
                }
            }
            chain.reverse();
            Some(chain)
        })
        .collect()
}

impl Handling<'_, '_> {
    /// The chain in words: `LINE Corporation → Japanese monitoring contractor
    /// (entrustment) → Dalian group company (re-entrustment)`. Plain text;
    /// the caller escapes it for its format.
    pub fn chain_words(&self, org: OrgIdx, language: Lang) -> String {
        let model = self.model();
        let name = |o: OrgIdx| lang::org_name(model, language, o).to_string();
        let step = |to: OrgIdx, how: &str| match language {
            Lang::En => format!(" → {} ({how})", name(to)),
            Lang::Ja => format!(" →（{how}）{}", name(to)),
        };
        match self.chain(org) {
            Chain::Controller => match language {
                Lang::En => "the controller itself".into(),
                Lang::Ja => "当社自身".into(),
            },
            Chain::Unconnected => match language {
                Lang::En => "no contract or ownership link to the controller recorded".into(),
                Lang::Ja => "当社との契約関係・資本関係の記録なし".into(),
            },
            Chain::Contracts(list) => {
                let mut out = list
                    .first()
                    .map(|&c| name(model.contracts[c].from))
                    .unwrap_or_default();
                for c in list {
                    let contract = &model.contracts[c];
                    out.push_str(&step(
                        contract.to,
                        lang::contract_kind(language, contract.kind),
                    ));
                }
                out
            }
            Chain::Ownership(links) => {
                let mut out = String::new();
                for (i, link) in links.iter().enumerate() {
                    let (from, to, how) = match *link {
                        Link::Contract(c) => {
                            let contract = &model.contracts[c];
                            (
                                contract.from,
                                contract.to,
                                lang::contract_kind(language, contract.kind),
                            )
                        }
                        Link::ParentOf(parent, child) => (
                            parent,
                            child,
                            match language {
                                Lang::En => "subsidiary, no contract recorded",
                                Lang::Ja => "子会社。契約の記録なし",
                            },
                        ),
                        // Chains hold ParentOf, never the search's Parent.
                        Link::Parent => continue,
                    };
                    if i == 0 {
                        out.push_str(&name(from));
                    }
                    out.push_str(&step(to, how));
                }
                out
            }
        }
    }

    /// The relation in words: `re-entrustment`, `no contract recorded`.
    pub fn relation_words(&self, org: OrgIdx, language: Lang) -> String {
        match self.relation(org) {
            Relation::Controller => match language {
                Lang::En => "the controller itself".into(),
                Lang::Ja => "当社自身".into(),
            },
            Relation::NoContract => match language {
                Lang::En => "no contract recorded".into(),
                Lang::Ja => "契約の記録なし".into(),
            },
            Relation::Contracts(kinds) => {
                let words: Vec<String> = kinds
                    .iter()
                    .map(|&k| lang::contract_kind(language, k).to_string())
                    .collect();
                lang::list(language, &words)
            }
        }
    }
}
