//! Partition links (SE 2.16+): console-scoped connections of type
//! `hipersockets`, `smc-d` or `ctc` between partitions of one DPM CPC.
//!
//! Create, Modify and Delete are asynchronous on the HMC, so they answer 202
//! with a job that is already complete. Attaching a partition creates its
//! endpoints: NIC resources for HiperSockets (zhmcclient: "available as Nic
//! objects"), device numbers and FIDs for SMC-D (not externalized as objects,
//! only in `bus-connections`), and CTC devices for every path and pair of
//! attached partitions (in `paths`). A partition's `partition-link-uris` is
//! the record of which links it is attached to; `state` follows from it.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

use super::Service;
use super::console::CONSOLE;
use super::descriptor::{BASE, ListSpec, Mode, Operation, ResourceType};
use super::device_numbers::devno_pool;
use super::generic::{add_resource, append_reference, check_unique_name};
use super::nic::NIC;
use super::preconditions::{check_cpc_status, is_dpm, require_fields};
use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::store::{Resource, Tx};

/// The partition property listing the links a partition is attached to.
const LINKS: &str = "partition-link-uris";
/// Device numbers are four hex digits.
const DEVNO_MAX: i64 = 0xFFFF;
/// The highest FID handed out for SMC-D endpoints.
const FID_MAX: i64 = 0xFFFF;
/// A HiperSockets NIC uses three consecutive device numbers (zhmcclient's
/// `attach_network_link` documentation).
const HIPERSOCKETS_DEVNOS: i64 = 3;
/// SMC-D links have no `starting-device-number`; their device numbers come
/// from the partition's ordinary range, like those of NICs.
const SMCD_START: i64 = 0x8000;
/// Defaults the book gives (seen on real HMCs by zhmcclient's end2end tests).
const DEFAULT_HS_START: &str = "7400";
const HS_START_FALLBACK: i64 = 0x7400;
const DEFAULT_CTC_START: &str = "4000";
const CTC_START_FALLBACK: i64 = 0x4000;
const DEFAULT_MTU: i64 = 8;
const DEFAULT_STARTING_FID: i64 = 4096;
const DEFAULT_DEVICES_PER_PATH: i64 = 4;
/// Valid `maximum-transmission-unit-size` values (KiB).
const MTU_SIZES: &[i64] = &[8, 16, 32, 40, 56];
/// Upper bounds that keep one request's work finite (our choice).
const MAX_NICS: u64 = 256;
const MAX_DEVICES_PER_PATH: i64 = 256;

/// Create Partition Link's input properties of every type.
const COMMON_INPUTS: &[&str] = &["name", "type", "cpc-uri", "description", "partitions"];
/// Modify Partition Link's fields.
const MODIFY_FIELDS: &[&str] = &[
    "name",
    "description",
    "added-connections",
    "removed-connections",
    "added-partition-uris",
    "removed-partition-uris",
    "added-paths",
    "removed-paths",
];

/// An adapter or one of its storage ports; group 1 is the adapter URI.
static ADAPTER_PORT_URI: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"^(/api/adapters/[^/]+)(?:/storage-ports/[^/]+)?$"));

/// The technology of a link (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkType {
    HiperSockets,
    SmcD,
    Ctc,
}

impl LinkType {
    /// 400.7 for anything but the three types.
    fn parse(v: Option<&Value>) -> Result<LinkType, HmcError> {
        match v.and_then(Value::as_str) {
            Some("hipersockets") => Ok(LinkType::HiperSockets),
            Some("smc-d") => Ok(LinkType::SmcD),
            Some("ctc") => Ok(LinkType::Ctc),
            _ => Err(bad_value("type", v)),
        }
    }

    fn of(link: &Resource) -> Result<LinkType, HmcError> {
        LinkType::parse(link.props.get("type"))
    }

    /// Create's input properties of this type, besides `COMMON_INPUTS`.
    fn inputs(self) -> &'static [&'static str] {
        match self {
            LinkType::HiperSockets => &[
                "bus-connections",
                "starting-device-number",
                "maximum-transmission-unit-size",
            ],
            LinkType::SmcD => &["bus-connections", "starting-fid"],
            LinkType::Ctc => &["paths", "devices-per-path"],
        }
    }

    /// Modify fields that only this family accepts.
    fn rejects(self, field: &str) -> bool {
        match self {
            LinkType::Ctc => matches!(field, "added-connections" | "removed-connections"),
            _ => matches!(field, "added-paths" | "removed-paths"),
        }
    }
}

/// 400.7: a field has a value the operation does not accept.
fn bad_value(field: &str, v: Option<&Value>) -> HmcError {
    let shown = v.map_or_else(|| "null".to_string(), Value::to_string);
    HmcError::bad_request(7, format!("Invalid value for field '{field}': {shown}"))
}

/// 400.7 with a message of its own.
fn invalid(message: String) -> HmcError {
    HmcError::bad_request(7, message)
}

/// Four hex digits, as the HMC writes device numbers.
fn hex(n: i64) -> String {
    format!("{n:04X}")
}

/// A device number given as 1 to 4 hex digits.
fn parse_devno(field: &str, v: &Value) -> Result<i64, HmcError> {
    v.as_str()
        .filter(|s| (1..=4).contains(&s.len()))
        .and_then(|s| i64::from_str_radix(s, 16).ok())
        .ok_or_else(|| bad_value(field, Some(v)))
}

/// An integer field within `range`.
fn int_in(field: &str, v: &Value, range: RangeInclusive<i64>) -> Result<i64, HmcError> {
    v.as_i64()
        .filter(|n| range.contains(n))
        .ok_or_else(|| bad_value(field, Some(v)))
}

/// An optional array field (absent or null: `None`).
fn array_field<'v>(
    body: &'v Map<String, Value>,
    field: &str,
) -> Result<Option<&'v Vec<Value>>, HmcError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(bad_value(field, Some(other))),
    }
}

/// An item of an array field that must be an object.
fn object_item<'v>(field: &str, v: &'v Value) -> Result<&'v Map<String, Value>, HmcError> {
    v.as_object().ok_or_else(|| bad_value(field, Some(v)))
}

/// A non-empty string field.
fn name_value(v: &Value) -> Result<&str, HmcError> {
    v.as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad_value("name", Some(v)))
}

/// The pool of SMC-D function ids of a CPC.
fn fid_pool(cpc_uri: &str) -> String {
    format!("fid:{cpc_uri}")
}

/// Whether partition `p` is attached to the link `link_uri`.
fn holds(p: &Resource, link_uri: &str) -> bool {
    p.props
        .get(LINKS)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(link_uri)))
}

/// The partitions attached to `link`, in their CPC's order.
fn attached(tx: &Tx<'_>, link: &Resource) -> Result<Vec<Resource>, HmcError> {
    let Some(cpc) = link.str_prop("cpc-uri") else {
        return Ok(Vec::new());
    };
    Ok(tx
        .children(cpc, "partition")?
        .into_iter()
        .filter(|p| holds(p, &link.uri))
        .collect())
}

/// Takes `uri` out of the list property `list` of the resource at `holder`.
fn remove_reference(tx: &Tx<'_>, holder: &str, list: &str, uri: &str) -> Result<(), HmcError> {
    let Some(mut h) = tx.resource(holder)? else {
        return Ok(());
    };
    if let Some(Value::Array(items)) = h.props.get_mut(list) {
        items.retain(|v| v.as_str() != Some(uri));
        tx.save_properties(&h.uri, &h.props)?;
    }
    Ok(())
}

/// The partition a body field names: 404.2 if there is none, 400.7 if it
/// belongs to another CPC than the link's.
fn partition_of(
    tx: &Tx<'_>,
    cpc: &Resource,
    field: &str,
    v: Option<&Value>,
) -> Result<Resource, HmcError> {
    let Some(uri) = v.and_then(Value::as_str) else {
        return Err(bad_value(field, v));
    };
    match tx.resource(uri)? {
        Some(p) if p.class == "partition" => {
            if p.parent.as_deref() == Some(cpc.uri.as_str()) {
                Ok(p)
            } else {
                Err(invalid(format!(
                    "Partition '{}' is not in CPC '{}' of the partition link",
                    p.name(),
                    cpc.name()
                )))
            }
        }
        _ => Err(HmcError::referenced_not_found(2, uri)),
    }
}

/// The CPC of a new link: 404.2 if unknown, 409.5 if not in DPM mode, 409.6
/// if its status does not allow operations.
fn target_cpc(ctx: &Ctx<'_>, v: Option<&Value>) -> Result<Resource, HmcError> {
    let Some(uri) = v.and_then(Value::as_str) else {
        return Err(bad_value("cpc-uri", v));
    };
    let cpc = match ctx.tx.resource(uri)? {
        Some(c) if c.class == "cpc" => c,
        _ => return Err(HmcError::referenced_not_found(2, uri)),
    };
    if !is_dpm(&cpc) {
        return Err(HmcError::cpc_not_in_dpm(&cpc.uri));
    }
    check_cpc_status(ctx, &cpc)?;
    Ok(cpc)
}

/// The CPC of an existing link, checked like `target_cpc`.
fn link_cpc(ctx: &Ctx<'_>, link: &Resource) -> Result<Resource, HmcError> {
    target_cpc(ctx, link.props.get("cpc-uri"))
}

/// The lowest `len` consecutive free numbers of `pool` in `range`, now held
/// by `owner`; 409.0 when there are none.
fn allocate_run(
    tx: &Tx<'_>,
    pool: &str,
    range: RangeInclusive<i64>,
    len: i64,
    owner: &str,
) -> Result<i64, HmcError> {
    // Starts that are too short stay held while searching, so that the next
    // allocation moves on; they are given back at the end.
    let mut misses = Vec::new();
    let found = loop {
        let Some(start) = tx.allocate(pool, range.clone(), owner)? else {
            break None;
        };
        let mut run = vec![start];
        while (run.len() as i64) < len {
            let next = start + run.len() as i64;
            if next > *range.end() || !tx.reserve(pool, next, owner)? {
                break;
            }
            run.push(next);
        }
        if run.len() as i64 == len {
            break Some(start);
        }
        misses.extend(run);
    };
    for m in misses {
        tx.release(pool, m, owner)?;
    }
    found.ok_or_else(|| {
        HmcError::conflict(
            0,
            format!("No {len} consecutive free numbers are left in pool {pool}"),
        )
    })
}

/// The first of the `device-numbers` an endpoint request gives, if any.
fn given_devno(spec: &Map<String, Value>) -> Result<Option<i64>, HmcError> {
    match spec.get("device-numbers") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut numbers = items.iter().map(|v| parse_devno("device-numbers", v));
            numbers.next().transpose()
        }
        Some(other) => Err(bad_value("device-numbers", Some(other))),
    }
}

/// A locally administered MAC address from the NIC's id.
fn mac_address(id: &uuid::Uuid) -> String {
    let b = id.as_bytes();
    format!(
        "02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        b[0], b[1], b[2], b[3], b[4]
    )
}

/// Creates a HiperSockets NIC in `part` for `link` and answers its endpoint
/// record. The NIC holds its three device numbers, so deleting it frees them.
fn add_hipersockets_nic(
    tx: &Tx<'_>,
    link: &Resource,
    part: &Resource,
    spec: &Map<String, Value>,
) -> Result<Value, HmcError> {
    let pool = devno_pool(&part.uri);
    let base = match given_devno(spec)? {
        Some(d) => d,
        None => {
            let start = link
                .props
                .get("starting-device-number")
                .map_or(Ok(HS_START_FALLBACK), |v| {
                    parse_devno("starting-device-number", v)
                })?;
            let n = allocate_run(tx, &pool, start..=DEVNO_MAX, HIPERSOCKETS_DEVNOS, &link.uri)?;
            for k in 0..HIPERSOCKETS_DEVNOS {
                tx.release(&pool, n + k, &link.uri)?;
            }
            n
        }
    };
    let id = uuid::Uuid::new_v4();
    let vlan = spec.get("vlan-id").cloned().unwrap_or(Value::Null);
    if !(vlan.is_null() || vlan.is_u64()) {
        return Err(bad_value("vlan-id", Some(&vlan)));
    }
    let mac = match spec.get("mac-address") {
        None | Some(Value::Null) => Value::String(mac_address(&id)),
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(other) => return Err(bad_value("mac-address", Some(other))),
    };
    let mut props = Map::new();
    props.insert("element-id".into(), json!(id.to_string()));
    props.insert(
        "name".into(),
        json!(format!("{} {}", link.name(), hex(base))),
    );
    props.insert(
        "description".into(),
        json!(format!("Endpoint of partition link {}", link.name())),
    );
    props.insert("type".into(), json!("iqd"));
    props.insert("device-number".into(), json!(hex(base)));
    props.insert("vlan-id".into(), vlan.clone());
    props.insert("mac-address".into(), mac.clone());
    let nic = add_resource(tx, &NIC, Some(part), props)?;
    for k in 1..HIPERSOCKETS_DEVNOS {
        tx.reserve(&pool, base + k, &nic.uri)?;
    }
    let devnos: Vec<String> = (0..HIPERSOCKETS_DEVNOS).map(|k| hex(base + k)).collect();
    Ok(json!({
        "nic-uri": nic.uri,
        "device-numbers": devnos,
        "vlan-id": vlan,
        "mac-address": mac,
    }))
}

/// Takes a device number and a FID for an SMC-D endpoint of `link` in
/// `part`; both are held by the link until the endpoint is removed. Given
/// numbers are taken as given, like Create NIC does.
fn add_smcd_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part: &Resource,
    spec: &Map<String, Value>,
) -> Result<Value, HmcError> {
    let pool = devno_pool(&part.uri);
    let devno = match given_devno(spec)? {
        Some(d) => {
            tx.reserve(&pool, d, &link.uri)?;
            d
        }
        None => allocate_run(tx, &pool, SMCD_START..=DEVNO_MAX, 1, &link.uri)?,
    };
    let fids = fid_pool(link.str_prop("cpc-uri").unwrap_or(""));
    let fid = match spec.get("fid") {
        None | Some(Value::Null) => {
            let start = link
                .props
                .get("starting-fid")
                .and_then(Value::as_i64)
                .unwrap_or(DEFAULT_STARTING_FID);
            allocate_run(tx, &fids, start..=FID_MAX, 1, &link.uri)?
        }
        Some(v) => {
            let f = int_in("fid", v, 0..=FID_MAX)?;
            tx.reserve(&fids, f, &link.uri)?;
            f
        }
    };
    Ok(json!({"device-numbers": [hex(devno)], "fid": fid}))
}

/// Gives back what an endpoint of `link` in partition `part_uri` holds: a
/// HiperSockets NIC is deleted (with its numbers), and numbers the link
/// holds go back to their pools.
fn release_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part_uri: &str,
    endpoint: &Value,
) -> Result<(), HmcError> {
    // A NIC holds its own numbers; the link holds them for endpoints it
    // brought from a definition file, so both are released.
    if let Some(nic) = endpoint.get("nic-uri").and_then(Value::as_str)
        && tx.resource_exists(nic)?
    {
        tx.delete_resource(nic)?;
    }
    let pool = devno_pool(part_uri);
    for d in endpoint
        .get("device-numbers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Ok(n) = parse_devno("device-numbers", d) {
            tx.release(&pool, n, &link.uri)?;
        }
    }
    if let Some(fid) = endpoint.get("fid").and_then(Value::as_i64) {
        tx.release(
            &fid_pool(link.str_prop("cpc-uri").unwrap_or("")),
            fid,
            &link.uri,
        )?;
    }
    Ok(())
}

/// Takes the link's `bus-connections` out of it (empty if missing); the
/// caller puts the changed list back.
fn take_bus_connections(link: &mut Resource) -> Vec<Value> {
    match link.props.remove("bus-connections") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// A requested bus connection: the partition and its NICs.
struct Connection {
    partition: Resource,
    count: u64,
    nics: Vec<Map<String, Value>>,
}

/// Parses an item of `bus-connections` / `added-connections`.
fn parse_connection(
    tx: &Tx<'_>,
    cpc: &Resource,
    field: &str,
    v: &Value,
) -> Result<Connection, HmcError> {
    let item = object_item(field, v)?;
    require_fields(item, &["partition-uri"])?;
    let partition = partition_of(tx, cpc, "partition-uri", item.get("partition-uri"))?;
    let count = match item.get("number-of-nics") {
        None | Some(Value::Null) => 1,
        Some(n) => n
            .as_u64()
            .filter(|n| (1..=MAX_NICS).contains(n))
            .ok_or_else(|| bad_value("number-of-nics", Some(n)))?,
    };
    let nics = array_field(item, "nics")?
        .map(|a| {
            a.iter()
                .map(|n| object_item("nics", n).cloned())
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    if nics.len() as u64 > count {
        return Err(invalid(format!(
            "'nics' has {} items, more than 'number-of-nics' ({count})",
            nics.len()
        )));
    }
    Ok(Connection {
        partition,
        count,
        nics,
    })
}

/// Adds `c.count` endpoints of a HiperSockets or SMC-D link in a partition
/// (to its bus connection, made if new) and attaches the partition.
fn attach_network(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    c: &Connection,
) -> Result<(), HmcError> {
    let mut endpoints = Vec::new();
    for i in 0..c.count {
        let spec = c.nics.get(i as usize).cloned().unwrap_or_default();
        endpoints.push(match kind {
            LinkType::HiperSockets => add_hipersockets_nic(tx, link, &c.partition, &spec)?,
            _ => add_smcd_endpoint(tx, link, &c.partition, &spec)?,
        });
    }
    let part_uri = c.partition.uri.as_str();
    let mut conns = take_bus_connections(link);
    match conns
        .iter_mut()
        .find(|b| b.get("partition-uri").and_then(Value::as_str) == Some(part_uri))
    {
        Some(Value::Object(b)) => match b.get_mut("nics") {
            Some(Value::Array(nics)) => nics.extend(endpoints),
            _ => {
                b.insert("nics".into(), Value::Array(endpoints));
            }
        },
        _ => conns.push(json!({
            "partition-uri": part_uri,
            "partition-name": c.partition.name(),
            "nics": endpoints,
        })),
    }
    link.props
        .insert("bus-connections".into(), Value::Array(conns));
    append_reference(tx, part_uri, LINKS, &link.uri)
}

/// Whether an endpoint is the one a removal item names (by `nic-uri`,
/// first device number or `fid`).
fn selects(selector: &Map<String, Value>, endpoint: &Value) -> bool {
    if let Some(uri) = selector.get("nic-uri") {
        return endpoint.get("nic-uri") == Some(uri);
    }
    if let Some(Value::Array(d)) = selector.get("device-numbers")
        && let Some(first) = d.first().and_then(Value::as_str)
    {
        return endpoint
            .get("device-numbers")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case(first));
    }
    if let Some(fid) = selector.get("fid") {
        return endpoint.get("fid") == Some(fid);
    }
    false
}

/// Removes endpoints of a HiperSockets or SMC-D link in partition
/// `part_uri`: those `selectors` name (400.7 for one naming none), or all.
/// A partition left without endpoints is detached.
fn detach_network(
    tx: &Tx<'_>,
    link: &mut Resource,
    part_uri: &str,
    selectors: Option<&[Value]>,
) -> Result<(), HmcError> {
    let mut conns = take_bus_connections(link);
    let index = conns
        .iter()
        .position(|b| b.get("partition-uri").and_then(Value::as_str) == Some(part_uri));
    let Some(index) = index else {
        link.props
            .insert("bus-connections".into(), Value::Array(conns));
        return remove_reference(tx, part_uri, LINKS, &link.uri);
    };
    let endpoints: Vec<Value> = conns[index]
        .get("nics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (gone, kept): (Vec<Value>, Vec<Value>) = match selectors {
        None => (endpoints, Vec::new()),
        Some(sel) => {
            let sel = sel
                .iter()
                .map(|s| object_item("nics", s))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(unmatched) = sel
                .iter()
                .find(|s| !endpoints.iter().any(|e| selects(s, e)))
            {
                return Err(invalid(format!(
                    "No endpoint of partition {part_uri} matches {}",
                    Value::Object((*unmatched).clone())
                )));
            }
            endpoints
                .into_iter()
                .partition(|e| sel.iter().any(|s| selects(s, e)))
        }
    };
    let detached = kept.is_empty();
    if detached {
        conns.remove(index);
    } else if let Some(b) = conns[index].as_object_mut() {
        b.insert("nics".into(), Value::Array(kept));
    }
    link.props
        .insert("bus-connections".into(), Value::Array(conns));
    for e in &gone {
        release_endpoint(tx, link, part_uri, e)?;
    }
    if detached {
        remove_reference(tx, part_uri, LINKS, &link.uri)?;
    }
    Ok(())
}

/// `devices-per-path` of a CTC link.
fn devices_per_path(link: &Resource) -> i64 {
    link.props
        .get("devices-per-path")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_DEVICES_PER_PATH)
}

/// The first device number of a CTC path.
fn path_start(path: &Value) -> i64 {
    path.get("starting-device-number")
        .and_then(|v| parse_devno("starting-device-number", v).ok())
        .unwrap_or(CTC_START_FALLBACK)
}

/// A CTC endpoint of `link` in `p`: `n` consecutive device numbers from
/// `start`, held by the link.
fn ctc_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    p: &Resource,
    start: i64,
    n: i64,
) -> Result<Value, HmcError> {
    let base = allocate_run(tx, &devno_pool(&p.uri), start..=DEVNO_MAX, n, &link.uri)?;
    let devnos: Vec<String> = (0..n).map(|k| hex(base + k)).collect();
    Ok(json!({
        "partition-uri": p.uri,
        "partition-name": p.name(),
        "device-numbers": devnos,
    }))
}

/// The CTC devices of `path` between `new` and each of `peers`.
fn ctc_devices(
    tx: &Tx<'_>,
    link: &Resource,
    path: &Value,
    peers: &[Resource],
    new: &Resource,
) -> Result<Vec<Value>, HmcError> {
    let start = path_start(path);
    let n = devices_per_path(link);
    let mut devices = Vec::new();
    for q in peers {
        let a = ctc_endpoint(tx, link, q, start, n)?;
        let b = ctc_endpoint(tx, link, new, start, n)?;
        devices.push(json!({"endpoint-pair": [a, b]}));
    }
    Ok(devices)
}

/// The link's `paths` as a mutable list.
fn paths_mut(link: &mut Resource) -> Vec<Value> {
    link.props
        .get("paths")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Appends `devices` to the `devices` of `path`.
fn extend_devices(path: &mut Value, devices: Vec<Value>) {
    if let Some(p) = path.as_object_mut() {
        match p.get_mut("devices") {
            Some(Value::Array(d)) => d.extend(devices),
            _ => {
                p.insert("devices".into(), Value::Array(devices));
            }
        }
    }
}

/// Attaches `part` to a CTC link: a device on every path to every partition
/// already attached.
fn attach_ctc(tx: &Tx<'_>, link: &mut Resource, part: &Resource) -> Result<(), HmcError> {
    let peers: Vec<Resource> = attached(tx, link)?
        .into_iter()
        .filter(|p| p.uri != part.uri)
        .collect();
    let mut paths = paths_mut(link);
    for path in &mut paths {
        let devices = ctc_devices(tx, link, path, &peers, part)?;
        extend_devices(path, devices);
    }
    link.props.insert("paths".into(), Value::Array(paths));
    append_reference(tx, &part.uri, LINKS, &link.uri)
}

/// Releases the device numbers of the CTC `devices`.
fn release_devices(tx: &Tx<'_>, link: &Resource, devices: &[Value]) -> Result<(), HmcError> {
    for d in devices {
        for e in d
            .get("endpoint-pair")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let part = e.get("partition-uri").and_then(Value::as_str).unwrap_or("");
            release_endpoint(tx, link, part, e)?;
        }
    }
    Ok(())
}

/// Detaches `part_uri` from a CTC link: its devices on every path go.
fn detach_ctc(tx: &Tx<'_>, link: &mut Resource, part_uri: &str) -> Result<(), HmcError> {
    let mut paths = paths_mut(link);
    let mut gone = Vec::new();
    for path in &mut paths {
        if let Some(Value::Array(devices)) = path.get_mut("devices") {
            let (drop, keep): (Vec<Value>, Vec<Value>) =
                devices.drain(..).partition(|d| involves(d, part_uri));
            *devices = keep;
            gone.extend(drop);
        }
    }
    link.props.insert("paths".into(), Value::Array(paths));
    release_devices(tx, link, &gone)?;
    remove_reference(tx, part_uri, LINKS, &link.uri)
}

/// Whether a CTC device has an endpoint in `part_uri`.
fn involves(device: &Value, part_uri: &str) -> bool {
    device
        .get("endpoint-pair")
        .and_then(Value::as_array)
        .is_some_and(|pair| {
            pair.iter()
                .any(|e| e.get("partition-uri").and_then(Value::as_str) == Some(part_uri))
        })
}

/// Attaches a partition with the link's default endpoints (one NIC for
/// HiperSockets and SMC-D); 409.0 if it is attached already.
fn attach_partition(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    part: &Resource,
) -> Result<(), HmcError> {
    if holds(part, &link.uri) {
        return Err(HmcError::conflict(
            0,
            format!(
                "Partition '{}' is already attached to partition link '{}'",
                part.name(),
                link.name()
            ),
        ));
    }
    match kind {
        LinkType::Ctc => attach_ctc(tx, link, part),
        _ => {
            let c = Connection {
                partition: part.clone(),
                count: 1,
                nics: Vec::new(),
            };
            attach_network(tx, link, kind, &c)
        }
    }
}

/// Detaches a partition with all its endpoints; 409.0 if it is not attached.
fn detach_partition(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    part: &Resource,
) -> Result<(), HmcError> {
    require_attached(link, part)?;
    match kind {
        LinkType::Ctc => detach_ctc(tx, link, &part.uri),
        _ => detach_network(tx, link, &part.uri, None),
    }
}

/// 409.0 unless `part` is attached to `link`.
fn require_attached(link: &Resource, part: &Resource) -> Result<(), HmcError> {
    if holds(part, &link.uri) {
        return Ok(());
    }
    Err(HmcError::conflict(
        0,
        format!(
            "Partition '{}' is not attached to partition link '{}'",
            part.name(),
            link.name()
        ),
    ))
}

/// `{"adapter-uri", "adapter-name"}` of a path end given as an adapter or
/// storage port URI: 404.6 malformed or unknown port, 404.2 unknown adapter,
/// 400.7 adapter of another CPC.
fn port_info(tx: &Tx<'_>, cpc: &Resource, uri: &str) -> Result<Value, HmcError> {
    let Some(caps) = ADAPTER_PORT_URI
        .as_ref()
        .map_err(|_| HmcError::internal())?
        .captures(uri)
    else {
        return Err(HmcError::referenced_not_found(6, uri));
    };
    let adapter_uri = &caps[1];
    let adapter = match tx.resource(adapter_uri)? {
        Some(a) if a.class == "adapter" => a,
        _ => return Err(HmcError::referenced_not_found(2, adapter_uri)),
    };
    if uri != adapter_uri && !tx.resource_exists(uri)? {
        return Err(HmcError::referenced_not_found(6, uri));
    }
    if adapter.parent.as_deref() != Some(cpc.uri.as_str()) {
        return Err(invalid(format!(
            "Adapter '{}' is not in CPC '{}' of the partition link",
            adapter.name(),
            cpc.name()
        )));
    }
    Ok(json!({"adapter-uri": adapter.uri, "adapter-name": adapter.name()}))
}

/// A CTC path from its input (`adapter-port-uri`,
/// `connecting-adapter-port-uri`, optional `starting-device-number`), with
/// no devices yet.
fn build_path(tx: &Tx<'_>, cpc: &Resource, v: &Value) -> Result<Value, HmcError> {
    let input = object_item("paths", v)?;
    require_fields(input, &["adapter-port-uri", "connecting-adapter-port-uri"])?;
    let mut path = Map::new();
    for (field, info) in [
        ("adapter-port-uri", "adapter-port-info"),
        (
            "connecting-adapter-port-uri",
            "connecting-adapter-port-info",
        ),
    ] {
        let value = input.get(field);
        let uri = value
            .and_then(Value::as_str)
            .ok_or_else(|| bad_value(field, value))?;
        path.insert(field.into(), json!(uri));
        path.insert(info.into(), port_info(tx, cpc, uri)?);
    }
    let start = match input.get("starting-device-number") {
        None | Some(Value::Null) => DEFAULT_CTC_START.to_string(),
        Some(v) => hex(parse_devno("starting-device-number", v)?),
    };
    path.insert("starting-device-number".into(), json!(start));
    path.insert("devices".into(), json!([]));
    Ok(Value::Object(path))
}

/// Whether two paths join the same adapter ports.
fn same_path(a: &Value, b: &Value) -> bool {
    a.get("adapter-port-uri") == b.get("adapter-port-uri")
        && a.get("connecting-adapter-port-uri") == b.get("connecting-adapter-port-uri")
}

/// Adds CTC paths, with devices between every pair of attached partitions;
/// 400.7 for a path the link has already.
fn add_paths(
    tx: &Tx<'_>,
    link: &mut Resource,
    cpc: &Resource,
    inputs: &[Value],
) -> Result<(), HmcError> {
    let parts = attached(tx, link)?;
    let mut paths = paths_mut(link);
    for input in inputs {
        let mut path = build_path(tx, cpc, input)?;
        if paths.iter().any(|p| same_path(p, &path)) {
            return Err(invalid(format!(
                "The partition link already has the path {input}"
            )));
        }
        for (i, new) in parts.iter().enumerate() {
            let devices = ctc_devices(tx, link, &path, &parts[..i], new)?;
            extend_devices(&mut path, devices);
        }
        paths.push(path);
    }
    link.props.insert("paths".into(), Value::Array(paths));
    Ok(())
}

/// Removes CTC paths (named by their two port URIs) with their devices;
/// 400.7 for a path the link does not have.
fn remove_paths(tx: &Tx<'_>, link: &mut Resource, inputs: &[Value]) -> Result<(), HmcError> {
    let mut paths = paths_mut(link);
    for input in inputs {
        object_item("removed-paths", input)?;
        let Some(index) = paths.iter().position(|p| same_path(p, input)) else {
            return Err(invalid(format!("The partition link has no path {input}")));
        };
        let path = paths.remove(index);
        let devices = path
            .get("devices")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        release_devices(tx, link, &devices)?;
    }
    link.props.insert("paths".into(), Value::Array(paths));
    Ok(())
}

/// One item of a job's `operation-results`.
fn result(part_uri: &str, status: &str) -> Value {
    json!({"partition-uri": part_uri, "operation-status": status})
}

/// Sets `state` from the attachments (complete: two or more partitions)
/// and stores the link.
fn finish(tx: &Tx<'_>, link: &mut Resource) -> Result<(), HmcError> {
    let count = attached(tx, link)?.len();
    let state = if count >= 2 { "complete" } else { "incomplete" };
    link.props.insert("state".into(), json!(state));
    tx.save_properties(&link.uri, &link.props)?;
    Ok(())
}

/// The type-specific properties of a new link, from the body and defaults.
fn type_properties(
    tx: &Tx<'_>,
    cpc: &Resource,
    kind: LinkType,
    body: &Map<String, Value>,
    props: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    match kind {
        LinkType::HiperSockets => {
            let start = match body.get("starting-device-number") {
                None | Some(Value::Null) => DEFAULT_HS_START.to_string(),
                Some(v) => hex(parse_devno("starting-device-number", v)?),
            };
            let mtu = match body.get("maximum-transmission-unit-size") {
                None | Some(Value::Null) => DEFAULT_MTU,
                Some(v) => v
                    .as_i64()
                    .filter(|m| MTU_SIZES.contains(m))
                    .ok_or_else(|| bad_value("maximum-transmission-unit-size", Some(v)))?,
            };
            props.insert("starting-device-number".into(), json!(start));
            props.insert("maximum-transmission-unit-size".into(), json!(mtu));
            props.insert("bus-connections".into(), json!([]));
        }
        LinkType::SmcD => {
            let fid = match body.get("starting-fid") {
                None | Some(Value::Null) => DEFAULT_STARTING_FID,
                Some(v) => int_in("starting-fid", v, 0..=FID_MAX)?,
            };
            props.insert("starting-fid".into(), json!(fid));
            props.insert("bus-connections".into(), json!([]));
        }
        LinkType::Ctc => {
            let per_path = match body.get("devices-per-path") {
                None | Some(Value::Null) => DEFAULT_DEVICES_PER_PATH,
                Some(v) => int_in("devices-per-path", v, 1..=MAX_DEVICES_PER_PATH)?,
            };
            require_fields(body, &["paths"])?;
            let inputs = array_field(body, "paths")?.filter(|p| !p.is_empty());
            let Some(inputs) = inputs else {
                return Err(bad_value("paths", body.get("paths")));
            };
            let mut paths: Vec<Value> = Vec::new();
            for input in inputs {
                let path = build_path(tx, cpc, input)?;
                if paths.iter().any(|p| same_path(p, &path)) {
                    return Err(invalid(format!("Duplicate path {input}")));
                }
                paths.push(path);
            }
            props.insert("devices-per-path".into(), json!(per_path));
            props.insert("paths".into(), Value::Array(paths));
        }
    }
    Ok(())
}

/// Operation: Create Partition Link (asynchronous). The new link's URI is
/// only in the `Location` header, which zhmcclient reads as `location-uri`.
fn create(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    ctx.query()?.check_allowed(&[])?;
    let Some(console) = ctx.tx.resource(CONSOLE.element)? else {
        return Err(HmcError::not_found(ctx.req.path()));
    };
    let body = ctx.req.json_object()?;
    require_fields(&body, &["name", "type", "cpc-uri"])?;
    let kind = LinkType::parse(body.get("type"))?;
    if let Some(k) = body
        .keys()
        .find(|k| !COMMON_INPUTS.contains(&k.as_str()) && !kind.inputs().contains(&k.as_str()))
    {
        return Err(HmcError::not_input(k));
    }
    let cpc = target_cpc(ctx, body.get("cpc-uri"))?;
    let name = name_value(&body["name"])?;
    let description = match body.get("description") {
        None => json!(""),
        Some(Value::String(s)) => json!(s),
        Some(other) => return Err(bad_value("description", Some(other))),
    };
    let mut props = Map::new();
    props.insert("name".into(), json!(name));
    props.insert("description".into(), description);
    props.insert("type".into(), body["type"].clone());
    props.insert("cpc-uri".into(), json!(cpc.uri));
    props.insert("cpc-name".into(), json!(cpc.name()));
    props.insert("state".into(), json!("incomplete"));
    type_properties(ctx.tx, &cpc, kind, &body, &mut props)?;
    let mut link = add_resource(ctx.tx, &PARTITION_LINK, Some(&console), props)?;
    let mut results = Vec::new();
    for v in array_field(&body, "partitions")?.into_iter().flatten() {
        let part = partition_of(ctx.tx, &cpc, "partitions", Some(v))?;
        attach_partition(ctx.tx, &mut link, kind, &part)?;
        results.push(result(&part.uri, "attached"));
    }
    for v in array_field(&body, "bus-connections")?.into_iter().flatten() {
        let c = parse_connection(ctx.tx, &cpc, "bus-connections", v)?;
        attach_network(ctx.tx, &mut link, kind, &c)?;
        results.push(result(&c.partition.uri, "attached"));
    }
    finish(ctx.tx, &mut link)?;
    let job = ctx.job(
        "Create Partition Link",
        &link.uri,
        Some(json!({"operation-results": results})),
    )?;
    Ok(job.with_header("Location", &link.uri))
}

/// The partitions a URI-list field of Modify names.
fn partitions_in(
    tx: &Tx<'_>,
    cpc: &Resource,
    body: &Map<String, Value>,
    field: &str,
) -> Result<Vec<Resource>, HmcError> {
    array_field(body, field)?
        .into_iter()
        .flatten()
        .map(|v| partition_of(tx, cpc, field, Some(v)))
        .collect()
}

/// Name and description changes of Modify (400.8 for a name in use).
fn modify_basics(
    tx: &Tx<'_>,
    link: &mut Resource,
    body: &Map<String, Value>,
) -> Result<(), HmcError> {
    if let Some(v) = body.get("name") {
        let name = name_value(v)?;
        check_unique_name(
            tx,
            &PARTITION_LINK,
            link.parent.as_deref(),
            name,
            Some(&link.uri),
        )?;
        link.props.insert("name".into(), json!(name));
    }
    if let Some(v) = body.get("description") {
        if !v.is_string() {
            return Err(bad_value("description", Some(v)));
        }
        link.props.insert("description".into(), v.clone());
    }
    Ok(())
}

/// Modify's removals: partitions, connections (endpoints) and paths.
fn modify_removals(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    cpc: &Resource,
    body: &Map<String, Value>,
    results: &mut Vec<Value>,
) -> Result<(), HmcError> {
    for part in partitions_in(tx, cpc, body, "removed-partition-uris")? {
        // Re-read: an earlier item may have detached it.
        let part = tx.resource(&part.uri)?.unwrap_or(part);
        detach_partition(tx, link, kind, &part)?;
        results.push(result(&part.uri, "detached"));
    }
    for v in array_field(body, "removed-connections")?
        .into_iter()
        .flatten()
    {
        let item = object_item("removed-connections", v)?;
        require_fields(item, &["partition-uri"])?;
        let part = partition_of(tx, cpc, "partition-uri", item.get("partition-uri"))?;
        require_attached(link, &part)?;
        let selectors = array_field(item, "nics")?.map(Vec::as_slice);
        detach_network(tx, link, &part.uri, selectors)?;
        results.push(result(&part.uri, "detached"));
    }
    if let Some(paths) = array_field(body, "removed-paths")? {
        remove_paths(tx, link, paths)?;
    }
    Ok(())
}

/// Modify's additions: paths, partitions and connections (endpoints).
fn modify_additions(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    cpc: &Resource,
    body: &Map<String, Value>,
    results: &mut Vec<Value>,
) -> Result<(), HmcError> {
    if let Some(paths) = array_field(body, "added-paths")? {
        add_paths(tx, link, cpc, paths)?;
    }
    for part in partitions_in(tx, cpc, body, "added-partition-uris")? {
        // Re-read: an earlier item may have attached it.
        let part = tx.resource(&part.uri)?.unwrap_or(part);
        attach_partition(tx, link, kind, &part)?;
        results.push(result(&part.uri, "attached"));
    }
    for v in array_field(body, "added-connections")?
        .into_iter()
        .flatten()
    {
        let c = parse_connection(tx, cpc, "added-connections", v)?;
        attach_network(tx, link, kind, &c)?;
        results.push(result(&c.partition.uri, "attached"));
    }
    Ok(())
}

/// Operation: Modify Partition Link (asynchronous). Removals run before
/// additions, so one request can move endpoints. The job's result lists
/// each partition touched with `operation-status` `attached`/`detached`.
fn modify(ctx: &mut Ctx<'_>, target: &Resource) -> Result<Response, HmcError> {
    let body = ctx.req.json_object()?;
    if let Some(k) = body.keys().find(|k| !MODIFY_FIELDS.contains(&k.as_str())) {
        return Err(HmcError::not_writable(k));
    }
    let kind = LinkType::of(target)?;
    if let Some(k) = body.keys().find(|k| kind.rejects(k)) {
        return Err(invalid(format!(
            "Field '{k}' is not valid for a partition link of type {}",
            target.str_prop("type").unwrap_or("")
        )));
    }
    let cpc = link_cpc(ctx, target)?;
    let mut link = target.clone();
    modify_basics(ctx.tx, &mut link, &body)?;
    let mut results = Vec::new();
    modify_removals(ctx.tx, &mut link, kind, &cpc, &body, &mut results)?;
    modify_additions(ctx.tx, &mut link, kind, &cpc, &body, &mut results)?;
    finish(ctx.tx, &mut link)?;
    ctx.job(
        "Modify Partition Link",
        &link.uri,
        Some(json!({"operation-results": results})),
    )
}

/// Delete's `force-detach` (optional body; 400.7 if not a boolean).
fn force_detach(ctx: &Ctx<'_>) -> Result<bool, HmcError> {
    if ctx.req.json()?.is_none() {
        return Ok(false);
    }
    let body = ctx.req.json_object()?;
    if let Some(k) = body.keys().find(|k| *k != "force-detach") {
        return Err(HmcError::not_writable(k));
    }
    match body.get("force-detach") {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad_value("force-detach", Some(other))),
    }
}

/// Operation: Delete Partition Link (asynchronous): 409.100 while attached
/// to partitions that are not stopped, unless `force-detach`. Detaches every
/// partition (deleting its endpoints) before the link goes.
fn delete(ctx: &mut Ctx<'_>, target: &Resource) -> Result<Response, HmcError> {
    let force = force_detach(ctx)?;
    let kind = LinkType::of(target)?;
    link_cpc(ctx, target)?;
    let parts = attached(ctx.tx, target)?;
    let active: Vec<&str> = parts
        .iter()
        .filter(|p| p.str_prop("status").is_some_and(|s| s != "stopped"))
        .map(Resource::name)
        .collect();
    if !active.is_empty() && !force {
        return Err(HmcError::conflict(
            100,
            format!(
                "Partition link '{}' is attached to active partitions: {}",
                target.name(),
                active.join(", ")
            ),
        ));
    }
    let mut link = target.clone();
    for p in &parts {
        detach_partition(ctx.tx, &mut link, kind, p)?;
    }
    ctx.tx.delete_resource(&link.uri)?;
    // An empty object, not no result: zhmcclient looks into the result of a
    // job whose 202 carried a `Location` header.
    ctx.job("Delete Partition Link", &link.uri, Some(json!({})))
}

/// The numbers an endpoint record shows, held by `link` in `part_uri`'s
/// pools (a loaded definition file has endpoints but no allocations yet).
fn reserve_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part_uri: &str,
    endpoint: &Value,
) -> Result<(), HmcError> {
    let pool = devno_pool(part_uri);
    for d in endpoint
        .get("device-numbers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Ok(n) = parse_devno("device-numbers", d) {
            tx.reserve(&pool, n, &link.uri)?;
        }
    }
    if let Some(fid) = endpoint.get("fid").and_then(Value::as_i64) {
        tx.reserve(
            &fid_pool(link.str_prop("cpc-uri").unwrap_or("")),
            fid,
            &link.uri,
        )?;
    }
    Ok(())
}

/// A link that comes with endpoints (from a definition file) holds their
/// device numbers and FIDs, so new endpoints never reuse them. A new link
/// from Create has none yet.
fn on_add_link(tx: &Tx<'_>, _parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    let conns = r.props.get("bus-connections").and_then(Value::as_array);
    for c in conns.into_iter().flatten() {
        let part = c.get("partition-uri").and_then(Value::as_str).unwrap_or("");
        for e in c
            .get("nics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            reserve_endpoint(tx, r, part, e)?;
        }
    }
    let paths = r.props.get("paths").and_then(Value::as_array);
    let devices = paths
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("devices").and_then(Value::as_array))
        .flatten();
    for d in devices {
        for e in d
            .get("endpoint-pair")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let part = e.get("partition-uri").and_then(Value::as_str).unwrap_or("");
            reserve_endpoint(tx, r, part, e)?;
        }
    }
    Ok(())
}

/// Operations: List Partition Links, Get Partition Link Properties, Delete
/// and Modify Partition Link (Create is `CREATE_PARTITION_LINK`: its answer
/// is a job, not the 201 of the generic Create).
pub static PARTITION_LINK: ResourceType = ResourceType {
    class: "partition-link",
    def_key: "partition_links",
    parent: Some(&CONSOLE),
    element: "/api/partition-links/{id}",
    param: "partition-link-id",
    collection: Some("/api/partition-links"),
    list: Some(ListSpec {
        key: "partition-links",
        props: &["object-uri", "cpc-uri", "name", "state", "type"],
        filters: &["cpc-uri", "name", "state", "type"],
        additional: true,
        mode: Mode::Any,
        sparse: false,
    }),
    get: Some(&["properties"]),
    defaults: &[("description", "\"\"")],
    on_add: Some(on_add_link),
    unique_names: true,
    operations: &[
        Operation {
            title: "Delete Partition Link",
            method: Method::Post,
            path: "/operations/delete",
            query: None,
            run: delete,
        },
        Operation {
            title: "Modify Partition Link",
            method: Method::Post,
            path: "/operations/modify",
            query: None,
            run: modify,
        },
    ],
    ..BASE
};

/// Operation: Create Partition Link, on the collection URI.
pub const CREATE_PARTITION_LINK: Service = Service {
    title: "Create Partition Link",
    method: Method::Post,
    pattern: "/api/partition-links",
    query: None,
    auth: true,
    handler: "PartitionLinksHandler",
    run: create,
};

#[cfg(test)]
mod tests {
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
    fn removal_selectors_match_by_nic_uri_device_number_or_fid() {
        let hs = json!({"nic-uri": "/api/partitions/p/nics/n", "device-numbers": ["7400", "7401", "7402"]});
        let smcd = json!({"device-numbers": ["8000"], "fid": 4096});
        let by_uri = json!({"nic-uri": "/api/partitions/p/nics/n"});
        let by_devno = json!({"device-numbers": ["8000"]});
        let by_fid = json!({"fid": 4096});
        let sel = |v: &Value| v.as_object().unwrap().clone();
        assert!(selects(&sel(&by_uri), &hs));
        assert!(!selects(&sel(&by_uri), &smcd));
        assert!(selects(&sel(&by_devno), &smcd));
        assert!(!selects(&sel(&by_devno), &hs));
        assert!(selects(&sel(&by_fid), &smcd));
        assert!(!selects(&sel(&json!({})), &smcd));
    }

    #[test]
    fn mac_addresses_are_locally_administered() {
        let mac = mac_address(&uuid::Uuid::nil());
        assert_eq!(mac, "02:00:00:00:00:00");
    }

    #[test]
    fn only_the_family_of_a_field_accepts_it() {
        assert!(LinkType::Ctc.rejects("added-connections"));
        assert!(!LinkType::Ctc.rejects("added-paths"));
        assert!(LinkType::SmcD.rejects("removed-paths"));
        assert!(!LinkType::HiperSockets.rejects("added-connections"));
    }
}
