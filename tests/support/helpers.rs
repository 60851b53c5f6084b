//! Short requests and JSON readers that many test files share. Every
//! request goes through any `Client` with the session `s`; the helpers that
//! expect success assert its status (naming the transport), so an arranging
//! step cannot fail silently.

use mock_hmc::Method;
use serde_json::Value;

use super::{Client, Reply};

/// GET `uri`, whatever it answers.
pub fn get(c: &dyn Client, s: &str, uri: &str) -> Reply {
    c.send(Method::Get, uri, Some(s), None)
}

/// GET `uri`, asserting a 200.
pub fn get_ok(c: &dyn Client, s: &str, uri: &str) -> Reply {
    let r = get(c, s, uri);
    assert_eq!(r.status, 200, "{}: GET {uri}: {:?}", c.transport(), r.body);
    r
}

/// The body of GET `uri`, asserting a 200.
pub fn props(c: &dyn Client, s: &str, uri: &str) -> Value {
    get_ok(c, s, uri).body
}

/// POST `body` to `uri`, whatever it answers.
pub fn post(c: &dyn Client, s: &str, uri: &str, body: Value) -> Reply {
    c.send(Method::Post, uri, Some(s), Some(&body))
}

/// POST to `uri` without a body, whatever it answers.
pub fn post_empty(c: &dyn Client, s: &str, uri: &str) -> Reply {
    c.send(Method::Post, uri, Some(s), None)
}

/// DELETE `uri`, whatever it answers.
pub fn delete(c: &dyn Client, s: &str, uri: &str) -> Reply {
    c.send(Method::Delete, uri, Some(s), None)
}

/// POSTs `properties` to `uri` (an Update, or an operation answering 204),
/// asserting the 204.
pub fn update(c: &dyn Client, s: &str, uri: &str, properties: Value) {
    let r = post(c, s, uri, properties);
    assert_eq!(r.status, 204, "{}: POST {uri}: {:?}", c.transport(), r.body);
}

/// POSTs `body` to the collection `uri`, asserting a 201; returns the new
/// resource's `object-uri` (or `element-uri` for an element).
pub fn create(c: &dyn Client, s: &str, uri: &str, body: Value) -> String {
    let r = post(c, s, uri, body);
    assert_eq!(r.status, 201, "{}: POST {uri}: {:?}", c.transport(), r.body);
    r.body
        .get("object-uri")
        .or_else(|| r.body.get("element-uri"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{}: no URI in {:?}", c.transport(), r.body))
        .to_string()
}

/// Asserts a 202 whose job is complete with status code 200 at the first
/// poll; returns the job's properties.
pub fn completed_job(c: &dyn Client, s: &str, r: &Reply) -> Value {
    let t = c.transport();
    assert_eq!(r.status, 202, "{t}: {:?}", r.body);
    let job = props(c, s, r.body["job-uri"].as_str().unwrap());
    assert_eq!(job["status"], "complete", "{t}: {job:?}");
    assert_eq!(job["job-status-code"], 200, "{t}: {job:?}");
    job
}

/// The items of the JSON list `v`, which must all be strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v:?}"))
        .iter()
        .map(|u| {
            u.as_str()
                .unwrap_or_else(|| panic!("not a string: {u:?}"))
                .to_string()
        })
        .collect()
}

/// The string items of the list property `prop` of `uri` (asserting a 200).
pub fn uri_list(c: &dyn Client, s: &str, uri: &str, prop: &str) -> Vec<String> {
    let body = props(c, s, uri);
    assert!(body[prop].is_array(), "{uri} has no list {prop}: {body:?}");
    strings(&body[prop])
}

/// The `name`s of the items of a list answer (`""` for an item without one).
pub fn names(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items:?}"))
        .iter()
        .map(|i| i["name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v:?}"))
        .keys()
        .cloned()
        .collect();
    k.sort_unstable();
    k
}
