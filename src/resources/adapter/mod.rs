//! Adapters of DPM CPCs and their network and storage ports: Create and
//! Delete Hipersocket, Change Crypto Type, Change Adapter Type, Get
//! Partitions Assigned to Adapter, and Update Network/Storage Port.

pub mod port;

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::port::{PortKind, port_kind};
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Check, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Mode, Needs, Operation,
    ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::required;
use crate::resources::framework::generic::{
    add_resource, apply_defaults, parent_of, set_properties,
};
use crate::resources::framework::preconditions::DPM;
use crate::resources::partition::crypto_configuration::CryptoConfig;
use crate::resources::partition::hba::HBA;
use crate::resources::partition::nic::NIC;
use crate::resources::partition::virtual_function::VIRTUAL_FUNCTION;
use crate::resources::partition::{PARTITION, partitions_answer_as};
use crate::resources::storage_group::VIRTUAL_STORAGE_RESOURCE;
use crate::resources::tape_link::VIRTUAL_TAPE_RESOURCE;
use crate::resources::virtual_switch::VIRTUAL_SWITCH;
use crate::store::{Resource, Tx};

/// The adapter family implied by an adapter type.
fn family_of_type(t: &str) -> Option<&'static str> {
    Some(match t {
        "osd" | "osm" => "osa",
        "roce" => "roce",
        "hipersockets" => "hipersockets",
        "fcp" | "fc" => "ficon",
        "crypto" => "crypto",
        "zedc" => "accelerator",
        _ => return None,
    })
}

pub(crate) fn family(r: &Resource) -> &str {
    r.str_prop("adapter-family").unwrap_or("")
}

/// Derives `adapter-family` from `type` and adds the port list the family
/// needs; 400.5 for an adapter with neither or with an unknown type.
fn on_add_adapter(
    _tx: &Tx<'_>,
    _parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    let id = r.str_prop("object-id").unwrap_or("").to_string();
    if !r.props.contains_key("adapter-family") {
        let Some(t) = r.str_prop("type").map(str::to_string) else {
            return Err(HmcError::bad_request(
                5,
                format!(
                    "FakedAdapter with object-id={id} must have 'adapter-family' or 'type' property specified."
                ),
            ));
        };
        let Some(f) = family_of_type(&t) else {
            return Err(HmcError::bad_request(
                5,
                format!(
                    "FakedAdapter with object-id={id} has an unknown value in its 'type' property: {t}."
                ),
            ));
        };
        r.props
            .insert("adapter-family".into(), Value::String(f.into()));
    }
    if let Some(list) = port_kind(family(r)).and_then(|k| k.port_type().back_ref) {
        r.props
            .entry(list)
            .or_insert_with(|| Value::Array(Vec::new()));
    }
    Ok(())
}

/// Defaults of Create Hipersocket (the HMC mock's values); the request body
/// overrides any of them.
const HIPERSOCKET_DEFAULTS: &[(&str, &str)] = &[
    ("description", "\"\""),
    ("status", "\"active\""),
    ("type", "\"hipersockets\""),
    ("adapter-id", "null"),
    ("adapter-family", "\"hipersockets\""),
    ("detected-card-type", "\"hipersockets\""),
    ("port-count", "1"),
    ("network-port-uris", "[]"),
    ("state", "\"online\""),
    ("maximum-transmission-unit-size", "8"),
    ("configured-capacity", "42"),
    ("used-capacity", "42"),
    ("allowed-capacity", "42"),
    ("maximum-total-capacity", "42"),
    ("channel-path-id", "null"),
    ("physical-channel-status", "\"operating\""),
];

/// The value of `v` as a message shows it: strings bare, `None` for a
/// missing value (as the HMC mock prints them), other values as JSON.
fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "None".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Create Hipersocket: the mock's defaults under the body.
fn prepare_hipersocket(
    _ctx: &Ctx<'_>,
    _cpc: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    apply_defaults(body, HIPERSOCKET_DEFAULTS)
}

/// Create Hipersocket's side effects: a virtual switch backed by the new
/// adapter, and its port 0 (`port-description` becomes the port's
/// description, as on a real HMC). Both go through `add_resource`, so the
/// adapter's `network-port-uris` lists the port.
fn after_hipersocket(
    ctx: &Ctx<'_>,
    adapter: &Resource,
    sent: &Map<String, Value>,
) -> Result<Map<String, Value>, HmcError> {
    let cpc = parent_of(ctx, adapter)?;
    let name = adapter.name().to_string();
    let vswitch = properties([
        ("name", json!(name)),
        ("description", json!(format!("vswitch for {name}"))),
        ("type", json!("hipersockets")),
        ("backing-adapter-uri", json!(adapter.uri)),
        ("port", json!(0)),
    ]);
    add_resource(ctx.tx, &VIRTUAL_SWITCH, Some(&cpc), vswitch)?;
    let Some(kind) = port_kind(family(adapter)) else {
        return Err(HmcError::bad_request(
            5,
            format!(
                "The adapter-family of a HiperSockets adapter must have ports: {}",
                shown(adapter.props.get("adapter-family"))
            ),
        ));
    };
    // A real HMC numbers ports by their index; element-id "0" gives the URI
    // `.../network-ports/0` that the default HMC's HiperSockets adapter has.
    let mut port = properties([
        ("element-id", json!("0")),
        ("index", json!(0)),
        ("name", json!("Port 0")),
    ]);
    if let Some(d) = sent.get("port-description") {
        port.insert("description".into(), d.clone());
    }
    add_resource(ctx.tx, kind.port_type(), Some(adapter), port)?;
    Ok(Map::new())
}

/// The properties of a resource to add.
fn properties<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// Delete Hipersocket: DPM (409.5), and, like a real HMC, only a
/// HiperSockets adapter (400.18; the HMC mock deletes any adapter). The
/// virtual switches it backs go with it in `generic::remove`.
fn check_delete(_ctx: &Ctx<'_>, adapter: &Resource) -> Result<(), HmcError> {
    let f = family(adapter);
    if f != "hipersockets" {
        return Err(HmcError::bad_request(
            18,
            format!(
                "The adapter {} cannot be deleted: only HiperSockets adapters can be deleted, its adapter family is {}",
                adapter.name(),
                shown(adapter.props.get("adapter-family"))
            ),
        ));
    }
    Ok(())
}

/// Crypto types Change Crypto Type accepts.
const CRYPTO_TYPES: &[&str] = &["accelerator", "cca-coprocessor", "ep11-coprocessor"];

/// Operation: Change Crypto Type (synchronous). `zeroize` is accepted and
/// has nothing to clear in a mock.
fn change_crypto_type(ctx: &mut Ctx<'_>, adapter: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let value = required(&body, "crypto-type")?;
    match value.as_str() {
        Some(t) if CRYPTO_TYPES.contains(&t) => {
            set_properties(ctx.tx, adapter, [("crypto-type", json!(t))])?;
            Ok(Done::Nothing)
        }
        _ => Err(HmcError::bad_request(
            8,
            format!(
                "Invalid value for 'crypto-type' field: {}",
                shown(Some(value))
            ),
        )),
    }
}

/// Adapter types Change Adapter Type accepts (FICON adapters only).
const FICON_TYPES: &[&str] = &["fc", "fcp", "not-configured"];

/// Operation: Change Adapter Type (synchronous): FICON family and a status
/// other than `exceptions` (400.18), a valid new type that differs from the
/// current one (400.8).
fn change_adapter_type(ctx: &mut Ctx<'_>, adapter: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let new_type = required(&body, "type")?;
    if family(adapter) != "ficon" {
        return Err(HmcError::bad_request(
            18,
            format!(
                "The adapter type cannot be changed for adapter family: {}",
                shown(adapter.props.get("adapter-family"))
            ),
        ));
    }
    if adapter.str_prop("status") == Some("exceptions") {
        return Err(HmcError::bad_request(
            18,
            "The adapter type cannot be changed for adapter status: exceptions",
        ));
    }
    let Some(t) = new_type.as_str().filter(|t| FICON_TYPES.contains(t)) else {
        return Err(HmcError::bad_request(
            8,
            format!(
                "Invalid new value for 'type' field: {}",
                shown(Some(new_type))
            ),
        ));
    };
    if adapter.str_prop("type") == Some(t) {
        return Err(HmcError::bad_request(
            8,
            format!("New value for 'type' field is already set: {t}"),
        ));
    }
    set_properties(ctx.tx, adapter, [("type", json!(t))])?;
    Ok(Done::Nothing)
}

/// Whether an SE version (`"2.16.0"`) is below 2.17, as the HMC mock
/// compares it (numerically, part by part). A missing or unreadable version
/// counts as below (the mock crashes on a missing one).
fn se_below_2_17(version: Option<&str>) -> bool {
    let Some(v) = version else { return true };
    let parts: Option<Vec<u64>> = v.split('.').map(|p| p.trim().parse().ok()).collect();
    parts.is_none_or(|p| p < vec![2, 17])
}

/// What a partition must use to be assigned to the adapter, by adapter
/// family, with what that needs read once per request.
enum Usage {
    /// Network adapters: a NIC on one of its `ports` or on one of the
    /// virtual `switches` it backs. Like the HMC mock, IQD and OSD NICs of
    /// CPCs below SE 2.17 are judged by their virtual switch and others by
    /// their port.
    Nics {
        ports: Vec<String>,
        switches: Vec<String>,
        below_2_17: bool,
    },
    /// Crypto adapters: the partition's crypto configuration lists it.
    Crypto,
    /// Accelerators: a virtual function of the partition uses it.
    VirtualFunctions,
    /// FICON adapters: an HBA of the partition on one of its `ports`, or a
    /// virtual storage or tape resource on one of them that names the
    /// partition (`others`). The HMC mock never reports any (TODO there); a
    /// real HMC does.
    Storage {
        ports: Vec<String>,
        others: Vec<String>,
    },
    None,
}

impl Usage {
    fn of(tx: &Tx<'_>, cpc: &Resource, adapter: &Resource) -> Result<Usage, HmcError> {
        let ports = |kind: PortKind| {
            let list = kind.port_type().back_ref.unwrap_or_default();
            adapter
                .str_list(list)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        Ok(match family(adapter) {
            "hipersockets" | "osa" | "roce" | "cna" => Usage::Nics {
                ports: ports(PortKind::Network),
                switches: tx
                    .children(&cpc.uri, VIRTUAL_SWITCH.class)?
                    .into_iter()
                    .filter(|vs| vs.str_prop("backing-adapter-uri") == Some(&adapter.uri))
                    .map(|vs| vs.uri)
                    .collect(),
                below_2_17: se_below_2_17(cpc.str_prop("se-version")),
            },
            "crypto" => Usage::Crypto,
            "accelerator" => Usage::VirtualFunctions,
            "ficon" => {
                let ports = ports(PortKind::Storage);
                let others = storage_resource_partitions(tx, &ports)?;
                Usage::Storage { ports, others }
            }
            _ => Usage::None,
        })
    }

    /// Whether `partition` uses the adapter.
    fn by(&self, tx: &Tx<'_>, partition: &Resource, adapter: &Resource) -> Result<bool, HmcError> {
        Ok(match self {
            Usage::Nics {
                ports,
                switches,
                below_2_17,
            } => has_nic_on(tx, partition, ports, switches, *below_2_17)?,
            Usage::Crypto => CryptoConfig::of(partition).has_adapter(&adapter.uri),
            Usage::VirtualFunctions => tx
                .children(&partition.uri, VIRTUAL_FUNCTION.class)?
                .iter()
                .any(|vf| vf.str_prop("adapter-uri") == Some(&adapter.uri)),
            Usage::Storage { ports, others } => {
                others.contains(&partition.uri)
                    || tx
                        .children(&partition.uri, HBA.class)?
                        .iter()
                        .any(|hba| on_port(hba, ports))
            }
            Usage::None => false,
        })
    }
}

/// Whether `r` (an HBA, a virtual storage or tape resource) is on one of
/// `ports`.
fn on_port(r: &Resource, ports: &[String]) -> bool {
    r.str_prop("adapter-port-uri")
        .is_some_and(|p| ports.iter().any(|q| q == p))
}

/// The partitions that virtual storage and tape resources on one of
/// `ports` name.
fn storage_resource_partitions(tx: &Tx<'_>, ports: &[String]) -> Result<Vec<String>, HmcError> {
    let mut out = Vec::new();
    for rt in [&VIRTUAL_STORAGE_RESOURCE, &VIRTUAL_TAPE_RESOURCE] {
        for r in tx.resources_of_class(rt.class)? {
            if on_port(&r, ports)
                && let Some(p) = r.str_prop("partition-uri")
            {
                out.push(p.to_string());
            }
        }
    }
    Ok(out)
}

/// Whether a NIC of `partition` is on one of `ports` or `switches`. A NIC
/// lacking the property it is judged by is judged by the other one (the
/// HMC mock crashes), and one with neither is skipped. A NIC naming a port
/// or switch that is gone is 404.1 naming it, as the HMC mock answers.
fn has_nic_on(
    tx: &Tx<'_>,
    partition: &Resource,
    ports: &[String],
    switches: &[String],
    below_2_17: bool,
) -> Result<bool, HmcError> {
    for nic in tx.children(&partition.uri, NIC.class)? {
        let by_vswitch = below_2_17 && matches!(nic.str_prop("type"), Some("iqd" | "osd"));
        let order = if by_vswitch {
            ["virtual-switch-uri", "network-adapter-port-uri"]
        } else {
            ["network-adapter-port-uri", "virtual-switch-uri"]
        };
        let Some((prop, uri)) = order.iter().find_map(|p| nic.str_prop(p).map(|u| (*p, u))) else {
            continue;
        };
        let backing = if prop == "virtual-switch-uri" {
            switches
        } else {
            ports
        };
        if backing.iter().any(|b| b == uri) {
            return Ok(true);
        }
        if !tx.resource_exists(uri)? {
            return Err(HmcError::not_found(uri).at_uri(uri));
        }
    }
    Ok(false)
}

/// Operation: Get Partitions Assigned to Adapter: the partitions of the
/// adapter's CPC (filtered by `name` and `status`) that use the adapter
/// (see `Usage`).
fn partitions_assigned(ctx: &mut Ctx<'_>, adapter: &mut Resource) -> Result<Done, HmcError> {
    let cpc = parent_of(ctx, adapter)?;
    let usage = Usage::of(ctx.tx, &cpc, adapter)?;
    let mut assigned = Vec::new();
    for p in ctx.tx.children(&cpc.uri, PARTITION.class)? {
        if usage.by(ctx.tx, &p, adapter)? {
            assigned.push(p);
        }
    }
    partitions_answer_as(ctx, "partitions-assigned-to-adapter", &assigned)
}

/// Operations: List Adapters of a CPC, Create Hipersocket, Get Adapter
/// Properties, Update Adapter Properties, Delete Hipersocket, Change Crypto
/// Type, Change Adapter Type, Get Partitions Assigned to Adapter. Names are
/// unique within the CPC, as the WS API book requires for Create Hipersocket.
pub static ADAPTER: ResourceType = ResourceType {
    class: "adapter",
    def_key: "adapters",
    parent: Some(&CPC),
    element: "/api/adapters/{id}",
    param: "adapter-id",
    defaults: &[("status", "\"active\""), ("description", "\"\"")],
    on_add: Some(on_add_adapter),
    collection: Some("{parent}/adapters"),
    list: Some(ListSpec {
        title: "List Adapters of a CPC",
        key: "adapters",
        props: &[
            "object-uri",
            "name",
            "adapter-id",
            "adapter-family",
            "type",
            "status",
        ],
        filters: &["name", "adapter-id", "adapter-family", "type", "status"],
        additional: true,
        mode: Mode::Dpm,
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Hipersocket",
        required: &["name"],
        prepare: Some(prepare_hipersocket),
        after: Some(after_hipersocket),
        needs: DPM,
        ..CreateSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Adapter Properties")),
    delete: Some(DeleteSpec {
        title: "Delete Hipersocket",
        needs: Needs {
            mode: Mode::Dpm,
            checks: &[Check::Rule(check_delete)],
        },
    }),
    unique_names: true,
    operations: &[
        Operation {
            needs: DPM,
            ..Operation::post(
                "Change Crypto Type",
                "/operations/change-crypto-type",
                change_crypto_type,
            )
        },
        Operation {
            needs: DPM,
            ..Operation::post(
                "Change Adapter Type",
                "/operations/change-adapter-type",
                change_adapter_type,
            )
        },
        Operation {
            needs: DPM,
            ..Operation::get(
                "Get Partitions Assigned to Adapter",
                "/operations/get-partitions-assigned-to-adapter",
                &["name", "status"],
                partitions_assigned,
            )
        },
    ],
    get: Some(GetSpec::titled("Get Adapter Properties")),
    ..BASE
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn se_versions_compare_part_by_part_and_missing_is_below_2_17() {
        assert!(se_below_2_17(Some("2.16.0")));
        assert!(se_below_2_17(Some("2.9")));
        assert!(!se_below_2_17(Some("2.17")));
        assert!(!se_below_2_17(Some("2.17.0")));
        assert!(!se_below_2_17(Some("3.0")));
        assert!(se_below_2_17(None));
        assert!(se_below_2_17(Some("x")));
    }

    #[test]
    fn messages_show_values_like_the_hmc_mock() {
        assert_eq!(shown(None), "None");
        assert_eq!(shown(Some(&json!("fcp"))), "fcp");
        assert_eq!(shown(Some(&json!(3))), "3");
    }
}
