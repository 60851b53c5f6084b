//! FCP storage discovery, the storage group connection report and volume
//! fulfilment (Fulfill FCP / FICON Storage Volume): the operations that
//! connect storage groups' volumes to the storage they stand for.
//!
//! The WS API book's exact reason codes and report layout were not at hand;
//! where noted, the codes and fields follow zhmcclient's docstrings and are
//! chosen as a real HMC plausibly answers (README "Known deviations").

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::port::STORAGE_PORT;
use crate::resources::framework::descriptor::Mode;
use crate::resources::framework::descriptor::{Check, Done, Needs};
use crate::resources::framework::fields::{optional_body, referenced, required, uri_value};
use crate::resources::framework::generic::{parent_of, set_properties};
use crate::resources::storage_group::{STORAGE_GROUP, STORAGE_VOLUME};
use crate::store::Resource;

/// 409.487 (chosen): the operation needs a storage group of another type.
const WRONG_TYPE: i64 = 487;

fn check_type(group: &Resource, wanted: &str, what: &str) -> Result<(), HmcError> {
    if group.str_prop("type") == Some(wanted) {
        return Ok(());
    }
    Err(HmcError::conflict(
        WRONG_TYPE,
        format!(
            "{what} needs a storage group of type '{wanted}'; {} is of type '{}'",
            group.name(),
            group.str_prop("type").unwrap_or("")
        ),
    ))
}

fn fcp_group(_ctx: &Ctx<'_>, group: &Resource) -> Result<(), HmcError> {
    check_type(group, "fcp", "FCP storage discovery")
}

fn fcp_volume(ctx: &Ctx<'_>, volume: &Resource) -> Result<(), HmcError> {
    check_type(
        &parent_of(ctx, volume)?,
        "fcp",
        "Fulfill FCP Storage Volume",
    )
}

fn ficon_volume(ctx: &Ctx<'_>, volume: &Resource) -> Result<(), HmcError> {
    check_type(
        &parent_of(ctx, volume)?,
        "fc",
        "Fulfill FICON Storage Volume",
    )
}

/// Start FCP Storage Discovery needs an FCP group (409.487).
pub(super) const FCP_GROUP: Needs = Needs {
    checks: &[Check::Rule(fcp_group)],
    ..Needs::NONE
};

/// Fulfill FCP Storage Volume: its three fields (400.5), an FCP group.
pub(super) const FCP_VOLUME: Needs = Needs {
    checks: &[
        Check::Fields(&[
            "world-wide-port-name",
            "logical-unit-number",
            "adapter-port-uri",
        ]),
        Check::Rule(fcp_volume),
    ],
    ..Needs::NONE
};

/// Fulfill FICON Storage Volume: its two fields (400.5), an FC group.
pub(super) const FICON_VOLUME: Needs = Needs {
    checks: &[
        Check::Fields(&["control-unit-uri", "unit-address"]),
        Check::Rule(ficon_volume),
    ],
    ..Needs::NONE
};

/// A hexadecimal field of exactly `digits` lower-case digits (the form
/// zhmcclient sends); 400.7 otherwise.
fn hex_field(body: &Map<String, Value>, field: &str, digits: usize) -> Result<String, HmcError> {
    let value = required(body, field)?;
    match value.as_str() {
        Some(s)
            if s.len() == digits
                && s.chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) =>
        {
            Ok(s.to_string())
        }
        _ => Err(HmcError::invalid_field(field, value)),
    }
}

/// When every volume of the volume's group is complete, so is the group.
fn complete_group_if_done(ctx: &Ctx<'_>, volume: &Resource) -> Result<(), HmcError> {
    let mut group = parent_of(ctx, volume)?;
    let volumes = ctx.tx.children(&group.uri, STORAGE_VOLUME.class)?;
    let done = volumes
        .iter()
        .all(|v| v.str_prop("fulfillment-state") == Some("complete"));
    if done && group.str_prop("fulfillment-state") != Some("complete") {
        set_properties(
            ctx.tx,
            &mut group,
            [("fulfillment-state", json!("complete"))],
        )?;
    }
    Ok(())
}

/// Operation: Fulfill FCP Storage Volume. The WWPN and LUN (16 lower-case
/// hex digits each, 400.7) and the host storage port (404.2 when no such
/// port) become the volume's one path, and the volume is `complete`.
pub(super) fn fulfill_fcp(ctx: &mut Ctx<'_>, volume: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let wwpn = hex_field(&body, "world-wide-port-name", 16)?;
    let lun = hex_field(&body, "logical-unit-number", 16)?;
    let port_uri = uri_value("adapter-port-uri", body.get("adapter-port-uri"))?;
    let port = referenced(ctx.tx, &STORAGE_PORT, port_uri)?;
    let path = json!({
        "adapter-port-uri": port.uri,
        "target-world-wide-port-name": wwpn,
        "logical-unit-number": lun,
    });
    set_properties(
        ctx.tx,
        volume,
        [
            ("fulfillment-state", json!("complete")),
            ("paths", json!([path])),
        ],
    )?;
    complete_group_if_done(ctx, volume)?;
    Ok(Done::Nothing)
}

/// Operation: Fulfill FICON Storage Volume. The control unit URI and the
/// unit address (2 lower-case hex digits, 400.7) are stored on the volume,
/// which becomes `complete`. Storage control units are not modelled, so the
/// control unit URI is taken as given.
pub(super) fn fulfill_ficon(ctx: &mut Ctx<'_>, volume: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let control_unit = uri_value("control-unit-uri", body.get("control-unit-uri"))?.to_string();
    let unit_address = hex_field(&body, "unit-address", 2)?;
    set_properties(
        ctx.tx,
        volume,
        [
            ("fulfillment-state", json!("complete")),
            ("control-unit-uri", json!(control_unit)),
            ("unit-address", json!(unit_address)),
        ],
    )?;
    complete_group_if_done(ctx, volume)?;
    Ok(Done::Nothing)
}

/// The target WWPN and LUN a volume is found at: the fulfilled ones, else
/// derived from the volume (its `uuid`'s last 16 hex digits as the LUN,
/// the group's position-independent hash as the WWPN) so that rediscovery
/// finds the same path.
fn discovered_address(group: &Resource, volume: &Resource) -> (String, String) {
    if let Some(path) = volume
        .props
        .get("paths")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        && let (Some(w), Some(l)) = (
            path.get("target-world-wide-port-name")
                .and_then(Value::as_str),
            path.get("logical-unit-number").and_then(Value::as_str),
        )
    {
        return (w.to_string(), l.to_string());
    }
    let hash = |s: &str| {
        s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    };
    let wwpn = format!("500507680{:07x}", hash(&group.uri) & 0x0fff_ffff);
    let uuid: String = volume
        .str_prop("uuid")
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_lowercase();
    let lun = if uuid.len() >= 16 {
        uuid[uuid.len() - 16..].to_string()
    } else {
        format!("{:016x}", hash(&volume.uri))
    };
    (wwpn, lun)
}

/// Operation: Start FCP Storage Discovery (a job). `force-restart` must be
/// a boolean if given (400.7). Each volume's `paths` become one path per
/// candidate adapter port of the group, at the volume's target WWPN and
/// LUN; the group records `last-discovery-time`. Volumes of a group without
/// candidate ports get no paths.
pub(super) fn start_discovery(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    if let Some(v) = body.get("force-restart")
        && !v.is_boolean()
    {
        return Err(HmcError::invalid_field("force-restart", v));
    }
    let ports: Vec<String> = group
        .str_list("candidate-adapter-port-uris")
        .into_iter()
        .map(str::to_string)
        .collect();
    for mut volume in ctx.tx.children(&group.uri, STORAGE_VOLUME.class)? {
        let (wwpn, lun) = discovered_address(group, &volume);
        let paths: Vec<Value> = ports
            .iter()
            .map(|p| {
                json!({
                    "adapter-port-uri": p,
                    "target-world-wide-port-name": wwpn,
                    "logical-unit-number": lun,
                })
            })
            .collect();
        set_properties(ctx.tx, &mut volume, [("paths", json!(paths))])?;
    }
    let now = chrono_millis();
    set_properties(ctx.tx, group, [("last-discovery-time", json!(now))])?;
    Ok(Done::Nothing)
}

/// Milliseconds since the epoch (HMC timestamps).
fn chrono_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Operation: Get Storage Group Connection Report. Built from the group's
/// volumes' discovered paths: one FCP storage subsystem per target WWPN,
/// one storage configuration per candidate adapter port, listing the
/// volumes reached through it; `volumes-configuration-status` is
/// `correct-volumes` when the port reaches every volume of the group and
/// `missing-volumes` otherwise. The attached partitions are named on each
/// configuration.
pub(super) fn connection_report(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let volumes = ctx.tx.children(&group.uri, STORAGE_VOLUME.class)?;
    let partitions: Vec<&str> = group.str_list("attached-partition-uris");
    let mut wwpns: Vec<String> = Vec::new();
    let mut reached: Vec<(String, String, String, String)> = Vec::new();
    for v in &volumes {
        for path in v
            .props
            .get("paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let field = |k: &str| {
                path.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let wwpn = field("target-world-wide-port-name");
            if !wwpns.contains(&wwpn) {
                wwpns.push(wwpn.clone());
            }
            reached.push((
                wwpn,
                field("adapter-port-uri"),
                v.uri.clone(),
                field("logical-unit-number"),
            ));
        }
    }
    let subsystems: Vec<Value> = wwpns
        .iter()
        .map(|wwpn| {
            let configurations: Vec<Value> = group
                .str_list("candidate-adapter-port-uris")
                .into_iter()
                .map(|port| {
                    let found: Vec<Value> = reached
                        .iter()
                        .filter(|(w, p, _, _)| w == wwpn && p == port)
                        .map(|(_, _, v, l)| json!({"storage-volume-uri": v, "logical-unit-number": l}))
                        .collect();
                    let status = if found.len() == volumes.len() {
                        "correct-volumes"
                    } else {
                        "missing-volumes"
                    };
                    json!({
                        "adapter-port-uri": port,
                        "partition-uris": partitions,
                        "volumes": found,
                        "volumes-configuration-status": status,
                    })
                })
                .collect();
            json!({
                "target-world-wide-port-name": wwpn,
                "storage-configurations": configurations,
            })
        })
        .collect();
    Ok(Done::Json(json!({
        "storage-group-uri": group.uri,
        "last-discovery-time": group.props.get("last-discovery-time").cloned().unwrap_or(Value::Null),
        "fcp-storage-subsystems": subsystems,
    })))
}

/// Validate LUN Path: a DPM CPC (409.5) and the four fields (400.5).
pub const LUN_PATH: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[Check::Fields(&[
        "host-world-wide-port-name",
        "adapter-port-uri",
        "target-world-wide-port-name",
        "logical-unit-number",
    ])],
};

/// Operation: Validate LUN Path (on a CPC). The SAN mock-hmc knows is the
/// discovered and fulfilled `paths` of the volumes of the CPC's storage
/// groups: the path is valid (204) when one of them goes through the host
/// port to the target WWPN and LUN; 409.484 when none reaches the target
/// WWPN through that port, 409.485 when the WWPN is reached but not the LUN
/// (the reasons zhmcclient documents). The WWPNs and LUN are 16 lower-case
/// hex digits (400.7); the port must be a storage port of this CPC (404.2).
/// The host WWPN is not matched against HBAs: zoning is not modelled.
pub fn validate_lun_path(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    hex_field(&body, "host-world-wide-port-name", 16)?;
    let wwpn = hex_field(&body, "target-world-wide-port-name", 16)?;
    let lun = hex_field(&body, "logical-unit-number", 16)?;
    let port_uri = uri_value("adapter-port-uri", body.get("adapter-port-uri"))?;
    let port = referenced(ctx.tx, &STORAGE_PORT, port_uri)?;
    let on_cpc = match port.parent.as_deref() {
        Some(adapter) => ctx.tx.resource(adapter)?.and_then(|a| a.parent) == Some(cpc.uri.clone()),
        None => false,
    };
    if !on_cpc {
        return Err(HmcError::referenced_not_found(2, port_uri));
    }
    let mut wwpn_reached = false;
    for group in ctx.tx.resources_of_class(STORAGE_GROUP.class)? {
        if group.str_prop("cpc-uri") != Some(cpc.uri.as_str()) {
            continue;
        }
        for volume in ctx.tx.children(&group.uri, STORAGE_VOLUME.class)? {
            for path in volume
                .props
                .get("paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let is = |k: &str, v: &str| path.get(k).and_then(Value::as_str) == Some(v);
                if !is("adapter-port-uri", &port.uri) || !is("target-world-wide-port-name", &wwpn) {
                    continue;
                }
                if is("logical-unit-number", &lun) {
                    return Ok(Done::Nothing);
                }
                wwpn_reached = true;
            }
        }
    }
    Err(if wwpn_reached {
        HmcError::conflict(
            485,
            format!("Target WWPN {wwpn} is reachable, but LUN {lun} is not"),
        )
    } else {
        HmcError::conflict(
            484,
            format!("Target WWPN {wwpn} cannot be reached through {}", port.uri),
        )
    })
}
