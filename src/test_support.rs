//! Internals for this crate's own tests and benchmarks, re-exported in one
//! place. Not part of the API: hidden from the docs, no stability promise,
//! and the only public way to reach the store without going through
//! dispatch (tests use it to set up states the API cannot make, such as a
//! second storage port or a console that is gone).
//!
//! The paths of internal modules appear here and nowhere in `tests/` or
//! `benches/`, so moving a module is a change of this one file.

use crate::hmc::Hmc;

pub use crate::resources::adapter::port::STORAGE_PORT;
pub use crate::resources::framework::generic::add_resource;
pub use crate::resources::storage_group::STORAGE_GROUP;
pub use crate::routes::RouteTable;
pub use crate::server::tls::self_signed_pem;
pub use crate::store::{
    MetricValuesRow, MetricsContextRow, NewNotification, Resource, Store, StoreError, Tx,
};

/// The key a session with the `api-session` id `token` is stored under
/// (`SessionRow::id`).
pub fn session_key(token: &str) -> String {
    crate::secrets::token_key(token)
}

/// The store behind `hmc`: reads and writes that bypass dispatch.
pub fn store(hmc: &Hmc) -> &Store {
    hmc.store()
}
