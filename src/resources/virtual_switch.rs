//! Virtual switches of DPM CPCs and their Get Connected VNICs operation.

use std::collections::HashSet;

use serde_json::json;

use crate::api::{HmcError, Method};
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Done, GetSpec, ListSpec, Mode, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::generic::remove;
use crate::resources::framework::preconditions::DPM;
use crate::store::{Resource, Tx};

/// After a delete: the virtual switches backed by a deleted adapter go too
/// (a HiperSockets adapter's switch exists only for it; the Python mock
/// leaves it behind). One class query finds them; most deletes (NICs,
/// partitions, storage groups, ...) match none and end there.
fn forget_deleted(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    // Only switches whose text names a deleted URI are read; the exact
    // match below drops those that merely contain it.
    let candidates = tx.resources_of_class_naming(VIRTUAL_SWITCH.class, gone)?;
    let gone: HashSet<&str> = gone.iter().map(String::as_str).collect();
    let orphans: Vec<Resource> = candidates
        .into_iter()
        .filter(|vs| {
            vs.str_prop("backing-adapter-uri")
                .is_some_and(|a| gone.contains(a))
        })
        .collect();
    // Through `remove`, like every delete (its hooks see the switch go).
    for vs in &orphans {
        remove(tx, vs)?;
    }
    Ok(())
}

/// Operation: Get Connected VNICs of a Virtual Switch (409.5 unless DPM).
/// Deleting a NIC already takes its URI out of `connected-vnic-uris`; URIs
/// that a definition file names but that do not exist are left out too, so
/// the answer only names NICs a client can GET.
fn get_connected_vnics(ctx: &mut Ctx<'_>, vswitch: &mut Resource) -> Result<Done, HmcError> {
    let mut live = Vec::new();
    for uri in vswitch.str_list("connected-vnic-uris") {
        if ctx.tx.resource_exists(uri)? {
            live.push(uri);
        }
    }
    Ok(Done::Json(json!({ "connected-vnic-uris": live })))
}

/// Operation: Get Connected VNICs of a Virtual Switch, as POST (the mock's).
const GET_CONNECTED_VNICS: Operation = Operation {
    needs: DPM,
    ..Operation::post(
        "Get Connected VNICs of a Virtual Switch",
        "/operations/get-connected-vnics",
        get_connected_vnics,
    )
};

/// Virtual switches: listed only for DPM CPCs; updated without checks (the
/// HMC mock's generic update).
pub static VIRTUAL_SWITCH: ResourceType = ResourceType {
    class: "virtual-switch",
    def_key: "virtual_switches",
    parent: Some(&CPC),
    element: "/api/virtual-switches/{id}",
    param: "virtual-switch-id",
    after_delete: Some(forget_deleted),
    defaults: &[("connected-vnic-uris", "[]"), ("description", "\"\"")],
    collection: Some("{parent}/virtual-switches"),
    list: Some(ListSpec {
        title: "List Virtual Switches of a CPC",
        key: "virtual-switches",
        props: &["object-uri", "name", "type"],
        filters: &["name", "type"],
        additional: true,
        mode: Mode::Dpm,
        ..ListSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Virtual Switch Properties")),
    // zhmcclient sends GET (as the WS API book defines it); the HMC mock
    // answers POST. Both are served.
    operations: &[
        Operation {
            method: Method::Get,
            ..GET_CONNECTED_VNICS
        },
        GET_CONNECTED_VNICS,
    ],
    get: Some(GetSpec::titled("Get Virtual Switch Properties")),
    ..BASE
};
