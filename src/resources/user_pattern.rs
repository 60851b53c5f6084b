//! User patterns: Create User Pattern with its template-identification
//! rule, Update, Delete; Reorder User Patterns is a console operation.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, GetSpec, ListSpec, ResourceType, UpdateSpec,
};
use crate::store::Resource;

/// The ways a pattern names the template of its users; exactly one must be
/// given (not null).
const TEMPLATE_METHODS: &[&str] = &[
    "specific-template-uri",
    "template-name-override",
    "ldap-group-to-template-mappings",
];

/// Create User Pattern: 400.15 unless exactly one template-identification
/// method is given.
fn prepare_pattern(
    _ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    let given = TEMPLATE_METHODS
        .iter()
        .filter(|m| body.get(**m).is_some_and(|v| !v.is_null()))
        .count();
    match given {
        1 => Ok(()),
        0 => Err(HmcError::bad_request(
            15,
            "Unable to determine template identification method from request body",
        )),
        _ => Err(HmcError::bad_request(
            15,
            "More than one template identification method specified in request body",
        )),
    }
}

pub static USER_PATTERN: ResourceType = ResourceType {
    class: "user-pattern",
    def_key: "user_patterns",
    parent: Some(&CONSOLE),
    element: "{parent}/user-patterns/{id}",
    param: "user-pattern-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    defaults: &[
        ("description", "\"\""),
        ("search-order-index", "0"),
        ("replication-overwrite-possible", "false"),
        ("user-template-uri", "null"),
        ("ldap-server-definition-uri", "null"),
        ("template-name-override", "null"),
        ("domain-name-restrictions", "null"),
        ("specific-template-uri", "null"),
        ("template-name-override-ldap-server-definition-uri", "null"),
        ("template-name-override-default-template-uri", "null"),
        ("ldap-group-to-template-mappings", "null"),
        ("ldap-group-ldap-server-definition-uri", "null"),
        ("ldap-group-default-template-uri", "null"),
        (
            "domain-name-restrictions-ldap-server-definition-uri",
            "null",
        ),
    ],
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/user-patterns"),
    list: Some(ListSpec {
        title: "List User Patterns",
        key: "user-patterns",
        props: &["element-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create User Pattern",
        required: &["name", "pattern", "type", "retention-time"],
        prepare: Some(prepare_pattern),
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get User Pattern Properties")),
    update: Some(UpdateSpec::any("Update User Pattern Properties")),
    delete: Some(DeleteSpec::plain("Delete User Pattern")),
    ..BASE
};
