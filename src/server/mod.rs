//! The HTTP(S) front end, the only module that knows HTTP. It has two
//! parts: `listen` accepts connections (TCP, TLS, the connection limit,
//! signals, graceful shutdown) and watches them (`stream`: header and idle
//! timeouts); `convert` turns an HTTP request into an `api::Request`, runs
//! `Hmc::handle` (a plain write on the server's writer thread, `lane`;
//! what else does not run on the async worker on a blocking thread), and turns the `Response` back into
//! HTTP, with the HMC error body for what the HTTP layer itself refuses;
//! `chunked` carries a streamed answer from that thread to hyper.

mod chunked;
mod convert;
mod lane;
mod listen;
pub mod stomp;
mod stomp_frame;
mod stream;
pub(crate) mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::hmc::{Error, Hmc};

/// Largest request body accepted (ISO images for Mount ISO Image included).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// How long connections may take at each stage before they are closed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    /// From accepting a connection to the end of its TLS handshake.
    pub handshake: Duration,
    /// From the first byte of a request to the end of its headers.
    pub header: Duration,
    /// Between two pieces of a request body (the body's progress), and
    /// for which a streamed answer waits for the client to take a piece.
    pub body: Duration,
    /// A kept-alive connection with no request.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            handshake: Duration::from_secs(10),
            header: Duration::from_secs(30),
            body: Duration::from_secs(30),
            // Longer than a client's pause between requests (zhmcclient
            // polls jobs every 10 s), so pooled connections rarely go.
            idle: Duration::from_secs(120),
        }
    }
}

/// How `serve` listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// An IP address or a host name (`localhost`): the first address it
    /// resolves to, IPv4 first.
    pub listen: String,
    /// 0 picks a free port.
    pub port: u16,
    /// Where to write the port actually bound.
    pub port_file: Option<PathBuf>,
    pub plain_http: bool,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Where to write the certificate the server presents (PEM).
    pub cert_out: Option<PathBuf>,
    pub body_limit: usize,
    /// Connections open at once; more are closed as they come. `None`:
    /// derived from the file-descriptor limit (`default_max_connections`).
    pub max_connections: Option<usize>,
    pub timeouts: Timeouts,
    /// The STOMP notification server beside the HTTP one.
    pub stomp: stomp::StompOptions,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            listen: "127.0.0.1".into(),
            port: 6794,
            port_file: None,
            plain_http: false,
            cert: None,
            key: None,
            cert_out: None,
            body_limit: DEFAULT_BODY_LIMIT,
            max_connections: None,
            timeouts: Timeouts::default(),
            stomp: stomp::StompOptions::default(),
        }
    }
}

/// Descriptors kept free of connections: stdio, the listener, the
/// runtime's own, and the SQLite files of every store connection.
const RESERVED_DESCRIPTORS: u64 = 48;

/// The default connection limit: half of what the soft file-descriptor
/// limit leaves after `RESERVED_DESCRIPTORS`, at most 1,024 and at least 1,
/// so that accepting never runs out of descriptors (1,024 files give 488).
pub fn default_max_connections() -> usize {
    let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX);
    let free = soft.saturating_sub(RESERVED_DESCRIPTORS) / 2;
    usize::try_from(free).unwrap_or(usize::MAX).clamp(1, 1024)
}

/// An I/O error that names what it was about (`cannot listen on
/// 127.0.0.1:6794: Address already in use`).
fn io_context(what: impl std::fmt::Display, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(e.kind(), format!("{what}: {e}")))
}

/// Writes `text` to `path`; the error names the file and its use.
fn write_file(what: &str, path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text)
        .map_err(|e| io_context(format_args!("cannot write {what} {}", path.display()), e))
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
