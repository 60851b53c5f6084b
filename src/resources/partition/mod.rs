//! Partitions of DPM CPCs: Create Partition with its defaults, and the
//! preconditions their operations and children share (the operations
//! themselves are in `partition_ops`).

pub mod crypto_configuration;
pub mod device_numbers;
pub mod hba;
pub mod nic;
pub mod operations;
pub mod virtual_function;

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Check, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Mode, Needs, OnUpdate,
    ResourceType, Statuses, UpdateSpec,
};
use crate::resources::framework::generic::{compile_filters, passes_filters, set_properties};
use crate::resources::framework::preconditions::{DPM_VALID_CPC, require_fields, set_non_input};
use crate::resources::framework::python::truthy;
use crate::resources::partition::device_numbers::{assign_partition_id, partition_id_updated};
use crate::resources::partition::operations as partition_ops;
use crate::store::{Resource, Tx};

/// Defaults of Create Partition for properties the caller may give.
const INPUT_DEFAULTS: &[(&str, &str)] = &[
    ("description", "\"\""),
    ("type", "\"linux\""),
    ("autogenerate-partition-id", "true"),
    ("processor-mode", "\"shared\""),
    ("reserve-resources", "false"),
    ("boot-device", "\"none\""),
    ("boot-timeout", "60"),
    ("access-global-performance-data", "false"),
    ("permit-cross-partition-commands", "false"),
    ("access-basic-counter-set", "false"),
    ("access-problem-state-counter-set", "false"),
    ("access-crypto-activity-counter-set", "false"),
    ("access-extended-counter-set", "false"),
    ("access-coprocessor-group-set", "false"),
    ("access-basic-sampling", "false"),
    ("access-diagnostic-sampling", "false"),
    ("permit-des-key-import-functions", "true"),
    ("permit-aes-key-import-functions", "true"),
    ("permit-ecc-key-import-functions", "true"),
    ("ssc-ipv4-gateway", "null"),
    ("ssc-ipv6-gateway", "null"),
    ("ssc-dns-servers", "[]"),
    ("initial-ifl-processing-weight", "100"),
    ("initial-cp-processing-weight", "100"),
    ("acceptable-status", "[\"stopped\", \"active\"]"),
    ("cp-absolute-processor-capping", "false"),
    ("cp-absolute-processor-capping-value", "1.0"),
    ("cp-processing-weight-capped", "false"),
    ("ifl-absolute-processor-capping", "false"),
    ("ifl-absolute-processor-capping-value", "1.0"),
    ("ifl-processing-weight-capped", "false"),
    ("maximum-cp-processing-weight", "999"),
    ("maximum-ifl-processing-weight", "999"),
    ("minimum-cp-processing-weight", "1"),
    ("minimum-ifl-processing-weight", "1"),
    ("processor-management-enabled", "false"),
];

/// Properties Create Partition sets itself (400.6 if given), in the order
/// the HMC mock checks them; `reserved-memory` is computed.
const NON_INPUT: &[(&str, &str)] = &[
    ("status", "\"stopped\""),
    ("has-unacceptable-status", "false"),
    ("is-locked", "false"),
    ("os-name", "\"\""),
    ("os-type", "\"\""),
    ("os-version", "\"\""),
    ("degraded-adapters", "[]"),
    ("current-ifl-processing-weight", "100"),
    ("current-cp-processing-weight", "100"),
    ("reserved-memory", "null"),
    ("auto-start", "false"),
    ("boot-network-device", "null"),
    ("boot-configuration-selector", "0"),
    ("boot-record-lba", "0"),
    ("boot-load-parameters", "\"\""),
    ("boot-os-specific-parameters", "\"\""),
    ("boot-storage-device", "null"),
    ("boot-storage-volume", "null"),
    ("boot-logical-unit-number", "\"\""),
    ("boot-world-wide-port-name", "\"\""),
    ("boot-iso-image-name", "null"),
    ("boot-iso-ins-file", "null"),
    ("secure-execution", "false"),
    ("secure-boot", "false"),
    ("threads-per-processor", "0"),
    ("virtual-function-uris", "[]"),
    ("nic-uris", "[]"),
    ("hba-uris", "[]"),
    ("storage-group-uris", "[]"),
    ("tape-link-uris", "[]"),
    ("partition-link-uris", "[]"),
    ("crypto-configuration", "null"),
    ("ssc-boot-selection", "\"installer\""),
    (
        "available-features-list",
        r#"[{"name": "dpm-storage-management", "description": "dpm-storage-management", "state": true},
            {"name": "dpm-fcp-tape-management", "description": "dpm-fcp-tape-management", "state": true}]"#,
    ),
];

/// Fields that a boot device or partition type requires, and that are
/// otherwise set to null by the HMC (400.6 if given).
const CONDITIONAL: &[(&str, &str, &[&str])] = &[
    (
        "boot-device",
        "ftp",
        &[
            "boot-ftp-host",
            "boot-ftp-username",
            "boot-ftp-password",
            "boot-ftp-insfile",
        ],
    ),
    (
        "boot-device",
        "removable-media",
        &["boot-removable-media", "boot-removable-media-type"],
    ),
    (
        "type",
        "ssc",
        &["ssc-host-name", "ssc-master-userid", "ssc-master-pw"],
    ),
];

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// The CPC-wide pool of the suffixes of generated short names.
fn short_name_pool(cpc: &str) -> String {
    format!("short-name:{cpc}")
}

/// Create Partition's body rules (defaults, non-input properties,
/// conditional fields, processors, ids), in the HMC mock's order; the
/// short name comes after the partition is added (`generate_short_name`).
fn prepare_create(
    _ctx: &Ctx<'_>,
    _cpc: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    for (name, json) in INPUT_DEFAULTS {
        body.entry(*name).or_insert_with(|| parse(json));
    }
    for (name, json) in NON_INPUT {
        let value = if *name == "reserved-memory" {
            let max = body
                .get("maximum-memory")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let initial = body
                .get("initial-memory")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            json!(max - initial)
        } else {
            parse(json)
        };
        set_non_input(body, name, value)?;
    }
    for (switch, value, fields) in CONDITIONAL {
        if body.get(*switch).and_then(Value::as_str) == Some(value) {
            require_fields(body, fields)?;
        } else {
            for f in *fields {
                set_non_input(body, f, Value::Null)?;
            }
        }
    }
    if body
        .get("autogenerate-partition-id")
        .and_then(Value::as_bool)
        == Some(true)
    {
        if body.contains_key("partition-id") {
            return Err(HmcError::not_input("partition-id"));
        }
    } else {
        require_fields(body, &["partition-id"])?;
    }
    if !truthy(body.get("ifl-processors")) && !truthy(body.get("cp-processors")) {
        return Err(HmcError::bad_query(
            "At least one of 'ifl-processors' or 'cp-processors' is required",
        ));
    }
    body.entry("ifl-processors").or_insert(json!(0));
    body.entry("cp-processors").or_insert(json!(0));
    Ok(())
}

/// After Create Partition: without a given `short-name`, the partition gets
/// the first four characters of its name (`_`-padded) and a suffix unique
/// per CPC (the Python mock draws it at random), held by the partition, so
/// deleting it frees the suffix. Loaded partitions keep what they have.
fn generate_short_name(
    ctx: &Ctx<'_>,
    p: &Resource,
    _sent: &Map<String, Value>,
) -> Result<Map<String, Value>, HmcError> {
    let (Some(cpc), false) = (&p.parent, p.props.contains_key("short-name")) else {
        return Ok(Map::new());
    };
    let mut prefix: String = p.name().to_uppercase().chars().take(4).collect();
    while prefix.chars().count() < 4 {
        prefix.push('_');
    }
    let n = ctx
        .tx
        .allocate(&short_name_pool(cpc), 0..=0xFFFF, &p.uri)?
        .ok_or_else(|| HmcError::conflict(0, "No free partition short name is left"))?;
    let mut p = p.clone();
    set_properties(
        ctx.tx,
        &mut p,
        [("short-name", json!(format!("{prefix}{n:04X}")))],
    )?;
    Ok(Map::new())
}

/// Partition ids: a supplied one is reserved in the CPC's pool (400.8 if
/// another partition holds it); with `autogenerate-partition-id` the lowest
/// free one is taken (unique, where the Python mock draws one at random).
fn on_add_partition(
    tx: &Tx<'_>,
    parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    let Some(cpc) = parent else { return Ok(()) };
    let autogenerate = r
        .props
        .get("autogenerate-partition-id")
        .and_then(Value::as_bool)
        == Some(true);
    if autogenerate || r.props.contains_key("partition-id") {
        assign_partition_id(tx, &cpc.uri, r)?;
    }
    Ok(())
}

/// The answer of the "Get Partitions for ..." operations (tape link,
/// storage group): `{"partitions": [...]}`, see `partitions_answer_as`.
pub fn partitions_answer(ctx: &Ctx<'_>, partitions: &[Resource]) -> Result<Done, HmcError> {
    partitions_answer_as(ctx, "partitions", partitions)
}

/// `{key: [{object-uri, name, status}]}` of `partitions`, filtered by the
/// `name` and `status` query parameters that zhmcclient sends. A partition
/// stored without status counts as "stopped", the status a partition gets
/// by default.
pub fn partitions_answer_as(
    ctx: &Ctx<'_>,
    key: &str,
    partitions: &[Resource],
) -> Result<Done, HmcError> {
    let filters = compile_filters(&PARTITION, ctx.query()?.filters(&[]))?;
    let items: Vec<Value> = partitions
        .iter()
        .filter(|p| passes_filters(p, &filters))
        .map(|p| {
            json!({
                "object-uri": p.uri,
                "name": p.props.get("name").cloned().unwrap_or(Value::Null),
                "status": p.props.get("status").cloned().unwrap_or_else(|| json!("stopped")),
            })
        })
        .collect();
    let mut answer = Map::new();
    answer.insert(key.to_string(), Value::Array(items));
    Ok(Done::Json(Value::Object(answer)))
}

/// Operations: List Partitions of a CPC, Create Partition, Get/Update/Delete
/// Partition, and the operations of `partition_ops`.
pub static PARTITION: ResourceType = ResourceType {
    class: "partition",
    def_key: "partitions",
    parent: Some(&CPC),
    element: "/api/partitions/{id}",
    param: "partition-id",
    collection: Some("{parent}/partitions"),
    list: Some(ListSpec {
        title: "List Partitions of a CPC",
        key: "partitions",
        props: &["object-uri", "name", "status", "type"],
        filters: &["name", "status", "type"],
        additional: true,
        mode: Mode::Dpm,
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Partition",
        required: &["name", "initial-memory", "maximum-memory"],
        prepare: Some(prepare_create),
        after: Some(generate_short_name),
        needs: DPM_VALID_CPC,
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::with_properties("Get Partition Properties")),
    update: Some(UpdateSpec::any("Update Partition Properties")),
    delete: Some(DeleteSpec {
        title: "Delete Partition",
        needs: Needs {
            mode: Mode::Dpm,
            checks: &[
                Check::CpcStatus,
                Check::PartitionStatus(Statuses::Only(&["stopped"])),
            ],
        },
    }),
    write_only: &["boot-ftp-password", "ssc-master-pw"],
    defaults: &[
        ("hba-uris", "[]"),
        ("nic-uris", "[]"),
        ("virtual-function-uris", "[]"),
        ("storage-group-uris", "[]"),
        ("tape-link-uris", "[]"),
        ("partition-link-uris", "[]"),
        ("status", "\"stopped\""),
        // What tools read of every partition, for loaded ones that leave
        // it out (Create sets all of its defaults itself).
        ("description", "\"\""),
        ("type", "\"linux\""),
        ("has-unacceptable-status", "false"),
        ("is-locked", "false"),
        ("os-name", "\"\""),
        ("os-type", "\"\""),
        ("os-version", "\"\""),
        ("processor-mode", "\"shared\""),
        ("boot-device", "\"none\""),
        ("crypto-configuration", "null"),
        ("degraded-adapters", "[]"),
        ("auto-start", "false"),
    ],
    on_add: Some(on_add_partition),
    on_update: Some(OnUpdate {
        watches: &["partition-id"],
        run: partition_id_updated,
    }),
    unique_names: true,
    operations: partition_ops::OPERATIONS,
    ..BASE
};
