//! Request fields of the partition-link operations: their values (400.7 for
//! one the operation does not accept), device numbers, and the CPC and
//! partitions a request names.

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::Mode;
use crate::resources::framework::descriptor::ResourceType;
use crate::resources::framework::fields::{referenced, uri_value};
use crate::resources::framework::preconditions::{check_cpc_status, require_mode};
use crate::resources::partition::PARTITION;
use crate::store::{Resource, Tx};

/// 400.7 with a message that says more than `HmcError::invalid_field`.
pub(super) fn invalid(message: String) -> HmcError {
    HmcError::bad_request(7, message)
}

/// The first key of `body` that none of the `allowed` lists holds.
pub(super) fn unknown_key<'b>(
    body: &'b Map<String, Value>,
    allowed: &[&[&str]],
) -> Option<&'b String> {
    body.keys()
        .find(|k| !allowed.iter().any(|list| list.contains(&k.as_str())))
}

/// Four hex digits, as the HMC writes device numbers.
pub(super) fn hex(n: i64) -> String {
    format!("{n:04X}")
}

/// A device number given as 1 to 4 hex digits.
pub(super) fn parse_devno(field: &str, v: &Value) -> Result<i64, HmcError> {
    v.as_str()
        .filter(|s| (1..=4).contains(&s.len()))
        .and_then(|s| i64::from_str_radix(s, 16).ok())
        .ok_or_else(|| HmcError::invalid_field(field, v))
}

/// An integer field within `range`.
pub(super) fn int_in(field: &str, v: &Value, range: RangeInclusive<i64>) -> Result<i64, HmcError> {
    v.as_i64()
        .filter(|n| range.contains(n))
        .ok_or_else(|| HmcError::invalid_field(field, v))
}

/// An optional field of `map`: `default` when absent or null, else `parse`d.
pub(super) fn optional<T>(
    map: &Map<String, Value>,
    field: &str,
    default: T,
    parse: impl FnOnce(&Value) -> Result<T, HmcError>,
) -> Result<T, HmcError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => parse(v),
    }
}

/// An optional starting device number, shown as four hex digits.
pub(super) fn starting_devno(map: &Map<String, Value>, default: i64) -> Result<String, HmcError> {
    const FIELD: &str = "starting-device-number";
    optional(map, FIELD, default, |v| parse_devno(FIELD, v)).map(hex)
}

/// A non-empty string field.
pub(super) fn name_value(v: &Value) -> Result<&str, HmcError> {
    v.as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HmcError::invalid_field("name", v))
}

/// Whether `uri` has the shape of an element URI of `rt` (`/api/partitions/{id}`
/// for a top-level type), whether or not the resource exists.
pub(super) fn is_uri_of(rt: &ResourceType, uri: &str) -> bool {
    let prefix = rt.uri_for(None, "");
    uri.strip_prefix(prefix.as_str())
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// 400.7 unless `r` (a partition or an adapter, `what`) belongs to the
/// link's CPC.
pub(super) fn require_in_cpc(r: &Resource, what: &str, cpc: &Resource) -> Result<(), HmcError> {
    if r.parent.as_deref() == Some(cpc.uri.as_str()) {
        return Ok(());
    }
    Err(invalid(format!(
        "{what} '{}' is not in CPC '{}' of the partition link",
        r.name(),
        cpc.name()
    )))
}

/// The partition a body field names: 404.2 if there is none, 400.7 if it
/// belongs to another CPC than the link's.
pub(super) fn partition_of(
    tx: &Tx<'_>,
    cpc: &Resource,
    field: &str,
    v: Option<&Value>,
) -> Result<Resource, HmcError> {
    let p = referenced(tx, &PARTITION, uri_value(field, v)?)?;
    require_in_cpc(&p, "Partition", cpc)?;
    Ok(p)
}

/// The CPC of a new link: 404.2 if unknown, 409.5 if not in DPM mode, 409.6
/// if its status does not allow operations.
pub(super) fn target_cpc(ctx: &Ctx<'_>, v: Option<&Value>) -> Result<Resource, HmcError> {
    let cpc = referenced(ctx.tx, &CPC, uri_value("cpc-uri", v)?)?;
    require_mode(ctx.tx, &cpc, Mode::Dpm)?;
    check_cpc_status(ctx, &cpc)?;
    Ok(cpc)
}

/// The CPC of an existing link, checked like `target_cpc`.
pub(super) fn link_cpc(ctx: &Ctx<'_>, link: &Resource) -> Result<Resource, HmcError> {
    target_cpc(ctx, link.props.get("cpc-uri"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn device_numbers_are_one_to_four_hex_digits() {
        assert_eq!(parse_devno("d", &json!("7400")).unwrap(), 0x7400);
        assert_eq!(parse_devno("d", &json!("a")).unwrap(), 10);
        assert_eq!(parse_devno("d", &json!("12345")).unwrap_err().reason, 7);
        assert_eq!(parse_devno("d", &json!("xyz")).unwrap_err().reason, 7);
        assert_eq!(parse_devno("d", &json!(7400)).unwrap_err().reason, 7);
        assert_eq!(hex(0x7400), "7400");
        assert_eq!(hex(0xa), "000A");
    }

    #[test]
    fn optional_fields_take_the_default_when_absent_or_null() {
        let body = json!({"a": null, "b": "1300", "c": 7});
        let body = body.as_object().unwrap();
        assert_eq!(starting_devno(body, 0x7400).unwrap(), "7400");
        assert_eq!(starting_devno(&Map::new(), 0x4000).unwrap(), "4000");
        assert_eq!(
            optional(body, "a", 5, |v| int_in("a", v, 0..=9)).unwrap(),
            5
        );
        assert_eq!(
            optional(body, "c", 5, |v| int_in("c", v, 0..=9)).unwrap(),
            7
        );
        assert_eq!(
            optional(body, "c", 5, |v| int_in("c", v, 0..=6))
                .unwrap_err()
                .reason,
            7
        );
    }

    #[test]
    fn uri_shapes_of_a_type_are_its_element_uris() {
        assert!(is_uri_of(&PARTITION, "/api/partitions/p1"));
        assert!(!is_uri_of(&PARTITION, "/api/partitions/p1/nics/n1"));
        assert!(!is_uri_of(&PARTITION, "/api/partitions/"));
        assert!(!is_uri_of(&PARTITION, "/api/adapters/a1"));
    }

    #[test]
    fn unknown_keys_are_those_no_list_allows() {
        let body = json!({"name": 1, "paths": 2, "x": 3});
        let body = body.as_object().unwrap();
        assert_eq!(
            unknown_key(body, &[&["name"], &["paths"]]).map(String::as_str),
            Some("x")
        );
        assert_eq!(unknown_key(body, &[&["name", "paths", "x"]]), None);
    }
}
