//! The library's `Session`: a logged-on API session whose requests go
//! through `Hmc::handle`, exactly like the server's. Logs off when dropped.

use serde_json::Value;

use crate::api::{Method, Request, Response};
use crate::hmc::{Error, Hmc, error_from_body};

/// A logged-on session of one `Hmc`.
pub struct Session<'h> {
    hmc: &'h Hmc,
    id: String,
    credential: String,
    logged_off: bool,
}

impl<'h> Session<'h> {
    pub(crate) fn new(hmc: &'h Hmc, id: String, credential: String) -> Session<'h> {
        Session {
            hmc,
            id,
            credential,
            logged_off: false,
        }
    }

    /// The `api-session` id (the `X-API-Session` header value).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `session-credential` of the logon.
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// Sends `method uri` with an optional JSON body in this session.
    pub fn request(&self, method: Method, uri: &str, body: Option<&Value>) -> Response {
        let mut req = Request::new(method, uri).with_session(&self.id);
        if let Some(b) = body {
            req = req.with_json(b);
        }
        self.hmc.handle(&req)
    }

    /// GET `uri`.
    pub fn get(&self, uri: &str) -> Response {
        self.request(Method::Get, uri, None)
    }

    /// POST `uri` with `body` (`Value::Null` for none).
    pub fn post(&self, uri: &str, body: &Value) -> Response {
        let body = (!body.is_null()).then_some(body);
        self.request(Method::Post, uri, body)
    }

    /// DELETE `uri`.
    pub fn delete(&self, uri: &str) -> Response {
        self.request(Method::Delete, uri, None)
    }

    /// GET `uri` and return its JSON, or the HMC error.
    pub fn get_json(&self, uri: &str) -> Result<Value, Error> {
        let r = self.get(uri);
        let body = r.json().cloned().unwrap_or(Value::Null);
        if r.status >= 300 {
            return Err(Error::Hmc(error_from_body(&body, r.status)));
        }
        Ok(body)
    }

    /// Ends the session (Logoff).
    pub fn logoff(mut self) -> Response {
        self.logged_off = true;
        self.delete("/api/sessions/this-session")
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if !self.logged_off {
            let _ = self.delete("/api/sessions/this-session");
        }
    }
}
