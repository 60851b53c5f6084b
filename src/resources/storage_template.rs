//! Storage templates and their template volumes: Create (with volumes),
//! Modify (with volume requests) and Delete Storage Template.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Operation, ResourceType,
};
use crate::resources::storage_group::{
    SIZE_RANGE, VolumeKind, create_volumes, modify_holder, prepare_create,
};
use crate::store::Resource;

static TEMPLATE_VOLUMES: VolumeKind = VolumeKind {
    rt: &STORAGE_TEMPLATE_VOLUME,
    key: "storage-template-volumes",
    modify_defaults: &[("usage", "\"data\"")],
};

fn prepare_template(
    ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    prepare_create(ctx, body, &TEMPLATE_VOLUMES)
}

fn create_template_volumes(
    ctx: &Ctx<'_>,
    template: &Resource,
    sent: &Map<String, Value>,
) -> Result<Map<String, Value>, HmcError> {
    create_volumes(ctx, &TEMPLATE_VOLUMES, template, sent)
}

/// Operation: Modify Storage Template Properties.
fn modify(ctx: &mut Ctx<'_>, template: &mut Resource) -> Result<Done, HmcError> {
    modify_holder(ctx, &STORAGE_TEMPLATE, &TEMPLATE_VOLUMES, template)
}

/// Storage template names are unique on a real HMC (400.8 on create and
/// rename; the Python mock does not check). As for storage groups, the
/// loader's `shared` default is false while Create's is true
/// (`prepare_create` runs before the defaults).
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
        title: "List Storage Templates",
        key: "storage-templates",
        props: &["object-uri", "cpc-uri", "name", "type"],
        filters: &["cpc-uri", "name", "type"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Storage Template",
        required: &["name", "cpc-uri", "type"],
        prepare: Some(prepare_template),
        after: Some(create_template_volumes),
        ..CreateSpec::BASE
    }),
    delete: Some(DeleteSpec::plain("Delete Storage Template")),
    unique_names: true,
    operations: &[Operation::post(
        "Modify Storage Template Properties",
        "/operations/modify",
        modify,
    )],
    get: Some(GetSpec::titled("Get Storage Template Properties")),
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
        title: "List Storage Template Volumes of a Storage Template",
        key: "storage-template-volumes",
        props: &["element-uri", "name", "size", "usage"],
        filters: &["name", "maximum-size", "minimum-size", "usage"],
        range_filters: SIZE_RANGE,
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Storage Template Volume Properties")),
    ..BASE
};
