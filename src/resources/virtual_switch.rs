//! Virtual switches and capacity groups of DPM CPCs.

use super::cpc::CPC;
use super::descriptor::{BASE, ListSpec, Mode, ResourceType};

pub static VIRTUAL_SWITCH: ResourceType = ResourceType {
    class: "virtual-switch",
    def_key: "virtual_switches",
    parent: Some(&CPC),
    element: "/api/virtual-switches/{id}",
    param: "virtual-switch-id",
    defaults: &[("connected-vnic-uris", "[]")],
    collection: Some("{parent}/virtual-switches"),
    list: Some(ListSpec {
        key: "virtual-switches",
        props: &["object-uri", "name", "type"],
        filters: &["name", "type"],
        additional: true,
        mode: Mode::Dpm,
        sparse: false,
    }),
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
    collection: Some("{parent}/capacity-groups"),
    list: Some(ListSpec {
        key: "capacity-groups",
        props: &["element-uri", "name"],
        filters: &["name"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    ..BASE
};
