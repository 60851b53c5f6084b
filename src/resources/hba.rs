//! HBAs of partitions: Create HBA on a storage adapter port, Get/Update/
//! Delete HBA, and Reassign Storage Adapter Port. Each HBA takes a device
//! number and a WWPN from its partition's pools (freed when it goes).

use serde_json::{Map, Value};

use super::descriptor::{BASE, CreateSpec, DeleteSpec, Mode, ResourceType, UpdateSpec};
use super::device_numbers::{assign_wwpn, hba_numbers_updated};
use super::fields::required;
use super::generic::set_properties;
use super::partition::{PARTITION, check_changeable, check_parent_changeable};
use super::partition_ops::post;
use super::port_reference::{PortKind, require_port};
use super::virtual_function::take_device_number;
use crate::api::{HmcError, Response};
use crate::ctx::Ctx;
use crate::store::{Resource, Tx};

const PORT: &str = "adapter-port-uri";

/// Create HBA: the storage port must exist (404.6 malformed or missing,
/// 404.2 missing adapter), checked after the required fields.
fn prepare_hba(
    ctx: &mut Ctx<'_>,
    _partition: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    require_port(ctx.tx, PortKind::Storage, required(body, PORT)?)?;
    Ok(())
}

/// An HBA takes a device number and a WWPN (unless it brings its own).
fn on_add_hba(tx: &Tx<'_>, parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    take_device_number(tx, parent, r)?;
    if let Some(p) = parent {
        assign_wwpn(tx, &p.uri, r)?;
    }
    Ok(())
}

/// Operation: Reassign Storage Adapter Port. Unlike the Python mock, the
/// new port is checked like on Create HBA (404.6 / 404.2), as a real HMC
/// does.
fn reassign_storage_adapter_port(ctx: &mut Ctx<'_>, hba: &Resource) -> Result<Response, HmcError> {
    check_parent_changeable(ctx, hba)?;
    let body = ctx.req.json_object()?;
    let port = require_port(ctx.tx, PortKind::Storage, required(&body, PORT)?)?;
    set_properties(ctx.tx, &mut hba.clone(), [(PORT, Value::String(port))])?;
    Ok(Response::no_content())
}

/// Operations: Create HBA, Get HBA Properties, Update HBA Properties (any
/// property, as in the HMC mock), Delete HBA, Reassign Storage Adapter Port.
pub static HBA: ResourceType = ResourceType {
    class: "hba",
    def_key: "hbas",
    parent: Some(&PARTITION),
    element: "{parent}/hbas/{id}",
    param: "hba-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/hbas"),
    create: Some(CreateSpec {
        title: "Create HBA",
        required: &["name", PORT],
        mode: Mode::Dpm,
        check: Some(check_changeable),
        prepare: Some(prepare_hba),
        after: None,
        body_first: false,
    }),
    update: Some(UpdateSpec {
        title: "Update HBA Properties",
        writable: None,
        check: None,
    }),
    delete: Some(DeleteSpec {
        title: "Delete HBA",
        check: Some(check_parent_changeable),
    }),
    back_ref: Some("hba-uris"),
    on_add: Some(on_add_hba),
    on_update: Some(hba_numbers_updated),
    unique_names: true,
    operations: &[post(
        "Reassign Storage Adapter Port",
        "/operations/reassign-storage-adapter-port",
        reassign_storage_adapter_port,
    )],
    ..BASE
};
