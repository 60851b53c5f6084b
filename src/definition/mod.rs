//! zhmcclient HMC definition files (YAML or JSON) to and from the store.
//! Both directions walk the resource-type table, so every type is covered.
//! Public: `parse` and `to_yaml` (the text side of `Hmc::load` and
//! `Hmc::dump`), the embedded default HMC and `DefinitionError`.

mod dump;
mod load;

pub(crate) use dump::dump;
pub(crate) use load::{Ids, add_children, load};

use serde_json::Value;

/// The embedded default HMC that `serve` and `init` put into an empty db.
pub const DEFAULT_HMC_YAML: &str = include_str!("default_hmc.yaml");

/// A definition file that cannot be loaded: where (`cpcs[0].partitions[3].
/// properties.name`) and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct DefinitionError {
    pub path: String,
    pub message: String,
}

impl DefinitionError {
    pub(crate) fn at(path: &str, message: impl Into<String>) -> DefinitionError {
        DefinitionError {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// Parses definition-file text, YAML (read like PyYAML's YAML 1.1: octal
/// `0010`, `yes`/`on` booleans, last duplicate key wins) or JSON.
pub fn parse(text: &str) -> Result<Value, DefinitionError> {
    parse_within(text, MAX_VALUES)
}

/// How many values (mappings, sequences, scalars) a YAML definition may
/// hold: room for 100,000 resources of 30-odd properties each, while a
/// document that expands without bound is still cut off. The reader's own
/// default (250,000) refused a file of 10,000 partitions.
const MAX_VALUES: usize = 20_000_000;

fn parse_within(text: &str, max_values: usize) -> Result<Value, DefinitionError> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text)
            .map_err(|e| DefinitionError::at("", format!("invalid JSON: {e}")));
    }
    let opts = serde_saphyr::options! {
        legacy_octal_numbers: true,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
        // One-line messages: the CLI prints errors as one line.
        with_snippet: false,
        // PyYAML's safe loader, which zhmcclient uses, refuses tags it has
        // no constructor for (`!custom`, `!!python/object`).
        reject_unsupported_tags: true,
        budget: serde_saphyr::budget! {
            max_nodes: max_values,
            max_events: max_values.saturating_mul(2),
        },
    };
    serde_saphyr::from_str_with_options(text, opts)
        .map_err(|e| DefinitionError::at("", yaml_message(&e)))
}

/// A YAML reader's error in the words of someone writing a definition
/// file (the reader's own text for these speaks to Rust programmers).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match e {
        serde_saphyr::Error::MultipleDocuments { .. } => {
            "holds more than one YAML document ('---'); a definition file holds one".into()
        }
        serde_saphyr::Error::Budget { breach, .. } => {
            let what = match breach {
                BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
                    "too many values".to_string()
                }
                BudgetBreach::Depth { .. } => "values nested too deeply".to_string(),
                BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => {
                    "too many anchors or aliases".to_string()
                }
                _ => "more than the reader accepts".to_string(),
            };
            format!("is too large for the YAML reader: {what}")
        }
        other => format!("invalid YAML syntax: {other}"),
    }
}

/// Renders a definition as YAML.
pub fn to_yaml(def: &Value) -> Result<String, DefinitionError> {
    serde_saphyr::to_string(def)
        .map_err(|e| DefinitionError::at("", format!("cannot write YAML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_values_are_refused_in_the_authors_words() {
        let text = format!("cpcs: [{}]\n", vec!["1"; 200].join(", "));
        let e = parse_within(&text, 100).unwrap_err();
        assert!(e.message.contains("too many values"), "{}", e.message);
        assert!(!e.message.contains("Nodes {"), "{}", e.message);
        assert!(parse_within(&text, 1_000).is_ok());
    }
}
