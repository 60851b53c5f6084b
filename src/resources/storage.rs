//! Storage groups with their storage volumes and virtual storage resources,
//! and storage templates with their template volumes.

use super::console::CONSOLE;
use super::descriptor::{BASE, ListSpec, Mode, ResourceType};

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
    collection: Some("/api/storage-groups"),
    list: Some(ListSpec {
        key: "storage-groups",
        props: &["object-uri", "cpc-uri", "name", "fulfillment-state", "type"],
        filters: &["cpc-uri", "name", "fulfillment-state", "type"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
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
    collection: Some("{parent}/storage-volumes"),
    list: Some(ListSpec {
        key: "storage-volumes",
        props: &["element-uri", "name", "fulfillment-state", "size", "usage"],
        filters: &[
            "name",
            "fulfillment-state",
            "maximum-size",
            "minimum-size",
            "usage",
        ],
        additional: true,
        mode: Mode::Any,
        sparse: false,
    }),
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
    collection: Some("/api/storage-templates"),
    list: Some(ListSpec {
        key: "storage-templates",
        props: &["object-uri", "cpc-uri", "name", "type"],
        filters: &["cpc-uri", "name", "type"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
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
    collection: Some("{parent}/storage-template-volumes"),
    list: Some(ListSpec {
        key: "storage-template-volumes",
        props: &["element-uri", "name", "size", "usage"],
        filters: &["name", "maximum-size", "minimum-size", "usage"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    ..BASE
};
