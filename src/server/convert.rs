//! Conversion: an HTTP request becomes an `api::Request`, runs in
//! `Hmc::handle` (a plain read on the async worker, a plain write on the
//! writer thread `lane`, everything else on a blocking thread), and its
//! `Response` becomes HTTP: whole, or streamed from the blocking thread
//! while it is produced (`chunked`).
//! What the HTTP layer refuses (an unknown method, a body over the limit,
//! a malformed or stalled body) gets the HMC error body too.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, CONTENT_TYPE, EXPECT, HeaderName, HeaderValue};
use hyper::{Request as HttpRequest, Response as HttpResponse, StatusCode};
use tokio::sync::{Semaphore, oneshot};

use super::chunked::{ChannelSink, ChunkedBody, Reply};
use super::lane::{Answer, Lane};
use super::stream::Activity;
use crate::api::{DROP_CONNECTION, HmcError, Method, Request, Response};
use crate::hmc::Hmc;
use crate::store::Store;

/// Bodies up to this size are read before anything else is checked; for
/// a larger (or chunked) one the server first asks whether the request is
/// refused without it (no valid session), so that such a request costs at
/// most this much memory.
const SMALL_BODY: u64 = 64 * 1024;

/// How much of a refused request's body is read and thrown away after the
/// answer, so that a client that sends its whole body before it reads
/// (Python's requests, zhmcclient) gets the answer instead of a reset
/// connection. Beyond it the connection is closed.
const DRAIN_LIMIT: u64 = 1024 * 1024 * 1024;

/// The answer hyper sends: whole (every ordinary answer, with its
/// `Content-Length`), or streamed. An `Either`, not a boxed body, so that
/// an ordinary answer costs no allocation more than before streaming.
pub(super) type HttpAnswer = HttpResponse<Either<Full<Bytes>, ChunkedBody>>;

/// The request handler every connection of a server shares.
pub(super) struct Handler {
    hmc: Arc<Hmc>,
    /// Bounds the blocking threads to the number of store connections.
    permits: Arc<Semaphore>,
    /// Where plain writes run.
    lane: Lane,
    body_limit: usize,
    body_timeout: Duration,
}

/// The service error that makes hyper close a connection unanswered.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault rule")]
pub(super) struct Dropped;

/// Why a body was not read in full.
enum BodyError {
    TooLarge(Incoming),
    Stalled,
    Malformed(hyper::Error),
}

impl Handler {
    pub(super) fn new(
        hmc: Arc<Hmc>,
        body_limit: usize,
        body_timeout: Duration,
    ) -> std::io::Result<Handler> {
        Ok(Handler {
            lane: Lane::start(hmc.clone())?,
            hmc,
            permits: Arc::new(Semaphore::new(Store::CONNECTIONS)),
            body_limit,
            body_timeout,
        })
    }

    /// Answers one request of a connection whose activity is `activity`.
    pub(super) async fn handle(
        self: Arc<Self>,
        req: HttpRequest<Incoming>,
        activity: Arc<Activity>,
    ) -> Result<HttpAnswer, Dropped> {
        let _busy = activity.request();
        let started = Instant::now();
        let method_name = req.method().as_str().to_string();
        let uri = req.uri().path_and_query().map_or_else(
            || req.uri().path().to_string(),
            |pq| pq.as_str().to_string(),
        );
        let mut response = self.respond(req, &method_name, &uri, &activity).await;
        // A `--drop-connection` fault: hyper closes the connection when the
        // service fails, so the client gets no answer at all.
        let dropped = response.headers_mut().remove(DROP_CONNECTION).is_some();
        if dropped {
            tracing::info!(method = %method_name, uri = %uri, "connection dropped (fault rule)");
            return Err(Dropped);
        }
        tracing::info!(
            method = %method_name,
            uri = %uri,
            status = response.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
        Ok(response)
    }

    async fn respond(
        &self,
        req: HttpRequest<Incoming>,
        method_name: &str,
        uri: &str,
        activity: &Arc<Activity>,
    ) -> HttpAnswer {
        let (parts, body) = req.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        // A client that waits for "100 Continue" sends no body when it
        // gets the final answer instead: nothing to drain.
        let drain = !parts
            .headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let refuse = |e: HmcError, body: Incoming| {
            if drain {
                spawn_drain(body, self.body_timeout, activity);
            }
            closing(error_answer(&e, method_name, uri))
        };
        let Some(method) = Method::parse(method_name) else {
            let e = HmcError::invalid_method(method_name, uri, "mock-hmc");
            return refuse(e, body);
        };
        // Content-Length says what is coming: refuse before reading it.
        let declared = hyper::body::Body::size_hint(&body).exact();
        if declared.is_some_and(|n| n > self.body_limit as u64) {
            return refuse(HmcError::body_too_large(self.body_limit), body);
        }
        let mut request = Request {
            method,
            uri: uri.to_string(),
            session_id: header("x-api-session"),
            content_type: header(CONTENT_TYPE.as_str()),
            body: Vec::new(),
            // Tags the request in the journal (`journal --test ID`).
            test_id: header("x-mock-test-id"),
        };
        if declared.is_none_or(|n| n > SMALL_BODY) {
            let head = request.clone();
            let early = self.blocking(method_name, uri, move |hmc| hmc.answer_before_body(&head));
            match early.await {
                Ok(None) => {}
                Ok(Some(answer)) => {
                    if drain {
                        spawn_drain(body, self.body_timeout, activity);
                    }
                    return closing(to_http(answer));
                }
                Err(internal) => return closing(internal),
            }
        }
        request.body = match self.read_body(body, declared).await {
            Ok(bytes) => bytes,
            Err(BodyError::TooLarge(rest)) => {
                return refuse(HmcError::body_too_large(self.body_limit), rest);
            }
            Err(BodyError::Stalled) => {
                let e = HmcError::body_timeout(self.body_timeout.as_secs_f64());
                return closing(error_answer(&e, method_name, uri));
            }
            Err(BodyError::Malformed(e)) => {
                // hyper's own text is generic; its source says what broke.
                let detail =
                    std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
                let e = HmcError::malformed_body(&detail);
                return closing(error_answer(&e, method_name, uri));
            }
        };
        // A plain read runs right here, on the async worker, when a store
        // connection is free without waiting; anything else (or a read
        // that turns out to need a write) goes to a blocking thread.
        if request.method == Method::Get
            && let Ok(_permit) = self.permits.try_acquire()
            && let Some(response) = self.hmc.answer_inline(&request)
        {
            return to_http(response);
        }
        if Lane::takes(&request) {
            request = match self.lane.answer(request).await {
                Some(Answer::Done(response)) => return to_http(response),
                Some(Answer::GivenBack(request)) => request,
                None => return error_answer(&HmcError::internal(), method_name, uri),
            };
        }
        self.answer_blocking(request, method_name, uri, activity)
            .await
    }

    /// Answers `request` on a blocking thread, which may stream the answer
    /// (`api::sink`): the thread hands over either the whole answer or,
    /// before its first piece, the head and the channel of the pieces; it
    /// keeps the store connection and the permit until its transaction has
    /// ended, however the body goes.
    async fn answer_blocking(
        &self,
        request: Request,
        method: &str,
        uri: &str,
        activity: &Arc<Activity>,
    ) -> HttpAnswer {
        let internal = || error_answer(&HmcError::internal(), method, uri);
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return internal();
        };
        let (reply, replied) = oneshot::channel();
        let hmc = self.hmc.clone();
        let progress = self.body_timeout;
        // Not awaited: a streaming thread goes on after it replied. A
        // panic drops `reply` unsent, which is the 500 below.
        drop(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let runtime = tokio::runtime::Handle::current();
            let sink = ChannelSink::new(reply, runtime, progress);
            let response = hmc.answer_to(&request, Some(&sink));
            sink.finish(response, &request);
        }));
        match replied.await {
            Ok(Reply::Whole(response)) => to_http(response),
            Ok(Reply::Streaming(content_type, chunks)) => {
                let body = ChunkedBody::new(chunks, activity.busy());
                let mut out = HttpResponse::new(Either::Right(body));
                out.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                out
            }
            Err(_) => {
                tracing::error!(method, uri, "handler task failed");
                internal()
            }
        }
    }

    /// Reads the whole body, at most `body_limit` bytes, each piece within
    /// `body_timeout` of the one before.
    async fn read_body(
        &self,
        mut body: Incoming,
        declared: Option<u64>,
    ) -> Result<Vec<u8>, BodyError> {
        let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(0));
        let mut bytes = Vec::with_capacity(capacity.min(self.body_limit));
        loop {
            match tokio::time::timeout(self.body_timeout, body.frame()).await {
                Err(_) => return Err(BodyError::Stalled),
                Ok(None) => return Ok(bytes),
                Ok(Some(Err(e))) => return Err(BodyError::Malformed(e)),
                Ok(Some(Ok(frame))) => {
                    // Trailers carry nothing the HMC API uses.
                    if let Ok(data) = frame.into_data() {
                        if bytes.len() + data.len() > self.body_limit {
                            return Err(BodyError::TooLarge(body));
                        }
                        bytes.extend_from_slice(&data);
                    }
                }
            }
        }
    }

    /// Runs `f` on a blocking thread once a store connection is free; an
    /// `Err` is the 500 answer when that fails.
    async fn blocking<T: Send + 'static>(
        &self,
        method: &str,
        uri: &str,
        f: impl FnOnce(&Hmc) -> T + Send + 'static,
    ) -> Result<T, HttpAnswer> {
        let internal = || error_answer(&HmcError::internal(), method, uri);
        let Ok(_permit) = self.permits.acquire().await else {
            return Err(internal());
        };
        let hmc = self.hmc.clone();
        tokio::task::spawn_blocking(move || f(&hmc))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "handler task failed");
                internal()
            })
    }
}

/// Reads and discards what is left of a refused request's body (up to
/// `DRAIN_LIMIT`, each piece within `timeout`) while the answer goes out;
/// the connection counts as busy meanwhile, so no idle timeout cuts it.
fn spawn_drain(mut body: Incoming, timeout: Duration, activity: &Arc<Activity>) {
    if hyper::body::Body::is_end_stream(&body) {
        return;
    }
    let busy = activity.busy();
    tokio::spawn(async move {
        let _busy = busy;
        let mut seen: u64 = 0;
        while seen < DRAIN_LIMIT {
            match tokio::time::timeout(timeout, body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        seen += data.len() as u64;
                    }
                }
                _ => break,
            }
        }
    });
}

/// The same answer, closing the connection after it: the request's body
/// was not read to its end, so the stream is not at a request boundary.
fn closing(mut answer: HttpAnswer) -> HttpAnswer {
    answer
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    answer
}

/// The HMC error answer for `e` on `method uri`.
fn error_answer(e: &HmcError, method: &str, uri: &str) -> HttpAnswer {
    let body = e.body(method, uri).to_string();
    let mut r = HttpResponse::new(Either::Left(Full::new(Bytes::from(body))));
    *r.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// `response` as HTTP.
fn to_http(response: Response) -> HttpAnswer {
    let content_type = response
        .content_type()
        .and_then(|ct| HeaderValue::from_str(ct).ok());
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers.clone();
    let mut out = HttpResponse::new(Either::Left(Full::new(Bytes::from(
        response.into_body_bytes(),
    ))));
    *out.status_mut() = status;
    if let Some(v) = content_type {
        out.headers_mut().insert(CONTENT_TYPE, v);
    }
    for (name, value) in &headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            out.headers_mut().insert(n, v);
        }
    }
    out
}
