//! The HTTP(S) front end, the only module that knows HTTP. It has two
//! parts: `listen` accepts connections (TCP, TLS, signals, graceful
//! shutdown) and serves them with hyper; `convert` turns an HTTP request
//! into an `api::Request`, runs `Hmc::handle` on a blocking thread, and
//! turns the `Response` back into HTTP, with the HMC error body for what
//! the HTTP layer itself refuses.

mod convert;
mod listen;
pub(crate) mod tls;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use crate::hmc::{Error, Hmc};

/// Largest request body accepted (ISO images for Mount ISO Image included).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// How `serve` listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Where to write the port actually bound.
    pub port_file: Option<PathBuf>,
    pub plain_http: bool,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub body_limit: usize,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            listen: IpAddr::from([127, 0, 0, 1]),
            port: 6794,
            port_file: None,
            plain_http: false,
            cert: None,
            key: None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// Serves `hmc` until SIGINT or SIGTERM, then finishes open requests and
/// checkpoints the WAL. `on_bound` is called with the bound address.
pub fn serve(
    hmc: Arc<Hmc>,
    opts: ServeOptions,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()?;
    runtime.block_on(listen::run(hmc.clone(), opts, on_bound))?;
    hmc.checkpoint()?;
    Ok(())
}
