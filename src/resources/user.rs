//! Console users: Create User with the type and authentication-type rules,
//! Update with its writable list, Delete with the pattern-based rule, Add /
//! Remove User Role. Deleting or disabling a user ends its sessions.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::dispatch::now_ms;
use crate::resources::console::CONSOLE;
use crate::resources::framework::audit;
use crate::resources::framework::descriptor::{
    BASE, Check, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Needs, OnUpdate, Operation,
    ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::{referenced, uri_value};
use crate::resources::framework::generic::{append_reference, remove_reference};
use crate::resources::framework::preconditions::require_fields;
use crate::resources::user_role::USER_ROLE;
use crate::store::{Resource, Tx};

/// The writable properties of Update User Properties.
const WRITABLE: &[&str] = &[
    "description",
    "disabled",
    "authentication-type",
    "password-rule-uri",
    "password",
    "force-password-change",
    "ldap-server-definition-uri",
    "userid-on-ldap-server",
    "session-timeout",
    "verify-timeout",
    "timeout",
    "idle-timeout",
    "min-pw-change-time",
    "max-failed-logins",
    "disable-delay",
    "inactivity-timeout",
    "disruptive-pw-required",
    "disruptive-text-required",
    "allow-remote-access",
    "allow-management-interfaces",
    "max-web-services-api-sessions",
    "web-services-api-session-idle-timeout",
    "default-group-uri",
    "multi-factor-authentication-required",
    "force-shared-secret-key-change",
    "email-address",
    "mfa-types",
    "primary-mfa-server-definition-uri",
    "backup-mfa-server-definition-uri",
    "mfa-policy",
    "mfa-userid",
    "mfa-userid-override",
];

/// Properties a user has when created or loaded without them: the HMC's
/// defaults of Create User, and null for the references zhmc tools read
/// with `[]` (`default-group-uri`, the MFA server definitions, ...).
/// `user-pattern-uri` and `user-template-uri` exist only for pattern-based
/// users (zhmccli reads them when present).
const DEFAULTS: &[(&str, &str)] = &[
    ("type", "\"standard\""),
    ("authentication-type", "\"local\""),
    ("description", "\"\""),
    ("disabled", "false"),
    ("allow-management-interfaces", "true"),
    ("allow-remote-access", "true"),
    ("default-group-uri", "null"),
    ("disable-delay", "1"),
    ("disruptive-pw-required", "true"),
    ("disruptive-text-required", "false"),
    ("email-address", "null"),
    ("force-password-change", "false"),
    ("force-shared-secret-key-change", "null"),
    ("idle-timeout", "0"),
    ("inactivity-timeout", "0"),
    ("is-locked", "false"),
    ("max-failed-logins", "3"),
    ("max-web-services-api-sessions", "1000"),
    ("min-pw-change-time", "0"),
    ("multi-factor-authentication-required", "false"),
    ("password-expires", "-1"),
    ("replication-overwrite-possible", "false"),
    ("session-timeout", "0"),
    ("user-roles", "[]"),
    ("userid-on-ldap-server", "null"),
    ("verify-timeout", "15"),
    ("web-services-api-session-idle-timeout", "360"),
    ("password-rule-uri", "null"),
    ("ldap-server-definition-uri", "null"),
    ("mfa-types", "null"),
    ("primary-mfa-server-definition-uri", "null"),
    ("backup-mfa-server-definition-uri", "null"),
    ("mfa-policy", "null"),
    ("mfa-userid", "null"),
    ("mfa-userid-override", "null"),
];

/// A user's `type`; a user loaded without one is a standard user.
fn user_type(user: &Resource) -> &str {
    user.str_prop("type").unwrap_or("standard")
}

/// The value of a field as the mock's messages show it: a string bare,
/// anything else as JSON.
fn shown(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "None".into(),
    }
}

/// Create User: the authentication type decides the further required
/// fields (`local`: password and password rule; `ldap`: the LDAP server
/// definition), other types of authentication are 400.4; `standard`,
/// `template` and `pattern-based` users may be created, others are 400.4.
fn prepare_user(
    _ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    match body.get("authentication-type").and_then(Value::as_str) {
        Some("local") => require_fields(body, &["password", "password-rule-uri"])?,
        Some("ldap") => require_fields(body, &["ldap-server-definition-uri"])?,
        _ => {
            return Err(HmcError::bad_request(
                4,
                format!(
                    "Invalid authentication-type: '{}'",
                    shown(body.get("authentication-type"))
                ),
            ));
        }
    }
    match body.get("type").and_then(Value::as_str) {
        Some("standard" | "template" | "pattern-based") => Ok(()),
        Some("system-defined") => Err(HmcError::bad_request(
            4,
            format!(
                "System-defined users cannot be created: '{}'",
                shown(body.get("name"))
            ),
        )),
        _ => Err(HmcError::bad_request(
            4,
            format!("Invalid user type: '{}'", shown(body.get("type"))),
        )),
    }
}

/// Delete User: pattern-based users are removed with their pattern, not
/// one by one (400.312).
fn check_delete(_ctx: &Ctx<'_>, user: &Resource) -> Result<(), HmcError> {
    if user_type(user) == "pattern-based" {
        return Err(HmcError::bad_request(
            312,
            format!("Cannot delete pattern-based user '{}'", user.name()),
        ));
    }
    Ok(())
}

/// Ends the sessions of `users` (403.5 afterwards) and logs each end.
fn end_sessions(tx: &Tx<'_>, users: &[String], reason: &str) -> Result<(), HmcError> {
    let now = now_ms();
    for s in tx.end_sessions_of(users)? {
        audit::logged_off(tx, now, &s, reason)?;
    }
    Ok(())
}

/// A deleted user can no longer use its sessions.
fn after_delete(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    let users: Vec<String> = gone
        .iter()
        .filter(|u| u.starts_with("/api/users/"))
        .cloned()
        .collect();
    if users.is_empty() {
        return Ok(());
    }
    end_sessions(tx, &users, "user deleted")
}

/// A user that Update disables can no longer log on (Logon checks
/// `disabled`), and its open sessions end.
fn on_update(tx: &Tx<'_>, before: &Resource, after: &mut Resource) -> Result<(), HmcError> {
    let disabled = |r: &Resource| r.props.get("disabled").and_then(Value::as_bool) == Some(true);
    if disabled(after) && !disabled(before) {
        end_sessions(tx, std::slice::from_ref(&after.uri), "user disabled")?;
    }
    Ok(())
}

/// The user role that Add/Remove User Role names: `user-role-uri` is
/// required (400.5); pattern-based and system-defined users get their
/// roles elsewhere (400.314); an unknown role is 404.2, naming the role as
/// message and `request-uri` (the mock's answer).
fn named_role(ctx: &Ctx<'_>, user: &Resource, verb: &str) -> Result<String, HmcError> {
    let body = ctx.req.json_object()?;
    require_fields(&body, &["user-role-uri"])?;
    let kind = user_type(user);
    if matches!(kind, "pattern-based" | "system-defined") {
        return Err(HmcError::bad_request(
            314,
            format!(
                "User roles cannot be {verb} a {kind} user: '{}'",
                user.name()
            ),
        ));
    }
    let uri = uri_value("user-role-uri", body.get("user-role-uri"))?;
    referenced(ctx.tx, &USER_ROLE, uri).map_err(|e| e.at_uri(uri))?;
    Ok(uri.to_string())
}

/// The audit entry of a changed role list; the operation answers 204.
fn roles_changed(ctx: &mut Ctx<'_>, user: &Resource) -> Result<Done, HmcError> {
    audit::changed(
        ctx,
        &USER,
        user.name(),
        Some(user_type(user)),
        audit::Change::Changed,
    )?;
    Ok(Done::Nothing)
}

/// Operation: Add User Role to User. A role the user already has stays
/// listed once.
fn add_user_role(ctx: &mut Ctx<'_>, user: &mut Resource) -> Result<Done, HmcError> {
    let role = named_role(ctx, user, "added to")?;
    append_reference(ctx.tx, &user.uri, "user-roles", &role)?;
    roles_changed(ctx, user)
}

/// Operation: Remove User Role from User: 409.316 if the user does not
/// have the role.
fn remove_user_role(ctx: &mut Ctx<'_>, user: &mut Resource) -> Result<Done, HmcError> {
    let role = named_role(ctx, user, "removed from")?;
    if !user.lists("user-roles", &role) {
        let role_name = ctx
            .tx
            .resource(&role)?
            .map(|r| r.name().to_string())
            .unwrap_or_default();
        return Err(HmcError::conflict(
            316,
            format!(
                "User '{}' does not have User Role '{role_name}'",
                user.name()
            ),
        ));
    }
    remove_reference(ctx.tx, &user.uri, "user-roles", &role)?;
    roles_changed(ctx, user)
}

/// A console user; `name` is the userid it logs on with, `password` is
/// write-only and checked by Logon. Names are unique per console, ignoring
/// case, as userids are on the HMC.
pub static USER: ResourceType = ResourceType {
    class: "user",
    def_key: "users",
    parent: Some(&CONSOLE),
    element: "/api/users/{id}",
    param: "user-id",
    write_only: &["password"],
    defaults: DEFAULTS,
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/users"),
    list: Some(ListSpec {
        title: "List Users",
        key: "users",
        props: &["object-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create User",
        required: &["name", "type", "authentication-type"],
        prepare: Some(prepare_user),
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get User Properties")),
    update: Some(UpdateSpec::only("Update User Properties", WRITABLE)),
    delete: Some(DeleteSpec {
        title: "Delete User",
        needs: Needs {
            checks: &[Check::Rule(check_delete)],
            ..Needs::NONE
        },
    }),
    on_update: Some(OnUpdate {
        watches: &["disabled"],
        run: on_update,
    }),
    after_delete: Some(after_delete),
    operations: &[
        Operation::post(
            "Add User Role to User",
            "/operations/add-user-role",
            add_user_role,
        ),
        Operation::post(
            "Remove User Role from User",
            "/operations/remove-user-role",
            remove_user_role,
        ),
    ],
    ..BASE
};
