//! The console and its operations, and the console-scoped resources
//! without operations of their own: tasks, unmanaged CPCs.

pub mod operations;
pub mod permitted;

use crate::resources::framework::descriptor::{BASE, GetSpec, ListSpec, ResourceType};

/// Operation: Get Console Properties. The one console, at `/api/console`.
pub static CONSOLE: ResourceType = ResourceType {
    class: "console",
    def_key: "consoles",
    element: "/api/console",
    id_prop: "",
    get: Some(GetSpec::with_properties("Get Console Properties")),
    operations: &operations::OPERATIONS,
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
