//! Logical partitions of classic-mode CPCs.

use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{BASE, GetSpec, ListSpec, Mode, ResourceType};

pub static LPAR: ResourceType = ResourceType {
    class: "logical-partition",
    def_key: "lpars",
    parent: Some(&CPC),
    element: "/api/logical-partitions/{id}",
    param: "logical-partition-id",
    get: Some(GetSpec {
        title: "Get Logical Partition Properties",
        query: &["properties", "cached-acceptable", "group-uri"],
    }),
    write_only: &["ssc-master-pw"],
    // The OS fields are empty until an OS runs, as on the HMC.
    defaults: &[
        ("status", "\"not-activated\""),
        ("description", "\"\""),
        ("activation-mode", "\"not-set\""),
        ("has-unacceptable-status", "false"),
        ("os-type", "\"\""),
        ("os-name", "\"\""),
        ("os-level", "\"\""),
    ],
    collection: Some("{parent}/logical-partitions"),
    list: Some(ListSpec {
        title: "List Logical Partitions of CPC",
        key: "logical-partitions",
        props: &["object-uri", "name", "status"],
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    ..BASE
};
