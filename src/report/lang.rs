//! The words the reports use for the model's fixed vocabulary (kinds, roles,
//! contract kinds, sensitivities, access modes) and for dates, in English and
//! Japanese. User-written text is never translated; only these words are.

use crate::model::{
    AccessMode, CategoryIdx, ContractKind, CountryCode, Date, Kind, Model, OrgIdx, Role,
    Sensitivity, Window,
};

/// The language of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// The file-name suffix: `appi-disclosure.en.md`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }
}

/// How a country reaches data, as a phrase about "there" (the country).
pub fn kind(lang: Lang, kind: Kind) -> &'static str {
    match (lang, kind) {
        (Lang::En, Kind::Stored) => "stored there",
        (Lang::En, Kind::Operated) => "operated by an organisation seated there",
        (Lang::En, Kind::Accessed) => "accessed from there",
        (Lang::En, Kind::Seat) => "accessed by an organisation seated there",
        (Lang::Ja, Kind::Stored) => "同国での保存",
        (Lang::Ja, Kind::Operated) => "同国に本店を置く事業者による運用",
        (Lang::Ja, Kind::Accessed) => "同国からのアクセス",
        (Lang::Ja, Kind::Seat) => "同国に本店を置く事業者によるアクセス",
    }
}

pub fn sensitivity(lang: Lang, s: Sensitivity) -> &'static str {
    match (lang, s) {
        (Lang::En, Sensitivity::Normal) => "normal",
        (Lang::En, Sensitivity::Sensitive) => "sensitive",
        (Lang::En, Sensitivity::SpecialCare) => "special care-required (APPI Art. 2(3))",
        (Lang::En, Sensitivity::Secrecy) => "secrecy of communications",
        (Lang::En, Sensitivity::Payment) => "payment",
        (Lang::Ja, Sensitivity::Normal) => "一般",
        (Lang::Ja, Sensitivity::Sensitive) => "機微な情報",
        (Lang::Ja, Sensitivity::SpecialCare) => "要配慮個人情報",
        (Lang::Ja, Sensitivity::Secrecy) => "通信の秘密に係る情報",
        (Lang::Ja, Sensitivity::Payment) => "決済に関する情報",
    }
}

pub fn contract_kind(lang: Lang, k: ContractKind) -> &'static str {
    match (lang, k) {
        (Lang::En, ContractKind::Entrustment) => "entrustment",
        (Lang::En, ContractKind::ReEntrustment) => "re-entrustment",
        (Lang::En, ContractKind::Provision) => "provision",
        (Lang::En, ContractKind::JointUse) => "joint use",
        (Lang::En, ContractKind::Group) => "group agreement",
        (Lang::Ja, ContractKind::Entrustment) => "委託",
        (Lang::Ja, ContractKind::ReEntrustment) => "再委託",
        (Lang::Ja, ContractKind::Provision) => "第三者提供",
        (Lang::Ja, ContractKind::JointUse) => "共同利用",
        (Lang::Ja, ContractKind::Group) => "グループ会社間の契約",
    }
}

pub fn role(lang: Lang, r: Role) -> &'static str {
    match (lang, r) {
        (Lang::En, r) => r.as_str(),
        (Lang::Ja, Role::Controller) => "当社（個人情報取扱事業者）",
        (Lang::Ja, Role::Group) => "グループ会社",
        (Lang::Ja, Role::Processor) => "処理の受託者",
        (Lang::Ja, Role::Vendor) => "取引先事業者",
    }
}

pub fn mode(lang: Lang, m: AccessMode) -> &'static str {
    match (lang, m) {
        (Lang::En, m) => m.as_str(),
        (Lang::Ja, AccessMode::Remote) => "リモートアクセス",
        (Lang::Ja, AccessMode::Onsite) => "現地での作業",
        (Lang::Ja, AccessMode::Admin) => "管理者権限",
        (Lang::Ja, AccessMode::Monitoring) => "モニタリング業務",
    }
}

/// `2021-03-01` in English, `2021年3月1日` in Japanese.
pub fn date(lang: Lang, d: Date) -> String {
    match lang {
        Lang::En => d.to_string(),
        Lang::Ja => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
    }
}

/// A window for people: `until` is exclusive in the model, so the last day
/// shown is the day before it ("from 2020-01-01 to 2021-03-22").
pub fn window(lang: Lang, w: &Window) -> String {
    let last = w.until.and_then(|u| u.yesterday().ok());
    match (lang, w.since, last) {
        (Lang::En, Some(s), Some(l)) => format!("from {s} to {l}"),
        (Lang::En, Some(s), None) => format!("since {s}"),
        (Lang::En, None, Some(l)) => format!("until {l} (start not recorded)"),
        (Lang::En, None, None) => "no dates recorded".into(),
        (Lang::Ja, Some(s), Some(l)) => {
            format!("{}から{}まで", date(lang, s), date(lang, l))
        }
        (Lang::Ja, Some(s), None) => format!("{}から", date(lang, s)),
        (Lang::Ja, None, Some(l)) => format!("{}まで（開始日の記録なし）", date(lang, l)),
        (Lang::Ja, None, None) => "期間の記録なし".into(),
    }
}

pub fn country_name(model: &Model, lang: Lang, code: CountryCode, on: Date) -> String {
    let info = model.country_info(code, on);
    match lang {
        Lang::En => info.name,
        Lang::Ja => info.name_ja,
    }
}

pub fn org_name(model: &Model, lang: Lang, o: OrgIdx) -> &str {
    let org = model.organisation(o);
    match lang {
        Lang::Ja => org.name_ja.as_deref().unwrap_or(&org.name),
        Lang::En => &org.name,
    }
}

pub fn category_name(model: &Model, lang: Lang, c: CategoryIdx) -> &str {
    let category = model.category(c);
    match lang {
        Lang::Ja => category.name_ja.as_deref().unwrap_or(&category.name),
        Lang::En => &category.name,
    }
}

/// Items joined as a list: `a, b, c` in English, `a、b、c` in Japanese.
pub fn list(lang: Lang, items: &[String]) -> String {
    items.join(match lang {
        Lang::En => ", ",
        Lang::Ja => "、",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;

    #[test]
    fn windows_show_the_last_day_not_the_exclusive_until() {
        // until 2021-03-23 is exclusive, so the last day is 2021-03-22.
        let w = Window {
            since: parse_date("2020-01-01"),
            until: parse_date("2021-03-23"),
        };
        assert_eq!(window(Lang::En, &w), "from 2020-01-01 to 2021-03-22");
        assert_eq!(window(Lang::Ja, &w), "2020年1月1日から2021年3月22日まで");
        // until 2021-03-01 ends on the last day of February (not a leap year).
        let w = Window {
            since: None,
            until: parse_date("2021-03-01"),
        };
        assert_eq!(
            window(Lang::Ja, &w),
            "2021年2月28日まで（開始日の記録なし）"
        );
        assert_eq!(window(Lang::En, &Window::default()), "no dates recorded");
    }
}
