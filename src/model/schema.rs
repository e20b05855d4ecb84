//! JSON Schema (2020-12) of the model files, rendered from the field tables
//! in [`fields`](super::fields), so the schema cannot drift from the loader.

use serde_json::{Map, Value, json};

use super::fields::{FieldType, Section};

fn field_schema(ty: FieldType, doc: &str) -> Value {
    let mut v = match ty {
        FieldType::Text | FieldType::Id => json!({ "type": "string" }),
        FieldType::IdList | FieldType::TextList => {
            json!({ "type": "array", "items": { "type": "string" } })
        }
        FieldType::Country => json!({ "type": "string", "pattern": "^[A-Z]{2}$" }),
        FieldType::CountryList => {
            json!({ "type": "array", "items": { "type": "string", "pattern": "^[A-Z]{2}$" } })
        }
        // TOML local dates; editors such as taplo map them to `format: date`.
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Bool => json!({ "type": "boolean" }),
        FieldType::Count => json!({ "type": "integer", "minimum": 0 }),
        FieldType::Choice(words) => json!({ "type": "string", "enum": words }),
        FieldType::ChoiceList(words) => {
            json!({ "type": "array", "items": { "type": "string", "enum": words } })
        }
    };
    v["description"] = json!(doc);
    v
}

fn section_schema(section: Section) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in section.fields() {
        properties.insert(f.name.to_string(), field_schema(f.ty, f.doc));
        if f.required {
            required.push(f.name);
        }
    }
    json!({
        "type": "object",
        "description": section.doc(),
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema of one model file: every section optional, `[model]` a table,
/// every other section an array of tables.
pub fn json_schema() -> Value {
    let mut properties = Map::new();
    let mut defs = Map::new();
    for section in Section::ALL {
        defs.insert(section.key().to_string(), section_schema(section));
        let reference = json!({ "$ref": format!("#/$defs/{}", section.key()) });
        let property = if section == Section::Model {
            reference
        } else {
            json!({ "type": "array", "items": reference, "description": section.doc() })
        };
        properties.insert(section.key().to_string(), property);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://crates.io/crates/reachmap/model.schema.json",
        "title": "reachmap model file",
        "description": "One file of a reachmap model: which organisations can reach which personal data in which systems. A model directory merges every file; exactly one holds [model].",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "$defs": defs,
    })
}

/// The schema as pretty JSON with a final newline.
pub fn render() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    s.push('\n');
    s
}
