//! Every word a diagram shows, in English and Japanese, and the names of model
//! entries in the chosen language.

use crate::model::{
    AccessMode, CategoryIdx, CategorySet, ContractKind, CountryCode, Date, Kind, Model, OrgIdx,
    Role, Sensitivity, Window,
};

use super::Lang;

/// At most this many category names on one label; the rest are counted.
pub const NAMES_PER_LABEL: usize = 4;

pub fn category_name(model: &Model, c: CategoryIdx, lang: Lang) -> &str {
    let category = model.category(c);
    match (lang, &category.name_ja) {
        (Lang::Ja, Some(name)) => name,
        _ => &category.name,
    }
}

pub fn organisation_name(model: &Model, o: OrgIdx, lang: Lang) -> &str {
    let org = model.organisation(o);
    match (lang, &org.name_ja) {
        (Lang::Ja, Some(name)) => name,
        _ => &org.name,
    }
}

pub fn country_name(model: &Model, code: CountryCode, date: Date, lang: Lang) -> String {
    let info = model.country_info(code, date);
    match lang {
        Lang::En => format!("{} ({code})", info.name),
        Lang::Ja => format!("{}（{code}）", info.name_ja),
    }
}

/// The fewest categories that name a set: a category whose whole declared
/// subtree is in the set stands for its descendants.
pub fn summarise(model: &Model, set: &CategorySet) -> Vec<CategoryIdx> {
    let mut covered = CategorySet::empty(model.categories.len());
    let mut out = Vec::new();
    // Ids sort ancestors before descendants ("user.contact" < "user.contact.phone").
    for c in set.iter() {
        if covered.contains(c) {
            continue;
        }
        if model.subtree(c).is_subset(set) {
            covered.union_with(model.subtree(c));
        }
        out.push(c);
    }
    out
}

/// Names for a label, at most `limit` of them and a count of the rest.
pub fn name_list(names: Vec<String>, limit: usize, lang: Lang) -> Vec<String> {
    let (mut shown, more) = limited(names, limit, lang);
    shown.extend(more);
    shown
}

/// At most `limit` lines: the first names and, when some are left out, the
/// line that counts them ("and 3 more").
pub fn limited(names: Vec<String>, limit: usize, lang: Lang) -> (Vec<String>, Option<String>) {
    if names.len() <= limit {
        return (names, None);
    }
    let rest = names.len() - (limit - 1);
    let shown = names.into_iter().take(limit - 1).collect();
    let more = match lang {
        Lang::En => format!("and {rest} more"),
        Lang::Ja => format!("ほか {rest} 件"),
    };
    (shown, Some(more))
}

/// The summarised names of a set of categories, for a label.
pub fn category_lines(model: &Model, set: &CategorySet, limit: usize, lang: Lang) -> Vec<String> {
    let names = summarise(model, set)
        .into_iter()
        .map(|c| category_name(model, c, lang).to_string())
        .collect();
    name_list(names, limit, lang)
}

pub fn kind(kind: Kind, lang: Lang) -> &'static str {
    match (lang, kind) {
        (Lang::En, Kind::Accessed) => "accessed",
        (Lang::En, Kind::Operated) => "operated",
        (Lang::En, Kind::Seat) => "seat",
        (Lang::En, Kind::Stored) => "stored",
        (Lang::Ja, Kind::Accessed) => "アクセス",
        (Lang::Ja, Kind::Operated) => "運用",
        (Lang::Ja, Kind::Seat) => "本拠",
        (Lang::Ja, Kind::Stored) => "保管",
    }
}

pub fn kinds(kinds: &[Kind], lang: Lang) -> String {
    let sep = match lang {
        Lang::En => ", ",
        Lang::Ja => "・",
    };
    kinds
        .iter()
        .map(|&k| kind(k, lang))
        .collect::<Vec<_>>()
        .join(sep)
}

pub fn role(role: Role, lang: Lang) -> &'static str {
    match (lang, role) {
        (Lang::En, Role::Controller) => "controller",
        (Lang::En, Role::Group) => "group company",
        (Lang::En, Role::Processor) => "processor",
        (Lang::En, Role::Vendor) => "vendor",
        (Lang::Ja, Role::Controller) => "個人情報取扱事業者",
        (Lang::Ja, Role::Group) => "グループ会社",
        (Lang::Ja, Role::Processor) => "委託先",
        (Lang::Ja, Role::Vendor) => "取引先",
    }
}

pub fn contract_kind(kind: ContractKind, lang: Lang) -> &'static str {
    match (lang, kind) {
        (Lang::En, _) => kind.as_str(),
        (Lang::Ja, ContractKind::Entrustment) => "委託",
        (Lang::Ja, ContractKind::ReEntrustment) => "再委託",
        (Lang::Ja, ContractKind::Provision) => "第三者提供",
        (Lang::Ja, ContractKind::JointUse) => "共同利用",
        (Lang::Ja, ContractKind::Group) => "グループ内",
    }
}

/// A diagram title: the model's name, then what the picture shows.
pub fn titled(model: &str, what: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{model}: {what}"),
        Lang::Ja => format!("{model} — {what}"),
    }
}

pub fn access_mode(mode: Option<AccessMode>, lang: Lang) -> &'static str {
    match (lang, mode) {
        (Lang::En, None) => "access",
        (Lang::En, Some(AccessMode::Remote)) => "remote access",
        (Lang::En, Some(AccessMode::Onsite)) => "on-site access",
        (Lang::En, Some(AccessMode::Admin)) => "administrative access",
        (Lang::En, Some(AccessMode::Monitoring)) => "monitoring access",
        (Lang::Ja, None) => "アクセス",
        (Lang::Ja, Some(AccessMode::Remote)) => "リモートアクセス",
        (Lang::Ja, Some(AccessMode::Onsite)) => "現地でのアクセス",
        (Lang::Ja, Some(AccessMode::Admin)) => "管理者アクセス",
        (Lang::Ja, Some(AccessMode::Monitoring)) => "モニタリング",
    }
}

/// `since – until`, or `None` for an entry without dates.
pub fn window(w: &Window, lang: Lang) -> Option<String> {
    Some(match (lang, w.since, w.until) {
        (_, None, None) => return None,
        (_, Some(s), Some(u)) => format!("{s} – {u}"),
        (Lang::En, Some(s), None) => format!("since {s}"),
        (Lang::En, None, Some(u)) => format!("until {u}"),
        (Lang::Ja, Some(s), None) => format!("{s} から"),
        (Lang::Ja, None, Some(u)) => format!("{u} まで"),
    })
}

/// Things a label counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    System,
    Organisation,
    Access,
    Flow,
    Country,
    Category,
}

/// The plural noun, for sentences about several.
pub fn plural(what: Counted, lang: Lang) -> &'static str {
    match (lang, what) {
        (Lang::En, Counted::System) => "systems",
        (Lang::En, Counted::Organisation) => "organisations",
        (Lang::En, Counted::Access) => "accesses",
        (Lang::En, Counted::Flow) => "flows",
        (Lang::En, Counted::Country) => "countries",
        (Lang::En, Counted::Category) => "categories",
        (Lang::Ja, Counted::System) => "システム",
        (Lang::Ja, Counted::Organisation) => "組織",
        (Lang::Ja, Counted::Access) => "アクセス",
        (Lang::Ja, Counted::Flow) => "データの流れ",
        (Lang::Ja, Counted::Country) => "国",
        (Lang::Ja, Counted::Category) => "情報の区分",
    }
}

pub fn count(n: usize, what: Counted, lang: Lang) -> String {
    match (lang, what) {
        (Lang::En, _) if n == 1 => {
            let p = plural(what, lang);
            let one = match what {
                Counted::Access => "access",
                Counted::Country => "country",
                Counted::Category => "category",
                _ => p.trim_end_matches('s'),
            };
            format!("1 {one}")
        }
        (Lang::En, _) => format!("{n} {}", plural(what, lang)),
        (Lang::Ja, Counted::Organisation) => format!("{n} 組織"),
        (Lang::Ja, Counted::Country) => format!("{n} か国"),
        (Lang::Ja, Counted::Category) => format!("{n} 区分"),
        (Lang::Ja, _) => format!("{} {n} 件", plural(what, lang)),
    }
}

/// A fixed phrase.
#[derive(Debug, Clone, Copy)]
pub enum Phrase {
    AccessTitle,
    AccessSubtitle,
    CountriesTitle,
    CountriesSubtitle,
    CategoryTitle,
    CategorySubtitle,
    DiffTitle,
    DiffSubtitle,
    HomeCountry,
    SensitiveReach,
    Legend,
    LegendHome,
    LegendForeign,
    LegendForeignSensitive,
    LegendOrganisation,
    LegendSystem,
    LegendAccess,
    LegendAccessSensitive,
    LegendFlow,
    LegendOperates,
    LegendOperatesBlind,
    LegendStaffIn,
    LegendCategories,
    LegendStoredOrOperated,
    LegendAccessedOnly,
    LegendReachSensitive,
    LegendAdded,
    LegendRemoved,
    LegendChanged,
    LegendUnchanged,
    SameReachNote,
    LabelLimitNote,
    ElsewhereNote,
    NothingReaches,
    OperatedBy,
    StaffHere,
    Before,
    After,
}

pub fn phrase(p: Phrase, lang: Lang) -> &'static str {
    use Phrase::*;
    match lang {
        Lang::En => match p {
            AccessTitle => "Who can reach personal data, by country",
            AccessSubtitle => {
                "organisations and systems in each country; arrows: who can read which system"
            }
            CountriesTitle => "Countries that reach personal data",
            CountriesSubtitle => "which categories reach each country, and how",
            CategoryTitle => "Who can reach",
            CategorySubtitle => {
                "organisations and systems through which the category can be reached"
            }
            DiffTitle => "Changes in reach",
            DiffSubtitle => "which categories reach each country, before and after",
            HomeCountry => "home country",
            SensitiveReach => "sensitive data reachable from here",
            Legend => "Legend",
            LegendHome => "home country (the controller's jurisdiction)",
            LegendForeign => "foreign country",
            LegendForeignSensitive => "foreign country reaching sensitive categories",
            LegendOrganisation => "organisation (seat, or where its people sit)",
            LegendSystem => "system: where data rests or is handled",
            LegendAccess => "access: people of the organisation can read the system",
            LegendAccessSensitive => "sensitive categories reached from abroad",
            LegendFlow => "flow: data copied to another system",
            LegendOperates => "operates the system and can read what it holds",
            LegendOperatesBlind => "operates the system but cannot read it",
            LegendStaffIn => "the organisation's people in another country",
            LegendCategories => "categories with the same reach",
            LegendStoredOrOperated => "stored or operated there",
            LegendAccessedOnly => "only accessed from there",
            LegendReachSensitive => "sensitive categories reaching a foreign country",
            LegendAdded => "added by the change",
            LegendRemoved => "removed by the change",
            LegendChanged => "reach changes kind (before → after)",
            LegendUnchanged => "unchanged",
            SameReachNote => {
                "Categories that reach the same countries in the same way share a box."
            }
            LabelLimitNote => {
                "Long lists of categories are shortened; the matrix lists every category."
            }
            ElsewhereNote => {
                "Organisations in countries that hold no system share one box; the country view shows each country."
            }
            NothingReaches => "Nothing reaches this category on this date.",
            OperatedBy => "operated by",
            StaffHere => "staff here",
            Before => "before",
            After => "after",
        },
        Lang::Ja => match p {
            AccessTitle => "国別：個人データに到達できる組織とシステム",
            AccessSubtitle => "国ごとの組織とシステム。矢印は、どの組織がどのシステムを読めるか",
            CountriesTitle => "個人データが到達する国",
            CountriesSubtitle => "各国にどの情報がどのように到達するか",
            CategoryTitle => "到達できる組織と国",
            CategorySubtitle => "この情報に到達できる組織とシステム",
            DiffTitle => "到達範囲の変化",
            DiffSubtitle => "各国にどの情報が到達するか（変更前と変更後）",
            HomeCountry => "本国",
            SensitiveReach => "機微な情報に到達",
            Legend => "凡例",
            LegendHome => "本国（管理者の所在国）",
            LegendForeign => "外国",
            LegendForeignSensitive => "機微な情報が到達する外国",
            LegendOrganisation => "組織（所在国、または従業員のいる国）",
            LegendSystem => "システム：データの保管・処理場所",
            LegendAccess => "アクセス：組織の従業員がシステムを閲覧できる",
            LegendAccessSensitive => "外国から機微な情報に到達",
            LegendFlow => "データの流れ：別のシステムへの複製",
            LegendOperates => "システムを運用し、保管された情報を閲覧できる",
            LegendOperatesBlind => "システムを運用するが閲覧はできない",
            LegendStaffIn => "他国にいる組織の従業員",
            LegendCategories => "到達範囲が同じ情報の区分",
            LegendStoredOrOperated => "その国で保管または運用",
            LegendAccessedOnly => "その国からのアクセスのみ",
            LegendReachSensitive => "外国に到達する機微な情報",
            LegendAdded => "変更で追加",
            LegendRemoved => "変更で削除",
            LegendChanged => "到達の種類が変化（変更前 → 変更後）",
            LegendUnchanged => "変化なし",
            SameReachNote => "同じ国に同じ形で到達する情報の区分は一つの箱にまとめています。",
            LabelLimitNote => {
                "情報の区分が多い場合は省略しています。全区分はマトリクスを参照してください。"
            }
            ElsewhereNote => {
                "システムのない国の組織は一つの箱にまとめています。国ごとの到達は国別の図を参照してください。"
            }
            NothingReaches => "この日付にこの情報に到達するものはありません。",
            OperatedBy => "運用",
            StaffHere => "この国の従業員",
            Before => "変更前",
            After => "変更後",
        },
    }
}

/// How an aggregated view groups its boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    CorporateGroup,
    Country,
    TopCategory,
    SameReach,
}

/// The legend note for an aggregated view: `what` are drawn grouped.
pub fn aggregated_note(what: &str, grouping: Grouping, lang: Lang) -> String {
    let how = match (lang, grouping) {
        (Lang::En, Grouping::CorporateGroup) => "by corporate group",
        (Lang::En, Grouping::Country) => "by country",
        (Lang::En, Grouping::TopCategory) => "by top-level category",
        (Lang::En, Grouping::SameReach) => "together when they are reached the same way",
        (Lang::Ja, Grouping::CorporateGroup) => "企業グループごとに",
        (Lang::Ja, Grouping::Country) => "国ごとに",
        (Lang::Ja, Grouping::TopCategory) => "上位の区分ごとに",
        (Lang::Ja, Grouping::SameReach) => "到達の仕方が同じものごとに",
    };
    match lang {
        Lang::En => format!(
            "More than {} boxes: {what} are drawn {how}.",
            super::READABLE_NODES
        ),
        Lang::Ja => format!(
            "箱が {} を超えるため、{what}を{how}まとめて表示しています。",
            super::READABLE_NODES
        ),
    }
}

/// A subtitle with the evaluation date in front.
pub fn dated(text: &str, date: Date, lang: Lang) -> String {
    match lang {
        Lang::En => format!("As of {date} · {text}"),
        Lang::Ja => format!("{date} 時点 · {text}"),
    }
}

pub fn sensitivity(s: Sensitivity, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::En, Sensitivity::Normal) => "normal",
        (Lang::En, Sensitivity::Sensitive) => "sensitive",
        (Lang::En, Sensitivity::SpecialCare) => "special care",
        (Lang::En, Sensitivity::Secrecy) => "secrecy of communications",
        (Lang::En, Sensitivity::Payment) => "payment",
        (Lang::Ja, Sensitivity::Normal) => "通常",
        (Lang::Ja, Sensitivity::Sensitive) => "機微",
        (Lang::Ja, Sensitivity::SpecialCare) => "要配慮個人情報",
        (Lang::Ja, Sensitivity::Secrecy) => "通信の秘密",
        (Lang::Ja, Sensitivity::Payment) => "決済情報",
    }
}
