//! Dumping the store as a definition that loads back to the same state.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::definition::load::API_FEATURES_KEY;
use crate::resources::console::operations::api_features_key;
use crate::resources::framework::descriptor::ResourceType;
use crate::resources::logon::META_API_VERSION;
use crate::resources::{self};
use crate::store::{Resource, StoreError, Tx};

/// The whole HMC as `{"hmc_definition": {...}}`. Write-only properties
/// (passwords) are left out unless `secrets` is set.
pub fn dump(tx: &Tx<'_>, secrets: bool) -> Result<Value, StoreError> {
    let all = tx.all_resources()?;
    let mut children: HashMap<Option<String>, Vec<&Resource>> = HashMap::new();
    let classes: HashMap<&str, &str> = all
        .iter()
        .map(|r| (r.uri.as_str(), r.class.as_str()))
        .collect();
    for r in &all {
        children.entry(r.parent.clone()).or_default().push(r);
    }
    let mut hmc = Map::new();
    hmc.insert("host".into(), json!(tx.meta("host")?.unwrap_or_default()));
    hmc.insert(
        "api_version".into(),
        json!(tx.meta(META_API_VERSION)?.unwrap_or_default()),
    );
    let features: HashMap<String, Value> = tx
        .meta_with_prefix(&api_features_key(""))?
        .into_iter()
        .filter_map(|(key, text)| {
            let uri = key.strip_prefix(&api_features_key(""))?.to_string();
            Some((uri, serde_json::from_str(&text).ok()?))
        })
        .collect();
    let tree = Tree {
        children: &children,
        classes: &classes,
        secrets,
        features: &features,
    };
    for (key, list) in tree.lists(None) {
        hmc.insert(key, Value::Array(list));
    }
    hmc.entry("consoles").or_insert_with(|| json!([]));
    let metric_values: Vec<Value> = tx
        .all_metric_values()?
        .into_iter()
        .map(|m| {
            json!({
                "group_name": m.group_name,
                "resource_uri": m.resource_uri,
                "timestamp": m.timestamp,
                "metrics": m.metrics,
            })
        })
        .collect();
    // Contexts of sessions end with their sessions; those from definition
    // files are part of the HMC.
    let contexts: Vec<Value> = tx
        .metrics_contexts()?
        .into_iter()
        .filter(|c| c.session_id.is_none())
        .map(|c| {
            let mut props = c.properties;
            props.insert("fake-id".into(), json!(c.id));
            json!({ "properties": props })
        })
        .collect();
    if !contexts.is_empty() {
        hmc.insert("metrics_contexts".into(), Value::Array(contexts));
    }
    if !metric_values.is_empty() {
        hmc.insert("metric_values".into(), Value::Array(metric_values));
    }
    Ok(json!({ "hmc_definition": hmc }))
}

struct Tree<'a> {
    children: &'a HashMap<Option<String>, Vec<&'a Resource>>,
    classes: &'a HashMap<&'a str, &'a str>,
    secrets: bool,
    /// API features by the URI of their console or CPC.
    features: &'a HashMap<String, Value>,
}

impl Tree<'_> {
    fn type_of(&self, r: &Resource) -> Option<&'static ResourceType> {
        let parent_class = r
            .parent
            .as_deref()
            .and_then(|p| self.classes.get(p).copied());
        resources::type_of(&r.class, parent_class)
    }

    /// The child lists of `parent`, keyed by definition-file key, in the
    /// order of the type table.
    fn lists(&self, parent: Option<&str>) -> Vec<(String, Vec<Value>)> {
        let mut out: Vec<(String, Vec<Value>)> = Vec::new();
        let Some(kids) = self.children.get(&parent.map(str::to_string)) else {
            return out;
        };
        for rt in resources::ALL {
            for r in kids.iter().filter(|r| r.class == rt.class) {
                if !self.type_of(r).is_some_and(|t| std::ptr::eq(t, *rt)) {
                    continue;
                }
                let entry = self.entry(rt, r);
                match out.iter_mut().find(|(k, _)| k == rt.def_key) {
                    Some((_, list)) => list.push(entry),
                    None => out.push((rt.def_key.to_string(), vec![entry])),
                }
            }
        }
        out
    }

    fn entry(&self, rt: &ResourceType, r: &Resource) -> Value {
        let mut props = r.props.clone();
        if !self.secrets {
            for w in rt.write_only {
                props.shift_remove(*w);
            }
        }
        let mut entry = Map::new();
        entry.insert("properties".into(), Value::Object(props));
        if let Some(features) = self.features.get(&r.uri) {
            entry.insert(API_FEATURES_KEY.into(), features.clone());
        }
        for (key, list) in self.lists(Some(&r.uri)) {
            entry.insert(key, Value::Array(list));
        }
        Value::Object(entry)
    }
}
