//! Reset, image and load activation profiles of classic-mode CPCs: List,
//! Get, Update, and (as zhmcclient 1.26 sends them) Create and Delete. Their
//! id is their name, used verbatim in the URI.

use serde_json::{Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, DeleteSpec, Done, GetSpec, ListSpec, Mode, On, OpFn, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::required;
use crate::resources::framework::generic::{add_resource, apply_defaults};
use crate::resources::framework::preconditions::CLASSIC;
use crate::store::Resource;

const PROFILE_QUERY: &[&str] = &["properties", "cached-acceptable"];

/// What a new image profile holds unless the request says otherwise:
/// zhmcclient's `Lpar.activate` reads both (a profile without them makes it
/// fail with a KeyError).
const IMAGE_DEFAULTS: &[(&str, &str)] = &[
    ("load-at-activation", "false"),
    ("operating-mode", "\"general\""),
];

/// Create Reset/Image/Load Activation Profile: the name comes in
/// `profile-name` (400.5 without it, 400.7 if not a string) and becomes the
/// profile's `name`; a name the CPC's profiles of the kind already use is
/// 400.8. Answers 204 without a body, as the HMC does (zhmcclient warns
/// about a body).
fn create_profile(
    ctx: &Ctx<'_>,
    cpc: &Resource,
    rt: &ResourceType,
    defaults: &[(&str, &str)],
) -> Result<Done, HmcError> {
    let mut body = ctx.req.json_object()?;
    let name = match required(&body, "profile-name")? {
        Value::String(s) => s.clone(),
        other => return Err(HmcError::invalid_field("profile-name", other)),
    };
    body.remove("profile-name");
    body.insert("name".into(), json!(name));
    // The URI is made of the name; no client-chosen id or URI.
    body.remove(rt.uri_prop);
    apply_defaults(&mut body, defaults)?;
    add_resource(ctx.tx, rt, Some(cpc), body)?;
    Ok(Done::Nothing)
}

/// Operation: Create Reset Activation Profile.
fn create_reset(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    create_profile(ctx, cpc, &RESET_PROFILE, &[])
}

/// Operation: Create Image Activation Profile.
fn create_image(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    create_profile(ctx, cpc, &IMAGE_PROFILE, IMAGE_DEFAULTS)
}

/// Operation: Create Load Activation Profile.
fn create_load(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    create_profile(ctx, cpc, &LOAD_PROFILE, &[])
}

/// The Create row of a profile kind: a POST on the collection, classic only.
const fn create_row(title: &'static str, run: OpFn) -> Operation {
    Operation {
        on: On::Collection,
        query: Some(&[]),
        needs: CLASSIC,
        ..Operation::post(title, "", run)
    }
}

pub static RESET_PROFILE: ResourceType = ResourceType {
    class: "reset-activation-profile",
    def_key: "reset_activation_profiles",
    parent: Some(&CPC),
    element: "{parent}/reset-activation-profiles/{id}",
    param: "reset-activation-profile-name",
    id_prop: "name",
    uri_prop: "element-uri",
    get: Some(GetSpec {
        title: "Get Reset Activation Profile Properties",
        query: PROFILE_QUERY,
    }),
    update: Some(UpdateSpec::any(
        "Update Reset Activation Profile Properties",
    )),
    delete: Some(DeleteSpec::plain("Delete Reset Activation Profile")),
    collection: Some("{parent}/reset-activation-profiles"),
    list: Some(ListSpec {
        title: "List Reset Activation Profiles",
        key: "reset-activation-profiles",
        props: &["element-uri", "name"],
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    operations: &[create_row("Create Reset Activation Profile", create_reset)],
    ..BASE
};

pub static IMAGE_PROFILE: ResourceType = ResourceType {
    class: "image-activation-profile",
    def_key: "image_activation_profiles",
    parent: Some(&CPC),
    element: "{parent}/image-activation-profiles/{id}",
    param: "image-activation-profile-name",
    id_prop: "name",
    uri_prop: "element-uri",
    get: Some(GetSpec {
        title: "Get Image Activation Profile Properties",
        query: PROFILE_QUERY,
    }),
    update: Some(UpdateSpec::any(
        "Update Image Activation Profile Properties",
    )),
    delete: Some(DeleteSpec::plain("Delete Image Activation Profile")),
    write_only: &["ssc-master-pw", "zaware-master-pw"],
    collection: Some("{parent}/image-activation-profiles"),
    list: Some(ListSpec {
        title: "List Image Activation Profiles",
        key: "image-activation-profiles",
        props: &["element-uri", "name"],
        additional: true,
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    operations: &[
        create_row("Create Image Activation Profile", create_image),
        Operation::post(
            "Assign Certificate to an Image Activation Profile",
            "/operations/assign-certificate",
            crate::resources::certificate::assign,
        ),
        Operation::post(
            "Unassign Certificate from an Image Activation Profile",
            "/operations/unassign-certificate",
            crate::resources::certificate::unassign,
        ),
    ],
    ..BASE
};

pub static LOAD_PROFILE: ResourceType = ResourceType {
    class: "load-activation-profile",
    def_key: "load_activation_profiles",
    parent: Some(&CPC),
    element: "{parent}/load-activation-profiles/{id}",
    param: "load-activation-profile-name",
    id_prop: "name",
    uri_prop: "element-uri",
    get: Some(GetSpec {
        title: "Get Load Activation Profile Properties",
        query: PROFILE_QUERY,
    }),
    update: Some(UpdateSpec::any("Update Load Activation Profile Properties")),
    delete: Some(DeleteSpec::plain("Delete Load Activation Profile")),
    collection: Some("{parent}/load-activation-profiles"),
    list: Some(ListSpec {
        title: "List Load Activation Profiles",
        key: "load-activation-profiles",
        props: &["element-uri", "name"],
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    operations: &[create_row("Create Load Activation Profile", create_load)],
    ..BASE
};
