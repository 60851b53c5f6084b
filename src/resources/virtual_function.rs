//! Virtual functions of partitions (accelerator adapters such as zEDC):
//! Create/Get/Update/Delete Virtual Function. Each takes a device number
//! from its partition's pool (freed when it goes).

use super::descriptor::{BASE, CreateSpec, DeleteSpec, Mode, ResourceType, UpdateSpec};
use super::device_numbers::{assign_device_number, device_number_updated};
use super::partition::{PARTITION, check_changeable, check_parent_changeable};
use crate::api::HmcError;
use crate::store::{Resource, Tx};

/// A partition's NIC, HBA or virtual function takes a device number from
/// the partition's pool (all a virtual function's `on_add` does).
pub(super) fn take_device_number(
    tx: &Tx<'_>,
    parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    if let Some(p) = parent {
        assign_device_number(tx, &p.uri, r)?;
    }
    Ok(())
}

/// Operations: Create Virtual Function (`adapter-uri` is not checked, as in
/// the HMC mock), Get/Update (any property) / Delete Virtual Function.
pub static VIRTUAL_FUNCTION: ResourceType = ResourceType {
    class: "virtual-function",
    def_key: "virtual_functions",
    parent: Some(&PARTITION),
    element: "{parent}/virtual-functions/{id}",
    param: "virtual-function-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/virtual-functions"),
    create: Some(CreateSpec {
        title: "Create Virtual Function",
        required: &["name"],
        mode: Mode::Dpm,
        check: Some(check_changeable),
        prepare: None,
        after: None,
        body_first: false,
    }),
    update: Some(UpdateSpec {
        title: "Update Virtual Function Properties",
        writable: None,
        check: None,
    }),
    delete: Some(DeleteSpec {
        title: "Delete Virtual Function",
        check: Some(check_parent_changeable),
    }),
    back_ref: Some("virtual-function-uris"),
    on_add: Some(take_device_number),
    on_update: Some(device_number_updated),
    unique_names: true,
    ..BASE
};
