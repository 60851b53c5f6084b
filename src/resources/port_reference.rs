//! The check of an adapter port named in a request body: the backing port
//! of Create NIC (`network-adapter-port-uri`), and of Create HBA and
//! Reassign Storage Adapter Port (`adapter-port-uri`).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::api::HmcError;
use crate::store::Tx;

/// Which kind of port a body must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    /// `/api/adapters/{id}/network-ports/{id}` (NICs).
    Network,
    /// `/api/adapters/{id}/storage-ports/{id}` (HBAs).
    Storage,
}

/// The shape of a port URI of each kind; group 1 is its adapter's URI.
static NETWORK_PORT_URI: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"^(/api/adapters/[^/]+)/network-ports/[^/]+$"));
static STORAGE_PORT_URI: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"^(/api/adapters/[^/]+)/storage-ports/[^/]+$"));

impl PortKind {
    fn pattern(self) -> Result<&'static Regex, HmcError> {
        let compiled = match self {
            PortKind::Network => &*NETWORK_PORT_URI,
            PortKind::Storage => &*STORAGE_PORT_URI,
        };
        compiled.as_ref().map_err(|_| HmcError::internal())
    }
}

/// The adapter URI of a port URI of `kind`; `None` when the URI has another
/// shape.
pub fn adapter_of_port(kind: PortKind, port_uri: &str) -> Result<Option<String>, HmcError> {
    Ok(kind
        .pattern()?
        .captures(port_uri)
        .map(|caps| caps[1].to_string()))
}

/// Checks the port URI `value` the way the HMC mock does, in its order: a
/// value that is not a port URI of `kind` is 404.6 (treated like a missing
/// port), a missing adapter 404.2 naming the adapter, a missing port 404.6
/// naming the port. Returns the port URI.
pub fn require_port(tx: &Tx<'_>, kind: PortKind, value: &Value) -> Result<String, HmcError> {
    let Some(port_uri) = value.as_str() else {
        // The mock crashes on a non-string; the closest defined answer is
        // "no such port", naming what was sent.
        return Err(HmcError::referenced_not_found(6, &value.to_string()));
    };
    let Some(adapter_uri) = adapter_of_port(kind, port_uri)? else {
        return Err(HmcError::referenced_not_found(6, port_uri));
    };
    if !tx.resource_exists(&adapter_uri)? {
        return Err(HmcError::referenced_not_found(2, &adapter_uri));
    }
    if !tx.resource_exists(port_uri)? {
        return Err(HmcError::referenced_not_found(6, port_uri));
    }
    Ok(port_uri.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_uri_names_its_adapter_only_for_its_own_kind() {
        let storage = "/api/adapters/fcp1/storage-ports/0";
        assert_eq!(
            adapter_of_port(PortKind::Storage, storage).unwrap(),
            Some("/api/adapters/fcp1".to_string())
        );
        assert_eq!(adapter_of_port(PortKind::Network, storage).unwrap(), None);
        assert_eq!(
            adapter_of_port(PortKind::Storage, "/api/adapters/fcp1").unwrap(),
            None
        );
        assert_eq!(
            adapter_of_port(PortKind::Storage, "/api/adapters/a/storage-ports/0/x").unwrap(),
            None
        );
    }
}
