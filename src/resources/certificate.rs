//! Secure boot certificates (`certificate`): imported onto a CPC, listed at
//! `/api/certificates`, and assigned to partitions, LPARs and image
//! activation profiles.
//!
//! The WS API book's reason codes for the conflicts were not at hand; those
//! below are chosen (README "Known deviations"). The assignment is kept
//! both ways: the target's `assigned-certificate-uris` and the
//! certificate's `assigned-to-uris` (our names for the book's properties).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Check, DeleteSpec, Done, GetSpec, ListSpec, Needs, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::{referenced, required, uri_value};
use crate::resources::framework::generic::{
    add_resource, append_reference, remove_reference, set_properties,
};
use crate::store::{Resource, Tx};

/// The certificate's list of the partitions, LPARs and profiles it is
/// assigned to.
pub const ASSIGNED_TO: &str = "assigned-to-uris";
/// A target's list of its certificates.
pub const ASSIGNED: &str = "assigned-certificate-uris";

/// 409.130 (chosen): the certificate is already assigned to the target.
const ALREADY_ASSIGNED: i64 = 130;
/// 409.131 (chosen): the certificate is not assigned to the target.
const NOT_ASSIGNED: i64 = 131;
/// 409.132 (chosen): Delete Certificate while it is assigned.
const STILL_ASSIGNED: i64 = 132;

/// Whether `text` is Base64 (line breaks allowed, as in PEM bodies).
fn is_base64(text: &str) -> bool {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    !compact.is_empty()
        && compact.len().is_multiple_of(4)
        && compact
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/' || *b == b'=')
}

/// The `format` of an import (default `pem`; `pem` or `der`, else 400.7).
fn format_of(body: &Map<String, Value>) -> Result<String, HmcError> {
    match body.get("format") {
        None | Some(Value::Null) => Ok("pem".into()),
        Some(Value::String(f)) if f == "pem" || f == "der" => Ok(f.clone()),
        Some(other) => Err(HmcError::invalid_field("format", other)),
    }
}

/// The hidden property holding the Base64 certificate.
const ENCODED: &str = "certificate";

/// On every add (Import Certificate and definition files): the encoded
/// `certificate` must be Base64 (400.5 without, 400.7 otherwise) and
/// `format` `pem` or `der` (default `pem`).
fn on_add_certificate(
    _tx: &Tx<'_>,
    _cpc: Option<&Resource>,
    cert: &mut Resource,
) -> Result<(), HmcError> {
    let format = format_of(&cert.props)?;
    match cert.props.get(ENCODED) {
        Some(Value::String(s)) if is_base64(s) => {}
        Some(other) => return Err(HmcError::invalid_field(ENCODED, other)),
        None => return Err(HmcError::missing_field(ENCODED)),
    }
    cert.props.insert("format".into(), json!(format));
    Ok(())
}

/// Operation: Import Certificate (on a CPC). `name`, `type` and
/// `certificate` are required (400.5); the name is unique (400.8). Answers
/// the new certificate's `certificate-uri` (what zhmcclient reads).
pub fn import_certificate(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    for field in ["name", "type", "certificate"] {
        required(&body, field)?;
    }
    let mut props = Map::new();
    for field in ["name", "description", "type", "certificate", "format"] {
        if let Some(v) = body.get(field) {
            props.insert(field.into(), v.clone());
        }
    }
    if let Some(bad) = body.keys().find(|k| !props.contains_key(k.as_str())) {
        return Err(HmcError::not_input(bad));
    }
    props.insert("parent-name".into(), json!(cpc.name()));
    let cert = add_resource(ctx.tx, &CERTIFICATE, Some(cpc), props)?;
    Ok(Done::Json(json!({ "certificate-uri": cert.uri })))
}

/// Operation: Get Encoded Certificate: the Base64 text and its format.
fn get_encoded(_ctx: &mut Ctx<'_>, cert: &mut Resource) -> Result<Done, HmcError> {
    let encoded = cert.props.get(ENCODED).cloned().unwrap_or(Value::Null);
    let format = cert.props.get("format").cloned().unwrap_or(Value::Null);
    Ok(Done::Json(
        json!({ "certificate": encoded, "format": format }),
    ))
}

/// Delete Certificate is refused while it is assigned (409.132).
fn check_unassigned(_ctx: &Ctx<'_>, cert: &Resource) -> Result<(), HmcError> {
    let assigned = cert.str_list(ASSIGNED_TO);
    if assigned.is_empty() {
        return Ok(());
    }
    Err(HmcError::conflict(
        STILL_ASSIGNED,
        format!(
            "Certificate {} is assigned to {}; unassign it first",
            cert.name(),
            assigned.join(", ")
        ),
    ))
}

/// The certificate a request names in `certificate-uri` (400.3/400.5,
/// 404.2 when there is none).
fn requested_certificate(ctx: &Ctx<'_>) -> Result<Resource, HmcError> {
    let body = ctx.req.json_object()?;
    let uri = uri_value("certificate-uri", Some(required(&body, "certificate-uri")?))?;
    referenced(ctx.tx, &CERTIFICATE, uri)
}

/// Operations: Assign Certificate to a Partition / Logical Partition /
/// Image Activation Profile. 409.130 when already assigned.
pub fn assign(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let cert = requested_certificate(ctx)?;
    let mut list: Vec<String> = target
        .str_list(ASSIGNED)
        .into_iter()
        .map(str::to_string)
        .collect();
    if list.contains(&cert.uri) {
        return Err(HmcError::conflict(
            ALREADY_ASSIGNED,
            format!(
                "Certificate {} is already assigned to {}",
                cert.name(),
                target.name()
            ),
        ));
    }
    list.push(cert.uri.clone());
    set_properties(ctx.tx, target, [(ASSIGNED, json!(list))])?;
    append_reference(ctx.tx, &cert.uri, ASSIGNED_TO, &target.uri)?;
    Ok(Done::Nothing)
}

/// Operations: Unassign Certificate from a Partition / Logical Partition /
/// Image Activation Profile. 409.131 when not assigned.
pub fn unassign(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let cert = requested_certificate(ctx)?;
    let mut list: Vec<String> = target
        .str_list(ASSIGNED)
        .into_iter()
        .map(str::to_string)
        .collect();
    let Some(at) = list.iter().position(|u| *u == cert.uri) else {
        return Err(HmcError::conflict(
            NOT_ASSIGNED,
            format!(
                "Certificate {} is not assigned to {}",
                cert.name(),
                target.name()
            ),
        ));
    };
    list.remove(at);
    set_properties(ctx.tx, target, [(ASSIGNED, json!(list))])?;
    remove_reference(ctx.tx, &cert.uri, ASSIGNED_TO, &target.uri)?;
    Ok(Done::Nothing)
}

/// After any delete: a deleted partition, LPAR or profile leaves the
/// `assigned-to-uris` of its certificates.
fn forget_deleted(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    for cert in tx.resources_of_class_naming(CERTIFICATE.class, gone)? {
        for uri in gone {
            remove_reference(tx, &cert.uri, ASSIGNED_TO, uri)?;
        }
    }
    Ok(())
}

/// Secure boot certificates, children of the CPC they were imported onto
/// (`parent`; definition files list them under a CPC's `certificates`).
/// Names are unique, like a real HMC's.
pub static CERTIFICATE: ResourceType = ResourceType {
    class: "certificate",
    def_key: "certificates",
    parent: Some(&CPC),
    element: "/api/certificates/{id}",
    param: "certificate-id",
    collection: Some("/api/certificates"),
    defaults: &[
        ("description", "\"\""),
        ("type", "\"secure-boot\""),
        ("assigned-to-uris", "[]"),
    ],
    list: Some(ListSpec {
        title: "List Certificates",
        key: "certificates",
        props: &["object-uri", "name", "type", "parent", "parent-name"],
        filters: &["name", "type", "parent-name"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Certificate Properties")),
    update: Some(UpdateSpec::only(
        "Update Certificate Properties",
        &["name", "description"],
    )),
    delete: Some(DeleteSpec {
        title: "Delete Certificate",
        needs: Needs {
            checks: &[Check::Rule(check_unassigned)],
            ..Needs::NONE
        },
    }),
    unique_names: true,
    // The encoded certificate: only Get Encoded Certificate shows it.
    hidden: &[ENCODED],
    on_add: Some(on_add_certificate),
    after_delete: Some(forget_deleted),
    operations: &[Operation::get(
        "Get Encoded Certificate",
        "/operations/get-encoded",
        &[],
        get_encoded,
    )],
    ..BASE
};
