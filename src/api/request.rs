//! `Request`: what a client asked, independent of HTTP.

use serde_json::{Map, Value};

use super::HmcError;

/// The three methods of the HMC WS API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    /// The method's HTTP name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    /// Parses an HTTP method name; `None` for methods the HMC does not use.
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    /// Whether the method may change state (and so runs in a write transaction).
    pub fn writes(self) -> bool {
        !matches!(self, Method::Get)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API request: method, raw URI (path and query, not decoded), the
/// `X-API-Session` header and the body bytes.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub uri: String,
    pub session_id: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The `X-Mock-Test-Id` header: tags the request in the journal.
    pub test_id: Option<String>,
}

impl Request {
    /// A request without session and body.
    pub fn new(method: Method, uri: impl Into<String>) -> Request {
        Request {
            method,
            uri: uri.into(),
            session_id: None,
            content_type: None,
            body: Vec::new(),
            test_id: None,
        }
    }

    /// Sets a JSON body.
    pub fn with_json(mut self, body: &Value) -> Request {
        self.body = body.to_string().into_bytes();
        self.content_type = Some("application/json".into());
        self
    }

    /// Sets the `X-Mock-Test-Id` header (the journal's test tag).
    pub fn with_test_id(mut self, id: impl Into<String>) -> Request {
        self.test_id = Some(id.into());
        self
    }

    /// Sets the `X-API-Session` header.
    pub fn with_session(mut self, id: impl Into<String>) -> Request {
        self.session_id = Some(id.into());
        self
    }

    /// The URI before any `?`.
    pub fn path(&self) -> &str {
        self.uri.split_once('?').map_or(&self.uri, |(p, _)| p)
    }

    /// The raw query string after the first `?`, if any.
    pub fn raw_query(&self) -> Option<&str> {
        self.uri.split_once('?').map(|(_, q)| q)
    }

    /// Whether the body is JSON (or untyped): the HMC treats other content
    /// types (e.g. ISO images) as opaque bytes.
    fn body_is_json(&self) -> bool {
        match &self.content_type {
            None => true,
            Some(ct) => {
                let ct = ct.to_ascii_lowercase();
                ct.starts_with("application/json") || ct.starts_with("text/")
            }
        }
    }

    /// The JSON body; `None` when the body is empty (zhmcclient sends
    /// `Content-Type: application/json` with an empty body on operations
    /// without parameters).
    pub fn json(&self) -> Result<Option<Value>, HmcError> {
        if self.body.iter().all(u8::is_ascii_whitespace) || !self.body_is_json() {
            return Ok(None);
        }
        serde_json::from_slice(&self.body)
            .map(Some)
            .map_err(|e| HmcError::bad_json(&e.to_string()))
    }

    /// The JSON body as an object, with 400.3 when it is missing and 400.9
    /// when it is not an object.
    pub fn json_object(&self) -> Result<Map<String, Value>, HmcError> {
        match self.json()? {
            None => Err(HmcError::missing_body()),
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(HmcError::bad_json("the request body is not a JSON object")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_body_with_json_content_type_is_no_body() {
        let mut r = Request::new(Method::Post, "/api/x");
        r.content_type = Some("application/json".into());
        assert_eq!(r.json().unwrap(), None);
        assert_eq!(r.json_object().unwrap_err().reason, 3);
    }

    #[test]
    fn malformed_json_is_400() {
        let mut r = Request::new(Method::Post, "/api/x");
        r.body = b"{nope".to_vec();
        let e = r.json().unwrap_err();
        assert_eq!((e.status, e.reason), (400, 9));
    }

    #[test]
    fn octet_stream_is_not_parsed() {
        let mut r = Request::new(Method::Post, "/api/x");
        r.body = vec![0, 159, 146, 150];
        r.content_type = Some("application/octet-stream".into());
        assert_eq!(r.json().unwrap(), None);
    }

    #[test]
    fn path_and_query_split_at_first_question_mark() {
        let r = Request::new(Method::Get, "/api/cpcs?name=a?b").with_json(&json!({}));
        assert_eq!(r.path(), "/api/cpcs");
        assert_eq!(r.raw_query(), Some("name=a?b"));
    }
}
