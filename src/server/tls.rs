//! TLS for `serve`: a self-signed certificate generated once and kept in the
//! database (so it stays the same across restarts), or the user's own.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::hmc::{Error, Hmc};

const META_CERT: &str = "tls-certificate-pem";
const META_KEY: &str = "tls-private-key-pem";
/// The names (host names and addresses) the stored certificate is valid
/// for, as a JSON list. A db without it has a certificate for the defaults.
const META_NAMES: &str = "tls-certificate-names";

/// Names every generated certificate carries.
const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

fn tls_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!("{what}: {e}")))
}

/// The certificate and key PEM of this HMC, generated on first use, valid
/// for localhost, 127.0.0.1 and ::1.
pub fn self_signed_pem(hmc: &Hmc) -> Result<(String, String), Error> {
    self_signed_pem_for(hmc, &[])
}

/// Like `self_signed_pem`, valid for `extra` names too (the address or
/// host name `serve` listens on). A certificate that lacks one of them is
/// replaced by one for the names it had plus the new ones, so that moving
/// between listen addresses settles on one certificate for all of them.
pub fn self_signed_pem_for(hmc: &Hmc, extra: &[String]) -> Result<(String, String), Error> {
    hmc.store().write(|tx| {
        let stored: Vec<String> = match tx.meta(META_NAMES)? {
            Some(text) => serde_json::from_str(&text).unwrap_or_default(),
            None => DEFAULT_NAMES.iter().map(|n| n.to_string()).collect(),
        };
        let mut names = stored.clone();
        for name in DEFAULT_NAMES
            .iter()
            .map(|n| n.to_string())
            .chain(extra.iter().cloned())
        {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if let (Some(c), Some(k)) = (tx.meta(META_CERT)?, tx.meta(META_KEY)?)
            && names == stored
        {
            return Ok((c, k));
        }
        let cert = rcgen::generate_simple_self_signed(names.clone())
            .map_err(|e| tls_error("cannot generate a certificate", e))?;
        let c = cert.cert.pem();
        let k = cert.signing_key.serialize_pem();
        tx.set_meta(META_CERT, &c)?;
        tx.set_meta(META_KEY, &k)?;
        let names = serde_json::to_string(&names).map_err(|e| tls_error("TLS names", e))?;
        tx.set_meta(META_NAMES, &names)?;
        Ok::<_, Error>((c, k))
    })
}

/// The bytes of a PEM file; the error names the file.
fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| tls_error(&path.display().to_string(), e))
}

/// A TLS acceptor with `cert`/`key` files, or the HMC's own certificate
/// valid for `names` too; and the certificate's PEM.
pub fn acceptor(
    hmc: &Hmc,
    cert: Option<&Path>,
    key: Option<&Path>,
    names: &[String],
) -> Result<(TlsAcceptor, String), Error> {
    let (cert_pem, key_pem) = match (cert, key) {
        (Some(c), Some(k)) => (read_file(c)?, read_file(k)?),
        (None, None) => {
            let (c, k) = self_signed_pem_for(hmc, names)?;
            (c.into_bytes(), k.into_bytes())
        }
        _ => return Err(tls_error("TLS", "--cert and --key go together")),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_error("cannot read the certificate", e))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| tls_error("cannot read the private key", e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("TLS setup", e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_error("TLS certificate", e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // No TLS 1.3 session tickets after the handshake: stomp.py reads and
    // writes one SSL socket from two threads, and a ticket arriving while
    // its CONNECT is written left the connection silent now and then
    // (zhmcclient's auto-updater then fails after 30 s). Tests and tools
    // reconnect rarely, so resumption buys nothing here.
    config.send_tls13_tickets = 0;
    let pem = String::from_utf8_lossy(&cert_pem).into_owned();
    Ok((TlsAcceptor::from(Arc::new(config)), pem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acceptor_sends_no_tls13_session_tickets() {
        // stomp.py (zhmcclient's notifications) stalls now and then when a
        // ticket arrives while it writes its CONNECT frame.
        let dir = tempfile::tempdir().expect("tempdir");
        let hmc = Hmc::open(dir.path().join("hmc.sqlite")).expect("open");
        let (acceptor, pem) = acceptor(&hmc, None, None, &[]).expect("acceptor");
        assert!(pem.contains("BEGIN CERTIFICATE"));
        assert_eq!(acceptor.config().send_tls13_tickets, 0);
    }
}
