//! A streamed answer over HTTP: `ChannelSink`, the `api::Sink` a request's
//! blocking thread writes into, and `ChunkedBody`, the body hyper reads the
//! pieces from (sent with `Transfer-Encoding: chunked`). Between them, a
//! channel of `IN_FLIGHT` pieces bounds what a streamed answer holds, and
//! makes the producer wait for a slow client instead of buffering for it.

use std::cell::RefCell;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use hyper::body::{Bytes, Frame};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use super::stream::Busy;
use crate::api::{Gone, Request, Response, Sink};

/// Pieces the channel holds: enough that the producer goes on serialising
/// while hyper and TLS write the piece before, few enough to stay a small,
/// fixed part of the memory (with `api::sink::CHUNK`, about 256 KiB).
const IN_FLIGHT: usize = 4;

/// What a blocking request hands the async side first.
pub(super) enum Reply {
    /// The whole answer (every request that does not stream, and a
    /// streaming one that failed or ended before its first piece).
    Whole(Response),
    /// A 200 of this content type whose body follows on the channel.
    Streaming(&'static str, mpsc::Receiver<Piece>),
}

/// An item of the channel.
pub(super) enum Piece {
    Data(Bytes),
    /// The answer is complete; sent only after the request's transaction
    /// ended, so a closed channel without it is an answer cut short.
    End,
}

enum State {
    /// No piece yet: the reply is still open for either kind of answer.
    Waiting(oneshot::Sender<Reply>),
    Streaming(mpsc::Sender<Piece>),
    /// The async side went away before it took the reply.
    Gone,
}

/// The sink a request's blocking thread streams into. It lives on that
/// thread only (hence a `RefCell`).
pub(super) struct ChannelSink {
    state: RefCell<State>,
    runtime: Handle,
    /// How long a piece may wait for room in the channel: a client that
    /// stays connected but reads nothing would otherwise hold the
    /// producer, its read transaction and a blocking permit for ever.
    progress: Duration,
    started: Instant,
    bytes: RefCell<usize>,
}

impl ChannelSink {
    pub(super) fn new(reply: oneshot::Sender<Reply>, runtime: Handle, progress: Duration) -> Self {
        ChannelSink {
            state: RefCell::new(State::Waiting(reply)),
            runtime,
            progress,
            started: Instant::now(),
            bytes: RefCell::new(0),
        }
    }

    /// After the request's transaction: hands over `response` when nothing
    /// was streamed; else ends the body when the handler finished it, or
    /// drops the channel unended, which makes hyper abort the connection
    /// (the status is sent; a truncated body is all that is left to say).
    pub(super) fn finish(self, response: Response, req: &Request) {
        let bytes = *self.bytes.borrow();
        match self.state.into_inner() {
            State::Waiting(reply) => {
                // Nobody waits any more when the connection is gone.
                let _ = reply.send(Reply::Whole(response));
            }
            State::Streaming(chunks) => {
                let ms = self.started.elapsed().as_secs_f64() * 1000.0;
                let ended = if response == Response::streamed() {
                    hand_over(&self.runtime, self.progress, &chunks, Piece::End)
                } else {
                    Err(Gone("the request failed after its answer started"))
                };
                match ended {
                    Ok(()) => tracing::debug!(
                        method = %req.method, uri = %req.uri, bytes, ms, "answer streamed"
                    ),
                    Err(Gone(why)) => tracing::warn!(
                        method = %req.method, uri = %req.uri, bytes, ms,
                        status = response.status,
                        "streamed answer cut short: {why}"
                    ),
                }
            }
            State::Gone => {}
        }
    }
}

const GONE: Gone = Gone("the client went away");

/// Puts `piece` in the channel, waiting at most `progress` for room.
fn hand_over(
    runtime: &Handle,
    progress: Duration,
    chunks: &mpsc::Sender<Piece>,
    piece: Piece,
) -> Result<(), Gone> {
    // The common case, room in the channel, costs no timer.
    let piece = match chunks.try_send(piece) {
        Ok(()) => return Ok(()),
        Err(mpsc::error::TrySendError::Closed(_)) => return Err(GONE),
        Err(mpsc::error::TrySendError::Full(piece)) => piece,
    };
    // Blocking here is allowed: this is a blocking thread, not a worker.
    // The timer is made inside `block_on`, which enters the runtime: a
    // thread outside it has no timer to register with.
    let sent = runtime.block_on(async { tokio::time::timeout(progress, chunks.send(piece)).await });
    match sent {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(GONE),
        Err(_) => Err(Gone("the client read nothing for the body timeout")),
    }
}

impl Sink for ChannelSink {
    fn start(&self, content_type: &'static str) -> Result<(), Gone> {
        let mut state = self.state.borrow_mut();
        let State::Waiting(_) = &*state else {
            return Err(GONE);
        };
        let State::Waiting(reply) = std::mem::replace(&mut *state, State::Gone) else {
            return Err(GONE);
        };
        let (chunks, receiver) = mpsc::channel(IN_FLIGHT);
        if reply
            .send(Reply::Streaming(content_type, receiver))
            .is_err()
        {
            return Err(GONE);
        }
        *state = State::Streaming(chunks);
        Ok(())
    }

    fn send(&self, piece: Vec<u8>) -> Result<(), Gone> {
        let state = self.state.borrow();
        let State::Streaming(chunks) = &*state else {
            return Err(GONE);
        };
        *self.bytes.borrow_mut() += piece.len();
        hand_over(
            &self.runtime,
            self.progress,
            chunks,
            Piece::Data(Bytes::from(piece)),
        )
    }
}

/// The body of a streamed answer, as hyper reads it. It keeps its
/// connection busy, so the idle timeout does not cut a long answer.
pub(super) struct ChunkedBody {
    chunks: mpsc::Receiver<Piece>,
    ended: bool,
    _busy: Busy,
}

impl ChunkedBody {
    pub(super) fn new(chunks: mpsc::Receiver<Piece>, busy: Busy) -> ChunkedBody {
        ChunkedBody {
            chunks,
            ended: false,
            _busy: busy,
        }
    }
}

/// The error that makes hyper abort a connection whose answer broke off.
#[derive(Debug, thiserror::Error)]
#[error("the streamed answer broke off (see the log)")]
pub(super) struct CutShort;

impl hyper::body::Body for ChunkedBody {
    type Data = Bytes;
    type Error = CutShort;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, CutShort>>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match ready!(this.chunks.poll_recv(cx)) {
            Some(Piece::Data(bytes)) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
            Some(Piece::End) => {
                this.ended = true;
                Poll::Ready(None)
            }
            None => Poll::Ready(Some(Err(CutShort))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc as std_mpsc;

    use http_body_util::BodyExt;

    use super::*;
    use crate::api::Method;
    use crate::server::stream::Activity;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap()
    }

    /// Pieces a producer sent, and why it stopped.
    type Outcome = (usize, Result<(), Gone>);

    /// Runs a producer that writes pieces until the sink refuses one (at
    /// most `limit`) on a thread of its own; the receiver of its outcome
    /// (pieces taken, the refusal) and of its reply.
    fn producer(
        rt: &tokio::runtime::Runtime,
        progress: Duration,
        limit: usize,
    ) -> (std_mpsc::Receiver<Outcome>, oneshot::Receiver<Reply>) {
        let (reply, replied) = oneshot::channel();
        let (done, outcome) = std_mpsc::channel();
        let handle = rt.handle().clone();
        std::thread::spawn(move || {
            let sink = ChannelSink::new(reply, handle, progress);
            let mut sent = 0;
            let result = (|| {
                sink.start("application/json")?;
                while sent < limit {
                    sink.send(vec![b'x'; 1000])?;
                    sent += 1;
                }
                Ok(())
            })();
            sink.finish(
                Response::streamed(),
                &Request::new(Method::Post, "/api/services/inventory"),
            );
            let _ = done.send((sent, result));
        });
        (outcome, replied)
    }

    fn receiver(rt: &tokio::runtime::Runtime, replied: oneshot::Receiver<Reply>) -> ChunkedBody {
        match rt.block_on(replied).unwrap() {
            Reply::Streaming(ct, chunks) => {
                assert_eq!(ct, "application/json");
                ChunkedBody::new(chunks, Activity::new().busy())
            }
            Reply::Whole(r) => panic!("not streamed: {r:?}"),
        }
    }

    #[test]
    fn the_producer_stops_when_the_receiver_is_dropped() {
        let rt = runtime();
        let (outcome, replied) = producer(&rt, Duration::from_secs(600), 1_000_000);
        let mut body = receiver(&rt, replied);
        for _ in 0..3 {
            let frame = rt.block_on(body.frame()).unwrap().unwrap();
            assert_eq!(frame.into_data().unwrap().len(), 1000);
        }
        drop(body);
        // Far sooner than the progress timeout: the send fails at once.
        let (sent, result) = outcome.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(result, Err(GONE));
        assert!(sent < 3 + IN_FLIGHT + 2, "{sent}");
    }

    #[test]
    fn a_receiver_that_reads_nothing_stops_the_producer_after_the_timeout() {
        let rt = runtime();
        let (outcome, replied) = producer(&rt, Duration::from_millis(100), 1_000_000);
        let body = receiver(&rt, replied);
        let (sent, result) = outcome.recv_timeout(Duration::from_secs(20)).unwrap();
        assert!(matches!(result, Err(Gone(why)) if why.contains("timeout")));
        assert_eq!(sent, IN_FLIGHT);
        drop(body);
    }

    #[test]
    fn a_finished_stream_ends_and_an_unfinished_one_is_an_error() {
        let rt = runtime();
        let (outcome, replied) = producer(&rt, Duration::from_secs(600), 10);
        let body = receiver(&rt, replied);
        let collected = rt.block_on(body.collect()).unwrap().to_bytes();
        assert_eq!(collected.len(), 10_000);
        assert_eq!(outcome.recv().unwrap(), (10, Ok(())));

        // A producer whose request failed after the head: no `End`.
        let (reply, replied) = oneshot::channel();
        let sink = ChannelSink::new(reply, rt.handle().clone(), Duration::from_secs(1));
        sink.start("application/json").unwrap();
        sink.send(b"[1,".to_vec()).unwrap();
        let mut body = receiver(&rt, replied);
        sink.finish(
            Response::ok(serde_json::json!({"http-status": 500})),
            &Request::new(Method::Post, "/api/services/inventory"),
        );
        let first = rt.block_on(body.frame()).unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), Bytes::from_static(b"[1,"));
        assert!(rt.block_on(body.frame()).unwrap().is_err());
    }

    #[test]
    fn an_answer_without_pieces_is_handed_over_whole() {
        let rt = runtime();
        let (reply, replied) = oneshot::channel();
        let sink = ChannelSink::new(reply, rt.handle().clone(), Duration::from_secs(1));
        let whole = Response::ok_text("[]".into());
        sink.finish(
            whole.clone(),
            &Request::new(Method::Post, "/api/services/inventory"),
        );
        match rt.block_on(replied).unwrap() {
            Reply::Whole(r) => assert_eq!(r, whole),
            Reply::Streaming(..) => panic!("streamed"),
        }
    }
}
