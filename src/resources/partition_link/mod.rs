//! Partition links (SE 2.16+): console-scoped connections of type
//! `hipersockets`, `smc-d` or `ctc` between partitions of one DPM CPC.
//!
//! Create, Modify and Delete are asynchronous on the HMC, so they answer 202
//! with a job that is already complete. Attaching a partition creates its
//! endpoints: NIC resources for HiperSockets (zhmcclient: "available as Nic
//! objects"), device numbers and FIDs for SMC-D (not externalized as objects,
//! only in `bus-connections`), and CTC devices for every path and pair of
//! attached partitions (in `paths`). A partition's `partition-link-uris` is
//! the record of which links it is attached to; `state` follows from it.
//!
//! Files: `validate` (request fields), `pools` (device numbers and FIDs),
//! `endpoints` (endpoint records), `attach` (attachments and `state`),
//! `network`/`hipersockets`/`smcd` (bus connections), `ctc`/`ctc_paths`
//! (CTC devices and paths), `create`/`modify`/`delete` (the operations) and
//! `cleanup` (what deleting other resources takes out of links).

mod attach;
mod cleanup;
mod create;
mod ctc;
mod ctc_paths;
mod delete;
mod endpoints;
mod hipersockets;
mod modify;
mod network;
mod pools;
mod smcd;
mod validate;

use serde_json::Value;

use crate::api::HmcError;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    Answer, BASE, GetSpec, ListSpec, On, Operation, ResourceType,
};
use crate::store::Resource;

/// The partition property listing the links a partition is attached to.
const LINKS: &str = "partition-link-uris";

/// The technology of a link (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkType {
    HiperSockets,
    SmcD,
    Ctc,
}

impl LinkType {
    /// 400.7 for anything but the three types.
    fn parse(v: Option<&Value>) -> Result<LinkType, HmcError> {
        match v.and_then(Value::as_str) {
            Some("hipersockets") => Ok(LinkType::HiperSockets),
            Some("smc-d") => Ok(LinkType::SmcD),
            Some("ctc") => Ok(LinkType::Ctc),
            _ => Err(HmcError::invalid_field("type", v.unwrap_or(&Value::Null))),
        }
    }

    fn of(link: &Resource) -> Result<LinkType, HmcError> {
        LinkType::parse(link.props.get("type"))
    }

    /// Create's input properties of this type, besides the common ones.
    fn inputs(self) -> &'static [&'static str] {
        match self {
            LinkType::HiperSockets => &[
                "bus-connections",
                "starting-device-number",
                "maximum-transmission-unit-size",
            ],
            LinkType::SmcD => &["bus-connections", "starting-fid"],
            LinkType::Ctc => &["paths", "devices-per-path"],
        }
    }

    /// Modify fields that only the other family accepts.
    fn rejects(self, field: &str) -> bool {
        match self {
            LinkType::Ctc => matches!(field, "added-connections" | "removed-connections"),
            _ => matches!(field, "added-paths" | "removed-paths"),
        }
    }
}

/// Operations: List Partition Links, Get Partition Link Properties, and
/// Create, Delete and Modify Partition Link, all three jobs (Create is an
/// operation on the collection, not the generic Create: its answer is a job
/// with the new link in `Location`, not a 201).
pub static PARTITION_LINK: ResourceType = ResourceType {
    class: "partition-link",
    def_key: "partition_links",
    parent: Some(&CONSOLE),
    element: "/api/partition-links/{id}",
    param: "partition-link-id",
    collection: Some("/api/partition-links"),
    list: Some(ListSpec {
        title: "List Partition Links",
        key: "partition-links",
        props: &["object-uri", "cpc-uri", "name", "state", "type"],
        filters: &["cpc-uri", "name", "state", "type"],
        additional: true,
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::with_properties("Get Partition Link Properties")),
    defaults: &[("description", "\"\"")],
    on_add: Some(endpoints::hold_loaded_numbers),
    after_delete: Some(cleanup::forget_deleted),
    unique_names: true,
    operations: &[
        Operation {
            on: On::Collection,
            query: Some(&[]),
            answer: Answer::Job,
            ..Operation::post("Create Partition Link", "", create::create)
        },
        Operation {
            answer: Answer::Job,
            ..Operation::post(
                "Delete Partition Link",
                "/operations/delete",
                delete::delete,
            )
        },
        Operation {
            answer: Answer::Job,
            ..Operation::post(
                "Modify Partition Link",
                "/operations/modify",
                modify::modify,
            )
        },
    ],
    ..BASE
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_family_of_a_field_accepts_it() {
        assert!(LinkType::Ctc.rejects("added-connections"));
        assert!(!LinkType::Ctc.rejects("added-paths"));
        assert!(LinkType::SmcD.rejects("removed-paths"));
        assert!(!LinkType::HiperSockets.rejects("added-connections"));
    }
}
