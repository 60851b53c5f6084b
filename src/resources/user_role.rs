//! User roles: Create User Role (associated with `hmc-operator-tasks` by
//! default), Update, Delete, and Add / Remove Permission.

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::audit;
use crate::resources::framework::descriptor::{
    BASE, Check, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Needs, Operation, ResourceType,
    UpdateSpec,
};
use crate::resources::framework::generic::set_properties;
use crate::store::Resource;

/// The system-defined role a new role takes its task permissions from
/// unless the request names another.
const DEFAULT_ASSOCIATED_ROLE: &str = "hmc-operator-tasks";

/// Create User Role: `type` is the HMC's to set (400.6); without an
/// associated system-defined role, the role named `hmc-operator-tasks` is
/// used. Where the console has no such role the association stays null
/// (the mock answers 500.99, a setup error of its own; every real HMC has
/// that role).
fn prepare_role(
    ctx: &Ctx<'_>,
    console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    if let Some(t) = body.get("type") {
        let shown = t.as_str().map_or_else(|| t.to_string(), str::to_string);
        return Err(HmcError::bad_request(
            6,
            format!(
                "The 'type' property cannot be specified when creating a user role (type: '{shown}', uri: '{}')",
                ctx.req.path()
            ),
        ));
    }
    if !body.contains_key("associated-system-defined-user-role-uri") {
        let associated = ctx
            .tx
            .children_named(
                Some(&console.uri),
                USER_ROLE.class,
                DEFAULT_ASSOCIATED_ROLE,
                true,
            )?
            .into_iter()
            .next()
            .map_or(Value::Null, |r| json!(r.uri));
        body.insert("associated-system-defined-user-role-uri".into(), associated);
    }
    Ok(())
}

/// System-defined roles belong to the HMC: they cannot be deleted or their
/// permissions changed (400.314).
fn check_user_defined(_ctx: &Ctx<'_>, role: &Resource) -> Result<(), HmcError> {
    if role.str_prop("type") == Some("system-defined") {
        return Err(HmcError::bad_request(
            314,
            format!(
                "The system-defined user role '{}' cannot be changed",
                role.name()
            ),
        ));
    }
    Ok(())
}

const USER_DEFINED: Needs = Needs {
    checks: &[
        Check::Fields(&["permitted-object", "permitted-object-type"]),
        Check::Rule(check_user_defined),
    ],
    ..Needs::NONE
};

/// The permission a request names, normalised as the role stores it:
/// `include-members` defaults to false, `view-only-mode` to true.
fn permission(ctx: &Ctx<'_>) -> Result<Value, HmcError> {
    let body = ctx.req.json_object()?;
    let field = |name: &str, default: Value| body.get(name).cloned().unwrap_or(default);
    Ok(json!({
        "permitted-object": field("permitted-object", Value::Null),
        "permitted-object-type": field("permitted-object-type", Value::Null),
        "include-members": field("include-members", json!(false)),
        "view-only-mode": field("view-only-mode", json!(true)),
    }))
}

/// The role's permissions (missing or null: none).
fn permissions(role: &Resource) -> Vec<Value> {
    role.props
        .get("permissions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Operation: Add Permission to User Role. A permission the role already
/// has stays listed once.
fn add_permission(ctx: &mut Ctx<'_>, role: &mut Resource) -> Result<Done, HmcError> {
    let p = permission(ctx)?;
    let mut list = permissions(role);
    if !list.contains(&p) {
        list.push(p);
        set_properties(ctx.tx, role, [("permissions", Value::Array(list))])?;
    }
    audit::changed(ctx, &USER_ROLE, role.name(), None, audit::Change::Changed)?;
    Ok(Done::Nothing)
}

/// Operation: Remove Permission from User Role. A permission the role does
/// not have is 409.0 (the mock crashes).
fn remove_permission(ctx: &mut Ctx<'_>, role: &mut Resource) -> Result<Done, HmcError> {
    let p = permission(ctx)?;
    let mut list = permissions(role);
    let Some(at) = list.iter().position(|q| *q == p) else {
        return Err(HmcError::conflict(
            0,
            format!(
                "User role '{}' does not have the permission {p}",
                role.name()
            ),
        ));
    };
    list.remove(at);
    set_properties(ctx.tx, role, [("permissions", Value::Array(list))])?;
    audit::changed(ctx, &USER_ROLE, role.name(), None, audit::Change::Changed)?;
    Ok(Done::Nothing)
}

pub static USER_ROLE: ResourceType = ResourceType {
    class: "user-role",
    def_key: "user_roles",
    parent: Some(&CONSOLE),
    element: "/api/user-roles/{id}",
    param: "user-role-id",
    defaults: &[
        ("description", "\"\""),
        ("type", "\"user-defined\""),
        ("is-inheritance-enabled", "false"),
        ("associated-system-defined-user-role-uri", "null"),
        ("replication-overwrite-possible", "true"),
        ("permissions", "[]"),
    ],
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/user-roles"),
    list: Some(ListSpec {
        title: "List User Roles",
        key: "user-roles",
        props: &["object-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create User Role",
        required: &["name"],
        prepare: Some(prepare_role),
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get User Role Properties")),
    update: Some(UpdateSpec::only(
        "Update User Role Properties",
        &[
            "description",
            "associated-system-defined-user-role-uri",
            "is-inheritance-enabled",
        ],
    )),
    delete: Some(DeleteSpec {
        title: "Delete User Role",
        needs: Needs {
            checks: &[Check::Rule(check_user_defined)],
            ..Needs::NONE
        },
    }),
    operations: &[
        Operation {
            needs: USER_DEFINED,
            ..Operation::post(
                "Add Permission to User Role",
                "/operations/add-permission",
                add_permission,
            )
        },
        Operation {
            needs: USER_DEFINED,
            ..Operation::post(
                "Remove Permission from User Role",
                "/operations/remove-permission",
                remove_permission,
            )
        },
    ],
    ..BASE
};
