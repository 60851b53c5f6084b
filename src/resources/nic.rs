//! The children of a partition: NICs, HBAs and virtual functions. Each takes
//! a device number from the partition's pool; HBAs also a WWPN.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::descriptor::{BASE, CreateSpec, DeleteSpec, Mode, ResourceType, UpdateSpec};
use super::device_numbers::{assign_device_number, assign_wwpn};
use super::generic::append_reference;
use super::partition::{PARTITION, check_dpm_and_cpc};
use super::preconditions::{Statuses, check_partition_status};
use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::store::{Resource, Tx};

/// The shape of a network port URI; group 1 is its adapter's URI.
static NETWORK_PORT_URI: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"^(/api/adapters/[^/]+)/network-ports/[^/]+$"));

/// Partition statuses in which its NICs, HBAs and VFs cannot change.
const TRANSITIONAL: &[&str] = &["starting", "stopping"];

/// DPM, CPC status and a partition that is not starting or stopping, for
/// the partition `p` itself.
fn check_partition(ctx: &mut Ctx<'_>, p: &Resource) -> Result<(), HmcError> {
    check_dpm_and_cpc(ctx, p)?;
    check_partition_status(ctx, p, Statuses::Not(TRANSITIONAL))
}

/// The same checks for a child `r` of a partition.
fn check_child(ctx: &mut Ctx<'_>, r: &Resource) -> Result<(), HmcError> {
    let Some(p) = r
        .parent
        .as_deref()
        .map(|u| ctx.tx.resource(u))
        .transpose()?
        .flatten()
    else {
        return Err(HmcError::not_found(ctx.req.path()));
    };
    check_partition(ctx, &p)
}

/// Create NIC: the backing network port (404.6 malformed or missing, 404.2
/// missing adapter) or virtual switch (404.2) must exist; one is required.
fn prepare_nic(
    ctx: &mut Ctx<'_>,
    p: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    if let Some(port_uri) = body.get("network-adapter-port-uri").and_then(Value::as_str) {
        let Some(caps) = NETWORK_PORT_URI
            .as_ref()
            .map_err(|_| HmcError::internal())?
            .captures(port_uri)
        else {
            return Err(HmcError::referenced_not_found(6, port_uri));
        };
        let adapter_uri = &caps[1];
        if !ctx.tx.resource_exists(adapter_uri)? {
            return Err(HmcError::referenced_not_found(2, adapter_uri));
        }
        if !ctx.tx.resource_exists(port_uri)? {
            return Err(HmcError::referenced_not_found(6, port_uri));
        }
    } else if let Some(vs_uri) = body.get("virtual-switch-uri").and_then(Value::as_str) {
        match ctx.tx.resource(vs_uri)? {
            Some(vs) if vs.class == "virtual-switch" => {}
            _ => return Err(HmcError::referenced_not_found(2, vs_uri)),
        }
    } else {
        let name = body.get("name").and_then(Value::as_str).unwrap_or("");
        return Err(HmcError::bad_request(
            5,
            format!(
                "The input properties for creating a NIC '{name}' in partition '{}' must specify either the 'network-adapter-port-uri' or the 'virtual-switch-uri' property.",
                p.name()
            ),
        ));
    }
    Ok(())
}

/// A NIC takes a device number and joins its virtual switch's
/// `connected-vnic-uris`.
fn on_add_nic(tx: &Tx<'_>, parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    if let Some(p) = parent {
        assign_device_number(tx, &p.uri, r)?;
    }
    if let Some(vs) = r.str_prop("virtual-switch-uri").map(str::to_string) {
        match tx.resource(&vs)? {
            Some(v) if v.class == "virtual-switch" => {
                append_reference(tx, &vs, "connected-vnic-uris", &r.uri)?;
            }
            _ => return Err(HmcError::referenced_not_found(2, &vs)),
        }
    }
    Ok(())
}

fn on_add_hba(tx: &Tx<'_>, parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    if let Some(p) = parent {
        assign_device_number(tx, &p.uri, r)?;
        assign_wwpn(tx, &p.uri, r)?;
    }
    Ok(())
}

fn on_add_vf(tx: &Tx<'_>, parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    if let Some(p) = parent {
        assign_device_number(tx, &p.uri, r)?;
    }
    Ok(())
}

/// Operations: Create NIC, Get NIC Properties, Update NIC Properties, Delete NIC.
pub static NIC: ResourceType = ResourceType {
    class: "nic",
    def_key: "nics",
    parent: Some(&PARTITION),
    element: "{parent}/nics/{id}",
    param: "nic-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/nics"),
    create: Some(CreateSpec {
        title: "Create NIC",
        required: &["name"],
        mode: Mode::Dpm,
        check: Some(check_partition),
        prepare: Some(prepare_nic),
        after: None,
    }),
    update: Some(UpdateSpec {
        title: "Update NIC Properties",
        writable: Some(&[
            "description",
            "name",
            "device-number",
            "network-adapter-port-uri",
            "ssc-management-nic",
            "ssc-ip-address-type",
            "ssc-ip-address",
            "ssc-mask-prefix",
            "vlan-id",
            "mac-address",
            "vlan-type",
            "function-number",
            "function-range",
        ]),
        check: Some(check_child),
    }),
    delete: Some(DeleteSpec {
        title: "Delete NIC",
        check: Some(check_child),
    }),
    defaults: &[("type", "\"iqd\""), ("ssc-management-nic", "false")],
    back_ref: Some("nic-uris"),
    on_add: Some(on_add_nic),
    unique_names: true,
    ..BASE
};

pub static HBA: ResourceType = ResourceType {
    class: "hba",
    def_key: "hbas",
    parent: Some(&PARTITION),
    element: "{parent}/hbas/{id}",
    param: "hba-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("hba-uris"),
    on_add: Some(on_add_hba),
    ..BASE
};

pub static VIRTUAL_FUNCTION: ResourceType = ResourceType {
    class: "virtual-function",
    def_key: "virtual_functions",
    parent: Some(&PARTITION),
    element: "{parent}/virtual-functions/{id}",
    param: "virtual-function-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("virtual-function-uris"),
    on_add: Some(on_add_vf),
    ..BASE
};
