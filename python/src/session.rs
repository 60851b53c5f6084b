//! The in-process request path of `mock_hmc.Session`, definition loading
//! for its constructors, and `run_cli` for the console script.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use mock_hmc::{Body, DROP_CONNECTION, Hmc, Method, Request};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};
use serde_json::Value;

create_exception!(
    _native,
    MockHmcError,
    PyException,
    "An error of mock-hmc outside a request (opening or loading a db)."
);
create_exception!(
    _native,
    DefinitionSyntaxError,
    MockHmcError,
    "A definition text that is neither YAML nor JSON."
);
create_exception!(
    _native,
    DefinitionError,
    MockHmcError,
    "A definition that does not describe an HMC (names the entry)."
);

/// What a request answered, for Python: `(status, content_type, body,
/// location, dropped)`. `body` is a JSON body as Python objects (dicts,
/// lists, ...: built here, measured faster than serialising the JSON for
/// `json.loads`), the text of another body, or `None` for none;
/// `dropped` is true when a fault rule told the server to drop the
/// connection.
type Answer<'py> = (u16, Option<String>, Bound<'py, PyAny>, Option<String>, bool);

/// A JSON value as the Python objects `json.loads` would make of it.
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(PyString::new(py, k), to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

fn error(e: impl std::fmt::Display) -> PyErr {
    MockHmcError::new_err(e.to_string())
}

/// One HMC db opened in this process (`mock_hmc::Hmc`), shared by every
/// `mock_hmc.Session` on that file.
#[pyclass(frozen, name = "Hmc", module = "mock_hmc._native")]
pub struct PyHmc {
    hmc: Arc<Hmc>,
    path: PathBuf,
}

impl PyHmc {
    /// The library `Hmc`, for the other native modules of the package.
    #[allow(dead_code)]
    pub fn hmc(&self) -> &Arc<Hmc> {
        &self.hmc
    }
}

#[pymethods]
impl PyHmc {
    /// Opens (creating and migrating if needed) the HMC in `path`; an empty
    /// db gets the embedded default HMC, as `mock-hmc serve` gives it.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<PyHmc> {
        let hmc = py.detach(|| Hmc::open(&path)).map_err(error)?;
        Ok(PyHmc {
            hmc: Arc::new(hmc),
            path,
        })
    }

    /// Opens (creating and migrating if needed) without filling an empty
    /// db, for loading a definition into it.
    #[staticmethod]
    fn open_unseeded(py: Python<'_>, path: PathBuf) -> PyResult<PyHmc> {
        let hmc = py.detach(|| Hmc::open_unseeded(&path)).map_err(error)?;
        Ok(PyHmc {
            hmc: Arc::new(hmc),
            path,
        })
    }

    /// The db file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Sends one request through `Hmc::handle`, exactly as the server
    /// would: `session_id` is the `X-API-Session` header, `test_id` the
    /// `X-Mock-Test-Id` header, `body` the request body bytes.
    #[pyo3(signature = (method, uri, session_id=None, body=None, content_type=None, test_id=None))]
    // One argument per field of the request: one call per request from
    // Python, with no request object to build there.
    #[allow(clippy::too_many_arguments)]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        uri: String,
        session_id: Option<String>,
        body: Option<&[u8]>,
        content_type: Option<String>,
        test_id: Option<String>,
    ) -> PyResult<Answer<'py>> {
        let method = Method::parse(method)
            .ok_or_else(|| PyValueError::new_err(format!("unknown HTTP method {method:?}")))?;
        let req = Request {
            method,
            uri,
            session_id,
            content_type: content_type.or_else(|| body.map(|_| "application/json".into())),
            body: body.map(<[u8]>::to_vec).unwrap_or_default(),
            test_id,
        };
        let resp = py.detach(|| self.hmc.handle(&req));
        let dropped = resp.header(DROP_CONNECTION).is_some();
        let location = resp.header("Location").map(str::to_string);
        let (content_type, body) = match resp.body {
            Body::Empty => (None, py.None().into_bound(py)),
            Body::Json(v) => (Some("application/json".to_string()), to_py(py, &v)?),
            Body::Text { content_type, text } => {
                (Some(content_type), PyString::new(py, &text).into_any())
            }
            // `handle` parses stored text (only the server sends it as is).
            Body::JsonText(text) => (
                Some("application/json".to_string()),
                PyString::new(py, &text).into_any(),
            ),
        };
        Ok((resp.status, content_type, body, location, dropped))
    }

    /// Loads a definition (YAML as PyYAML reads it, or JSON text) into this
    /// db, replacing what it holds when `replace`, then gives each
    /// `(userid, password)` of `users` a user that can log on with it (as
    /// `mock-hmc load --user`). Returns the definition's `host`.
    #[pyo3(signature = (text, users=Vec::new(), replace=false))]
    fn load_definition(
        &self,
        py: Python<'_>,
        text: String,
        users: Vec<(String, String)>,
        replace: bool,
    ) -> PyResult<Option<String>> {
        py.detach(|| {
            let def = mock_hmc::definition::parse(&text)
                .map_err(|e| DefinitionSyntaxError::new_err(e.to_string()))?;
            self.hmc.load(&def, replace).map_err(|e| match e {
                mock_hmc::Error::Definition(d) => DefinitionError::new_err(d.to_string()),
                other => error(other),
            })?;
            for (userid, password) in &users {
                self.hmc
                    .set_user_password(userid, password)
                    .map_err(error)?;
            }
            Ok::<_, PyErr>(
                def.pointer("/hmc_definition/host")
                    .and_then(|h| h.as_str())
                    .map(str::to_string),
            )
        })
    }

    /// Turns the request journal of this process's requests on this db on
    /// or off (on by default, as for `mock-hmc serve`; `serve --no-journal`).
    fn set_journal(&self, on: bool) {
        self.hmc.set_journal(on);
    }

    /// Adds a console user that can log on with `password`, or sets the
    /// password of an existing one (`mock-hmc load --user`).
    fn set_user_password(&self, py: Python<'_>, userid: String, password: String) -> PyResult<()> {
        py.detach(|| self.hmc.set_user_password(&userid, &password))
            .map_err(error)
    }
}

/// Runs the `mock-hmc` command line on `argv` (program name first) and
/// returns its exit code; the GIL is released while it runs (`serve` runs
/// until SIGINT/SIGTERM, which its own handlers catch).
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(|| mock_hmc::cli::run_from(argv))
}

/// Adds this file's classes and functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHmc>()?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add("MockHmcError", m.py().get_type::<MockHmcError>())?;
    m.add(
        "DefinitionSyntaxError",
        m.py().get_type::<DefinitionSyntaxError>(),
    )?;
    m.add("DefinitionError", m.py().get_type::<DefinitionError>())?;
    Ok(())
}
