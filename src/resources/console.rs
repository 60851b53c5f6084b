//! The console and the console-scoped resources without operations of their
//! own yet: tasks, unmanaged CPCs, custom groups, console hardware messages.

use crate::resources::framework::descriptor::{BASE, GetSpec, ListSpec, ResourceType};

/// Operation: Get Console Properties. The one console, at `/api/console`.
pub static CONSOLE: ResourceType = ResourceType {
    class: "console",
    def_key: "consoles",
    element: "/api/console",
    id_prop: "",
    get: Some(GetSpec::with_properties("Get Console Properties")),
    ..BASE
};

pub static TASK: ResourceType = ResourceType {
    class: "task",
    def_key: "tasks",
    parent: Some(&CONSOLE),
    element: "{parent}/tasks/{id}",
    param: "task-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/tasks"),
    list: Some(ListSpec {
        title: "List Tasks",
        key: "tasks",
        props: &["element-uri", "name"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Task Properties")),
    ..BASE
};

/// CPCs the HMC knows but does not manage; they share `/api/cpcs/` with the
/// managed ones, so they have no GET route of their own.
pub static UNMANAGED_CPC: ResourceType = ResourceType {
    class: "unmanaged-cpc",
    def_key: "unmanaged_cpcs",
    parent: Some(&CONSOLE),
    element: "/api/cpcs/{id}",
    param: "cpc-id",
    get: None,
    ..BASE
};

pub static CUSTOM_GROUP: ResourceType = ResourceType {
    class: "group",
    def_key: "groups",
    parent: Some(&CONSOLE),
    element: "/api/groups/{id}",
    param: "group-id",
    defaults: &[("description", "\"\""), ("match-info", "null")],
    collection: Some("/api/groups"),
    list: Some(ListSpec {
        title: "List Custom Groups",
        key: "groups",
        props: &["object-uri", "name"],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Custom Group Properties")),
    ..BASE
};

pub static CONSOLE_HW_MESSAGE: ResourceType = ResourceType {
    class: "hardware-message",
    def_key: "hw_messages",
    parent: Some(&CONSOLE),
    element: "{parent}/hardware-messages/{id}",
    param: "hardware-message-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/hardware-messages"),
    list: Some(ListSpec {
        title: "List Console Hardware Messages",
        key: "hardware-messages",
        props: &["element-uri", "text", "timestamp"],
        filters: &[],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get Console Hardware Message Properties")),
    ..BASE
};
