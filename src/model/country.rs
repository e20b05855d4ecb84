//! Countries: ISO 3166-1 alpha-2 codes and the built-in country table
//! (`data/countries.csv`, shipped as data with its sources in `data/countries.md`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use fixedbitset::FixedBitSet;
use serde::{Serialize, Serializer};

/// A two-letter country code, upper case.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// `ZZ`, the user-assigned code for an unknown country.
    pub const UNKNOWN: CountryCode = CountryCode(*b"ZZ");

    /// The code as a number below 26 × 26.
    fn number(self) -> usize {
        let [a, b] = self.0.map(|c| usize::from(c.saturating_sub(b'A')).min(25));
        a * 26 + b
    }

    /// Accepts exactly two ASCII letters, upper case.
    pub fn parse(text: &str) -> Option<CountryCode> {
        match text.as_bytes() {
            &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
                Some(CountryCode([a, b]))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What the reports say about a country.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CountryInfo {
    pub code: String,
    pub name: String,
    pub name_ja: String,
    /// Member of the EU/EEA.
    pub eea: bool,
    /// `yes`, `partial`, `eea` or `no`.
    pub eu_adequacy: String,
    /// `yes`, `home` or `no`: recognised under APPI Rule 15 (EEA and UK).
    pub appi_rule15: String,
    /// `yes`, `eu` or `no`: covered by the PPC's survey of foreign systems.
    pub ppc_survey: String,
    pub regime: String,
    pub regime_ja: String,
    pub government_access: String,
    pub government_access_ja: String,
    pub localisation: String,
    pub localisation_ja: String,
    /// The model's own `regime_note`, when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_note: Option<String>,
}

/// The built-in table.
pub struct CountryTable {
    rows: BTreeMap<CountryCode, CountryInfo>,
    /// The codes of `rows`, one bit each: the loader asks about every
    /// row's countries, and a bit is found without a search.
    known: FixedBitSet,
    /// Normalised English names and aliases (see [`normalise_name`]).
    by_name: BTreeMap<String, CountryCode>,
}

const TABLE: &str = include_str!("../../data/countries.csv");
const ALIASES: &str = include_str!("../../data/country-aliases.csv");

/// The form names are compared in: lower case, single spaces, typographic
/// apostrophes made plain, without a leading "the".
fn normalise_name(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.replace('\u{2019}', "'").to_lowercase())
        .collect();
    let words = match words.split_first() {
        Some((first, rest)) if first == "the" && !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ")
}

impl CountryTable {
    fn parse(text: &str) -> CountryTable {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut rows = BTreeMap::new();
        for record in reader.deserialize::<Row>() {
            // The table is checked by a unit test; a bad row cannot ship.
            let Ok(row) = record else { continue };
            let Some(code) = CountryCode::parse(&row.code) else {
                continue;
            };
            rows.insert(
                code,
                CountryInfo {
                    code: row.code,
                    name: row.name,
                    name_ja: row.name_ja,
                    eea: row.eea == "yes",
                    eu_adequacy: row.eu_adequacy,
                    appi_rule15: row.appi_rule15,
                    ppc_survey: row.ppc_survey,
                    regime: row.regime,
                    regime_ja: row.regime_ja,
                    government_access: row.government_access,
                    government_access_ja: row.government_access_ja,
                    localisation: row.localisation,
                    localisation_ja: row.localisation_ja,
                    model_note: None,
                },
            );
        }
        let mut by_name: BTreeMap<String, CountryCode> = rows
            .iter()
            .map(|(code, info)| (normalise_name(&info.name), *code))
            .collect();
        let mut reader = csv::Reader::from_reader(ALIASES.as_bytes());
        for record in reader.deserialize::<AliasRow>() {
            // Checked by a unit test, as the main table is.
            let Ok(row) = record else { continue };
            if let Some(code) = CountryCode::parse(&row.code).filter(|c| rows.contains_key(c)) {
                by_name.entry(normalise_name(&row.alias)).or_insert(code);
            }
        }
        let mut known = FixedBitSet::with_capacity(26 * 26);
        for code in rows.keys() {
            known.insert(code.number());
        }
        CountryTable {
            rows,
            known,
            by_name,
        }
    }

    /// The country a person wrote: a two-letter code in any case ("us"), the
    /// English name ("South Korea"), an ISO name or alpha-3 code ("Korea,
    /// Republic of", "KOR") or a common alias ("USA", "UK", "Korea"), as
    /// listed in `data/country-aliases.csv`. Case and spacing do not matter.
    pub fn lookup(&self, text: &str) -> Option<CountryCode> {
        let trimmed = text.trim();
        // "UK" is two letters but no ISO code: it is found as an alias.
        if trimmed.len() == 2
            && let Some(code) = CountryCode::parse(&trimmed.to_ascii_uppercase())
            && self.contains(code)
        {
            return Some(code);
        }
        self.by_name.get(&normalise_name(trimmed)).copied()
    }

    /// The nearest known name or alias to an unknown one, for "did you mean".
    pub fn suggest_name(&self, text: &str) -> Option<String> {
        let wanted = normalise_name(text);
        super::diag::suggest(&wanted, self.by_name.keys().map(String::as_str)).map(|key| {
            let code = self.by_name[key];
            let name = &self.rows[&code].name;
            if normalise_name(name) == key {
                format!("{name} ({code})")
            } else {
                format!("{key} = {name} ({code})")
            }
        })
    }

    pub fn contains(&self, code: CountryCode) -> bool {
        self.known.contains(code.number())
    }

    pub fn codes(&self) -> impl Iterator<Item = CountryCode> + '_ {
        self.rows.keys().copied()
    }

    /// The table's row, or a bare entry named by its code for a code the table lacks.
    pub fn info(&self, code: CountryCode) -> CountryInfo {
        self.rows
            .get(&code)
            .cloned()
            .unwrap_or_else(|| CountryInfo {
                code: code.to_string(),
                name: code.to_string(),
                name_ja: code.to_string(),
                eu_adequacy: "no".into(),
                appi_rule15: "no".into(),
                ppc_survey: "no".into(),
                ..CountryInfo::default()
            })
    }
}

#[derive(serde::Deserialize)]
struct Row {
    code: String,
    name: String,
    name_ja: String,
    eea: String,
    eu_adequacy: String,
    appi_rule15: String,
    ppc_survey: String,
    regime: String,
    regime_ja: String,
    government_access: String,
    government_access_ja: String,
    localisation: String,
    localisation_ja: String,
}

#[derive(serde::Deserialize)]
struct AliasRow {
    code: String,
    alias: String,
}

/// The built-in country table.
pub fn builtin() -> &'static CountryTable {
    static TABLE_CELL: OnceLock<CountryTable> = OnceLock::new();
    TABLE_CELL.get_or_init(|| CountryTable::parse(TABLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_exactly_its_rows_codes() {
        let table = builtin();
        let mut known = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = CountryCode::parse(std::str::from_utf8(&[a, b]).unwrap()).unwrap();
                assert_eq!(
                    table.contains(code),
                    table.rows.contains_key(&code),
                    "{code}"
                );
                known += usize::from(table.contains(code));
            }
        }
        assert_eq!(known, table.rows.len());
        assert!(table.contains(CountryCode::parse("JP").unwrap()));
        assert!(!table.contains(CountryCode::parse("XX").unwrap()));
    }

    #[test]
    fn every_row_of_the_shipped_table_parses() {
        let mut reader = csv::Reader::from_reader(TABLE.as_bytes());
        let rows: Vec<Row> = reader
            .deserialize()
            .collect::<Result<_, _>>()
            .expect("data/countries.csv matches the Row shape");
        assert_eq!(rows.len(), 249, "one row per ISO 3166-1 alpha-2 code");
        assert_eq!(builtin().codes().count(), 249, "codes are unique and valid");
        let eea = rows.iter().filter(|r| r.eea == "yes").count();
        assert_eq!(eea, 30, "27 EU members plus Iceland, Liechtenstein, Norway");
        assert!(rows.iter().all(|r| !r.name_ja.is_empty()));
    }

    #[test]
    fn main_jurisdictions_have_the_facts_disclosures_need() {
        let t = builtin();
        let cn = t.info(CountryCode::parse("CN").unwrap());
        assert!(cn.government_access.contains("National Intelligence Law"));
        assert!(
            cn.regime.contains("PIPL") || cn.regime.contains("Personal Information Protection Law")
        );
        let kr = t.info(CountryCode::parse("KR").unwrap());
        assert_eq!(kr.eu_adequacy, "yes");
        assert_eq!(t.info(CountryCode::parse("DE").unwrap()).appi_rule15, "yes");
        assert_eq!(t.info(CountryCode::parse("GB").unwrap()).appi_rule15, "yes");
        assert_eq!(
            t.info(CountryCode::parse("US").unwrap()).eu_adequacy,
            "partial"
        );
    }

    #[test]
    fn codes_are_two_upper_case_letters() {
        assert!(CountryCode::parse("JP").is_some());
        assert!(CountryCode::parse("jp").is_none());
        assert!(CountryCode::parse("JPN").is_none());
        assert!(CountryCode::parse("日本").is_none());
    }

    #[test]
    fn every_alias_row_names_one_known_country() {
        let t = builtin();
        let mut reader = csv::Reader::from_reader(ALIASES.as_bytes());
        let rows: Vec<AliasRow> = reader
            .deserialize()
            .collect::<Result<_, _>>()
            .expect("data/country-aliases.csv matches the AliasRow shape");
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for row in &rows {
            let code = CountryCode::parse(&row.code).expect("a two-letter code");
            assert!(t.contains(code), "{} is in countries.csv", row.code);
            let key = normalise_name(&row.alias);
            if let Some(other) = seen.insert(key.clone(), &row.code) {
                assert_eq!(other, row.code, "alias {:?} names two countries", row.alias);
            }
            // An alias must not take another country's own name.
            assert_eq!(t.lookup(&row.alias), Some(code), "alias {:?}", row.alias);
        }
    }

    #[test]
    fn lookup_takes_codes_names_and_the_usual_aliases() {
        let t = builtin();
        let code = |s: &str| CountryCode::parse(s);
        // Codes in any case; names from countries.csv; ISO names; hand aliases.
        assert_eq!(t.lookup("us"), code("US"));
        assert_eq!(t.lookup(" DE "), code("DE"));
        assert_eq!(t.lookup("germany"), code("DE"));
        assert_eq!(t.lookup("United States of America"), code("US"));
        assert_eq!(t.lookup("USA"), code("US"));
        assert_eq!(t.lookup("UK"), code("GB"));
        assert_eq!(t.lookup("Korea"), code("KR"));
        assert_eq!(t.lookup("Korea, Republic of"), code("KR"));
        assert_eq!(t.lookup("the  Netherlands"), code("NL"));
        assert_eq!(t.lookup("C\u{f4}te d\u{2019}Ivoire"), code("CI"));
        assert_eq!(t.lookup("JPN"), code("JP"));
        // Not countries, or not assigned.
        assert_eq!(t.lookup("EU"), None);
        assert_eq!(t.lookup("Global"), None);
        assert_eq!(t.lookup("XK"), None);
        assert_eq!(t.lookup(""), None);
    }

    #[test]
    fn unknown_names_get_a_near_suggestion() {
        let t = builtin();
        assert_eq!(t.suggest_name("Germny").as_deref(), Some("Germany (DE)"));
        assert_eq!(
            t.suggest_name("Untied Kingdom").as_deref(),
            Some("United Kingdom (GB)")
        );
        assert_eq!(t.suggest_name("zzzzzzzzzz"), None);
    }
}
