//! Loading a definition: every resource goes through `add_resource`, so ids,
//! URIs, `class`, `parent`, defaults, device numbers and back-references are
//! set exactly as Create sets them. The caller runs it in one transaction:
//! a bad file changes nothing.

use serde_json::{Map, Value};

use super::DefinitionError;
use crate::api::HmcError;
use crate::resources::console::operations::api_features_key;
use crate::resources::framework::descriptor::ResourceType;
use crate::resources::framework::generic::add_resource;
use crate::resources::logon::{META_API_VERSION, META_HMC_NAME, META_HMC_VERSION};
use crate::resources::{self, console::CONSOLE, cpc::CPC, metrics_context};
use crate::store::{MetricValuesRow, Resource, Tx};

/// Keys a partition may carry that the HMC mock ignores (its pools are
/// rebuilt from the device numbers and WWPNs of its children).
const IGNORED_PARTITION_KEYS: &[&str] = &["devno_pool", "wwpn_pool"];

const ROOT_KEYS: &[&str] = &[
    "host",
    "api_version",
    "consoles",
    "cpcs",
    "metrics_contexts",
    "metric_values",
];

fn object<'v>(
    v: &'v Value,
    path: &str,
    what: &str,
) -> Result<&'v Map<String, Value>, DefinitionError> {
    v.as_object()
        .ok_or_else(|| DefinitionError::at(path, format!("{what} must be a mapping")))
}

fn array<'v>(v: &'v Value, path: &str) -> Result<&'v Vec<Value>, DefinitionError> {
    v.as_array()
        .ok_or_else(|| DefinitionError::at(path, "must be a list"))
}

fn string<'v>(
    m: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v str, DefinitionError> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(DefinitionError::at(
            &join(path, key),
            "must be a string (quote it in YAML)",
        )),
        None => Err(DefinitionError::at(path, format!("'{key}' is required"))),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn internal(e: crate::store::StoreError) -> DefinitionError {
    DefinitionError::at("", format!("storage failure: {e}"))
}

/// Loads `def` (`{"hmc_definition": {...}}`) into the store.
pub fn load(tx: &Tx<'_>, def: &Value) -> Result<(), DefinitionError> {
    let root = object(def, "", "the definition")?;
    if let Some(k) = root.keys().find(|k| *k != "hmc_definition") {
        return Err(DefinitionError::at(
            k,
            "unknown key (only 'hmc_definition' is allowed)",
        ));
    }
    let hmc = root
        .get("hmc_definition")
        .ok_or_else(|| DefinitionError::at("", "'hmc_definition' is required"))?;
    let hmc = object(hmc, "hmc_definition", "hmc_definition")?;
    if let Some(k) = hmc.keys().find(|k| !ROOT_KEYS.contains(&k.as_str())) {
        return Err(DefinitionError::at(k, "unknown key"));
    }
    let host = string(hmc, "host", "")?;
    let api_version = string(hmc, "api_version", "")?;
    tx.set_meta("host", host).map_err(internal)?;
    tx.set_meta(META_API_VERSION, api_version)
        .map_err(internal)?;
    let consoles = array(
        hmc.get("consoles")
            .ok_or_else(|| DefinitionError::at("", "'consoles' is required"))?,
        "consoles",
    )?;
    if consoles.len() > 1 {
        return Err(DefinitionError::at(
            "consoles",
            "at most one console is allowed",
        ));
    }
    for (i, c) in consoles.iter().enumerate() {
        let path = format!("consoles[{i}]");
        let console = load_resource(tx, &CONSOLE, None, c, &path, Ids::Reachable)?;
        let name = console.str_prop("name").unwrap_or("");
        tx.set_meta(META_HMC_NAME, name).map_err(internal)?;
        let version = match console.props.get("version") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(_) => {
                return Err(DefinitionError::at(
                    &format!("{path}.properties.version"),
                    "must be a string of dotted integers (quote it in YAML)",
                ));
            }
        };
        tx.set_meta(META_HMC_VERSION, &version).map_err(internal)?;
    }
    if let Some(list) = hmc.get("cpcs") {
        for (i, entry) in array(list, "cpcs")?.iter().enumerate() {
            load_resource(tx, &CPC, None, entry, &format!("cpcs[{i}]"), Ids::Reachable)?;
        }
    }
    if let Some(list) = hmc.get("metrics_contexts") {
        for (i, entry) in array(list, "metrics_contexts")?.iter().enumerate() {
            load_metrics_context(tx, entry, &format!("metrics_contexts[{i}]"))?;
        }
    }
    if let Some(list) = hmc.get("metric_values") {
        for (i, entry) in array(list, "metric_values")?.iter().enumerate() {
            load_metric_values(tx, entry, &format!("metric_values[{i}]"))?;
        }
    }
    Ok(())
}

/// Adds child resources to an existing HMC, as FakedHmc's `add_resources`
/// takes them: `children` maps definition-file keys of `parent`'s child
/// types (of the HMC itself when `None`: `consoles`, `cpcs`,
/// `metrics_contexts`) to lists of `{"properties": {...}, <child key>:
/// [...]}`, added depth-first through `add_resource`. Returns the URIs of
/// the direct children added, in order.
pub fn add_children(
    tx: &Tx<'_>,
    parent: Option<&Resource>,
    children: &Value,
    ids: Ids,
) -> Result<Vec<String>, DefinitionError> {
    let map = object(children, "", "the resources to add")?;
    let mut added = Vec::new();
    for (key, list) in map {
        let items = array(list, key)?;
        if parent.is_none() && key == "metrics_contexts" {
            for (i, entry) in items.iter().enumerate() {
                load_metrics_context(tx, entry, &format!("{key}[{i}]"))?;
            }
            continue;
        }
        let Some(rt) = resources::type_for_key(parent, key) else {
            let owner = parent.map_or("the HMC", |p| p.class.as_str());
            return Err(DefinitionError::at(
                key,
                format!("unknown key: a {owner} has no '{key}'"),
            ));
        };
        for (i, entry) in items.iter().enumerate() {
            let r = load_resource(tx, rt, parent, entry, &format!("{key}[{i}]"), ids)?;
            added.push(r.uri);
        }
    }
    Ok(added)
}

/// Where in an entry an `add_resource` error points.
fn error_path(rt: &ResourceType, e: &HmcError, path: &str) -> String {
    if e.status == 400 && e.reason == 8 {
        if e.message.starts_with(HmcError::DUPLICATE_URI_PREFIX) {
            let prop = if rt.id_prop.is_empty() {
                rt.uri_prop
            } else {
                rt.id_prop
            };
            return format!("{path}.properties.{prop}");
        }
        return format!("{path}.properties.name");
    }
    format!("{path}.properties")
}

fn load_resource(
    tx: &Tx<'_>,
    rt: &'static ResourceType,
    parent: Option<&Resource>,
    entry: &Value,
    path: &str,
    ids: Ids,
) -> Result<Resource, DefinitionError> {
    let entry = object(entry, path, "a resource")?;
    let props = match entry.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        Some(_) => {
            return Err(DefinitionError::at(
                &join(path, "properties"),
                "must be a mapping",
            ));
        }
        None => {
            return Err(DefinitionError::at(
                path,
                format!("a resource of type {} has no properties", rt.def_key),
            ));
        }
    };
    let mut props = props;
    check_identity(rt, parent, &mut props, path, ids)?;
    let r = add_resource(tx, rt, parent, props)
        .map_err(|e| DefinitionError::at(&error_path(rt, &e, path), e.message))?;
    for (key, list) in entry {
        if key == "properties"
            || (rt.class == "partition" && IGNORED_PARTITION_KEYS.contains(&key.as_str()))
        {
            continue;
        }
        if key == API_FEATURES_KEY && (rt.class == CONSOLE.class || rt.class == CPC.class) {
            load_api_features(tx, &r.uri, list, &join(path, key))?;
            continue;
        }
        let list_path = join(path, key);
        let child_rt = match resources::type_for_key(Some(&r), key) {
            Some(t) => t,
            None if key_exists_for(rt, key) => continue,
            None => {
                return Err(DefinitionError::at(
                    &list_path,
                    format!("unknown key: a {} has no '{key}'", rt.class),
                ));
            }
        };
        // Children need only the parent's URI and identity; back-references
        // are appended to the stored parent by `add_resource` itself.
        for (i, child) in array(list, &list_path)?.iter().enumerate() {
            load_resource(
                tx,
                child_rt,
                Some(&r),
                child,
                &format!("{list_path}[{i}]"),
                ids,
            )?;
        }
    }
    Ok(r)
}

/// Which ids an entry may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// Ids every URI can reach, also over HTTP (definition files).
    Reachable,
    /// Also ids with spaces, as FakedHmc takes them (`"nic 1-oid"`): their
    /// URIs reach the resource in-process (`mock_hmc.Session` sends URIs
    /// as they are), not over HTTP, which cannot send a bare space.
    InProcess,
}

/// Whether `id` can be the last segment of a URI the route table reaches:
/// not empty, not `.` or `..`, and free of `/`, `?`, `#`, `%`, whitespace
/// and control characters (the HMC's ids are UUIDs and short names);
/// `Ids::InProcess` allows spaces.
fn valid_id(id: &str, ids: Ids) -> bool {
    !id.is_empty()
        && id != "."
        && id != ".."
        && !id.chars().any(|c| {
            matches!(c, '/' | '?' | '#' | '%')
                || c.is_control()
                || (c.is_whitespace() && !(c == ' ' && ids == Ids::InProcess))
        })
}

/// Checks what makes an entry reachable and nameable: its id (a string
/// of the HMC's id shape), its URI (the one its id gives; a URI alone
/// supplies the id), and its name (a string). Errors name the property.
fn check_identity(
    rt: &ResourceType,
    parent: Option<&Resource>,
    props: &mut Map<String, Value>,
    path: &str,
    ids: Ids,
) -> Result<(), DefinitionError> {
    let at = |prop: &str| format!("{path}.properties.{prop}");
    let quote = "must be a string (quote it in YAML)";
    if let Some(name) = props.get("name")
        && !name.is_string()
    {
        return Err(DefinitionError::at(&at("name"), quote));
    }
    let parent_uri = parent.map(|p| p.uri.as_str());
    let given_uri = match props.get(rt.uri_prop) {
        None | Some(Value::Null) => None,
        Some(Value::String(u)) => Some(u.clone()),
        Some(_) => return Err(DefinitionError::at(&at(rt.uri_prop), quote)),
    };
    let mut from_uri = false;
    let id = if rt.id_prop.is_empty() {
        String::new()
    } else {
        match props.get(rt.id_prop) {
            Some(Value::String(id)) => id.clone(),
            Some(Value::Null) | None => match &given_uri {
                // The URI names the id: keep the two in step.
                Some(u) => {
                    let id = u.rsplit('/').next().unwrap_or("").to_string();
                    from_uri = true;
                    props.insert(rt.id_prop.to_string(), Value::String(id.clone()));
                    id
                }
                None => return Ok(()),
            },
            Some(_) => return Err(DefinitionError::at(&at(rt.id_prop), quote)),
        }
    };
    if !rt.id_prop.is_empty() && !valid_id(&id, ids) {
        let prop = if from_uri { rt.uri_prop } else { rt.id_prop };
        return Err(DefinitionError::at(
            &at(prop),
            format!(
                "{:?} is not a valid id: an id is not empty, not '.' or '..', and has no '/', '?', '#', '%', whitespace or control characters",
                id
            ),
        ));
    }
    if let Some(u) = given_uri {
        let expected = rt.uri_for(parent_uri, &id);
        if u != expected {
            return Err(DefinitionError::at(
                &at(rt.uri_prop),
                format!(
                    "'{u}' is not the URI of this {} (it would be '{expected}')",
                    rt.class
                ),
            ));
        }
    }
    Ok(())
}

/// The key of a console's or CPC's API features in definition files (what
/// List Console / CPC API Features answer).
pub const API_FEATURES_KEY: &str = "api_features";

fn load_api_features(
    tx: &Tx<'_>,
    uri: &str,
    list: &Value,
    path: &str,
) -> Result<(), DefinitionError> {
    let items = array(list, path)?;
    if items.iter().any(|v| !v.is_string()) {
        return Err(DefinitionError::at(path, "must be a list of strings"));
    }
    tx.set_meta(&api_features_key(uri), &list.to_string())
        .map_err(internal)
}

/// Whether `key` names children of `rt` in some variant (the ports of an
/// adapter family that has none are ignored, like the Python loader does).
fn key_exists_for(rt: &ResourceType, key: &str) -> bool {
    resources::ALL
        .iter()
        .any(|t| t.def_key == key && t.parent.map(|p| p.class) == Some(rt.class))
}

fn load_metric_values(tx: &Tx<'_>, entry: &Value, path: &str) -> Result<(), DefinitionError> {
    let m = object(entry, path, "a metric_values entry")?;
    let metrics = match m.get("metrics") {
        Some(Value::Object(o)) => o.clone(),
        Some(_) => {
            return Err(DefinitionError::at(
                &join(path, "metrics"),
                "must be a mapping",
            ));
        }
        None => return Err(DefinitionError::at(path, "'metrics' is required")),
    };
    let row = MetricValuesRow {
        group_name: string(m, "group_name", path)?.to_string(),
        resource_uri: string(m, "resource_uri", path)?.to_string(),
        timestamp: string(m, "timestamp", path)?.to_string(),
        metrics,
    };
    // Unlike the mock, rows are checked against their group here, so that
    // Get Metrics never sends a row zhmcclient cannot map to the group.
    metrics_context::add_metric_values(tx, &row).map_err(|e| DefinitionError::at(path, e))
}

/// A `metrics_contexts` entry: a context of no session, which every
/// session may read.
fn load_metrics_context(tx: &Tx<'_>, entry: &Value, path: &str) -> Result<(), DefinitionError> {
    let entry = object(entry, path, "a metrics context")?;
    if let Some(k) = entry.keys().find(|k| *k != "properties") {
        return Err(DefinitionError::at(&join(path, k), "unknown key"));
    }
    let props = match entry.get("properties") {
        Some(Value::Object(p)) => p,
        _ => return Err(DefinitionError::at(path, "'properties' must be a mapping")),
    };
    metrics_context::load_context(tx, props, crate::dispatch::now_ms())
        .map(|_| ())
        .map_err(|e| DefinitionError::at(&join(path, "properties"), e))
}
