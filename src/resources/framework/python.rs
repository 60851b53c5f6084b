//! Python's view of JSON values, where the Python mock's behaviour depends
//! on it (an empty list or string counts as "not given"), and Python's
//! `repr`, which the mock's messages use.

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

/// Python's `repr` of a string: single quotes (double quotes when the text
/// holds a single quote and no double one), backslashes and control
/// characters escaped (`'CG1'`, `"it's"`).
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr` of a JSON value as the mock's messages show it (strings
/// quoted, `None`, `True`/`False`, numbers and other values as JSON).
pub fn repr_value(v: &Value) -> String {
    match v {
        Value::String(s) => repr_str(s),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

/// Python's `repr` of a list of strings (`['/api/partitions/p1']`).
pub fn repr_list(items: &[&str]) -> String {
    let inner: Vec<String> = items.iter().map(|s| repr_str(s)).collect();
    format!("[{}]", inner.join(", "))
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

    #[test]
    fn reprs_quote_and_escape_like_python() {
        assert_eq!(repr_str("CG1"), "'CG1'");
        assert_eq!(repr_str(""), "''");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(repr_str("a\\b"), "'a\\\\b'");
        assert_eq!(repr_str("a\nb\tc\u{1}"), "'a\\nb\\tc\\x01'");
        assert_eq!(repr_str("é"), "'é'");
        assert_eq!(
            repr_list(&["/api/partitions/a", "/api/partitions/b"]),
            "['/api/partitions/a', '/api/partitions/b']"
        );
        assert_eq!(repr_list(&[]), "[]");
    }
}
