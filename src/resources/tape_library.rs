//! Tape libraries (`tape-library`): Request Tape Library Zoning and Discover
//! Tape Libraries on the collection, Undefine Tape Library.

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::ADAPTER;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    Answer, BASE, Done, GetSpec, ListSpec, On, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::generic::{remove, set_properties};
use crate::resources::framework::preconditions::{
    check_cpc_status, dpm_cpc_of_body, require_fields,
};
use crate::resources::framework::python::truthy;
use crate::store::Resource;

/// What Request Tape Library Zoning sets as the CPC's management WWPN (the
/// HMC mock's value).
const ZONED_WWPN: &str = "a1b2c3d4e5f60002";

/// The request body with its required `cpc-uri` (400.3, 400.5).
fn cpc_request(ctx: &Ctx<'_>) -> Result<Map<String, Value>, HmcError> {
    let body = ctx.req.json_object()?;
    require_fields(&body, &["cpc-uri"])?;
    Ok(body)
}

/// Operation: Request Tape Library Zoning. A CPC with adapters gets its
/// `management-world-wide-port-name`; one without is 409.487. No CPC status
/// check, like the mock.
fn request_zoning(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    let body = cpc_request(ctx)?;
    let mut cpc = dpm_cpc_of_body(ctx, &body)?;
    if !ctx.tx.has_children(&cpc.uri, ADAPTER.class)? {
        return Err(HmcError::conflict(
            487,
            format!(
                "The CPC with the {} does not have any adapters configured as FCP",
                cpc.uri
            ),
        ));
    }
    set_properties(
        ctx.tx,
        &mut cpc,
        [("management-world-wide-port-name", json!(ZONED_WWPN))],
    )?;
    Ok(Done::Json(json!({})))
}

/// Operation: Discover Tape Libraries (asynchronous on a real HMC: 202 and
/// a job). The CPC must be zoned (409.501; a CPC without the property counts
/// as not zoned, where the mock crashes). Nothing new is found: the faked
/// HMC's libraries are those it was given.
fn discover(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    let body = cpc_request(ctx)?;
    let cpc = dpm_cpc_of_body(ctx, &body)?;
    check_cpc_status(ctx, &cpc)?;
    let zoned = truthy(cpc.props.get("management-world-wide-port-name"));
    if !zoned {
        return Err(HmcError::conflict(
            501,
            format!("The CPC with the {} has not been zoned.", cpc.uri),
        ));
    }
    Ok(Done::Json(json!({})))
}

/// Operation: Undefine Tape Library (synchronous: zhmcclient does not wait).
fn undefine(ctx: &mut Ctx<'_>, library: &mut Resource) -> Result<Done, HmcError> {
    remove(ctx.tx, library)?;
    Ok(Done::Nothing)
}

/// Loaded from `tape_libraries` (the schema's key) or `tape_library` (the
/// Python loader's attribute): the mock ignores the former; we take both.
pub static TAPE_LIBRARY: ResourceType = ResourceType {
    class: "tape-library",
    def_key: "tape_libraries",
    def_alias: Some("tape_library"),
    parent: Some(&CONSOLE),
    element: "/api/tape-libraries/{id}",
    param: "tape-library-id",
    defaults: &[("description", "\"\"")],
    collection: Some("/api/tape-libraries"),
    list: Some(ListSpec {
        title: "List Tape Libraries",
        key: "tape-libraries",
        props: &["object-uri", "cpc-uri", "name", "state"],
        filters: &["cpc-uri", "name", "state"],
        ..ListSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Tape Library Properties")),
    operations: &[
        Operation::post("Undefine Tape Library", "/operations/undefine", undefine),
        Operation {
            on: On::Collection,
            handler: Some("TapeLibraryRequestZoningHandler"),
            ..Operation::post(
                "Request Tape Library Zoning",
                "/operations/request-tape-library-zoning",
                request_zoning,
            )
        },
        Operation {
            on: On::Collection,
            answer: Answer::Job,
            handler: Some("TapeLibraryDiscoverHandler"),
            ..Operation::post(
                "Discover Tape Libraries",
                "/operations/discover-tape-libraries",
                discover,
            )
        },
    ],
    get: Some(GetSpec::titled("Get Tape Library Properties")),
    ..BASE
};
