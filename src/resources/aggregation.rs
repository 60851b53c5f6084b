//! Submit Requests (`/api/services/aggregation/submit`): many requests in
//! one, each run through the same route table and handlers as if sent on
//! its own, answered one entry each.
//!
//! Transactions: the outer POST holds the write transaction; each nested
//! request runs in a savepoint of its own inside it (`dispatch::handle_nested`).
//! A nested request that fails rolls back to its savepoint, so it leaves no
//! trace, and the requests before and after it keep their effects; the
//! outer transaction commits them all at the end. Nested requests see what
//! the earlier ones did. They run in order (`threads` is accepted and
//! ignored: a transaction has one writer).

use serde_json::{Map, Value, json};

use crate::api::{Body, HmcError, Method, Request, Response};
use crate::ctx::Ctx;
use crate::dispatch::handle_nested;
use crate::resources::framework::fields::required;
use crate::resources::framework::python::truthy;
use crate::resources::{Service, Transaction};

/// The URI of Submit Requests (a nested request to it is refused).
const SUBMIT_URI: &str = "/api/services/aggregation/submit";

/// The fields each nested request must have (400.5 for the whole request,
/// before any runs).
const REQUIRED: &[&str] = &["method", "uri"];

/// Operation: Submit Requests. `requests` is a list of `{method, uri, id?,
/// body?}`; the answer is a list of `{status, headers, body, id?}` in the
/// same order, `body` holding the nested answer (null when it is empty) or
/// its HMC error body.
fn submit_requests(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let body = ctx.req.json_object()?;
    let requests = match required(&body, "requests")? {
        Value::Array(items) => items,
        other => return Err(HmcError::invalid_field("requests", other)),
    };
    let mut items = Vec::with_capacity(requests.len());
    for item in requests {
        let Value::Object(fields) = item else {
            return Err(HmcError::invalid_field("requests", item));
        };
        if let Some(missing) = REQUIRED.iter().find(|f| !fields.contains_key(**f)) {
            return Err(HmcError::bad_request(
                5,
                format!("Missing required field in request body within requests: {missing}"),
            ));
        }
        items.push(fields);
    }
    let mut answers = Vec::with_capacity(items.len());
    for fields in items {
        let (status, body) = run_one(ctx, fields);
        let mut answer = json!({"status": status, "headers": [], "body": body});
        if let Some(id) = fields.get("id").filter(|id| truthy(Some(id)))
            && let Value::Object(a) = &mut answer
        {
            a.insert("id".into(), id.clone());
        }
        answers.push(answer);
    }
    Ok(Response::ok(Value::Array(answers)))
}

/// Runs one nested request: its status and the body of its entry.
fn run_one(ctx: &Ctx<'_>, fields: &Map<String, Value>) -> (u16, Value) {
    let method_value = fields.get("method").unwrap_or(&Value::Null);
    let uri_value = fields.get("uri").unwrap_or(&Value::Null);
    let uri = uri_value.as_str().unwrap_or("");
    let method = method_value.as_str().and_then(Method::parse);
    let (Some(method), Some(_)) = (method, uri_value.as_str()) else {
        // Not a request the HMC serves: an entry with the error, naming
        // the field at fault.
        let e = if method.is_none() {
            HmcError::invalid_field("method", method_value)
        } else {
            HmcError::invalid_field("uri", uri_value)
        };
        let shown = method_value.as_str().unwrap_or("");
        return (e.status, error_body(ctx, &e, shown, uri, fields));
    };
    let mut req = Request::new(method, uri);
    req.session_id = ctx.req.session_id.clone();
    if let Some(b) = fields.get("body").filter(|b| !b.is_null()) {
        req = req.with_json(b);
    }
    let result = if req.path() == SUBMIT_URI {
        Err(HmcError::bad_request(
            7,
            "Submit Requests cannot be nested in Submit Requests",
        ))
    } else {
        handle_nested(ctx, &req)
    };
    match result {
        Ok(r) => {
            let body = match r.body {
                Body::Json(v) if truthy(Some(&v)) => v,
                // Get Metrics answers text; the entry carries it as a string.
                Body::Text { text, .. } => Value::String(text),
                _ => Value::Null,
            };
            (r.status, body)
        }
        Err(e) => (e.status, error_body(ctx, &e, method.as_str(), uri, fields)),
    }
}

/// The error body of a failed nested request, with what the HMC adds
/// inside Submit Requests: the request's headers (none), who it ran as,
/// its body (POST only) and its query parameters (only if it had any).
fn error_body(
    ctx: &Ctx<'_>,
    e: &HmcError,
    method: &str,
    uri: &str,
    fields: &Map<String, Value>,
) -> Value {
    let path = uri.split_once('?').map_or(uri, |(p, _)| p);
    let mut body = e.body(method, path);
    let Value::Object(b) = &mut body else {
        return body;
    };
    b.insert("request-headers".into(), json!([]));
    b.insert(
        "request-authenticated-as".into(),
        ctx.session.map_or(Value::Null, |s| json!(s.userid)),
    );
    if method == "POST" {
        b.insert(
            "request-body".into(),
            fields.get("body").cloned().unwrap_or(Value::Null),
        );
    }
    if let Some((_, query)) = uri.split_once('?') {
        b.insert("request-query-parms".into(), query_parms(query));
    }
    body
}

/// The query parameters of a nested URI as an object: one value per name,
/// a list for a repeated name; items that are not `name=value` are kept
/// as names without value (null).
fn query_parms(query: &str) -> Value {
    let mut out = Map::new();
    for item in query.split('&').filter(|i| !i.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .map_or((item, Value::Null), |(n, v)| (n, json!(v)));
        match out.get_mut(name) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = json!([first.clone(), value]),
            None => {
                out.insert(name.to_string(), value);
            }
        }
    }
    Value::Object(out)
}

pub const SUBMIT_REQUESTS: Service = Service {
    title: "Submit Requests",
    method: Method::Post,
    pattern: SUBMIT_URI,
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "SubmitRequestsHandler",
    run: submit_requests,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parms_group_repeated_names() {
        assert_eq!(
            query_parms("a=1&b=2&a=3&c"),
            json!({"a": ["1", "3"], "b": "2", "c": null})
        );
    }
}
