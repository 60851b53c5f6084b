//! A partition's `crypto-configuration` (crypto adapters and domains) and
//! the operations that change it: Increase/Decrease Crypto Configuration,
//! Change Crypto Domain Configuration, and Zeroize Crypto Domain.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::ADAPTER;
use crate::resources::framework::descriptor::Done;
use crate::resources::framework::fields::{array_items, referenced, required, uri_value};
use crate::resources::framework::generic::set_properties;
use crate::store::Resource;

const CONFIG: &str = "crypto-configuration";
const ADAPTERS: &str = "crypto-adapter-uris";
const DOMAINS: &str = "crypto-domain-configurations";

/// The crypto configuration of a partition, with both lists present (a
/// null or missing configuration or list starts empty, as in the HMC
/// mock); other keys of the stored object are kept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CryptoConfig {
    other: Map<String, Value>,
    adapters: Vec<Value>,
    domains: Vec<Value>,
}

/// The items of a list value; anything else is empty.
fn items(v: Option<Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

/// Whether two domain indexes are equal (1 and 1.0 are, as in Python).
fn same_index(a: Option<&Value>, b: &Value) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Some(x), y) => x == y,
        (None, _) => false,
    }
}

impl CryptoConfig {
    /// The configuration stored on partition `p`.
    pub(crate) fn of(p: &Resource) -> CryptoConfig {
        let mut other = match p.props.get(CONFIG) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let adapters = items(other.remove(ADAPTERS));
        let domains = items(other.remove(DOMAINS));
        CryptoConfig {
            other,
            adapters,
            domains,
        }
    }

    /// The JSON object to store.
    fn into_value(self) -> Value {
        let mut m = self.other;
        m.insert(ADAPTERS.into(), Value::Array(self.adapters));
        m.insert(DOMAINS.into(), Value::Array(self.domains));
        Value::Object(m)
    }

    /// Appends the adapter URIs and domain configurations not yet present
    /// (a domain configuration is present only if equal as a whole).
    fn increase(&mut self, adapters: Vec<Value>, domains: Vec<Value>) {
        for a in adapters {
            if !self.adapters.contains(&a) {
                self.adapters.push(a);
            }
        }
        for d in domains {
            if !self.domains.contains(&d) {
                self.domains.push(d);
            }
        }
    }

    /// Removes the adapter URIs and every domain configuration whose
    /// `domain-index` is listed (all matches, where the Python mock can
    /// skip one of two adjacent matches).
    fn decrease(&mut self, adapters: &[Value], indexes: &[Value]) {
        self.adapters.retain(|a| !adapters.contains(a));
        self.domains
            .retain(|d| !indexes.iter().any(|i| same_index(d.get("domain-index"), i)));
    }

    /// Sets `access-mode` of every domain configuration with `index`.
    fn change_access_mode(&mut self, index: &Value, mode: &Value) {
        for d in &mut self.domains {
            if same_index(d.get("domain-index"), index)
                && let Value::Object(m) = d
            {
                m.insert("access-mode".into(), mode.clone());
            }
        }
    }

    /// Whether the configuration lists crypto adapter `adapter`.
    pub(crate) fn has_adapter(&self, adapter: &str) -> bool {
        self.adapters.iter().any(|a| a.as_str() == Some(adapter))
    }

    /// Whether domain `index` of adapter `adapter` is assigned to the
    /// partition in `control-usage` mode, which zeroizing requires.
    fn controls(&self, adapter: &str, index: &Value) -> bool {
        self.has_adapter(adapter)
            && self.domains.iter().any(|d| {
                same_index(d.get("domain-index"), index)
                    && d.get("access-mode").and_then(Value::as_str) == Some("control-usage")
            })
    }
}

/// Reads the body (400.3 without one), applies `change` to the
/// configuration and stores it; answers 204.
fn change_config(
    ctx: &mut Ctx<'_>,
    p: &mut Resource,
    change: impl FnOnce(&Map<String, Value>, &mut CryptoConfig) -> Result<(), HmcError>,
) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let mut config = CryptoConfig::of(p);
    change(&body, &mut config)?;
    set_properties(ctx.tx, p, [(CONFIG, config.into_value())])?;
    Ok(Done::Nothing)
}

/// Operation: Increase Crypto Configuration. Like the HMC mock, the
/// adapters and domains are not validated.
pub fn increase(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    change_config(ctx, p, |body, config| {
        // Absent or null lists are empty; another type is 400.7, where the
        // Python mock iterates whatever it got.
        config.increase(
            array_items(body, ADAPTERS)?.to_vec(),
            array_items(body, DOMAINS)?.to_vec(),
        );
        Ok(())
    })
}

/// Operation: Decrease Crypto Configuration.
pub fn decrease(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    change_config(ctx, p, |body, config| {
        config.decrease(
            array_items(body, ADAPTERS)?,
            array_items(body, "crypto-domain-indexes")?,
        );
        Ok(())
    })
}

/// Operation: Change Crypto Domain Configuration (no error when no domain
/// matches, as in the HMC mock).
pub fn change_domain(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    change_config(ctx, p, |body, config| {
        let index = required(body, "domain-index")?;
        let mode = required(body, "access-mode")?;
        config.change_access_mode(index, mode);
        Ok(())
    })
}

/// 409.123: the domain to zeroize is not assigned to the partition in
/// control-usage mode on that adapter (our reason code; the Python mock has
/// no Zeroize Crypto Domain).
fn not_controlled(p: &Resource, adapter: &str, index: &Value) -> HmcError {
    HmcError::conflict(
        123,
        format!(
            "Crypto domain {index} of adapter {adapter} is not assigned to partition {} in control-usage mode",
            p.name()
        ),
    )
}

/// Operation: Zeroize Crypto Domain. Checked like a real HMC (the adapter
/// exists, 404.2; the partition controls the domain on it, 409.123);
/// zeroizing keys changes nothing the HMC shows, so nothing is stored.
pub fn zeroize(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    // Both fields must be present before either's type is checked.
    let adapter_value = required(&body, "crypto-adapter-uri")?;
    let index = required(&body, "domain-index")?;
    let adapter = uri_value("crypto-adapter-uri", Some(adapter_value))?;
    if !index.is_u64() {
        return Err(HmcError::invalid_field("domain-index", index));
    }
    referenced(ctx.tx, &ADAPTER, adapter)?;
    if !CryptoConfig::of(p).controls(adapter, index) {
        return Err(not_controlled(p, adapter, index));
    }
    Ok(Done::Nothing)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn config(v: Value) -> CryptoConfig {
        let mut props = Map::new();
        props.insert(CONFIG.into(), v);
        CryptoConfig::of(&Resource {
            uri: "/api/partitions/p".into(),
            class: "partition".into(),
            parent: None,
            props,
        })
    }

    #[test]
    fn null_configuration_starts_with_empty_lists() {
        assert_eq!(
            config(Value::Null).into_value(),
            json!({ADAPTERS: [], DOMAINS: []})
        );
    }

    #[test]
    fn increase_appends_only_what_is_new_and_keeps_other_keys() {
        let mut c = config(
            json!({"x": 1, ADAPTERS: ["/a"], DOMAINS: [{"domain-index": 0, "access-mode": "control"}]}),
        );
        c.increase(
            vec![json!("/a"), json!("/b")],
            vec![
                json!({"domain-index": 0, "access-mode": "control"}),
                json!({"domain-index": 1, "access-mode": "control-usage"}),
            ],
        );
        assert_eq!(
            c.into_value(),
            json!({"x": 1, ADAPTERS: ["/a", "/b"], DOMAINS: [
                {"domain-index": 0, "access-mode": "control"},
                {"domain-index": 1, "access-mode": "control-usage"}]})
        );
    }

    #[test]
    fn decrease_removes_every_match_even_adjacent_ones() {
        let mut c = config(json!({ADAPTERS: ["/a", "/b"], DOMAINS: [
            {"domain-index": 1, "access-mode": "control"},
            {"domain-index": 1, "access-mode": "control-usage"},
            {"domain-index": 2, "access-mode": "control"}]}));
        c.decrease(&[json!("/a"), json!("/nope")], &[json!(1)]);
        assert_eq!(
            c.into_value(),
            json!({ADAPTERS: ["/b"], DOMAINS: [{"domain-index": 2, "access-mode": "control"}]})
        );
    }

    #[test]
    fn change_access_mode_sets_all_matching_domains_only() {
        let mut c = config(json!({ADAPTERS: [], DOMAINS: [
            {"domain-index": 1, "access-mode": "control"},
            {"domain-index": 2, "access-mode": "control"}]}));
        c.change_access_mode(&json!(1.0), &json!("control-usage"));
        assert_eq!(
            c.into_value()[DOMAINS],
            json!([{"domain-index": 1, "access-mode": "control-usage"},
                   {"domain-index": 2, "access-mode": "control"}])
        );
    }

    #[test]
    fn only_a_control_usage_domain_on_an_assigned_adapter_is_controlled() {
        let c = config(json!({ADAPTERS: ["/a"], DOMAINS: [
            {"domain-index": 0, "access-mode": "control-usage"},
            {"domain-index": 1, "access-mode": "control"}]}));
        assert!(c.controls("/a", &json!(0)));
        assert!(!c.controls("/a", &json!(1)));
        assert!(!c.controls("/a", &json!(2)));
        assert!(!c.controls("/b", &json!(0)));
    }
}
