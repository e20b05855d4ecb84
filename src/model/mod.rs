//! The model: what the user wrote, validated, with every reference resolved
//! and every entry's location kept for diagnostics and findings.

mod build;
pub mod country;
pub mod diag;
pub mod fields;
pub mod limits;
pub mod schema;
mod source;
mod without;
mod yaml;

use std::fmt;
use std::path::Path;

use fixedbitset::FixedBitSet;
use serde::Serialize;

pub use country::{CountryCode, CountryInfo, CountryTable};
pub use diag::{Diagnostic, LoadError, Location};
pub use fields::Section;
pub use without::{Namespace, WithoutError, WithoutProblem};

/// A calendar date (the model's dates are local dates, `YYYY-MM-DD`).
pub type Date = jiff::civil::Date;

/// Index of a category; categories are sorted by id, so index order is id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CategoryIdx(pub u32);
/// Index of an organisation; sorted by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OrgIdx(pub u32);
/// Index of a system; sorted by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SystemIdx(pub u32);

/// The largest number of categories a model may declare. Category sets are
/// bitsets held per system, so this bounds memory; see docs/limits.md.
pub const MAX_CATEGORIES: usize = 4096;

/// Where an entry applies in time: `since <= D < until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<Date>,
    pub until: Option<Date>,
}

impl Window {
    pub fn applies(&self, date: Date) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date < u)
    }

    /// `until` not after `since`: the entry never applies.
    pub fn is_empty(&self) -> bool {
        matches!((self.since, self.until), (Some(s), Some(u)) if u <= s)
    }
}

/// Free text carried into explain and the reports, and where the entry was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub location: Option<Location>,
    /// `note` and `source`, out of line: most entries have neither, and at a
    /// million entries two empty strings each are 48 MB to write.
    text: Option<Box<MetaText>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct MetaText {
    note: Option<String>,
    source: Option<String>,
}

impl Meta {
    pub fn new(note: Option<String>, source: Option<String>, location: Option<Location>) -> Meta {
        let text =
            (note.is_some() || source.is_some()).then(|| Box::new(MetaText { note, source }));
        Meta { location, text }
    }
    /// The entry's `note`.
    pub fn note(&self) -> Option<&str> {
        self.text.as_ref()?.note.as_deref()
    }
    /// The entry's `source`: where its facts come from.
    pub fn source(&self) -> Option<&str> {
        self.text.as_ref()?.source.as_deref()
    }
}

/// A set of categories, one bit per [`CategoryIdx`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CategorySet(pub FixedBitSet);

impl CategorySet {
    pub fn empty(len: usize) -> Self {
        CategorySet(FixedBitSet::with_capacity(len))
    }
    pub fn full(len: usize) -> Self {
        let mut set = FixedBitSet::with_capacity(len);
        set.insert_range(..);
        CategorySet(set)
    }
    pub fn contains(&self, c: CategoryIdx) -> bool {
        self.0.contains(c.0 as usize)
    }
    pub fn insert(&mut self, c: CategoryIdx) {
        self.0.insert(c.0 as usize);
    }
    pub fn union_with(&mut self, other: &CategorySet) {
        self.0.union_with(&other.0);
    }
    pub fn intersect_with(&mut self, other: &CategorySet) {
        self.0.intersect_with(&other.0);
    }
    pub fn is_subset(&self, other: &CategorySet) -> bool {
        self.0.is_subset(&other.0)
    }
    pub fn is_clear(&self) -> bool {
        self.0.is_clear()
    }
    pub fn iter(&self) -> impl Iterator<Item = CategoryIdx> + '_ {
        self.0.ones().map(|i| CategoryIdx(i as u32))
    }
    /// The set as machine words, lowest categories first: word `w` holds
    /// categories `w * usize::BITS ..`.
    pub fn words(&self) -> &[usize] {
        self.0.as_slice()
    }
    /// A set of `len` categories from its words (see [`words`](Self::words)).
    pub fn from_words(len: usize, words: &[usize]) -> Self {
        CategorySet(FixedBitSet::with_capacity_and_blocks(
            len,
            words.iter().copied(),
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Normal,
    Sensitive,
    SpecialCare,
    Secrecy,
    Payment,
}

impl Sensitivity {
    /// Anything but `normal` gets its own diagram and stricter attention.
    pub fn is_sensitive(self) -> bool {
        self != Sensitivity::Normal
    }
    pub fn as_str(self) -> &'static str {
        fields::SENSITIVITIES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Controller,
    Group,
    Processor,
    Vendor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        fields::ROLES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    Remote,
    Onsite,
    Admin,
    Monitoring,
}

impl AccessMode {
    pub fn as_str(self) -> &'static str {
        fields::MODES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ContractKind {
    #[serde(rename = "entrustment")]
    Entrustment,
    #[serde(rename = "re-entrustment")]
    ReEntrustment,
    #[serde(rename = "provision")]
    Provision,
    #[serde(rename = "joint_use")]
    JointUse,
    #[serde(rename = "group")]
    Group,
}

impl ContractKind {
    pub fn as_str(self) -> &'static str {
        fields::CONTRACT_KINDS[self as usize]
    }
}

/// How a country reaches a category. Declared in the order of their names,
/// so the derived order is the order the spec sorts `kinds` in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An access from that country.
    Accessed,
    /// The system's operator sits there and can read the data.
    Operated,
    /// The accessing organisation's seat is there, its people elsewhere.
    Seat,
    /// The data physically rests there.
    Stored,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Accessed, Kind::Operated, Kind::Seat, Kind::Stored];
    pub fn as_str(self) -> &'static str {
        fields::KINDS[self as usize]
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModelInfo {
    pub name: String,
    pub home: CountryCode,
    pub as_of: Option<Date>,
    pub disclosed_countries: Option<Vec<CountryCode>>,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    pub sensitivity: Sensitivity,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    pub country: CountryCode,
    pub role: Role,
    pub parent: Option<OrgIdx>,
    pub window: Window,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct System {
    pub id: String,
    pub name: String,
    pub country: CountryCode,
    pub operator: OrgIdx,
    pub operator_access: bool,
    /// The categories named in `holds`, as written.
    pub holds_named: Vec<CategoryIdx>,
    /// `holds` expanded to declared descendants.
    pub holds: CategorySet,
    pub window: Window,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub id: Option<String>,
    pub from: SystemIdx,
    pub to: SystemIdx,
    /// Expanded; `None` means everything `from` holds.
    pub categories: Option<CategorySet>,
    pub categories_named: Vec<CategoryIdx>,
    pub purpose: Option<String>,
    pub window: Window,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct Access {
    pub id: Option<String>,
    pub who: OrgIdx,
    pub to: SystemIdx,
    /// Expanded; `None` means everything `to` holds.
    pub categories: Option<CategorySet>,
    pub categories_named: Vec<CategoryIdx>,
    /// Where the people sit: `from_country`, else the organisation's country.
    pub from_country: CountryCode,
    pub purpose: Option<String>,
    pub mode: Option<AccessMode>,
    pub window: Window,
    /// `headcount`, `observed` and `controls`, out of line: most accesses
    /// have none of them.
    evidence: Option<Box<Evidence>>,
    pub meta: Meta,
}

/// What is known of how an access is used and limited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub headcount: Option<u64>,
    pub observed: Option<String>,
    pub controls: Vec<String>,
}

impl Evidence {
    /// Boxed, unless there is none.
    fn out_of_line(self) -> Option<Box<Evidence>> {
        (self != Evidence::default()).then(|| Box::new(self))
    }
}

impl Access {
    /// Sets `headcount`, `observed` and `controls`.
    pub fn set_evidence(&mut self, evidence: Evidence) {
        self.evidence = evidence.out_of_line();
    }
    /// How many people have the access.
    pub fn headcount(&self) -> Option<u64> {
        self.evidence.as_ref()?.headcount
    }
    /// When and how the access was seen in use.
    pub fn observed(&self) -> Option<&str> {
        self.evidence.as_ref()?.observed.as_deref()
    }
    /// The controls that limit the access.
    pub fn controls(&self) -> &[String] {
        self.evidence.as_ref().map_or(&[], |e| &e.controls)
    }
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub id: Option<String>,
    pub from: OrgIdx,
    pub to: OrgIdx,
    pub kind: ContractKind,
    pub purpose: Option<String>,
    pub categories: Option<CategorySet>,
    pub categories_named: Vec<CategoryIdx>,
    pub transfer_basis: Option<String>,
    pub window: Window,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct CountryEntry {
    pub code: CountryCode,
    pub name: Option<String>,
    pub name_ja: Option<String>,
    pub regime_note: Option<String>,
    pub window: Window,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryRule {
    Deny(Vec<CountryCode>),
    Allow(Vec<CountryCode>),
}

impl CountryRule {
    pub fn denies(&self, country: CountryCode) -> bool {
        match self {
            CountryRule::Deny(list) => list.contains(&country),
            CountryRule::Allow(list) => !list.contains(&country),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub categories: CategorySet,
    pub categories_named: Vec<CategoryIdx>,
    pub rule: CountryRule,
    /// Empty means every kind.
    pub kinds: Vec<Kind>,
    pub severity: Severity,
    pub message: Option<String>,
    pub window: Window,
    pub meta: Meta,
}

/// A validated model.
#[derive(Debug, Clone)]
pub struct Model {
    pub info: ModelInfo,
    pub categories: Vec<Category>,
    pub organisations: Vec<Organisation>,
    pub systems: Vec<System>,
    pub flows: Vec<Flow>,
    pub accesses: Vec<Access>,
    pub contracts: Vec<Contract>,
    pub countries: Vec<CountryEntry>,
    pub policies: Vec<Policy>,
    /// For each category, the set of it and its declared descendants.
    pub(crate) subtree: Vec<CategorySet>,
}

impl Model {
    /// Loads a model directory or a single `.toml` file, reporting every problem found.
    pub fn load(path: &Path) -> Result<Model, LoadError> {
        build::build(source::read(path))
    }

    /// Loads a model from TOML text, as if read from a file named `name`.
    pub fn from_toml_str(name: &str, text: &str) -> Result<Model, LoadError> {
        build::build(source::read_toml_text(Path::new(name), text))
    }

    pub fn category(&self, c: CategoryIdx) -> &Category {
        &self.categories[c.0 as usize]
    }
    pub fn organisation(&self, o: OrgIdx) -> &Organisation {
        &self.organisations[o.0 as usize]
    }
    pub fn system(&self, s: SystemIdx) -> &System {
        &self.systems[s.0 as usize]
    }

    pub fn category_by_id(&self, id: &str) -> Option<CategoryIdx> {
        self.categories
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .map(|i| CategoryIdx(i as u32))
    }
    pub fn organisation_by_id(&self, id: &str) -> Option<OrgIdx> {
        self.organisations
            .binary_search_by(|o| o.id.as_str().cmp(id))
            .ok()
            .map(|i| OrgIdx(i as u32))
    }
    pub fn system_by_id(&self, id: &str) -> Option<SystemIdx> {
        self.systems
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| SystemIdx(i as u32))
    }

    /// The category and its declared descendants.
    pub fn subtree(&self, c: CategoryIdx) -> &CategorySet {
        &self.subtree[c.0 as usize]
    }

    pub fn category_set(&self, named: &[CategoryIdx]) -> CategorySet {
        let mut set = CategorySet::empty(self.categories.len());
        for &c in named {
            set.union_with(self.subtree(c));
        }
        set
    }

    /// The model's `[[country]]` entry for a code that applies on `date`, if any.
    pub fn country_entry(&self, code: CountryCode, date: Date) -> Option<&CountryEntry> {
        self.countries
            .iter()
            .find(|c| c.code == code && c.window.applies(date))
    }

    /// Country facts: the built-in table with the model's overrides applied.
    pub fn country_info(&self, code: CountryCode, date: Date) -> CountryInfo {
        let mut info = country::builtin().info(code);
        if let Some(entry) = self.country_entry(code, date) {
            if let Some(name) = &entry.name {
                info.name = name.clone();
            }
            if let Some(name_ja) = &entry.name_ja {
                info.name_ja = name_ja.clone();
            }
            if entry.regime_note.is_some() {
                info.model_note = entry.regime_note.clone();
            }
        }
        info
    }

    /// The default evaluation date: `as_of`, else today.
    pub fn default_date(&self) -> Date {
        self.info.as_of.unwrap_or_else(today)
    }
}

/// Today's date in UTC.
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Parses `YYYY-MM-DD` strictly.
pub fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let number = |r: std::ops::Range<usize>| text[r].parse::<i16>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    Date::new(year, month as i8, day as i8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_until_is_exclusive() {
        let w = Window {
            since: parse_date("2021-01-01"),
            until: parse_date("2021-02-24"),
        };
        assert!(!w.applies(parse_date("2020-12-31").unwrap()));
        assert!(w.applies(parse_date("2021-01-01").unwrap()));
        assert!(w.applies(parse_date("2021-02-23").unwrap()));
        assert!(!w.applies(parse_date("2021-02-24").unwrap()));
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2021-02-29").is_none());
        assert!(parse_date("2020-02-29").is_some());
        assert!(parse_date("2021-2-1").is_none());
        assert!(parse_date("2021-02-01T00:00").is_none());
    }

    /// Fields kept out of line read back as written, and take no
    /// allocation when none is written.
    #[test]
    fn fields_out_of_line_read_back() {
        let meta = Meta::new(None, Some("contract §3".into()), None);
        assert_eq!((meta.note(), meta.source()), (None, Some("contract §3")));
        assert_eq!(Meta::new(None, None, None), Meta::default());
        let text = "[model]\nname = \"m\"\nhome = \"JP\"\n\n[[organisation]]\nid = \"o\"\nname = \"O\"\ncountry = \"JP\"\nrole = \"controller\"\n\n[[system]]\nid = \"s\"\nname = \"S\"\ncountry = \"JP\"\noperator = \"o\"\n\n[[access]]\nwho = \"o\"\nto = \"s\"\nheadcount = 3\ncontrols = [\"vpn\", \"log review\"]\nnote = \"n\"\n\n[[access]]\nwho = \"o\"\nto = \"s\"\n";
        let model = Model::from_toml_str("m.toml", text).unwrap();
        let [with, without] = [&model.accesses[0], &model.accesses[1]];
        assert_eq!(with.headcount(), Some(3));
        assert_eq!(with.observed(), None);
        assert_eq!(with.controls(), ["vpn", "log review"]);
        assert_eq!(with.meta.note(), Some("n"));
        assert!(with.meta.location.is_some());
        assert!(without.evidence.is_none() && without.meta.text.is_none());
        assert_eq!(without.controls(), [] as [String; 0]);
        let mut changed = without.clone();
        changed.set_evidence(Evidence {
            headcount: Some(3),
            observed: None,
            controls: vec!["vpn".into(), "log review".into()],
        });
        assert_eq!(changed.evidence, with.evidence);
        changed.set_evidence(Evidence::default());
        assert!(changed.evidence.is_none());
    }

    #[test]
    fn kinds_sort_by_name() {
        let mut names: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        assert_eq!(names, Kind::ALL.map(|k| k.as_str()));
    }
}
