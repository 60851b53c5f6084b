//! Logical partitions (LPARs) of classic-mode CPCs: the descriptor, Update
//! Logical Partition Properties and (in `operations`) the activation, load,
//! start/stop and reset jobs.

pub mod operations;

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Check, GetSpec, ListSpec, Mode, Needs, ResourceType, UpdateSpec,
};
use crate::store::Resource;

/// LPAR statuses in which its properties can be updated (an active LPAR).
const UPDATABLE: &[&str] = &["not-operating", "operating", "exceptions"];

/// 409.1 unless the LPAR is active, with the HMC mock's message (a missing
/// status reads `None`, as Python prints it).
fn check_updatable(_ctx: &Ctx<'_>, lpar: &Resource) -> Result<(), HmcError> {
    let status = lpar.str_prop("status");
    if status.is_some_and(|s| UPDATABLE.contains(&s)) {
        return Ok(());
    }
    Err(HmcError::conflict(
        1,
        format!(
            "Cannot update LPAR properties in status {}",
            status.unwrap_or("None")
        ),
    ))
}

/// Update Logical Partition Properties: classic (409.4), a CPC whose status
/// allows operations (409.6; `operating` is valid, unlike in the Python
/// mock) and an active LPAR (409.1).
const UPDATE: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::CpcStatus, Check::Rule(check_updatable)],
};

/// Operations: List Logical Partitions of CPC, Get/Update Logical Partition
/// Properties, and those of `operations::OPERATIONS`.
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
    update: Some(UpdateSpec {
        needs: UPDATE,
        ..UpdateSpec::any("Update Logical Partition Properties")
    }),
    write_only: &["ssc-master-pw"],
    defaults: &[("status", "\"not-activated\"")],
    collection: Some("{parent}/logical-partitions"),
    list: Some(ListSpec {
        title: "List Logical Partitions of CPC",
        key: "logical-partitions",
        props: &["object-uri", "name", "status"],
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    operations: operations::OPERATIONS,
    ..BASE
};
