//! The model format, declared once: every section, its keys, their types and
//! documentation. The loader checks keys against these tables (with "did you
//! mean" suggestions), the CSV reader checks headers against them, and
//! `reachmap schema` renders them as JSON Schema.

/// The type a key's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// An identifier or a reference to one.
    Id,
    /// A list of identifiers.
    IdList,
    /// A list of free-text items.
    TextList,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// A list of country codes.
    CountryList,
    /// A local date, `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Bool,
    /// A non-negative integer.
    Count,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// A list of words from a fixed set.
    ChoiceList(&'static [&'static str]),
}

impl FieldType {
    /// What a user must write, for error messages.
    pub fn describe(self) -> String {
        match self {
            FieldType::Text => "a string".into(),
            FieldType::Id => "an id string".into(),
            FieldType::IdList => "a list of id strings".into(),
            FieldType::TextList => "a list of strings".into(),
            FieldType::Country => "a two-letter country code such as \"JP\"".into(),
            FieldType::CountryList => "a list of two-letter country codes".into(),
            FieldType::Date => "a date such as 2021-02-24".into(),
            FieldType::Bool => "true or false".into(),
            FieldType::Count => "a non-negative whole number".into(),
            FieldType::Choice(words) => format!("one of {}", quoted_list(words)),
            FieldType::ChoiceList(words) => format!("a list of {}", quoted_list(words)),
        }
    }

    /// A correct TOML line for a key of this type, for help texts.
    pub fn example(self, key: &str) -> String {
        let value = match self {
            FieldType::Text => "\"...\"".to_string(),
            FieldType::Id => "\"jp-core\"".to_string(),
            FieldType::IdList => "[\"user.id\", \"user.contact\"]".to_string(),
            FieldType::TextList => "[\"mfa\", \"logging\"]".to_string(),
            FieldType::Country => "\"JP\"".to_string(),
            FieldType::CountryList => "[\"JP\", \"KR\"]".to_string(),
            FieldType::Date => "2021-02-24".to_string(),
            FieldType::Bool => "false".to_string(),
            FieldType::Count => "4".to_string(),
            FieldType::Choice(words) => format!("\"{}\"", words[0]),
            FieldType::ChoiceList(words) => format!("[\"{}\"]", words[0]),
        };
        format!("{key} = {value}")
    }

    /// Whether a CSV cell holds a `;`-separated list for this type.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            FieldType::IdList
                | FieldType::TextList
                | FieldType::CountryList
                | FieldType::ChoiceList(_)
        )
    }
}

pub(crate) fn quoted_list(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One key of a section.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
    pub doc: &'static str,
}

/// One section of the model format: `[model]` or an array of tables such as `[[access]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Model,
    Category,
    Organisation,
    System,
    Flow,
    Access,
    Contract,
    Country,
    Policy,
}

pub const SENSITIVITIES: &[&str] = &["normal", "sensitive", "special_care", "secrecy", "payment"];
pub const ROLES: &[&str] = &["controller", "group", "processor", "vendor"];
pub const MODES: &[&str] = &["remote", "onsite", "admin", "monitoring"];
pub const CONTRACT_KINDS: &[&str] = &[
    "entrustment",
    "re-entrustment",
    "provision",
    "joint_use",
    "group",
];
pub const KINDS: &[&str] = &["accessed", "operated", "seat", "stored"];
pub const SEVERITIES: &[&str] = &["error", "warning"];

const fn f(name: &'static str, ty: FieldType, required: bool, doc: &'static str) -> Field {
    Field {
        name,
        ty,
        required,
        doc,
    }
}

const NOTE: Field = f(
    "note",
    FieldType::Text,
    false,
    "Free text: caveats, uncertainty. Carried into explain and the reports.",
);
const SOURCE: Field = f(
    "source",
    FieldType::Text,
    false,
    "Free text: where the fact comes from. Carried into explain and the reports.",
);
const SINCE: Field = f(
    "since",
    FieldType::Date,
    false,
    "First date on which the entry applies (inclusive).",
);
const UNTIL: Field = f(
    "until",
    FieldType::Date,
    false,
    "Date from which the entry no longer applies (exclusive).",
);
const OPT_ID: Field = f(
    "id",
    FieldType::Id,
    false,
    "Optional id, so that findings and what-if can name this entry.",
);

const MODEL_FIELDS: &[Field] = &[
    f(
        "name",
        FieldType::Text,
        true,
        "Name of the modelled service or company.",
    ),
    f(
        "home",
        FieldType::Country,
        true,
        "The controller's jurisdiction; every other country is foreign.",
    ),
    f(
        "as_of",
        FieldType::Date,
        false,
        "Default evaluation date; --as-of overrides it; else today.",
    ),
    f(
        "disclosed_countries",
        FieldType::CountryList,
        false,
        "Countries named in the current public disclosure.",
    ),
    NOTE,
    SOURCE,
];

const CATEGORY_FIELDS: &[Field] = &[
    f(
        "id",
        FieldType::Id,
        true,
        "Dotted id; naming a category anywhere covers it and every declared descendant.",
    ),
    f("name", FieldType::Text, true, "Human-readable name."),
    f(
        "name_ja",
        FieldType::Text,
        false,
        "Japanese name, used by Japanese output.",
    ),
    f(
        "sensitivity",
        FieldType::Choice(SENSITIVITIES),
        false,
        "How sensitive the data is (default normal).",
    ),
    NOTE,
    SOURCE,
];

const ORGANISATION_FIELDS: &[Field] = &[
    f(
        "id",
        FieldType::Id,
        true,
        "Organisation id (its own namespace, written org:ID in paths).",
    ),
    f("name", FieldType::Text, true, "Legal or common name."),
    f(
        "name_ja",
        FieldType::Text,
        false,
        "Japanese name, used by Japanese output.",
    ),
    f(
        "country",
        FieldType::Country,
        true,
        "Legal seat, ISO 3166-1 alpha-2.",
    ),
    f(
        "role",
        FieldType::Choice(ROLES),
        true,
        "Role towards the personal data.",
    ),
    f(
        "parent",
        FieldType::Id,
        false,
        "Corporate parent (ownership), an organisation id.",
    ),
    SINCE,
    UNTIL,
    NOTE,
    SOURCE,
];

const SYSTEM_FIELDS: &[Field] = &[
    f(
        "id",
        FieldType::Id,
        true,
        "System id (its own namespace, written system:ID in paths).",
    ),
    f("name", FieldType::Text, true, "Human-readable name."),
    f(
        "country",
        FieldType::Country,
        true,
        "Where the data physically is.",
    ),
    f(
        "operator",
        FieldType::Id,
        true,
        "Organisation that runs the system.",
    ),
    f(
        "operator_access",
        FieldType::Bool,
        false,
        "Whether the operator can read the data (default true; false for customer-held keys).",
    ),
    f(
        "holds",
        FieldType::IdList,
        false,
        "Categories the system holds itself.",
    ),
    SINCE,
    UNTIL,
    NOTE,
    SOURCE,
];

const FLOW_FIELDS: &[Field] = &[
    OPT_ID,
    f("from", FieldType::Id, true, "Source system."),
    f("to", FieldType::Id, true, "Receiving system."),
    f(
        "categories",
        FieldType::IdList,
        false,
        "Categories that flow (default: everything `from` holds on the date).",
    ),
    f("purpose", FieldType::Text, false, "Why the data flows."),
    SINCE,
    UNTIL,
    NOTE,
    SOURCE,
];

const ACCESS_FIELDS: &[Field] = &[
    OPT_ID,
    f(
        "who",
        FieldType::Id,
        true,
        "Organisation whose people can read the system.",
    ),
    f("to", FieldType::Id, true, "System they can read."),
    f(
        "categories",
        FieldType::IdList,
        false,
        "Categories they can read (default: everything `to` holds on the date).",
    ),
    f(
        "from_country",
        FieldType::Country,
        false,
        "Where those people sit (default: the organisation's country).",
    ),
    f("purpose", FieldType::Text, false, "Why they have access."),
    f(
        "mode",
        FieldType::Choice(MODES),
        false,
        "How they reach the system.",
    ),
    SINCE,
    UNTIL,
    f(
        "headcount",
        FieldType::Count,
        false,
        "Evidence: how many people have the access.",
    ),
    f(
        "observed",
        FieldType::Text,
        false,
        "Evidence: what was observed, free text.",
    ),
    f(
        "controls",
        FieldType::TextList,
        false,
        "Control ids, free text (mfa, logging, ...).",
    ),
    NOTE,
    SOURCE,
];

const CONTRACT_FIELDS: &[Field] = &[
    OPT_ID,
    f(
        "from",
        FieldType::Id,
        true,
        "Organisation that entrusts or provides.",
    ),
    f("to", FieldType::Id, true, "Organisation that receives."),
    f(
        "kind",
        FieldType::Choice(CONTRACT_KINDS),
        true,
        "Legal nature of the hand-over.",
    ),
    f(
        "purpose",
        FieldType::Text,
        false,
        "What the contract covers.",
    ),
    f(
        "categories",
        FieldType::IdList,
        false,
        "Categories the contract covers.",
    ),
    f(
        "transfer_basis",
        FieldType::Text,
        false,
        "Legal basis of a cross-border transfer: consent, rule15, rule16, adequacy, scc, bcr, ...",
    ),
    SINCE,
    UNTIL,
    NOTE,
    SOURCE,
];

const COUNTRY_FIELDS: &[Field] = &[
    f(
        "code",
        FieldType::Id,
        true,
        "ISO 3166-1 alpha-2 code (or a new two-letter code).",
    ),
    f(
        "name",
        FieldType::Text,
        false,
        "English name (overrides the built-in table).",
    ),
    f(
        "name_ja",
        FieldType::Text,
        false,
        "Japanese name (overrides the built-in table).",
    ),
    f(
        "regime_note",
        FieldType::Text,
        false,
        "Note on the country's protection system.",
    ),
    SINCE,
    UNTIL,
    NOTE,
    SOURCE,
];

const POLICY_FIELDS: &[Field] = &[
    f(
        "id",
        FieldType::Id,
        true,
        "Policy id, used as the finding's rule id.",
    ),
    f(
        "categories",
        FieldType::IdList,
        true,
        "Categories the policy protects.",
    ),
    f(
        "deny_countries",
        FieldType::CountryList,
        false,
        "Countries that must not reach them.",
    ),
    f(
        "allow_countries",
        FieldType::CountryList,
        false,
        "The only countries that may reach them (every other country is denied).",
    ),
    f(
        "kinds",
        FieldType::ChoiceList(KINDS),
        false,
        "Reach kinds the policy covers (default all).",
    ),
    f(
        "severity",
        FieldType::Choice(SEVERITIES),
        false,
        "error (default) or warning.",
    ),
    f(
        "message",
        FieldType::Text,
        false,
        "What a violation means, in words.",
    ),
    SINCE,
    UNTIL,
    NOTE,
    SOURCE,
];

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Model,
        Section::Category,
        Section::Organisation,
        Section::System,
        Section::Flow,
        Section::Access,
        Section::Contract,
        Section::Country,
        Section::Policy,
    ];

    /// The TOML key: `model` for `[model]`, `access` for `[[access]]`.
    pub fn key(self) -> &'static str {
        match self {
            Section::Model => "model",
            Section::Category => "category",
            Section::Organisation => "organisation",
            Section::System => "system",
            Section::Flow => "flow",
            Section::Access => "access",
            Section::Contract => "contract",
            Section::Country => "country",
            Section::Policy => "policy",
        }
    }

    /// The CSV table that may hold this section in a model directory.
    pub fn csv_file(self) -> Option<&'static str> {
        match self {
            Section::Category => Some("categories.csv"),
            Section::Organisation => Some("organisations.csv"),
            Section::System => Some("systems.csv"),
            Section::Flow => Some("flows.csv"),
            Section::Access => Some("access.csv"),
            Section::Contract => Some("contracts.csv"),
            Section::Policy => Some("policies.csv"),
            Section::Model | Section::Country => None,
        }
    }

    pub fn from_key(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == key)
    }

    pub const fn fields(self) -> &'static [Field] {
        match self {
            Section::Model => MODEL_FIELDS,
            Section::Category => CATEGORY_FIELDS,
            Section::Organisation => ORGANISATION_FIELDS,
            Section::System => SYSTEM_FIELDS,
            Section::Flow => FLOW_FIELDS,
            Section::Access => ACCESS_FIELDS,
            Section::Contract => CONTRACT_FIELDS,
            Section::Country => COUNTRY_FIELDS,
            Section::Policy => POLICY_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }

    pub fn doc(self) -> &'static str {
        match self {
            Section::Model => "The model's name, home jurisdiction and defaults.",
            Section::Category => "A category of personal data.",
            Section::Organisation => {
                "A company or group member that operates, accesses or contracts."
            }
            Section::System => "Anywhere personal data rests or is handled.",
            Section::Flow => "Data copied or exposed from one system to another.",
            Section::Access => "An organisation whose people can read a system.",
            Section::Contract => "The legal chain that explains an access or a hand-over.",
            Section::Country => "An override of, or addition to, the built-in country table.",
            Section::Policy => "A rule on which countries may reach which categories.",
        }
    }
}
