//! The JSON Schema of the rule files, generated from the same types the loader uses, so editors
//! can complete and check `rules/*.yaml` (yaml-language-server) and the schema never drifts.

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use super::{
    CatalogFile, FindingsFile, Model, PlaceholdersFile, QuestionsFile, RulesFile, SourcesFile,
    TargetsFile,
};

/// One schema for every rule file: a document is valid when it is one of the file kinds.
pub fn rule_files_schema() -> String {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let kinds = [
        ("catalog.yaml", generator.subschema_for::<CatalogFile>()),
        ("sources.yaml", generator.subschema_for::<SourcesFile>()),
        ("models/*.yaml", generator.subschema_for::<Model>()),
        ("targets.yaml", generator.subschema_for::<TargetsFile>()),
        ("questions.yaml", generator.subschema_for::<QuestionsFile>()),
        ("rules.yaml", generator.subschema_for::<RulesFile>()),
        (
            "placeholders.yaml",
            generator.subschema_for::<PlaceholdersFile>(),
        ),
        ("findings.yaml", generator.subschema_for::<FindingsFile>()),
    ];
    let any_of: Vec<Value> = kinds
        .into_iter()
        .map(|(file, schema)| {
            let mut schema = schema.to_value();
            if let Value::Object(map) = &mut schema {
                map.insert("description".into(), json!(format!("rules/{file}")));
            }
            schema
        })
        .collect();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "aks-id rule file",
        "description": "A file of an aks-id rules folder; see rules/README.md.",
        "anyOf": any_of,
        "$defs": generator.take_definitions(true),
    });
    // A `Value` always writes: pretty, as `serde_json::to_string_pretty` writes it.
    let mut text = format!("{schema:#}");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_schema_matches_the_rule_types() {
        let committed = include_str!("../../rules/schema.json");
        assert!(
            committed == super::rule_files_schema(),
            "rules/schema.json is out of date: run `cargo run -- rules schema > rules/schema.json`"
        );
    }
}
