//! Storage groups with their storage volumes and virtual storage resources:
//! Create, Modify and Delete Storage Group, its candidate adapter ports, and
//! the volume requests (`create`, `modify`, `delete`) that Create and Modify
//! carry, which storage templates share.

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, Bound, CreateSpec, Done, GetSpec, ListSpec, Operation, RangeFilter, ResourceType,
    UpdateSpec,
};
use crate::resources::framework::fields::{array_items, object_item, required, uri_value};
use crate::resources::framework::generic::{
    add_resource, apply_defaults, lookup, merge_properties, remove, remove_serving, set_properties,
};
use crate::resources::framework::preconditions::prepare_on_dpm_cpc;
use crate::resources::partition::{PARTITION, partitions_answer};
use crate::resources::storage_discovery::{
    FCP_GROUP, FCP_VOLUME, FICON_VOLUME, connection_report, fulfill_fcp, fulfill_ficon,
    start_discovery,
};
use crate::store::{Resource, Tx};

/// Request fields that ask the HMC to e-mail the storage administrators.
/// They are instructions, not properties, so they are never stored (the
/// Python mock stores them as properties).
const EMAIL_FIELDS: &[&str] = &["email-to-addresses", "email-cc-addresses", "email-insert"];

/// `maximum-size` and `minimum-size` of the volume lists: real bounds on
/// `size` (the Python mock matches them against a property that does not
/// exist and so always lists nothing).
pub(super) const SIZE_RANGE: &[RangeFilter] = &[
    RangeFilter {
        param: "maximum-size",
        prop: "size",
        bound: Bound::AtMost,
    },
    RangeFilter {
        param: "minimum-size",
        prop: "size",
        bound: Bound::AtLeast,
    },
];

/// The volumes of a storage group or of a storage template, as their
/// Create and Modify operations address them.
pub(super) struct VolumeKind {
    /// The volume element type.
    pub rt: &'static ResourceType,
    /// The body field that holds the volume requests (`storage-volumes`).
    pub key: &'static str,
    /// Defaults of a volume created by Modify (Create adds none, like the
    /// Python mock), as JSON text.
    pub modify_defaults: &'static [(&'static str, &'static str)],
}

static GROUP_VOLUMES: VolumeKind = VolumeKind {
    rt: &STORAGE_VOLUME,
    key: "storage-volumes",
    modify_defaults: &[("fulfillment-state", "\"pending\""), ("usage", "\"data\"")],
};

/// The operation that carries volume requests: Create accepts only
/// `create` requests and gives their volumes no defaults (like the Python
/// mock); Modify accepts `create`, `modify` and `delete`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Create,
    Modify,
}

/// Takes the fields that are requests, not properties, out of a Create or
/// Modify body: the volume requests and the e-mail instructions.
fn strip_request_only(body: &mut Map<String, Value>, kind: &VolumeKind) {
    body.remove(kind.key);
    for field in EMAIL_FIELDS {
        body.remove(*field);
    }
}

/// Create Storage Group / Create Storage Template: the CPC checks and
/// defaults of `prepare_on_dpm_cpc`, and `shared` defaults to true (spec
/// 4.12; the definition loader's default is false, see `STORAGE_GROUP`). The
/// volume requests leave the body (`after` creates them).
pub(super) fn prepare_create(
    ctx: &Ctx<'_>,
    body: &mut Map<String, Value>,
    kind: &VolumeKind,
) -> Result<(), HmcError> {
    strip_request_only(body, kind);
    // Before the other defaults, to keep the stored property order.
    body.entry("shared").or_insert(Value::Bool(true));
    prepare_on_dpm_cpc(ctx, body)
}

/// Create Storage Group's body: the common rules, and empty candidate-port
/// and attached-partition lists, which the operations on the group keep.
/// They are not in `STORAGE_GROUP.defaults` because the Python mock's
/// loader does not add them (table of spec 5.2): a group loaded from a
/// definition file gets only the loader's defaults, and its operations
/// read a missing list as empty.
fn prepare_group(
    ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    prepare_create(ctx, body, &GROUP_VOLUMES)?;
    body.entry("candidate-adapter-port-uris")
        .or_insert_with(|| json!([]));
    body.entry("attached-partition-uris")
        .or_insert_with(|| json!([]));
    Ok(())
}

/// The volume requests under `kind.key`; none when absent or null, 400.7
/// when they are not a list of objects.
fn volume_requests(
    body: &Map<String, Value>,
    kind: &VolumeKind,
) -> Result<Vec<Map<String, Value>>, HmcError> {
    array_items(body, kind.key)?
        .iter()
        .map(|item| object_item(kind.key, item).cloned())
        .collect()
}

/// The `operation` of a volume request (400.5 when missing), as text.
fn operation_of(request: &Map<String, Value>) -> Result<String, HmcError> {
    Ok(match required(request, "operation")? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// 400.5 for a volume request whose `operation` is not allowed here.
fn invalid_operation(label: &str, operation: &str) -> HmcError {
    HmcError::bad_request(
        5,
        format!("Invalid value for {label} 'operation' field: {operation}"),
    )
}

/// Adds the volume a `create` request describes (the request minus
/// `operation`, plus `defaults`) to `holder`; 400.7 if it names an
/// `element-uri`. Returns the new volume's URI.
fn create_volume(
    ctx: &Ctx<'_>,
    kind: &VolumeKind,
    holder: &Resource,
    mut props: Map<String, Value>,
    defaults: &[(&str, &str)],
) -> Result<String, HmcError> {
    props.remove("operation");
    if props.contains_key("element-uri") {
        return Err(HmcError::bad_request(
            7,
            format!(
                "The 'element-uri' field in {} is invalid for the create operation",
                kind.key
            ),
        ));
    }
    apply_defaults(&mut props, defaults)?;
    Ok(add_resource(ctx.tx, kind.rt, Some(holder), props)?.uri)
}

/// Create's `after` hook: creates the volumes of the body as sent and
/// answers their URIs in order as `element-uris`.
pub(super) fn create_volumes(
    ctx: &Ctx<'_>,
    kind: &VolumeKind,
    holder: &Resource,
    sent: &Map<String, Value>,
) -> Result<Map<String, Value>, HmcError> {
    let requests = volume_requests(sent, kind)?;
    let created = apply_volume_requests(ctx, kind, holder, requests, Carrier::Create)?;
    let mut extra = Map::new();
    extra.insert("element-uris".into(), Value::Array(created));
    Ok(extra)
}

fn create_group_volumes(
    ctx: &Ctx<'_>,
    group: &Resource,
    sent: &Map<String, Value>,
) -> Result<Map<String, Value>, HmcError> {
    create_volumes(ctx, &GROUP_VOLUMES, group, sent)
}

/// The volume of `holder` that a `modify` or `delete` request names by its
/// `element-uri` (400.5 when missing); 404.1 naming that URI when it is not
/// a volume of this holder.
fn addressed_volume(
    ctx: &Ctx<'_>,
    kind: &VolumeKind,
    holder: &Resource,
    request: &Map<String, Value>,
) -> Result<Resource, HmcError> {
    let named = required(request, "element-uri")?;
    let found = match named.as_str() {
        Some(uri) => lookup(ctx.tx, kind.rt, uri)?,
        None => None,
    };
    found
        .filter(|v| v.parent.as_deref() == Some(holder.uri.as_str()))
        .ok_or_else(|| HmcError::not_found(named.as_str().unwrap_or(&named.to_string())))
}

/// Carries out the volume requests in order (400.5 for an operation the
/// carrier does not accept); returns the URIs of the volumes it created.
fn apply_volume_requests(
    ctx: &Ctx<'_>,
    kind: &VolumeKind,
    holder: &Resource,
    requests: Vec<Map<String, Value>>,
    carrier: Carrier,
) -> Result<Vec<Value>, HmcError> {
    let mut created = Vec::new();
    for mut request in requests {
        match (operation_of(&request)?.as_str(), carrier) {
            ("create", _) => {
                let defaults = match carrier {
                    Carrier::Create => &[],
                    Carrier::Modify => kind.modify_defaults,
                };
                let uri = create_volume(ctx, kind, holder, request, defaults)?;
                created.push(Value::String(uri));
            }
            ("modify", Carrier::Modify) => {
                let mut volume = addressed_volume(ctx, kind, holder, &request)?;
                request.remove("operation");
                merge_properties(ctx.tx, kind.rt, &mut volume, request)?;
            }
            ("delete", Carrier::Modify) => {
                let volume = addressed_volume(ctx, kind, holder, &request)?;
                remove(ctx.tx, &volume)?;
            }
            (other, Carrier::Create) => return Err(invalid_operation(kind.key, other)),
            // The mock names `storage-volumes` here for templates too.
            (other, Carrier::Modify) => {
                return Err(invalid_operation(GROUP_VOLUMES.key, other));
            }
        }
    }
    Ok(created)
}

/// Modify Storage Group / Storage Template Properties: merges the body's
/// properties (a new name must be unique, 400.8), then carries out its
/// volume requests; answers the created volumes' `element-uris`. Any error
/// rolls the whole request back.
pub(super) fn modify_holder(
    ctx: &mut Ctx<'_>,
    rt: &ResourceType,
    kind: &VolumeKind,
    holder: &mut Resource,
) -> Result<Done, HmcError> {
    let mut body = ctx.req.json_object()?;
    let requests = volume_requests(&body, kind)?;
    strip_request_only(&mut body, kind);
    merge_properties(ctx.tx, rt, holder, body)?;
    let created = apply_volume_requests(ctx, kind, holder, requests, Carrier::Modify)?;
    Ok(Done::Json(json!({ "element-uris": created })))
}

/// Operation: Modify Storage Group Properties.
fn modify(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    modify_holder(ctx, &STORAGE_GROUP, &GROUP_VOLUMES, group)
}

/// Operation: Delete Storage Group. Like a real HMC (and unlike the Python
/// mock), a group still attached to partitions is refused with 409.1; its
/// volumes and virtual storage resources go with it.
fn delete(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let attached = group.str_list("attached-partition-uris");
    if !attached.is_empty() {
        return Err(HmcError::conflict(
            1,
            format!(
                "Storage group {} cannot be deleted because it is attached to partitions: {}",
                group.name(),
                attached.join(", ")
            ),
        ));
    }
    remove(ctx.tx, group)?;
    Ok(Done::Nothing)
}

/// Operation: Get Partitions for a Storage Group (zhmcclient's
/// `list_attached_partitions`; not in the Python mock): the partitions in
/// the group's `attached-partition-uris` that still exist (as partitions:
/// a definition file may name anything there).
fn get_partitions(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let mut partitions = Vec::new();
    for uri in group.str_list("attached-partition-uris") {
        if let Some(p) = lookup(ctx.tx, &PARTITION, uri)? {
            partitions.push(p);
        }
    }
    partitions_answer(ctx, &partitions)
}

/// Operation: Request Storage Group Fulfillment. There is no storage
/// administrator to ask, so nothing changes (as in the Python mock).
fn request_fulfillment(_ctx: &mut Ctx<'_>, _group: &mut Resource) -> Result<Done, HmcError> {
    Ok(Done::Nothing)
}

/// The `adapter-port-uris` of a candidate-port request: 400.3 without a
/// body, 400.5 without the field, 400.7 unless it is a list of strings.
fn requested_ports(ctx: &Ctx<'_>) -> Result<Vec<String>, HmcError> {
    const FIELD: &str = "adapter-port-uris";
    let body = ctx.req.json_object()?;
    let value = required(&body, FIELD)?;
    let items = value
        .as_array()
        .ok_or_else(|| HmcError::invalid_field(FIELD, value))?;
    items
        .iter()
        .map(|v| uri_value(FIELD, Some(v)).map(str::to_string))
        .collect()
}

/// The list of a group's candidate ports. A group without it (loaded from
/// a definition file) has none (`Resource::str_list`).
const CANDIDATES: &str = "candidate-adapter-port-uris";

fn save_candidate_ports(
    ctx: &Ctx<'_>,
    group: &mut Resource,
    ports: Vec<String>,
) -> Result<Done, HmcError> {
    set_properties(ctx.tx, group, [(CANDIDATES, json!(ports))])?;
    Ok(Done::Nothing)
}

/// Operation: Add Candidate Adapter Ports to an FCP Storage Group. A port
/// already in the list is 409.483 and nothing is added.
fn add_candidate_ports(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let requested = requested_ports(ctx)?;
    let mut ports = group.str_list(CANDIDATES);
    for uri in &requested {
        if ports.contains(&uri.as_str()) {
            return Err(HmcError::conflict(
                483,
                format!(
                    "Adapter port is already in candidate list of storage group {}: {uri}",
                    group.name()
                ),
            ));
        }
        ports.push(uri);
    }
    let ports = ports.into_iter().map(str::to_string).collect();
    save_candidate_ports(ctx, group, ports)
}

/// Operation: Remove Candidate Adapter Ports from an FCP Storage Group. A
/// port not in the list is 409.479 and nothing is removed.
fn remove_candidate_ports(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let requested = requested_ports(ctx)?;
    let mut ports = group.str_list(CANDIDATES);
    for uri in &requested {
        let Some(at) = ports.iter().position(|p| p == uri) else {
            return Err(HmcError::conflict(
                479,
                format!(
                    "Adapter port is not in candidate list of storage group {}: {uri}",
                    group.name()
                ),
            ));
        };
        ports.remove(at);
    }
    let ports = ports.into_iter().map(str::to_string).collect();
    save_candidate_ports(ctx, group, ports)
}

/// Storage group names are unique on a real HMC (400.8 on create and
/// rename; the Python mock does not check). `defaults` are the Python
/// mock's loader defaults (table of spec 5.2), which definition files and
/// Create share; `shared` is false there, while the create handler defaults
/// it to true (spec 4.12 and 5.2, `prepare_create`), which runs first and so
/// wins.
pub static STORAGE_GROUP: ResourceType = ResourceType {
    class: "storage-group",
    def_key: "storage_groups",
    parent: Some(&CONSOLE),
    element: "/api/storage-groups/{id}",
    param: "storage-group-id",
    defaults: &[
        ("storage-volume-uris", "[]"),
        ("virtual-storage-resource-uris", "[]"),
        ("shared", "false"),
        ("description", "\"\""),
        // A storage group always belongs to a CPC on the HMC; one loaded
        // without says so with null (zhmccli reads it).
        ("cpc-uri", "null"),
    ],
    collection: Some("/api/storage-groups"),
    list: Some(ListSpec {
        title: "List Storage Groups",
        key: "storage-groups",
        props: &["object-uri", "cpc-uri", "name", "fulfillment-state", "type"],
        filters: &["cpc-uri", "name", "fulfillment-state", "type"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Storage Group",
        required: &["name", "cpc-uri", "type"],
        prepare: Some(prepare_group),
        after: Some(create_group_volumes),
        ..CreateSpec::BASE
    }),
    unique_names: true,
    operations: &[
        Operation::post("Delete Storage Group", "/operations/delete", delete),
        Operation::post(
            "Modify Storage Group Properties",
            "/operations/modify",
            modify,
        ),
        Operation::get(
            "Get Partitions for a Storage Group",
            "/operations/get-partitions",
            &["name", "status"],
            get_partitions,
        ),
        Operation::post(
            "Request Storage Group Fulfillment",
            "/operations/request-fulfillment",
            request_fulfillment,
        ),
        Operation::post(
            "Add Candidate Adapter Ports to an FCP Storage Group",
            "/operations/add-candidate-adapter-ports",
            add_candidate_ports,
        ),
        Operation::post(
            "Remove Candidate Adapter Ports from an FCP Storage Group",
            "/operations/remove-candidate-adapter-ports",
            remove_candidate_ports,
        ),
        Operation::job(
            "Start FCP Storage Discovery",
            "/operations/start-fcp-storage-discovery",
            FCP_GROUP,
            start_discovery,
        ),
        Operation::get(
            "Get Storage Group Connection Report",
            "/operations/get-connection-report",
            &[],
            connection_report,
        ),
    ],
    get: Some(GetSpec::titled("Get Storage Group Properties")),
    ..BASE
};

pub static STORAGE_VOLUME: ResourceType = ResourceType {
    class: "storage-volume",
    def_key: "storage_volumes",
    parent: Some(&STORAGE_GROUP),
    element: "{parent}/storage-volumes/{id}",
    param: "storage-volume-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("storage-volume-uris"),
    collection: Some("{parent}/storage-volumes"),
    list: Some(ListSpec {
        title: "List Storage Volumes of a Storage Group",
        key: "storage-volumes",
        props: &["element-uri", "name", "fulfillment-state", "size", "usage"],
        filters: &[
            "name",
            "fulfillment-state",
            "maximum-size",
            "minimum-size",
            "usage",
        ],
        additional: true,
        range_filters: SIZE_RANGE,
        ..ListSpec::BASE
    }),
    operations: &[
        Operation {
            needs: FCP_VOLUME,
            ..Operation::post(
                "Fulfill FCP Storage Volume",
                "/operations/fulfill-fcp-storage-volume",
                fulfill_fcp,
            )
        },
        Operation {
            needs: FICON_VOLUME,
            ..Operation::post(
                "Fulfill FICON Storage Volume",
                "/operations/fulfill-ficon-storage-volume",
                fulfill_ficon,
            )
        },
    ],
    get: Some(GetSpec::titled("Get Storage Volume Properties")),
    ..BASE
};

pub static VIRTUAL_STORAGE_RESOURCE: ResourceType = ResourceType {
    // A deleted partition is detached, so the virtual storage resources that
    // served it go with it (the Python mock leaves them naming a partition
    // that no longer exists; zhmccli's list then fails resolving it).
    after_delete: Some(forget_partitions),
    class: "virtual-storage-resource",
    def_key: "virtual_storage_resources",
    parent: Some(&STORAGE_GROUP),
    element: "{parent}/virtual-storage-resources/{id}",
    param: "virtual-storage-resource-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("virtual-storage-resource-uris"),
    collection: Some("{parent}/virtual-storage-resources"),
    list: Some(ListSpec {
        title: "List Virtual Storage Resources of a Storage Group",
        key: "virtual-storage-resources",
        props: &[
            "element-uri",
            "name",
            "device-number",
            "adapter-port-uri",
            "partition-uri",
        ],
        filters: &["name", "device-number", "adapter-port-uri", "partition-uri"],
        sparse: true,
        ..ListSpec::BASE
    }),
    // The writable properties of a virtual storage resource (the book's (w)
    // qualifier as zhmcclient documents them); others are 400.6.
    update: Some(UpdateSpec::only(
        "Update Virtual Storage Resource Properties",
        &["name", "description", "device-number", "adapter-port-uri"],
    )),
    get: Some(GetSpec::titled("Get Virtual Storage Resource Properties")),
    ..BASE
};

/// Removes the virtual storage resources of deleted partitions.
fn forget_partitions(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    remove_serving(tx, &VIRTUAL_STORAGE_RESOURCE, "partition-uri", gone)
}
