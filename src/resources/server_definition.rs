//! LDAP, MFA and SSO server definitions: Create, Update with their writable
//! lists, Delete; `bind-password` and `client-secret` are never returned.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, GetSpec, ListSpec, ResourceType, UpdateSpec,
};
use crate::store::Resource;

/// Create LDAP Server Definition: untrusted certificates are tolerated or
/// not (false) only where SSL is used; without SSL the setting is null.
fn prepare_ldap(
    _ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    let ssl = body.get("use-ssl").and_then(Value::as_bool) == Some(true);
    body.entry("tolerate-untrusted-certificates")
        .or_insert(if ssl { Value::Bool(false) } else { Value::Null });
    Ok(())
}

pub static LDAP_SERVER_DEFINITION: ResourceType = ResourceType {
    class: "ldap-server-definition",
    def_key: "ldap_server_definitions",
    parent: Some(&CONSOLE),
    element: "{parent}/ldap-server-definitions/{id}",
    param: "ldap-server-definition-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    write_only: &["bind-password"],
    defaults: &[
        ("description", "\"\""),
        ("connection-port", "null"),
        ("backup-hostname-ipaddr", "null"),
        ("use-ssl", "false"),
        ("tolerate-untrusted-certificates", "false"),
        ("bind-distinguished-name", "null"),
        ("location-method", "\"pattern\""),
        ("search-scope", "null"),
        ("search-filter", "null"),
        ("replication-overwrite-possible", "false"),
    ],
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/ldap-server-definitions"),
    list: Some(ListSpec {
        title: "List LDAP Server Definitions",
        key: "ldap-server-definitions",
        props: &["element-uri", "name"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create LDAP Server Definition",
        required: &[
            "name",
            "primary-hostname-ipaddr",
            "search-distinguished-name",
        ],
        prepare: Some(prepare_ldap),
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get LDAP Server Definition Properties")),
    update: Some(UpdateSpec::only(
        "Update LDAP Server Definition Properties",
        &[
            "description",
            "primary-hostname-ipaddr",
            "connection-port",
            "backup-hostname-ipaddr",
            "use-ssl",
            "tolerate-untrusted-certificates",
            "bind-distinguished-name",
            "bind-password",
            "location-method",
            "search-distinguished-name",
            "search-scope",
            "search-filter",
            "replication-overwrite-possible",
        ],
    )),
    delete: Some(DeleteSpec::plain("Delete LDAP Server Definition")),
    ..BASE
};

pub static MFA_SERVER_DEFINITION: ResourceType = ResourceType {
    class: "mfa-server-definition",
    def_key: "mfa_server_definitions",
    parent: Some(&CONSOLE),
    element: "{parent}/mfa-server-definitions/{id}",
    param: "mfa-server-definition-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    defaults: &[
        ("description", "\"\""),
        ("port", "6789"),
        ("replication-overwrite-possible", "false"),
    ],
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/mfa-server-definitions"),
    list: Some(ListSpec {
        title: "List MFA Server Definitions",
        key: "mfa-server-definitions",
        props: &["element-uri", "name"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create MFA Server Definition",
        required: &["name", "hostname-ipaddr"],
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get MFA Server Definition Properties")),
    update: Some(UpdateSpec::only(
        "Update MFA Server Definition Properties",
        &["name", "description", "hostname-ipaddr", "port"],
    )),
    delete: Some(DeleteSpec::plain("Delete MFA Server Definition")),
    ..BASE
};

/// SSO server definitions keep a `logout-url` and
/// `logout-sso-session-on-reauthentication-failure` given to Create (the
/// mock discards them and sets its defaults; the HMC takes them).
pub static SSO_SERVER_DEFINITION: ResourceType = ResourceType {
    class: "sso-server-definition",
    def_key: "sso_server_definitions",
    parent: Some(&CONSOLE),
    element: "{parent}/sso-server-definitions/{id}",
    param: "sso-server-definition-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    get: Some(GetSpec::with_properties(
        "Get SSO Server Definition Properties",
    )),
    write_only: &["client-secret"],
    defaults: &[
        ("description", "\"\""),
        ("type", "\"oidc\""),
        ("logout-url", "null"),
        ("logout-sso-session-on-reauthentication-failure", "false"),
        ("replication-overwrite-possible", "false"),
    ],
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/sso-server-definitions"),
    list: Some(ListSpec {
        title: "List SSO Server Definitions",
        key: "sso-server-definitions",
        props: &["element-uri", "name", "type"],
        filters: &["name", "type"],
        additional: true,
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create SSO Server Definition",
        required: &[
            "name",
            "type",
            "client-id",
            "client-secret",
            "issuer-url",
            "authentication-url",
            "token-url",
            "jwks-url",
        ],
        ..CreateSpec::BASE
    }),
    update: Some(UpdateSpec::only(
        "Update SSO Server Definition Properties",
        &[
            "name",
            "description",
            "client-id",
            "client-secret",
            "issuer-url",
            "authentication-url",
            "token-url",
            "jwks-url",
            "logout-url",
            "logout-sso-session-on-reauthentication-failure",
            "authentication-page-servers",
        ],
    )),
    delete: Some(DeleteSpec::plain("Delete SSO Server Definition")),
    ..BASE
};
