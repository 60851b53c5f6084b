//! Storage groups with their storage volumes and virtual storage resources,
//! and storage templates with their template volumes.

use super::console::CONSOLE;
use super::descriptor::{BASE, ResourceType};

pub static STORAGE_GROUP: ResourceType = ResourceType {
    class: "storage-group",
    def_key: "storage_groups",
    parent: Some(&CONSOLE),
    element: "/api/storage-groups/{id}",
    param: "storage-group-id",
    defaults: &[
        ("storage-volume-uris", "[]"),
        ("virtual-storage-resource-uris", "[]"),
        ("shared", "false"),
    ],
    ..BASE
};

pub static STORAGE_VOLUME: ResourceType = ResourceType {
    class: "storage-volume",
    def_key: "storage_volumes",
    parent: Some(&STORAGE_GROUP),
    element: "{parent}/storage-volumes/{id}",
    param: "storage-volume-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("storage-volume-uris"),
    ..BASE
};

pub static VIRTUAL_STORAGE_RESOURCE: ResourceType = ResourceType {
    class: "virtual-storage-resource",
    def_key: "virtual_storage_resources",
    parent: Some(&STORAGE_GROUP),
    element: "{parent}/virtual-storage-resources/{id}",
    param: "virtual-storage-resource-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("virtual-storage-resource-uris"),
    ..BASE
};

pub static STORAGE_TEMPLATE: ResourceType = ResourceType {
    class: "storage-template",
    def_key: "storage_group_templates",
    def_alias: Some("storage_templates"),
    parent: Some(&CONSOLE),
    element: "/api/storage-templates/{id}",
    param: "storage-template-id",
    defaults: &[("storage-template-volume-uris", "[]"), ("shared", "false")],
    ..BASE
};

pub static STORAGE_TEMPLATE_VOLUME: ResourceType = ResourceType {
    class: "storage-template-volume",
    def_key: "storage_volume_templates",
    def_alias: Some("storage_template_volumes"),
    parent: Some(&STORAGE_TEMPLATE),
    element: "{parent}/storage-template-volumes/{id}",
    param: "storage-template-volume-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("storage-template-volume-uris"),
    ..BASE
};
