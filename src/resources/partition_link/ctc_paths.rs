//! CTC paths: the adapter ports a CTC link runs over, given to Create and
//! added or removed by Modify, and the CTC-specific Create properties.

use serde_json::{Map, Value, json};

use super::ctc::{DEFAULT_DEVICES_PER_PATH, DEFAULT_PATH_START, add_devices, release_devices};
use super::endpoints::{items, take_list};
use super::validate::{int_in, invalid, is_uri_of, optional, require_in_cpc, starting_devno};
use crate::api::HmcError;
use crate::resources::adapter::ADAPTER;
use crate::resources::adapter::port::{PortKind, require_port};
use crate::resources::framework::fields::{array_field, object_item, referenced, uri_value};
use crate::resources::framework::preconditions::require_fields;
use crate::store::{Resource, Tx};

/// The largest `devices-per-path` (our bound, which keeps one request's
/// work finite).
const MAX_DEVICES_PER_PATH: i64 = 256;

/// The two ends of a path: input field and the info property it yields.
const PATH_ENDS: [(&str, &str); 2] = [
    ("adapter-port-uri", "adapter-port-info"),
    (
        "connecting-adapter-port-uri",
        "connecting-adapter-port-info",
    ),
];

/// `{"adapter-uri", "adapter-name"}` of a path end given (`v`, holding
/// `uri`) as an adapter or storage port URI: 404.2 unknown adapter; a port
/// is checked like Create HBA's (404.6 malformed or unknown port, 404.2
/// unknown adapter); 400.7 adapter of another CPC.
fn port_info(tx: &Tx<'_>, cpc: &Resource, v: &Value, uri: &str) -> Result<Value, HmcError> {
    let adapter_uri = if is_uri_of(&ADAPTER, uri) {
        uri.to_string()
    } else {
        let port = require_port(tx, PortKind::Storage, v)?;
        // The port exists now; its parent is its adapter.
        tx.resource(&port)?
            .and_then(|p| p.parent)
            .unwrap_or_default()
    };
    let adapter = referenced(tx, &ADAPTER, &adapter_uri)?;
    require_in_cpc(&adapter, "Adapter", cpc)?;
    Ok(json!({"adapter-uri": adapter.uri, "adapter-name": adapter.name()}))
}

/// A CTC path from its input (`adapter-port-uri`,
/// `connecting-adapter-port-uri`, optional `starting-device-number`), with
/// no devices yet.
fn build_path(tx: &Tx<'_>, cpc: &Resource, v: &Value) -> Result<Value, HmcError> {
    let input = object_item("paths", v)?;
    require_fields(input, &["adapter-port-uri", "connecting-adapter-port-uri"])?;
    let mut path = Map::new();
    for (field, info) in PATH_ENDS {
        let v = &input[field];
        let uri = uri_value(field, Some(v))?;
        path.insert(field.into(), json!(uri));
        path.insert(info.into(), port_info(tx, cpc, v, uri)?);
    }
    let start = starting_devno(input, DEFAULT_PATH_START)?;
    path.insert("starting-device-number".into(), json!(start));
    path.insert("devices".into(), json!([]));
    Ok(Value::Object(path))
}

/// Whether two paths join the same adapter ports.
fn same_path(a: &Value, b: &Value) -> bool {
    PATH_ENDS
        .iter()
        .all(|(field, _)| a.get(field) == b.get(field))
}

/// The path `input` builds, unless `paths` has it already (400.7 with
/// `duplicate` and the input as message).
fn new_path(
    tx: &Tx<'_>,
    cpc: &Resource,
    paths: &[Value],
    input: &Value,
    duplicate: &str,
) -> Result<Value, HmcError> {
    let path = build_path(tx, cpc, input)?;
    if paths.iter().any(|p| same_path(p, &path)) {
        return Err(invalid(format!("{duplicate} {input}")));
    }
    Ok(path)
}

/// The CTC properties of a new link, from the body and defaults: 400.5
/// without `paths`, 400.7 for none or a duplicate.
pub(super) fn create_properties(
    tx: &Tx<'_>,
    cpc: &Resource,
    body: &Map<String, Value>,
    props: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    let per_path = optional(body, "devices-per-path", DEFAULT_DEVICES_PER_PATH, |v| {
        int_in("devices-per-path", v, 1..=MAX_DEVICES_PER_PATH)
    })?;
    require_fields(body, &["paths"])?;
    let inputs = array_field(body, "paths")?.filter(|p| !p.is_empty());
    let Some(inputs) = inputs else {
        return Err(HmcError::invalid_field("paths", &body["paths"]));
    };
    let mut paths: Vec<Value> = Vec::new();
    for input in inputs {
        paths.push(new_path(tx, cpc, &paths, input, "Duplicate path")?);
    }
    props.insert("devices-per-path".into(), json!(per_path));
    props.insert("paths".into(), Value::Array(paths));
    Ok(())
}

/// Adds CTC paths, with devices between every pair of the attached `parts`;
/// 400.7 for a path the link has already.
pub(super) fn add_paths(
    tx: &Tx<'_>,
    link: &mut Resource,
    cpc: &Resource,
    inputs: &[Value],
    parts: &[&Resource],
) -> Result<(), HmcError> {
    let mut paths = take_list(link, "paths");
    for input in inputs {
        let duplicate = "The partition link already has the path";
        let mut path = new_path(tx, cpc, &paths, input, duplicate)?;
        for (i, new) in parts.iter().enumerate() {
            add_devices(tx, link, &mut path, &parts[..i], new)?;
        }
        paths.push(path);
    }
    link.props.insert("paths".into(), Value::Array(paths));
    Ok(())
}

/// Removes CTC paths (named by their two port URIs) with their devices;
/// 400.7 for a path the link does not have.
pub(super) fn remove_paths(
    tx: &Tx<'_>,
    link: &mut Resource,
    inputs: &[Value],
) -> Result<(), HmcError> {
    let mut paths = take_list(link, "paths");
    for input in inputs {
        object_item("removed-paths", input)?;
        let Some(index) = paths.iter().position(|p| same_path(p, input)) else {
            return Err(invalid(format!("The partition link has no path {input}")));
        };
        let path = paths.remove(index);
        release_devices(tx, link, items(path.get("devices")))?;
    }
    link.props.insert("paths".into(), Value::Array(paths));
    Ok(())
}

/// Whether a path runs over one of the adapters or ports `gone`.
pub(super) fn uses_any(path: &Value, gone: &dyn Fn(&str) -> bool) -> bool {
    PATH_ENDS.iter().any(|(field, info)| {
        let port = path.get(field).and_then(Value::as_str);
        let adapter = path
            .get(info)
            .and_then(|i| i.get("adapter-uri"))
            .and_then(Value::as_str);
        port.is_some_and(gone) || adapter.is_some_and(gone)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_same_when_both_ports_are() {
        let a =
            json!({"adapter-port-uri": "/x", "connecting-adapter-port-uri": "/y", "devices": [1]});
        let b = json!({"adapter-port-uri": "/x", "connecting-adapter-port-uri": "/y"});
        let c = json!({"adapter-port-uri": "/y", "connecting-adapter-port-uri": "/x"});
        assert!(same_path(&a, &b));
        assert!(!same_path(&a, &c));
    }

    #[test]
    fn a_path_uses_the_adapters_of_its_ports() {
        let p = json!({"adapter-port-uri": "/api/adapters/a/storage-ports/0",
                       "adapter-port-info": {"adapter-uri": "/api/adapters/a"},
                       "connecting-adapter-port-uri": "/api/adapters/b",
                       "connecting-adapter-port-info": {"adapter-uri": "/api/adapters/b"}});
        assert!(uses_any(&p, &|u| u == "/api/adapters/a"));
        assert!(uses_any(&p, &|u| u == "/api/adapters/b"));
        assert!(!uses_any(&p, &|u| u == "/api/adapters/c"));
    }
}
