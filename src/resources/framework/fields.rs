//! Readers of request-body fields shared by the operations: each answers
//! the HMC error for a field that is missing (400.5), of the wrong type
//! (400.7), or names a resource that does not exist (404.2).

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::resources::framework::descriptor::ResourceType;
use crate::store::{Resource, Tx};

/// The body of an operation whose fields are all optional: none (an empty
/// body) is `{}`, a body that is not an object 400.9.
pub fn optional_body(req: &crate::api::Request) -> Result<Map<String, Value>, HmcError> {
    match req.json()? {
        None => Ok(Map::new()),
        Some(_) => req.json_object(),
    }
}

/// A required field: 400.5 if absent.
pub fn required<'v>(body: &'v Map<String, Value>, field: &str) -> Result<&'v Value, HmcError> {
    body.get(field)
        .ok_or_else(|| HmcError::missing_field(field))
}

/// A field that holds a URI (400.7 if it is not a string; a missing field
/// is null, so also 400.7).
pub fn uri_value<'v>(field: &str, v: Option<&'v Value>) -> Result<&'v str, HmcError> {
    v.and_then(Value::as_str)
        .ok_or_else(|| HmcError::invalid_field(field, v.unwrap_or(&Value::Null)))
}

/// An optional array field (absent or null: `None`; another type: 400.7).
pub fn array_field<'v>(
    body: &'v Map<String, Value>,
    field: &str,
) -> Result<Option<&'v Vec<Value>>, HmcError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(HmcError::invalid_field(field, other)),
    }
}

/// The items of an optional array field (none if absent or null).
pub fn array_items<'v>(body: &'v Map<String, Value>, field: &str) -> Result<&'v [Value], HmcError> {
    Ok(array_field(body, field)?.map_or(&[], Vec::as_slice))
}

/// The strings of an optional array field (400.7 for an item that is not a
/// string).
pub fn string_items<'v>(
    body: &'v Map<String, Value>,
    field: &str,
) -> Result<Vec<&'v str>, HmcError> {
    array_items(body, field)?
        .iter()
        .map(|v| v.as_str().ok_or_else(|| HmcError::invalid_field(field, v)))
        .collect()
}

/// An item of an array field that must be an object (400.7 otherwise).
pub fn object_item<'v>(field: &str, v: &'v Value) -> Result<&'v Map<String, Value>, HmcError> {
    v.as_object()
        .ok_or_else(|| HmcError::invalid_field(field, v))
}

/// The resource of type `rt` that a body field names: 404.2 naming the URI
/// if there is none.
pub fn referenced(tx: &Tx<'_>, rt: &ResourceType, uri: &str) -> Result<Resource, HmcError> {
    match tx.resource(uri)? {
        Some(r) if r.class == rt.class => Ok(r),
        _ => Err(HmcError::referenced_not_found(2, uri)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn wrong_types_are_400_7_and_missing_required_fields_400_5() {
        let b = body(json!({"a": 5, "l": [1], "s": ["x", 2], "o": "x"}));
        assert_eq!(required(&b, "z").err().map(|e| e.reason), Some(5));
        assert_eq!(uri_value("a", b.get("a")).err().map(|e| e.reason), Some(7));
        assert_eq!(array_field(&b, "a").err().map(|e| e.reason), Some(7));
        assert_eq!(string_items(&b, "s").err().map(|e| e.reason), Some(7));
        assert_eq!(object_item("o", &b["o"]).err().map(|e| e.reason), Some(7));
        assert!(array_items(&b, "none").is_ok_and(<[Value]>::is_empty));
        assert_eq!(array_items(&b, "l").map(<[Value]>::len).ok(), Some(1));
    }
}
