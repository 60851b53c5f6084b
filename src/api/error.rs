//! `HmcError`: a failed operation as the HMC reports it (HTTP status, reason
//! code, message), and the one place that renders the HMC error body.

use serde_json::{Value, json};

/// An operation's failure, with the status and reason code the HMC WS API
/// book defines. `request_uri` overrides the request's URI in the body where
/// the HMC names a referenced resource instead.
#[derive(Debug, Clone, PartialEq)]
pub struct HmcError {
    pub status: u16,
    pub reason: i64,
    pub message: String,
    pub request_uri: Option<String>,
}

impl std::fmt::Display for HmcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{},{}: {}", self.status, self.reason, self.message)
    }
}

impl std::error::Error for HmcError {}

impl HmcError {
    /// An error with the given status, reason and message.
    pub fn new(status: u16, reason: i64, message: impl Into<String>) -> HmcError {
        HmcError {
            status,
            reason,
            message: message.into(),
            request_uri: None,
        }
    }

    /// Names `uri` as the body's `request-uri`.
    pub fn at_uri(mut self, uri: impl Into<String>) -> HmcError {
        self.request_uri = Some(uri.into());
        self
    }

    /// 400 with the given reason.
    pub fn bad_request(reason: i64, message: impl Into<String>) -> HmcError {
        HmcError::new(400, reason, message)
    }

    /// 400.1: malformed or unsupported query parameters.
    pub fn bad_query(message: impl Into<String>) -> HmcError {
        HmcError::new(400, 1, message)
    }

    /// 400.7: a body field has a value of the wrong type or outside its
    /// allowed set (the HMC mock's wording for such values).
    pub fn invalid_field(name: &str, value: &Value) -> HmcError {
        HmcError::new(400, 7, format!("Invalid value for '{name}' field: {value}"))
    }

    /// 400.3: a body is required and there is none.
    pub fn missing_body() -> HmcError {
        HmcError::new(400, 3, "Missing request body")
    }

    /// 400.5: a required body field is missing.
    pub fn missing_field(name: &str) -> HmcError {
        HmcError::new(
            400,
            5,
            format!("Missing required field in request body: {name}"),
        )
    }

    /// 400.6: an update names a property that is not writable.
    pub fn not_writable(name: &str) -> HmcError {
        HmcError::new(400, 6, format!("Property is not writable: '{name}'"))
    }

    /// 400.6: a create names a property that the HMC sets itself.
    pub fn not_input(name: &str) -> HmcError {
        HmcError::new(
            400,
            6,
            format!("Property cannot be provided as input: '{name}'"),
        )
    }

    /// 400.8: the name is already used by a sibling of the same class.
    pub fn duplicate_name(class: &str, name: &str) -> HmcError {
        HmcError::new(
            400,
            8,
            format!("The name '{name}' is already in use by another {class}"),
        )
    }

    /// Start of the message of `duplicate_uri`.
    pub const DUPLICATE_URI_PREFIX: &str = "A resource with URI";

    /// 400.8: a resource with this URI (a supplied id) already exists.
    pub fn duplicate_uri(uri: &str) -> HmcError {
        HmcError::new(
            400,
            8,
            format!("{} {uri} already exists", HmcError::DUPLICATE_URI_PREFIX),
        )
    }

    /// 400.9: the body is not valid JSON.
    pub fn bad_json(detail: &str) -> HmcError {
        HmcError::new(
            400,
            9,
            format!("The request body is not valid JSON: {detail}"),
        )
    }

    /// 400.14: `properties=` names a property the resource does not have.
    pub fn invalid_property_filter(name: &str, uri: &str) -> HmcError {
        HmcError::new(
            400,
            14,
            format!(
                "Invalid property '{name}' in 'properties' query parameter for resource with URI '{uri}'"
            ),
        )
    }

    /// 403.0: logon with a wrong userid or password.
    pub fn logon_failed() -> HmcError {
        HmcError::new(403, 0, "Logon failed: the userid or password is not valid")
    }

    /// 403.4: no `X-API-Session` header.
    pub fn no_session() -> HmcError {
        HmcError::new(403, 4, "x-api-session header is missing")
    }

    /// 403.5: the session id is unknown, logged off or expired. zhmcclient
    /// recognises this case by this exact message.
    pub fn bad_session() -> HmcError {
        HmcError::new(
            403,
            5,
            "x-api-session header did not map to a known session",
        )
    }

    /// 404.1: no such resource (or no such URI at all).
    pub fn not_found(uri: &str) -> HmcError {
        HmcError::new(404, 1, format!("Unknown resource with URI: {uri}"))
    }

    /// 404.1: the URI exists but not with this method (the HMC mock's answer,
    /// which zhmcclient's tests expect instead of 405).
    pub fn invalid_method(method: &str, uri: &str, handler: &str) -> HmcError {
        HmcError::new(
            404,
            1,
            format!("Invalid HTTP method {method} on URI: {uri} handler class {handler}"),
        )
    }

    /// 404 with another reason for a resource named in the body (404.2 for
    /// most, 404.6 for adapter ports); the message names that resource and
    /// `request-uri` stays the request's. (Spec 2.3: only Add/Remove User
    /// Role, not implemented here, also name the referenced URI as
    /// `request-uri`; `at_uri` would do that.)
    pub fn referenced_not_found(reason: i64, uri: &str) -> HmcError {
        HmcError::new(404, reason, format!("Unknown resource with URI: {uri}"))
    }

    /// 409 with the given reason.
    pub fn conflict(reason: i64, message: impl Into<String>) -> HmcError {
        HmcError::new(409, reason, message)
    }

    /// 409.4: classic-only operation on a CPC in DPM mode.
    pub fn cpc_in_dpm(cpc_uri: &str) -> HmcError {
        HmcError::new(409, 4, format!("CPC is in DPM mode: {cpc_uri}"))
    }

    /// 409.5: DPM-only operation on a classic CPC.
    pub fn cpc_not_in_dpm(cpc_uri: &str) -> HmcError {
        HmcError::new(409, 5, format!("CPC is not in DPM mode: {cpc_uri}"))
    }

    /// 413.0: the request body is larger than the server accepts.
    pub fn body_too_large(limit: usize) -> HmcError {
        HmcError::new(
            413,
            0,
            format!("The request body exceeds the limit of {limit} bytes"),
        )
    }

    /// 400.0: the HTTP layer could not parse the request (its request line
    /// or a header).
    pub fn malformed_request() -> HmcError {
        HmcError::new(
            400,
            0,
            "The request is not valid HTTP/1.1: its request line or a header cannot be parsed",
        )
    }

    /// 400.0: the request body is not valid in its transfer encoding (a
    /// malformed chunk) or ended early.
    pub fn malformed_body(detail: &str) -> HmcError {
        HmcError::new(400, 0, format!("The request body is malformed: {detail}"))
    }

    /// 408.0: the request body stopped arriving.
    pub fn body_timeout(seconds: f64) -> HmcError {
        HmcError::new(
            408,
            0,
            format!("The request body stopped arriving: no data for {seconds} s"),
        )
    }

    /// 414.0: the request URI is longer than the HTTP layer accepts.
    pub fn uri_too_long() -> HmcError {
        HmcError::new(414, 0, "The request URI is too long")
    }

    /// 431.0: too many or too large request headers.
    pub fn headers_too_large() -> HmcError {
        HmcError::new(431, 0, "The request headers are too many or too large")
    }

    /// 500.0: an internal failure; details go to the log, not to the client.
    pub fn internal() -> HmcError {
        HmcError::new(500, 0, "Internal error in mock-hmc; see its log")
    }

    /// The HMC error body for this error on `method uri`.
    pub fn body(&self, method: &str, uri: &str) -> Value {
        json!({
            "http-status": self.status,
            "reason": self.reason,
            "message": self.message,
            "request-method": method,
            "request-uri": self.request_uri.as_deref().unwrap_or(uri),
        })
    }
}

impl From<crate::store::StoreError> for HmcError {
    fn from(e: crate::store::StoreError) -> HmcError {
        tracing::error!(error = %e, "storage failure");
        HmcError::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_five_fields() {
        let b = HmcError::not_found("/api/x").body("GET", "/api/x?a=b");
        assert_eq!(b["http-status"], 404);
        assert_eq!(b["reason"], 1);
        assert_eq!(b["message"], "Unknown resource with URI: /api/x");
        assert_eq!(b["request-method"], "GET");
        assert_eq!(b["request-uri"], "/api/x?a=b");
    }

    #[test]
    fn referenced_uri_replaces_request_uri() {
        let b = HmcError::referenced_not_found(2, "/api/virtual-switches/v")
            .at_uri("/api/virtual-switches/v")
            .body("POST", "/api/partitions/p/nics");
        assert_eq!(b["request-uri"], "/api/virtual-switches/v");
    }
}
