//! Password rules: Create, Update with its writable list, Delete.

use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, DeleteSpec, GetSpec, ListSpec, ResourceType, UpdateSpec,
};

pub static PASSWORD_RULE: ResourceType = ResourceType {
    class: "password-rule",
    def_key: "password_rules",
    parent: Some(&CONSOLE),
    element: "{parent}/password-rules/{id}",
    param: "password-rule-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    defaults: &[
        ("description", "\"\""),
        ("expiration", "0"),
        ("min-length", "8"),
        ("max-length", "256"),
        ("consecutive-characters", "0"),
        ("similarity-count", "0"),
        ("history-count", "0"),
        ("case-sensitive", "false"),
        ("character-rules", "[]"),
        ("type", "\"user-defined\""),
        ("replication-overwrite-possible", "true"),
    ],
    names_ignore_case: true,
    unique_names: true,
    logged: true,
    collection: Some("{parent}/password-rules"),
    list: Some(ListSpec {
        title: "List Password Rules",
        key: "password-rules",
        props: &["element-uri", "name", "type"],
        filters: &["name", "type"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Password Rule",
        required: &["name"],
        ..CreateSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Password Rule Properties")),
    update: Some(UpdateSpec::only(
        "Update Password Rule Properties",
        &[
            "description",
            "expiration",
            "min-length",
            "max-length",
            "consecutive-characters",
            "similarity-count",
            "history-count",
            "case-sensitive",
            "character-rules",
        ],
    )),
    delete: Some(DeleteSpec::plain("Delete Password Rule")),
    ..BASE
};
