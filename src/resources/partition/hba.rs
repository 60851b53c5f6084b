//! HBAs of partitions: Create HBA on a storage adapter port, Get/Update/
//! Delete HBA, and Reassign Storage Adapter Port. Each HBA takes a device
//! number and a WWPN from its partition's pools (freed when it goes).

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::port::{PortKind, require_port};
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, Done, GetSpec, OnUpdate, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::required;
use crate::resources::framework::generic::set_properties;
use crate::resources::framework::preconditions::{CHANGEABLE, PARENT_CHANGEABLE};
use crate::resources::partition::PARTITION;
use crate::resources::partition::device_numbers::{
    assign_wwpn, hba_numbers_updated, take_device_number,
};
use crate::store::{Resource, Tx};

const PORT: &str = "adapter-port-uri";

/// Create HBA: the storage port must exist (404.6 malformed or missing,
/// 404.2 missing adapter), checked after the required fields.
fn prepare_hba(
    ctx: &Ctx<'_>,
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
fn reassign_storage_adapter_port(ctx: &mut Ctx<'_>, hba: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let port = require_port(ctx.tx, PortKind::Storage, required(&body, PORT)?)?;
    set_properties(ctx.tx, hba, [(PORT, Value::String(port))])?;
    Ok(Done::Nothing)
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
        prepare: Some(prepare_hba),
        needs: CHANGEABLE,
        ..CreateSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update HBA Properties")),
    delete: Some(DeleteSpec {
        title: "Delete HBA",
        needs: PARENT_CHANGEABLE,
    }),
    back_ref: Some("hba-uris"),
    on_add: Some(on_add_hba),
    on_update: Some(OnUpdate {
        watches: &["device-number", "wwpn"],
        run: hba_numbers_updated,
    }),
    unique_names: true,
    operations: &[Operation {
        needs: PARENT_CHANGEABLE,
        ..Operation::post(
            "Reassign Storage Adapter Port",
            "/operations/reassign-storage-adapter-port",
            reassign_storage_adapter_port,
        )
    }],
    get: Some(GetSpec::titled("Get HBA Properties")),
    ..BASE
};
