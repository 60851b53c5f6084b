//! NICs of partitions: Create NIC (backed by a network port or a virtual
//! switch), Get/Update/Delete NIC. Each NIC takes a device number from its
//! partition's pool.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::port::{PortKind, require_port};
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, GetSpec, OnUpdate, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::referenced;
use crate::resources::framework::generic::append_reference;
use crate::resources::framework::preconditions::{CHANGEABLE, PARENT_CHANGEABLE};
use crate::resources::partition::PARTITION;
use crate::resources::partition::device_numbers::device_number_updated;
use crate::resources::partition::device_numbers::take_device_number;
use crate::resources::virtual_switch::VIRTUAL_SWITCH;
use crate::store::{Resource, Tx};

/// Create NIC: the backing network port (404.6 malformed or missing, 404.2
/// missing adapter) must exist; a port or a virtual switch is required
/// (400.5). The virtual switch is checked in `on_add`, which definition
/// loading runs too.
fn prepare_nic(ctx: &Ctx<'_>, p: &Resource, body: &mut Map<String, Value>) -> Result<(), HmcError> {
    if let Some(port) = body
        .get("network-adapter-port-uri")
        .filter(|v| v.is_string())
    {
        require_port(ctx.tx, PortKind::Network, port)?;
    } else if !body.get("virtual-switch-uri").is_some_and(Value::is_string) {
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

/// A NIC's virtual switch must exist (404.2); the NIC takes a device number
/// and joins the switch's `connected-vnic-uris`.
fn on_add_nic(tx: &Tx<'_>, parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    let vswitch = r.str_prop("virtual-switch-uri").map(str::to_string);
    if let Some(vs) = &vswitch {
        referenced(tx, &VIRTUAL_SWITCH, vs)?;
    }
    take_device_number(tx, parent, r)?;
    if let Some(vs) = &vswitch {
        append_reference(tx, vs, "connected-vnic-uris", &r.uri)?;
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
        prepare: Some(prepare_nic),
        needs: CHANGEABLE,
        ..CreateSpec::BASE
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
        needs: PARENT_CHANGEABLE,
    }),
    delete: Some(DeleteSpec {
        title: "Delete NIC",
        needs: PARENT_CHANGEABLE,
    }),
    // `vlan-id` and `vlan-type` exist (null) on every NIC: tools read them.
    defaults: &[
        ("type", "\"iqd\""),
        ("ssc-management-nic", "false"),
        ("description", "\"\""),
        ("vlan-id", "null"),
        ("vlan-type", "null"),
    ],
    back_ref: Some("nic-uris"),
    on_add: Some(on_add_nic),
    on_update: Some(OnUpdate {
        watches: &["device-number"],
        run: device_number_updated,
    }),
    unique_names: true,
    get: Some(GetSpec::titled("Get NIC Properties")),
    ..BASE
};
