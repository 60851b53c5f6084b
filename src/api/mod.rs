//! The vocabulary shared by every transport: requests, responses and HMC
//! errors. No I/O here.

pub mod error;
pub mod query;
pub mod request;
pub mod response;
pub mod sink;
pub mod timestamp;

pub use error::HmcError;
pub use query::Query;
pub use request::{Method, Request};
pub use response::{Body, DROP_CONNECTION, Response};
pub use sink::{AnswerText, Gone, Sink};
