//! Query-parameter parsing with the HMC's strictness (400 reason 1).

use percent_encoding::percent_decode_str;

use super::HmcError;

/// Parsed query parameters, in order; a repeated name appears repeatedly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub params: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string: items split on `&`, empty items skipped,
    /// each item exactly one `=`, names and values percent-decoded (`+`
    /// stays a plus, as on the HMC).
    pub fn parse(raw: Option<&str>) -> Result<Query, HmcError> {
        let mut params = Vec::new();
        for item in raw.unwrap_or("").split('&').filter(|i| !i.is_empty()) {
            let mut parts = item.split('=');
            let (Some(name), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(HmcError::bad_query(format!(
                    "Invalid format for URI query parameter: '{item}' (valid format is: 'name=value')."
                )));
            };
            params.push((decode(name), decode(value)));
        }
        Ok(Query { params })
    }

    /// 400.1 for the names not in `allowed`.
    pub fn check_allowed(&self, allowed: &[&str]) -> Result<(), HmcError> {
        let mut bad: Vec<&str> = Vec::new();
        for (name, _) in &self.params {
            if !allowed.contains(&name.as_str()) && !bad.contains(&name.as_str()) {
                bad.push(name);
            }
        }
        if bad.is_empty() {
            return Ok(());
        }
        let list = bad
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ");
        Err(HmcError::bad_query(format!(
            "Unrecognized or unsupported query parameters: [{list}]"
        )))
    }

    /// All values of `name`, in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.params
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The comma-separated names of a list parameter (`properties`,
    /// `additional-properties`); repeated parameters are joined.
    pub fn name_list(&self, name: &str) -> Option<Vec<String>> {
        let values = self.values(name);
        if values.is_empty() {
            return None;
        }
        Some(
            values
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    /// The parameters other than `except`, grouped by name in first-seen order.
    pub fn filters(&self, except: &[&str]) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for (n, v) in &self.params {
            if except.contains(&n.as_str()) {
                continue;
            }
            match out.iter_mut().find(|(name, _)| name == n) {
                Some((_, vs)) => vs.push(v.clone()),
                None => out.push((n.clone(), vec![v.clone()])),
            }
        }
        out
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repeated_and_empty_items() {
        let q = Query::parse(Some("a=b&&d=e&a=c&")).unwrap();
        assert_eq!(q.values("a"), vec!["b", "c"]);
        assert_eq!(q.values("d"), vec!["e"]);
        assert_eq!(
            q.filters(&["d"]),
            vec![("a".to_string(), vec!["b".to_string(), "c".to_string()])]
        );
    }

    #[test]
    fn decodes_percent_but_not_plus() {
        let q = Query::parse(Some("name=a%20b+c")).unwrap();
        assert_eq!(q.values("name"), vec!["a b+c"]);
    }

    #[test]
    fn items_without_exactly_one_equals_are_400_1() {
        for bad in ["a", "a==b", "a=b=c"] {
            let e = Query::parse(Some(bad)).unwrap_err();
            assert_eq!((e.status, e.reason), (400, 1), "{bad}");
            assert!(e.message.contains(&format!("'{bad}'")), "{}", e.message);
        }
        assert_eq!(Query::parse(Some("a=")).unwrap().values("a"), vec![""]);
    }

    #[test]
    fn unknown_names_are_listed_like_the_hmc() {
        let q = Query::parse(Some("foo=1&name=x")).unwrap();
        let e = q.check_allowed(&["name"]).unwrap_err();
        assert_eq!(
            e.message,
            "Unrecognized or unsupported query parameters: ['foo']"
        );
    }
}
