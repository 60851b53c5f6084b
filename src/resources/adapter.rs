//! Adapters and their network and storage ports.

use serde_json::Value;

use super::cpc::CPC;
use super::descriptor::{BASE, ListSpec, Mode, ResourceType};
use crate::api::HmcError;
use crate::store::{Resource, Tx};

/// What ports an adapter has, derived from its family or type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    Network,
    Storage,
    None,
}

/// The port kind of an adapter family.
pub fn port_kind(family: &str) -> PortKind {
    match family {
        "osa" | "roce" | "hipersockets" => PortKind::Network,
        "ficon" => PortKind::Storage,
        _ => PortKind::None,
    }
}

/// The adapter family implied by an adapter type.
fn family_of_type(t: &str) -> Option<&'static str> {
    Some(match t {
        "osd" | "osm" => "osa",
        "roce" => "roce",
        "hipersockets" => "hipersockets",
        "fcp" | "fc" => "ficon",
        "crypto" => "crypto",
        "zedc" => "accelerator",
        _ => return None,
    })
}

fn family(r: &Resource) -> &str {
    r.str_prop("adapter-family").unwrap_or("")
}

/// Derives `adapter-family` from `type` and adds the port list the family
/// needs; 400.5 for an adapter with neither or with an unknown type.
fn on_add_adapter(
    _tx: &Tx<'_>,
    _parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    let id = r.str_prop("object-id").unwrap_or("").to_string();
    if !r.props.contains_key("adapter-family") {
        let Some(t) = r.str_prop("type").map(str::to_string) else {
            return Err(HmcError::bad_request(
                5,
                format!(
                    "FakedAdapter with object-id={id} must have 'adapter-family' or 'type' property specified."
                ),
            ));
        };
        let Some(f) = family_of_type(&t) else {
            return Err(HmcError::bad_request(
                5,
                format!(
                    "FakedAdapter with object-id={id} has an unknown value in its 'type' property: {t}."
                ),
            ));
        };
        r.props
            .insert("adapter-family".into(), Value::String(f.into()));
    }
    let list = match port_kind(family(r)) {
        PortKind::Network => Some("network-port-uris"),
        PortKind::Storage => Some("storage-port-uris"),
        PortKind::None => None,
    };
    if let Some(list) = list {
        r.props
            .entry(list)
            .or_insert_with(|| Value::Array(Vec::new()));
    }
    Ok(())
}

pub static ADAPTER: ResourceType = ResourceType {
    class: "adapter",
    def_key: "adapters",
    parent: Some(&CPC),
    element: "/api/adapters/{id}",
    param: "adapter-id",
    defaults: &[("status", "\"active\"")],
    on_add: Some(on_add_adapter),
    collection: Some("{parent}/adapters"),
    list: Some(ListSpec {
        key: "adapters",
        props: &[
            "object-uri",
            "name",
            "adapter-id",
            "adapter-family",
            "type",
            "status",
        ],
        filters: &["name", "adapter-id", "adapter-family", "type", "status"],
        additional: true,
        mode: Mode::Dpm,
        sparse: false,
    }),
    ..BASE
};

pub static NETWORK_PORT: ResourceType = ResourceType {
    class: "network-port",
    def_key: "ports",
    parent: Some(&ADAPTER),
    element: "{parent}/network-ports/{id}",
    param: "network-port-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("network-port-uris"),
    variant_of: Some(|a| port_kind(family(a)) == PortKind::Network),
    ..BASE
};

pub static STORAGE_PORT: ResourceType = ResourceType {
    class: "storage-port",
    def_key: "ports",
    parent: Some(&ADAPTER),
    element: "{parent}/storage-ports/{id}",
    param: "storage-port-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("storage-port-uris"),
    variant_of: Some(|a| port_kind(family(a)) == PortKind::Storage),
    ..BASE
};
