//! Logical partitions of classic-mode CPCs.

use super::cpc::CPC;
use super::descriptor::{BASE, ListSpec, Mode, ResourceType};

pub static LPAR: ResourceType = ResourceType {
    class: "logical-partition",
    def_key: "lpars",
    parent: Some(&CPC),
    element: "/api/logical-partitions/{id}",
    param: "logical-partition-id",
    get: Some(&["properties", "cached-acceptable", "group-uri"]),
    write_only: &["ssc-master-pw"],
    defaults: &[("status", "\"not-activated\"")],
    collection: Some("{parent}/logical-partitions"),
    list: Some(ListSpec {
        key: "logical-partitions",
        props: &["object-uri", "name", "status"],
        filters: &["name"],
        additional: false,
        mode: Mode::Classic,
        sparse: false,
    }),
    ..BASE
};
