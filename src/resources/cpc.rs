//! CPCs (either mode) and their hardware messages.

use serde_json::Value;

use super::descriptor::{BASE, ListSpec, Mode, ResourceType, UpdateSpec};
use crate::api::HmcError;
use crate::store::{Resource, Tx};

/// A CPC's default status follows its mode: `active` in DPM mode,
/// `operating` in classic mode.
fn on_add_cpc(_tx: &Tx<'_>, _parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    let dpm = r.props.get("dpm-enabled").and_then(Value::as_bool) == Some(true);
    r.props
        .entry("status")
        .or_insert_with(|| Value::String(if dpm { "active" } else { "operating" }.into()));
    Ok(())
}

/// Operations: List CPC Objects, Get CPC Properties, Update CPC Properties.
pub static CPC: ResourceType = ResourceType {
    class: "cpc",
    def_key: "cpcs",
    element: "/api/cpcs/{id}",
    param: "cpc-id",
    collection: Some("/api/cpcs"),
    list: Some(ListSpec {
        key: "cpcs",
        props: &[
            "object-uri",
            "name",
            "status",
            "has-unacceptable-status",
            "dpm-enabled",
            "se-version",
        ],
        filters: &["name"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    get: Some(&["properties", "cached-acceptable", "group-uri"]),
    update: Some(UpdateSpec {
        title: "Update CPC Properties",
        writable: None,
        check: None,
    }),
    defaults: &[("dpm-enabled", "false"), ("is-ensemble-member", "false")],
    on_add: Some(on_add_cpc),
    ..BASE
};

pub static CPC_HW_MESSAGE: ResourceType = ResourceType {
    class: "hardware-message",
    def_key: "hw_messages",
    parent: Some(&CPC),
    element: "{parent}/hardware-messages/{id}",
    param: "hardware-message-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/hardware-messages"),
    list: Some(ListSpec {
        key: "hardware-messages",
        props: &["element-uri", "timestamp", "text"],
        filters: &[],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    ..BASE
};
