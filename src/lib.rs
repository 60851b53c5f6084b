//! # mock-hmc
//!
//! A faked IBM Z Hardware Management Console (HMC) Web Services API for
//! tests, kept in one SQLite file: many sessions, threads and OS processes
//! share one HMC, the real `zhmcclient` reaches it over HTTPS
//! (`mock-hmc serve`), and Rust code uses it in-process through the very
//! same handlers:
//!
//! ```
//! use mock_hmc::Hmc;
//! use serde_json::json;
//!
//! let dir = tempfile::tempdir()?;
//! // A new file is filled with the embedded default HMC.
//! let hmc = Hmc::open(dir.path().join("hmc.sqlite"))?;
//! let session = hmc.logon("ensadmin", "password")?;
//!
//! // Find the DPM CPC and create a partition on it.
//! let cpcs = session.get_json("/api/cpcs?name=DPM1")?;
//! let cpc_uri = cpcs["cpcs"][0]["object-uri"].as_str().unwrap().to_string();
//! let created = session.post(
//!     &format!("{cpc_uri}/partitions"),
//!     &json!({"name": "demo", "initial-memory": 1024, "maximum-memory": 2048,
//!             "ifl-processors": 1}),
//! );
//! assert_eq!(created.status, 201);
//! let uri = created.json().unwrap()["object-uri"].as_str().unwrap().to_string();
//!
//! // Read it back, as zhmcclient would.
//! let partition = session.get_json(&uri)?;
//! assert_eq!(partition["status"], "stopped");
//! assert_eq!(partition["reserved-memory"], 1024);
//!
//! // Start Partition is asynchronous: 202 and a job, complete at once.
//! let started = session.post(&format!("{uri}/operations/start"), &json!(null));
//! assert_eq!(started.status, 202);
//! let job = session.get_json(started.json().unwrap()["job-uri"].as_str().unwrap())?;
//! assert_eq!(job["status"], "complete");
//! assert_eq!(session.get_json(&uri)?["status"], "active");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors come back as the HMC sends them: the status code and a JSON body
//! with `http-status`, `reason`, `message`, `request-method` and
//! `request-uri`.

// The API is what is re-exported here (and the `definition`, `server` and
// `cli` entry points); every other module is private, so nothing outside
// the crate writes to the store around dispatch. `test_support` is the one,
// hidden, exception for this crate's own tests and benchmarks.
mod api;
pub mod cli;
mod ctx;
pub mod definition;
mod dispatch;
mod fixture;
mod hmc;
mod inventory_file;
mod notifications;
mod resource_api;
mod resources;
mod routes;
mod secrets;
pub mod server;
mod session;
mod store;
#[doc(hidden)]
pub mod test_support;

pub use api::{Body, DROP_CONNECTION, HmcError, Method, Request, Response};
pub use fixture::{Diff, FaultSpec, JobPolicySpec, JournalFilter};
pub use hmc::{Error, Hmc};
pub use inventory_file::{Inventory, InventoryOptions};
pub use resource_api::{ResourceInfo, SessionTokens, TypeInfo, resource_types};
pub use resources::metrics_context::MetricsSource;
pub use session::Session;
pub use store::{CheckpointRow, FaultRow, JobPolicyRow, JournalRow, SessionRow};
