//! Custom groups: Create (members start empty), Get, Delete, Add / Remove
//! Member and Get Custom Group Members. A deleted resource leaves every
//! group's `members` (the store's back-reference cleanup).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::audit;
use crate::resources::framework::descriptor::{
    BASE, Check, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Needs, Operation, ResourceType,
};
use crate::resources::framework::fields::uri_value;
use crate::resources::framework::generic::{append_reference, remove_reference};
use crate::store::Resource;

/// The list of a group's member URIs (missing: none).
const MEMBERS: &str = "members";

/// Create Custom Group: a new group has no members, whatever the request
/// says (members are added one by one).
fn prepare_group(
    _ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    body.insert(MEMBERS.into(), json!([]));
    Ok(())
}

/// The resource that Add/Remove Member names by `object-uri` (400.7 if it
/// is not a string, 404.2 if there is none).
fn named_member(ctx: &Ctx<'_>) -> Result<Resource, HmcError> {
    let body = ctx.req.json_object()?;
    let uri = uri_value("object-uri", body.get("object-uri"))?;
    ctx.tx
        .resource(uri)?
        .ok_or_else(|| HmcError::referenced_not_found(2, uri))
}

/// Operation: Add Member to Custom Group. A resource that is already a
/// member is 409.0 (the mock adds it twice).
fn add_member(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let member = named_member(ctx)?;
    if group.lists(MEMBERS, &member.uri) {
        return Err(HmcError::conflict(
            0,
            format!(
                "{} is already a member of custom group '{}'",
                member.uri,
                group.name()
            ),
        ));
    }
    append_reference(ctx.tx, &group.uri, MEMBERS, &member.uri)?;
    membership_changed(ctx, group)
}

/// Operation: Remove Member from Custom Group. A resource that is not a
/// member is 409.0 (the mock crashes).
fn remove_member(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let uri = uri_value("object-uri", body.get("object-uri"))?;
    if !group.lists(MEMBERS, uri) {
        return Err(HmcError::conflict(
            0,
            format!("{uri} is not a member of custom group '{}'", group.name()),
        ));
    }
    remove_reference(ctx.tx, &group.uri, MEMBERS, uri)?;
    membership_changed(ctx, group)
}

/// The audit entry of a changed membership; the operation answers 204.
fn membership_changed(ctx: &mut Ctx<'_>, group: &Resource) -> Result<Done, HmcError> {
    audit::changed(
        ctx,
        &CUSTOM_GROUP,
        group.name(),
        None,
        audit::Change::Changed,
    )?;
    Ok(Done::Nothing)
}

/// Operation: Get Custom Group Members: each member's URI and name.
/// Members are kept existing (a deleted resource leaves the group), so
/// there is no member to miss; one written behind the HMC's back that is
/// gone is 404.1 naming it, as the mock answers.
fn get_members(ctx: &mut Ctx<'_>, group: &mut Resource) -> Result<Done, HmcError> {
    let mut members = Vec::new();
    for uri in group.str_list(MEMBERS) {
        let r = ctx
            .tx
            .resource(uri)?
            .ok_or_else(|| HmcError::not_found(uri).at_uri(uri))?;
        members.push(json!({"object-uri": r.uri, "name": r.props.get("name").cloned().unwrap_or(Value::Null)}));
    }
    Ok(Done::Json(json!({ "members": members })))
}

pub static CUSTOM_GROUP: ResourceType = ResourceType {
    class: "group",
    def_key: "groups",
    parent: Some(&CONSOLE),
    element: "/api/groups/{id}",
    param: "group-id",
    defaults: &[
        ("description", "\"\""),
        ("match-info", "null"),
        (MEMBERS, "[]"),
    ],
    unique_names: true,
    logged: true,
    collection: Some("/api/groups"),
    list: Some(ListSpec {
        title: "List Custom Groups",
        key: "groups",
        props: &["object-uri", "name"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Custom Group",
        required: &["name"],
        prepare: Some(prepare_group),
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Custom Group Properties")),
    delete: Some(DeleteSpec::plain("Delete Custom Group")),
    operations: &[
        Operation {
            needs: Needs {
                checks: &[Check::Fields(&["object-uri"])],
                ..Needs::NONE
            },
            ..Operation::post(
                "Add Member to Custom Group",
                "/operations/add-member",
                add_member,
            )
        },
        Operation {
            needs: Needs {
                checks: &[Check::Fields(&["object-uri"])],
                ..Needs::NONE
            },
            ..Operation::post(
                "Remove Member from Custom Group",
                "/operations/remove-member",
                remove_member,
            )
        },
        Operation {
            query: None,
            ..Operation::get("Get Custom Group Members", "/members", &[], get_members)
        },
    ],
    ..BASE
};
