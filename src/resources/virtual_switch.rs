//! Virtual switches and capacity groups of DPM CPCs.

use super::cpc::CPC;
use super::descriptor::{BASE, ResourceType};

pub static VIRTUAL_SWITCH: ResourceType = ResourceType {
    class: "virtual-switch",
    def_key: "virtual_switches",
    parent: Some(&CPC),
    element: "/api/virtual-switches/{id}",
    param: "virtual-switch-id",
    defaults: &[("connected-vnic-uris", "[]")],
    ..BASE
};

pub static CAPACITY_GROUP: ResourceType = ResourceType {
    class: "capacity-group",
    def_key: "capacity_groups",
    parent: Some(&CPC),
    element: "{parent}/capacity-groups/{id}",
    param: "capacity-group-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    defaults: &[("capping-enabled", "true"), ("partition-uris", "[]")],
    ..BASE
};
