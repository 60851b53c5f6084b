//! The native side of `session.hmc` (`mock_hmc.faked_hmc`, the FakedHmc
//! mirror): resources added, read, listed, changed and removed through the
//! library's loader path, the HMC's name and versions, availability,
//! metric values, password-less sessions, and the fixture commands (admin
//! API requests, journal, dump, fork, OS messages). Each call is one
//! transaction; JSON crosses as text (`json.loads` on the Python side is
//! faster than building dicts through the C API). The GIL is released
//! while Rust works.

use std::path::PathBuf;

use mock_hmc::{JournalFilter, Method, Request, ResourceInfo};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use serde_json::{Map, Value, json};

use crate::session::{MockHmcError, PyHmc};

fn error(e: mock_hmc::Error) -> PyErr {
    match e {
        // The HMC's own error: status and reason in the message, as
        // `HTTPError`s show them.
        mock_hmc::Error::Hmc(h) => {
            MockHmcError::new_err(format!("{},{}: {}", h.status, h.reason, h.message))
        }
        other => MockHmcError::new_err(other.to_string()),
    }
}

fn parse_json(text: &str) -> PyResult<Value> {
    serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("not JSON: {e}")))
}

fn parse_object(text: &str) -> PyResult<Map<String, Value>> {
    match parse_json(text)? {
        Value::Object(m) => Ok(m),
        _ => Err(PyValueError::new_err("expected a JSON object")),
    }
}

fn info_json(r: ResourceInfo) -> Value {
    json!({
        "uri": r.uri,
        "class": r.class,
        "parent": r.parent,
        "key": r.key,
        "properties": r.properties,
    })
}

/// Adds resources under `parent` (`None`: the HMC) from the JSON text of
/// a FakedHmc `add_resources` dict; returns the URIs of the direct children.
#[pyfunction]
#[pyo3(signature = (hmc, parent, children))]
fn add_resources(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    parent: Option<String>,
    children: String,
) -> PyResult<Vec<String>> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let children = parse_json(&children)?;
        hmc.add_resources(parent.as_deref(), &children)
            .map_err(error)
    })
}

/// The resource at `uri` as JSON text (`{"uri", "class", "parent", "key",
/// "properties"}`); KeyError if there is none.
#[pyfunction]
fn resource(py: Python<'_>, hmc: PyRef<'_, PyHmc>, uri: String) -> PyResult<String> {
    let hmc = hmc.hmc().clone();
    py.detach(|| match hmc.resource(&uri).map_err(error)? {
        Some(r) => Ok(info_json(r).to_string()),
        None => Err(PyKeyError::new_err(uri)),
    })
}

/// The children of `parent` under `key`, as a JSON list of resources.
#[pyfunction]
#[pyo3(signature = (hmc, parent, key))]
fn child_resources(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    parent: Option<String>,
    key: String,
) -> PyResult<String> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let found = hmc
            .child_resources(parent.as_deref(), &key)
            .map_err(error)?;
        Ok(Value::Array(found.into_iter().map(info_json).collect()).to_string())
    })
}

/// Sets the properties in the JSON object `set` and removes those named in
/// `remove`, on the resource at `uri`.
#[pyfunction]
#[pyo3(signature = (hmc, uri, set, remove=Vec::new()))]
fn update_resource(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    uri: String,
    set: String,
    remove: Vec<String>,
) -> PyResult<()> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let set = parse_object(&set)?;
        hmc.update_resource(&uri, set, &remove).map_err(error)
    })
}

/// Removes the resource at `uri` with its children; False if none.
#[pyfunction]
fn remove_resource(py: Python<'_>, hmc: PyRef<'_, PyHmc>, uri: String) -> PyResult<bool> {
    let hmc = hmc.hmc().clone();
    py.detach(|| hmc.remove_resource(&uri).map_err(error))
}

/// A resource type for Python: (class, key, parent class, id property,
/// URI property, names ignore case).
type TypeTuple = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    bool,
);

/// Every resource type, children after their parents.
#[pyfunction]
fn resource_types() -> Vec<TypeTuple> {
    mock_hmc::resource_types()
        .into_iter()
        .map(|t| {
            (
                t.class,
                t.key,
                t.parent_class,
                t.id_prop,
                t.uri_prop,
                t.names_ignore_case,
            )
        })
        .collect()
}

/// (hmc-name, hmc-version, api-version), `None` where unset.
#[pyfunction]
fn identity(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
) -> PyResult<(Option<String>, Option<String>, Option<String>)> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let [n, v, a] = hmc.identity().map_err(error)?;
        Ok((n, v, a))
    })
}

/// Sets the HMC's name, version and API version (`None` keeps one).
#[pyfunction]
#[pyo3(signature = (hmc, name=None, version=None, api_version=None))]
fn set_identity(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    name: Option<String>,
    version: Option<String>,
    api_version: Option<String>,
) -> PyResult<()> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        hmc.set_identity(name.as_deref(), version.as_deref(), api_version.as_deref())
            .map_err(error)
    })
}

/// Makes the HMC available (`True`) or unavailable (`False`).
#[pyfunction]
fn set_enabled(py: Python<'_>, hmc: PyRef<'_, PyHmc>, enabled: bool) -> PyResult<()> {
    let hmc = hmc.hmc().clone();
    py.detach(|| if enabled { hmc.enable() } else { hmc.disable() }.map_err(error))
}

/// Whether the HMC answers requests.
#[pyfunction]
fn is_enabled(py: Python<'_>, hmc: PyRef<'_, PyHmc>) -> PyResult<bool> {
    let hmc = hmc.hmc().clone();
    py.detach(|| hmc.is_enabled().map_err(error))
}

/// Appends prepared metric values (`metrics`: a JSON object in the
/// group's metric order) for `resource_uri` in `group` at `timestamp`.
#[pyfunction]
fn add_metric_values(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    group: String,
    resource_uri: String,
    timestamp: String,
    metrics: String,
) -> PyResult<()> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let metrics = parse_object(&metrics)?;
        hmc.add_metric_values(&group, &resource_uri, &timestamp, metrics)
            .map_err(error)
    })
}

/// The prepared metric values as a JSON list of `{"group_name",
/// "resource_uri", "timestamp", "metrics"}`, in insertion order.
#[pyfunction]
fn metric_values(py: Python<'_>, hmc: PyRef<'_, PyHmc>) -> PyResult<String> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let rows = hmc.metric_values().map_err(error)?;
        let list: Vec<Value> = rows
            .into_iter()
            .map(|r| {
                json!({"group_name": r.group_name, "resource_uri": r.resource_uri,
                       "timestamp": r.timestamp, "metrics": r.metrics})
            })
            .collect();
        Ok(Value::Array(list).to_string())
    })
}

/// Opens a session for `userid` without a password: (session id,
/// credential, notification topic, job notification topic).
#[pyfunction]
fn open_session(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    userid: String,
) -> PyResult<(String, String, String, String)> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let t = hmc.open_session(&userid).map_err(error)?;
        Ok((
            t.session_id,
            t.credential,
            t.notification_topic,
            t.job_notification_topic,
        ))
    })
}

/// The API features of the console or CPC at `uri`.
#[pyfunction]
fn api_features(py: Python<'_>, hmc: PyRef<'_, PyHmc>, uri: String) -> PyResult<Vec<String>> {
    let hmc = hmc.hmc().clone();
    py.detach(|| hmc.api_features(&uri).map_err(error))
}

/// Sets the API features of the console or CPC at `uri`.
#[pyfunction]
fn set_api_features(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    uri: String,
    features: Vec<String>,
) -> PyResult<()> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let features: Vec<&str> = features.iter().map(String::as_str).collect();
        hmc.set_api_features(&uri, &features).map_err(error)
    })
}

/// An admin API request (`/mock/...`) answered without a session: (status,
/// JSON text or "").
#[pyfunction]
#[pyo3(signature = (hmc, method, uri, body=None))]
fn admin(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    method: String,
    uri: String,
    body: Option<String>,
) -> PyResult<(u16, String)> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let method = Method::parse(&method)
            .ok_or_else(|| PyValueError::new_err(format!("unknown HTTP method {method:?}")))?;
        let mut req = Request::new(method, uri);
        if let Some(b) = body {
            req = req.with_json(&parse_json(&b)?);
        }
        let resp = hmc.admin_request(&req);
        let status = resp.status;
        let text = String::from_utf8_lossy(&resp.into_body_bytes()).into_owned();
        Ok((status, text))
    })
}

/// The journal rows (JSON list), of one test id and/or URIs a regex finds.
#[pyfunction]
#[pyo3(signature = (hmc, test=None, uri=None, since=None))]
fn journal(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    test: Option<String>,
    uri: Option<String>,
    since: Option<i64>,
) -> PyResult<String> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        let rows = hmc
            .journal(&JournalFilter { since, test, uri })
            .map_err(error)?;
        serde_json::to_string(&rows).map_err(|e| MockHmcError::new_err(e.to_string()))
    })
}

/// The HMC as a definition (JSON text); passwords (hashed) with `secrets`.
#[pyfunction]
#[pyo3(signature = (hmc, secrets=false))]
fn dump(py: Python<'_>, hmc: PyRef<'_, PyHmc>, secrets: bool) -> PyResult<String> {
    let hmc = hmc.hmc().clone();
    py.detach(|| Ok(hmc.dump(secrets).map_err(error)?.to_string()))
}

/// Writes a new db file `to` with the state (or a checkpoint's).
#[pyfunction]
#[pyo3(signature = (hmc, to, checkpoint=None))]
fn fork(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    to: PathBuf,
    checkpoint: Option<String>,
) -> PyResult<()> {
    let hmc = hmc.hmc().clone();
    py.detach(|| hmc.fork(&to, checkpoint.as_deref()).map_err(error))
}

/// Adds an OS message for a partition or LPAR; returns its sequence number.
#[pyfunction]
#[pyo3(signature = (hmc, uri, text, held=false, priority=false))]
fn add_os_message(
    py: Python<'_>,
    hmc: PyRef<'_, PyHmc>,
    uri: String,
    text: String,
    held: bool,
    priority: bool,
) -> PyResult<i64> {
    let hmc = hmc.hmc().clone();
    py.detach(|| {
        hmc.add_os_message(&uri, &text, held, priority)
            .map_err(error)
    })
}

/// Adds this file's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add_resources, m)?)?;
    m.add_function(wrap_pyfunction!(resource, m)?)?;
    m.add_function(wrap_pyfunction!(child_resources, m)?)?;
    m.add_function(wrap_pyfunction!(update_resource, m)?)?;
    m.add_function(wrap_pyfunction!(remove_resource, m)?)?;
    m.add_function(wrap_pyfunction!(resource_types, m)?)?;
    m.add_function(wrap_pyfunction!(identity, m)?)?;
    m.add_function(wrap_pyfunction!(set_identity, m)?)?;
    m.add_function(wrap_pyfunction!(set_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(add_metric_values, m)?)?;
    m.add_function(wrap_pyfunction!(metric_values, m)?)?;
    m.add_function(wrap_pyfunction!(open_session, m)?)?;
    m.add_function(wrap_pyfunction!(api_features, m)?)?;
    m.add_function(wrap_pyfunction!(set_api_features, m)?)?;
    m.add_function(wrap_pyfunction!(admin, m)?)?;
    m.add_function(wrap_pyfunction!(journal, m)?)?;
    m.add_function(wrap_pyfunction!(dump, m)?)?;
    m.add_function(wrap_pyfunction!(fork, m)?)?;
    m.add_function(wrap_pyfunction!(add_os_message, m)?)?;
    Ok(())
}
