//! `mock_hmc._native`: the Rust side of the `mock_hmc` Python package.
//!
//! It runs the very same `mock_hmc` library the server runs, in-process:
//! `session` holds the request glue behind `mock_hmc.Session` and the CLI
//! entry point behind the `mock-hmc` console script. Every call that does
//! Rust work releases the GIL (`Python::detach`), so other Python threads
//! run while SQLite works or a fault rule's delay sleeps.

use pyo3::prelude::*;

mod faked_hmc;
mod session;

/// The module `mock_hmc._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    session::register(m)?;
    // The FakedHmc mirror (`session.hmc`) registers its functions here:
    faked_hmc::register(m)?;
    Ok(())
}
