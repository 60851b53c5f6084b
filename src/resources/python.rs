//! Python's view of JSON values, where the Python mock's behaviour depends
//! on it (an empty list or string counts as "not given").

use serde_json::Value;

/// Python truthiness: null, false, 0, "", [] and {} are false.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn empty_and_zero_values_are_false() {
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!truthy(Some(&v)), "{v}");
        }
        assert!(!truthy(None));
        for v in [
            json!(true),
            json!(1),
            json!("a"),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(truthy(Some(&v)), "{v}");
        }
    }
}
