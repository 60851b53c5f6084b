//! Adapter ports (`network-port`, `storage-port`), the port kind an adapter
//! family has, and the check of an adapter port named in a request body:
//! the backing port of Create NIC (`network-adapter-port-uri`), and of
//! Create HBA and Reassign Storage Adapter Port (`adapter-port-uri`).

use serde_json::Value;

use crate::api::HmcError;
use crate::resources::adapter::{ADAPTER, family};
use crate::resources::framework::descriptor::{BASE, GetSpec, ResourceType, UpdateSpec};
use crate::resources::framework::generic::lookup;
use crate::store::Tx;

/// The kinds of adapter port (an adapter's family decides which it has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    /// `/api/adapters/{id}/network-ports/{id}` (NICs).
    Network,
    /// `/api/adapters/{id}/storage-ports/{id}` (HBAs).
    Storage,
}

impl PortKind {
    /// The resource type of ports of this kind.
    pub(crate) fn port_type(self) -> &'static ResourceType {
        match self {
            PortKind::Network => &NETWORK_PORT,
            PortKind::Storage => &STORAGE_PORT,
        }
    }
}

/// The kind of ports an adapter family has (none for crypto adapters and
/// accelerators).
pub(crate) fn port_kind(family: &str) -> Option<PortKind> {
    match family {
        "osa" | "roce" | "hipersockets" => Some(PortKind::Network),
        "ficon" => Some(PortKind::Storage),
        _ => None,
    }
}

/// Operations: Get Network Port Properties, Update Network Port Properties.
pub static NETWORK_PORT: ResourceType = ResourceType {
    class: "network-port",
    def_key: "ports",
    parent: Some(&ADAPTER),
    element: "{parent}/network-ports/{id}",
    param: "network-port-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("network-port-uris"),
    variant_of: Some(|a| port_kind(family(a)) == Some(PortKind::Network)),
    update: Some(UpdateSpec::only(
        "Update Network Port Properties",
        &["description"],
    )),
    get: Some(GetSpec::titled("Get Network Port Properties")),
    ..BASE
};

/// Operations: Get Storage Port Properties, Update Storage Port Properties.
pub static STORAGE_PORT: ResourceType = ResourceType {
    class: "storage-port",
    def_key: "ports",
    parent: Some(&ADAPTER),
    element: "{parent}/storage-ports/{id}",
    param: "storage-port-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    back_ref: Some("storage-port-uris"),
    variant_of: Some(|a| port_kind(family(a)) == Some(PortKind::Storage)),
    update: Some(UpdateSpec::only(
        "Update Storage Port Properties",
        &["description", "connection-endpoint-uri"],
    )),
    get: Some(GetSpec::titled("Get Storage Port Properties")),
    ..BASE
};

/// The adapter URI in a URI shaped like a port of `port_type`
/// (`/api/adapters/{a}/network-ports/{p}`, read from the descriptors'
/// templates); `None` for another shape.
fn adapter_of_port<'u>(port_type: &ResourceType, port_uri: &'u str) -> Option<&'u str> {
    let infix = port_type
        .element
        .strip_prefix("{parent}")?
        .strip_suffix("{id}")?;
    let (adapter_uri, port_id) = port_uri.split_once(infix)?;
    let adapter_id = adapter_uri.strip_prefix(ADAPTER.element.strip_suffix("{id}")?)?;
    let single = |id: &str| !id.is_empty() && !id.contains('/');
    (single(adapter_id) && single(port_id)).then_some(adapter_uri)
}

/// Checks the port URI `value` the way the HMC mock does: the port of
/// `kind` exists; otherwise a port-shaped URI whose adapter is missing is
/// 404.2 naming the adapter, and anything else (a missing port, a value
/// that is not a port URI of `kind`) 404.6 naming the value. Returns the
/// port URI.
pub fn require_port(tx: &Tx<'_>, kind: PortKind, value: &Value) -> Result<String, HmcError> {
    let Some(port_uri) = value.as_str() else {
        // The mock crashes on a non-string; the closest defined answer is
        // "no such port", naming what was sent.
        return Err(HmcError::referenced_not_found(6, &value.to_string()));
    };
    let port_type = kind.port_type();
    // A port's parent is always its adapter (the type's parent is ADAPTER),
    // so a found port needs no adapter check.
    if let Some(port) = lookup(tx, port_type, port_uri)? {
        return Ok(port.uri);
    }
    match adapter_of_port(port_type, port_uri) {
        Some(adapter) if !tx.resource_exists(adapter)? => {
            Err(HmcError::referenced_not_found(2, adapter))
        }
        _ => Err(HmcError::referenced_not_found(6, port_uri)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_kinds_follow_the_adapter_family() {
        assert_eq!(port_kind("osa"), Some(PortKind::Network));
        assert_eq!(port_kind("hipersockets"), Some(PortKind::Network));
        assert_eq!(port_kind("ficon"), Some(PortKind::Storage));
        assert_eq!(port_kind("crypto"), None);
    }

    #[test]
    fn a_port_uri_names_its_adapter_only_for_its_own_kind() {
        let storage = "/api/adapters/fcp1/storage-ports/0";
        assert_eq!(
            adapter_of_port(&STORAGE_PORT, storage),
            Some("/api/adapters/fcp1")
        );
        assert_eq!(adapter_of_port(&NETWORK_PORT, storage), None);
        assert_eq!(adapter_of_port(&STORAGE_PORT, "/api/adapters/fcp1"), None);
        assert_eq!(
            adapter_of_port(&STORAGE_PORT, "/api/adapters/a/storage-ports/0/x"),
            None
        );
        assert_eq!(
            adapter_of_port(&STORAGE_PORT, "/api/adapters//storage-ports/0"),
            None
        );
        assert_eq!(
            adapter_of_port(&STORAGE_PORT, "/api/adapters/a/storage-ports/"),
            None
        );
        assert_eq!(
            adapter_of_port(&STORAGE_PORT, "/x/api/adapters/a/storage-ports/0"),
            None
        );
    }
}
