//! Tape libraries, tape links and virtual tape resources.

use super::console::CONSOLE;
use super::descriptor::{BASE, ListSpec, Mode, ResourceType};

/// Loaded from `tape_libraries` (the schema's key) or `tape_library` (the
/// Python loader's attribute): the mock ignores the former; we take both.
pub static TAPE_LIBRARY: ResourceType = ResourceType {
    class: "tape-library",
    def_key: "tape_libraries",
    def_alias: Some("tape_library"),
    parent: Some(&CONSOLE),
    element: "/api/tape-libraries/{id}",
    param: "tape-library-id",
    defaults: &[("description", "\"\"")],
    collection: Some("/api/tape-libraries"),
    list: Some(ListSpec {
        key: "tape-libraries",
        props: &["object-uri", "cpc-uri", "name", "state"],
        filters: &["cpc-uri", "name", "state"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    ..BASE
};

pub static TAPE_LINK: ResourceType = ResourceType {
    class: "tape-link",
    def_key: "tape_links",
    parent: Some(&CONSOLE),
    element: "/api/tape-links/{id}",
    param: "tape-link-id",
    collection: Some("/api/tape-links"),
    list: Some(ListSpec {
        key: "tape-links",
        props: &[
            "object-uri",
            "cpc-uri",
            "name",
            "fulfillment-state",
            "tape-library-uri",
        ],
        filters: &["cpc-uri", "name", "fulfillment-state", "tape-library-uri"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    ..BASE
};

pub static VIRTUAL_TAPE_RESOURCE: ResourceType = ResourceType {
    class: "virtual-tape-resource",
    def_key: "virtual_tape_resources",
    parent: Some(&TAPE_LINK),
    element: "{parent}/virtual-tape-resources/{id}",
    param: "virtual-tape-resource-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/virtual-tape-resources"),
    list: Some(ListSpec {
        key: "virtual-tape-resources",
        props: &[
            "element-uri",
            "name",
            "device-number",
            "adapter-port-uri",
            "partition-uri",
        ],
        filters: &["name", "device-number", "adapter-port-uri", "partition-uri"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    ..BASE
};
