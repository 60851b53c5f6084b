//! Virtual functions of partitions (accelerator adapters such as zEDC):
//! Create/Get/Update/Delete Virtual Function. Each takes a device number
//! from its partition's pool (freed when it goes).

use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, GetSpec, OnUpdate, ResourceType, UpdateSpec,
};
use crate::resources::framework::preconditions::{CHANGEABLE, PARENT_CHANGEABLE};
use crate::resources::partition::PARTITION;
use crate::resources::partition::device_numbers::{device_number_updated, take_device_number};

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
        needs: CHANGEABLE,
        ..CreateSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Virtual Function Properties")),
    delete: Some(DeleteSpec {
        title: "Delete Virtual Function",
        needs: PARENT_CHANGEABLE,
    }),
    back_ref: Some("virtual-function-uris"),
    on_add: Some(take_device_number),
    on_update: Some(OnUpdate {
        watches: &["device-number"],
        run: device_number_updated,
    }),
    unique_names: true,
    get: Some(GetSpec::titled("Get Virtual Function Properties")),
    ..BASE
};
