//! One connection's byte stream as hyper sees it: when requests start and
//! end (for the header and idle timeouts, which hyper does not keep apart)
//! and an HMC error body in place of the empty one hyper sends when it
//! cannot parse a request (400, 414, 431).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::Timeouts;
use crate::api::HmcError;

/// What a connection is doing, shared by its stream, its requests and the
/// watchdog in `listen` that closes it when a timeout passes.
pub(super) struct Activity {
    start: Instant,
    /// Requests being handled (and bodies being drained after an answer).
    busy: AtomicUsize,
    /// Requests started on this connection.
    requests: AtomicU64,
    /// Milliseconds after `start` when the connection last became idle.
    idle_since: AtomicU64,
    /// 1 + milliseconds after `start` of the first byte read while idle
    /// (a request head arriving); 0 when none.
    head_since: AtomicU64,
}

/// Marks a request (or a drain) as running until dropped.
pub(super) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.idle_since.store(self.0.now_ms(), Ordering::SeqCst);
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Activity {
    pub(super) fn new() -> Arc<Activity> {
        Arc::new(Activity {
            start: Instant::now(),
            busy: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            head_since: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A request's head has been read: it runs until the guard drops.
    pub(super) fn request(self: &Arc<Activity>) -> Busy {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.head_since.store(0, Ordering::SeqCst);
        self.busy()
    }

    /// Work on the connection that is not a new request (draining a body).
    pub(super) fn busy(self: &Arc<Activity>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    fn bytes_read(&self) {
        if self.busy.load(Ordering::SeqCst) == 0 && self.head_since.load(Ordering::SeqCst) == 0 {
            self.head_since.store(self.now_ms() + 1, Ordering::SeqCst);
        }
    }

    /// Which timeout, if any, has passed: a request head that takes too
    /// long, or an idle connection. Busy connections have none here (a
    /// body's progress is watched where it is read).
    pub(super) fn expired(&self, t: &Timeouts) -> Option<&'static str> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let now = Duration::from_millis(self.now_ms());
        let head = self.head_since.load(Ordering::SeqCst);
        if head > 0 {
            let since = Duration::from_millis(head - 1);
            return (now.saturating_sub(since) >= t.header).then_some("header timeout");
        }
        let idle = Duration::from_millis(self.idle_since.load(Ordering::SeqCst));
        (now.saturating_sub(idle) >= t.idle).then_some("idle timeout")
    }
}

/// The first bytes of a request kept for an error body: enough for any
/// request line worth quoting.
const HEAD_CAPTURE: usize = 2048;
/// How much of a method or URI an error body quotes.
const QUOTE_LIMIT: usize = 1024;

/// A connection's stream with its `Activity`, and the rewriter of hyper's
/// own error answers.
pub(super) struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
    /// The start of the current request head, as read.
    head: Vec<u8>,
    /// The `requests` count `head` belongs to.
    head_of: u64,
    /// Replacement bytes still to write, and how many are written.
    pending: Vec<u8>,
    written: usize,
    /// Whether hyper's answer was replaced: hyper closes the connection
    /// after it, so nothing else is written.
    replaced: bool,
}

impl<S> Watched<S> {
    pub(super) fn new(inner: S, activity: Arc<Activity>) -> Watched<S> {
        Watched {
            inner,
            activity,
            head: Vec::new(),
            head_of: 0,
            pending: Vec::new(),
            written: 0,
            replaced: false,
        }
    }

    fn capture(&mut self, bytes: &[u8]) {
        if self.activity.busy.load(Ordering::SeqCst) > 0 {
            return;
        }
        let requests = self.activity.requests.load(Ordering::SeqCst);
        if requests != self.head_of {
            self.head.clear();
            self.head_of = requests;
        }
        let room = HEAD_CAPTURE.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// Method and URI of the request line read so far, as far as there is
    /// one (quoted lossily: it may be the very thing that is malformed).
    fn request_line(&self) -> (String, String) {
        let line = self.head.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let mut parts = line.split(|b| *b == b' ').filter(|p| !p.is_empty());
        let quote = |part: Option<&[u8]>| {
            let text = String::from_utf8_lossy(part.unwrap_or(&[]));
            text.trim_end_matches('\r')
                .chars()
                .take(QUOTE_LIMIT)
                .collect()
        };
        let method = quote(parts.next());
        let uri = quote(parts.next());
        (method, uri)
    }
}

/// The status of `data` if it is an answer hyper made itself for a request
/// it could not parse: a 4xx status line and `content-length: 0`. Every
/// 4xx that mock-hmc makes has an HMC error body, so none is mistaken.
fn automatic_error_status(data: &[u8]) -> Option<u16> {
    let rest = data
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| data.strip_prefix(b"HTTP/1.0 "))?;
    let status: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    if !(400..500).contains(&status) {
        return None;
    }
    let end = data.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&data[..end + 2]).to_ascii_lowercase();
    (head.contains("\r\ncontent-length: 0\r\n") && !head.contains("\r\ncontent-type:"))
        .then_some(status)
}

/// The full HTTP answer that replaces hyper's empty one.
fn replacement(status: u16, method: &str, uri: &str) -> Vec<u8> {
    let (e, phrase) = match status {
        431 => (
            HmcError::headers_too_large(),
            "Request Header Fields Too Large",
        ),
        414 => (HmcError::uri_too_long(), "URI Too Long"),
        _ => (HmcError::malformed_request(), "Bad Request"),
    };
    let e = HmcError { status, ..e };
    let body = e.body(method, uri).to_string();
    format!(
        "HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl<S: AsyncWrite + Unpin> Watched<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let new = &buf.filled()[before..];
        if !new.is_empty() {
            this.activity.bytes_read();
            let new = new.to_vec();
            this.capture(&new);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if this.replaced {
            return Poll::Ready(Ok(data.len()));
        }
        if let Some(status) = automatic_error_status(data) {
            let (method, uri) = this.request_line();
            this.pending = replacement(status, &method, &uri);
            this.written = 0;
            this.replaced = true;
            // The replacement is written by the flush hyper does next.
            return Poll::Ready(Ok(data.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_empty_error_answers_are_recognised_and_ours_are_not() {
        let hyper_400 = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(automatic_error_status(hyper_400), Some(400));
        let hyper_431 =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(automatic_error_status(hyper_431), Some(431));
        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(automatic_error_status(ours), None);
        let ok = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(automatic_error_status(ok), None);
    }

    #[test]
    fn the_replacement_is_an_hmc_error_answer() {
        let text = String::from_utf8(replacement(431, "GET", "/api/version")).unwrap_or_default();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(v["http-status"], 431);
        assert_eq!(v["reason"], 0);
        assert_eq!(v["request-method"], "GET");
        assert_eq!(v["request-uri"], "/api/version");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}
