//! Tape libraries (with zoning and discovery), tape links with their
//! operations, and virtual tape resources.

use serde_json::{Map, Value, json};

use super::Service;
use super::adapter::ADAPTER;
use super::console::CONSOLE;
use super::descriptor::{BASE, CreateSpec, ListSpec, Mode, Operation, ResourceType, UpdateSpec};
use super::generic::{merge_properties, remove, set_properties};
use super::partition::{PARTITION, partitions_answer};
use super::preconditions::{check_cpc_status, dpm_cpc_of_body, prepare_on_dpm_cpc, require_fields};
use super::python::truthy;
use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::store::Resource;

/// What Request Tape Library Zoning sets as the CPC's management WWPN (the
/// HMC mock's value).
const ZONED_WWPN: &str = "a1b2c3d4e5f60002";

/// What Get Tape Link Environment Report answers while the link holds no
/// report of its own (the HMC mock's fixed report).
fn default_environment_report() -> Value {
    json!({"status": "ok", "last-updated": "2024-01-01T00:00:00Z", "details": {}})
}

/// The request body with its required `cpc-uri` (400.3, 400.5).
fn cpc_request(ctx: &Ctx<'_>) -> Result<Map<String, Value>, HmcError> {
    let body = ctx.req.json_object()?;
    require_fields(&body, &["cpc-uri"])?;
    Ok(body)
}

/// Operation: Request Tape Library Zoning. A CPC with adapters gets its
/// `management-world-wide-port-name`; one without is 409.487. No CPC status
/// check, like the mock.
fn request_zoning(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
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
    Ok(Response::ok(json!({})))
}

/// Operation: Discover Tape Libraries (asynchronous on a real HMC: 202 and
/// a job). The CPC must be zoned (409.501; a CPC without the property counts
/// as not zoned, where the mock crashes). Nothing new is found: the faked
/// HMC's libraries are those it was given.
fn discover(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
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
    ctx.job("Discover Tape Libraries", &cpc.uri, Some(json!({})))
}

/// Request Tape Library Zoning (on the collection, hence a service).
pub const REQUEST_ZONING: Service = Service {
    title: "Request Tape Library Zoning",
    method: Method::Post,
    pattern: "/api/tape-libraries/operations/request-tape-library-zoning",
    query: None,
    auth: true,
    handler: "TapeLibraryRequestZoningHandler",
    run: request_zoning,
};

/// Discover Tape Libraries (on the collection, hence a service).
pub const DISCOVER: Service = Service {
    title: "Discover Tape Libraries",
    method: Method::Post,
    pattern: "/api/tape-libraries/operations/discover-tape-libraries",
    query: None,
    auth: true,
    handler: "TapeLibraryDiscoverHandler",
    run: discover,
};

/// Operation: Undefine Tape Library (synchronous: zhmcclient does not wait).
fn undefine(ctx: &mut Ctx<'_>, library: &Resource) -> Result<Response, HmcError> {
    remove(ctx.tx, library)
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
        key: "tape-libraries",
        props: &["object-uri", "cpc-uri", "name", "state"],
        filters: &["cpc-uri", "name", "state"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    update: Some(UpdateSpec {
        title: "Update Tape Library Properties",
        writable: None,
        check: None,
    }),
    operations: &[Operation {
        title: "Undefine Tape Library",
        method: Method::Post,
        path: "/operations/undefine",
        query: None,
        run: undefine,
    }],
    ..BASE
};

/// Create Tape Link: the CPC checks and defaults of `prepare_on_dpm_cpc`
/// (404.1, DPM 409.5, status 409.6; `description` "", `fulfillment-state`
/// "pending").
fn prepare_create_link(
    ctx: &mut Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    prepare_on_dpm_cpc(ctx, body)
}

/// Operation: Delete Tape Link. Its virtual tape resources go with it, and
/// its URI leaves the libraries' and partitions' `tape-link-uris`.
fn delete_link(ctx: &mut Ctx<'_>, link: &Resource) -> Result<Response, HmcError> {
    remove(ctx.tx, link)
}

/// Operation: Modify Tape Link: merges the body (400.3 without one, where
/// the mock crashes); a new name must be unique (400.8).
fn modify_link(ctx: &mut Ctx<'_>, link: &Resource) -> Result<Response, HmcError> {
    let body = ctx.req.json_object()?;
    merge_properties(ctx.tx, &TAPE_LINK, &mut link.clone(), body)?;
    Ok(Response::no_content())
}

/// Operation: Get Tape Link Histories. The faked HMC records none.
fn get_histories(_ctx: &mut Ctx<'_>, _link: &Resource) -> Result<Response, HmcError> {
    Ok(Response::ok(json!({ "tape-link-histories": [] })))
}

/// Operation: Get Partitions for a Tape Link: like the mock, every partition
/// of the link's CPC (none without a CPC).
fn get_partitions(ctx: &mut Ctx<'_>, link: &Resource) -> Result<Response, HmcError> {
    let partitions = match link.str_prop("cpc-uri") {
        Some(cpc) => ctx.tx.children(cpc, PARTITION.class)?,
        None => Vec::new(),
    };
    partitions_answer(ctx, &partitions)
}

/// Operation: Get Tape Link Environment Report: the one last stored by
/// Update Tape Link Environment Report, else the mock's fixed report.
fn get_environment_report(_ctx: &mut Ctx<'_>, link: &Resource) -> Result<Response, HmcError> {
    let report = link
        .props
        .get("environment-report")
        .filter(|r| truthy(Some(r)))
        .cloned()
        .unwrap_or_else(default_environment_report);
    Ok(Response::ok(report))
}

/// Operation: Update Tape Link Environment Report: a non-empty body becomes
/// the link's `environment-report`; answers `{}`.
fn update_environment_report(ctx: &mut Ctx<'_>, link: &Resource) -> Result<Response, HmcError> {
    if let Some(body) = ctx.req.json()?
        && truthy(Some(&body))
    {
        set_properties(ctx.tx, &mut link.clone(), [("environment-report", body)])?;
    }
    Ok(Response::ok(json!({})))
}

/// Tape links. Every operation is synchronous (zhmcclient waits for none).
/// Names are unique among the console's tape links, as on a real HMC.
pub static TAPE_LINK: ResourceType = ResourceType {
    class: "tape-link",
    def_key: "tape_links",
    parent: Some(&CONSOLE),
    element: "/api/tape-links/{id}",
    param: "tape-link-id",
    collection: Some("/api/tape-links"),
    list: Some(ListSpec {
        key: "tape-links",
        props: &[
            "object-uri",
            "cpc-uri",
            "name",
            "fulfillment-state",
            "tape-library-uri",
        ],
        filters: &["cpc-uri", "name", "fulfillment-state", "tape-library-uri"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    create: Some(CreateSpec {
        title: "Create Tape Link",
        required: &["name", "cpc-uri"],
        mode: Mode::Any,
        check: None,
        prepare: Some(prepare_create_link),
        after: None,
        body_first: false,
    }),
    update: Some(UpdateSpec {
        title: "Update Tape Link Properties",
        writable: None,
        check: None,
    }),
    unique_names: true,
    operations: &[
        Operation {
            title: "Delete Tape Link",
            method: Method::Post,
            path: "/operations/delete",
            query: None,
            run: delete_link,
        },
        Operation {
            title: "Modify Tape Link Properties",
            method: Method::Post,
            path: "/operations/modify",
            query: None,
            run: modify_link,
        },
        Operation {
            title: "Get Tape Link Histories",
            method: Method::Get,
            path: "/operations/get-tape-link-histories",
            query: Some(&[]),
            run: get_histories,
        },
        Operation {
            title: "Get Partitions for a Tape Link",
            method: Method::Get,
            path: "/operations/get-partitions",
            query: Some(&["name", "status"]),
            run: get_partitions,
        },
        Operation {
            title: "Get Tape Link Environment Report",
            method: Method::Get,
            path: "/operations/get-tape-link-environment-report",
            query: Some(&[]),
            run: get_environment_report,
        },
        Operation {
            title: "Update Tape Link Environment Report",
            method: Method::Post,
            path: "/operations/update-tape-link-environment-report",
            query: Some(&[]),
            run: update_environment_report,
        },
    ],
    ..BASE
};

/// Virtual tape resources of a tape link (the partition's view of a tape
/// device); updated without checks, like the HMC mock's generic update.
pub static VIRTUAL_TAPE_RESOURCE: ResourceType = ResourceType {
    class: "virtual-tape-resource",
    def_key: "virtual_tape_resources",
    parent: Some(&TAPE_LINK),
    element: "{parent}/virtual-tape-resources/{id}",
    param: "virtual-tape-resource-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/virtual-tape-resources"),
    list: Some(ListSpec {
        key: "virtual-tape-resources",
        props: &[
            "element-uri",
            "name",
            "device-number",
            "adapter-port-uri",
            "partition-uri",
        ],
        filters: &["name", "device-number", "adapter-port-uri", "partition-uri"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    update: Some(UpdateSpec {
        title: "Update Virtual Tape Resource Properties",
        writable: None,
        check: None,
    }),
    ..BASE
};
