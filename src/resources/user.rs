//! Users, user roles, user patterns, password rules and the LDAP, MFA and SSO
//! server definitions: the console's security objects.

use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{BASE, GetSpec, ListSpec, ResourceType};

/// A console user; `name` is the userid it logs on with, `password` is
/// write-only and checked by Logon.
pub static USER: ResourceType = ResourceType {
    class: "user",
    def_key: "users",
    parent: Some(&CONSOLE),
    element: "/api/users/{id}",
    param: "user-id",
    write_only: &["password"],
    defaults: &[("disabled", "false")],
    names_ignore_case: true,
    collection: Some("{parent}/users"),
    list: Some(ListSpec {
        title: "List Users",
        key: "users",
        props: &["object-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get User Properties")),
    ..BASE
};

pub static USER_ROLE: ResourceType = ResourceType {
    class: "user-role",
    def_key: "user_roles",
    parent: Some(&CONSOLE),
    element: "/api/user-roles/{id}",
    param: "user-role-id",
    defaults: &[
        ("type", "\"user-defined\""),
        ("is-inheritance-enabled", "false"),
    ],
    names_ignore_case: true,
    collection: Some("{parent}/user-roles"),
    list: Some(ListSpec {
        title: "List User Roles",
        key: "user-roles",
        props: &["object-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get User Role Properties")),
    ..BASE
};

pub static USER_PATTERN: ResourceType = ResourceType {
    class: "user-pattern",
    def_key: "user_patterns",
    parent: Some(&CONSOLE),
    element: "{parent}/user-patterns/{id}",
    param: "user-pattern-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    names_ignore_case: true,
    collection: Some("{parent}/user-patterns"),
    list: Some(ListSpec {
        title: "List User Patterns",
        key: "user-patterns",
        props: &["element-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get User Pattern Properties")),
    ..BASE
};

pub static PASSWORD_RULE: ResourceType = ResourceType {
    class: "password-rule",
    def_key: "password_rules",
    parent: Some(&CONSOLE),
    element: "{parent}/password-rules/{id}",
    param: "password-rule-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    defaults: &[("min-length", "8"), ("max-length", "256")],
    names_ignore_case: true,
    collection: Some("{parent}/password-rules"),
    list: Some(ListSpec {
        title: "List Password Rules",
        key: "password-rules",
        props: &["element-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Password Rule Properties")),
    ..BASE
};

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
    collection: Some("{parent}/ldap-server-definitions"),
    list: Some(ListSpec {
        title: "List LDAP Server Definitions",
        key: "ldap-server-definitions",
        props: &["element-uri", "name"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get LDAP Server Definition Properties")),
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
    collection: Some("{parent}/mfa-server-definitions"),
    list: Some(ListSpec {
        title: "List MFA Server Definitions",
        key: "mfa-server-definitions",
        props: &["element-uri", "name"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get MFA Server Definition Properties")),
    ..BASE
};

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
    collection: Some("{parent}/sso-server-definitions"),
    list: Some(ListSpec {
        title: "List SSO Server Definitions",
        key: "sso-server-definitions",
        props: &["element-uri", "name", "type"],
        filters: &["name", "type"],
        additional: true,
        ..ListSpec::BASE
    }),
    ..BASE
};
