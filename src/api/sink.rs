//! A large answer sent while it is produced instead of built whole: the
//! handler writes its text into an `AnswerText`, which hands it over in
//! pieces of about `CHUNK` bytes to the request's `Sink` when it has one
//! (the HTTP server's streaming entry) and keeps it whole otherwise (the
//! library, nested requests, the journal's needs). No I/O here: the server
//! implements `Sink` over a bounded channel.

use super::{HmcError, Response};

/// How much text is handed over at once: large enough that the per-piece
/// cost (a channel send, an HTTP chunk header, a TLS record or four) is
/// noise next to serialising it, small enough that the few pieces in
/// flight are a bounded, small part of the server's memory.
pub const CHUNK: usize = 64 * 1024;

/// Why a streamed answer cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone(pub &'static str);

impl From<Gone> for HmcError {
    /// The producer stops and its transaction ends; the status was sent
    /// already, so this reaches only the log and the journal.
    fn from(g: Gone) -> HmcError {
        HmcError::new(500, 0, format!("the answer broke off: {}", g.0))
    }
}

/// Where a streamed answer goes. Called from the one thread that runs the
/// request, inside its transaction; `&self` so that it can sit in `Ctx`
/// beside the transaction and be reached from the closures dispatch runs.
pub trait Sink {
    /// Commits the answer to status 200 with `content_type`, before the
    /// first piece: from here on an error can only cut the answer short.
    fn start(&self, content_type: &'static str) -> Result<(), Gone>;

    /// Hands over the next piece of the body; blocks while the receiver is
    /// a few pieces behind, and fails when it is gone or takes nothing for
    /// too long.
    fn send(&self, piece: Vec<u8>) -> Result<(), Gone>;
}

/// The text of a JSON answer being written: sent on in pieces as it grows
/// when there is a sink, kept whole when there is none. An answer shorter
/// than one piece is never streamed: it goes out whole, with its length.
pub struct AnswerText<'s> {
    text: Vec<u8>,
    sink: Option<&'s dyn Sink>,
    started: bool,
}

/// Room for the item that crosses `CHUNK`, so a piece is not reallocated
/// at twice its size for the last few hundred bytes.
const SLACK: usize = CHUNK / 4;

impl<'s> AnswerText<'s> {
    pub fn new(sink: Option<&'s dyn Sink>) -> AnswerText<'s> {
        let capacity = if sink.is_some() { CHUNK + SLACK } else { 0 };
        AnswerText {
            text: Vec::with_capacity(capacity),
            sink,
            started: false,
        }
    }

    /// The text written so far and not yet handed over.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.text
    }

    /// Hands the text over once it is a piece long (with a sink).
    pub fn flush_full(&mut self) -> Result<(), Gone> {
        if self.text.len() < CHUNK {
            return Ok(());
        }
        let Some(sink) = self.sink else {
            return Ok(());
        };
        if !self.started {
            sink.start("application/json")?;
            self.started = true;
        }
        let piece = std::mem::replace(&mut self.text, Vec::with_capacity(CHUNK + SLACK));
        sink.send(piece)
    }

    /// The answer: the whole text, or, once streaming started, its last
    /// piece handed over and `Response::streamed()`.
    pub fn finish(mut self) -> Result<Response, HmcError> {
        if let (true, Some(sink)) = (self.started, self.sink) {
            if !self.text.is_empty() {
                sink.send(std::mem::take(&mut self.text))?;
            }
            return Ok(Response::streamed());
        }
        let text = String::from_utf8(self.text).map_err(|_| HmcError::internal())?;
        Ok(Response::ok_text(text))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::api::Body;

    /// Keeps what it is given; refuses pieces after `limit` of them.
    struct Recorder {
        started: RefCell<Option<&'static str>>,
        pieces: RefCell<Vec<Vec<u8>>>,
        limit: usize,
    }

    impl Recorder {
        fn new(limit: usize) -> Recorder {
            Recorder {
                started: RefCell::new(None),
                pieces: RefCell::new(Vec::new()),
                limit,
            }
        }
    }

    impl Sink for Recorder {
        fn start(&self, content_type: &'static str) -> Result<(), Gone> {
            assert!(self.started.borrow().is_none(), "started twice");
            *self.started.borrow_mut() = Some(content_type);
            Ok(())
        }

        fn send(&self, piece: Vec<u8>) -> Result<(), Gone> {
            assert!(self.started.borrow().is_some(), "a piece before the head");
            let mut pieces = self.pieces.borrow_mut();
            if pieces.len() == self.limit {
                return Err(Gone("receiver dropped"));
            }
            pieces.push(piece);
            Ok(())
        }
    }

    fn write(out: &mut AnswerText<'_>, items: usize) -> Result<(), Gone> {
        for i in 0..items {
            out.buffer()
                .extend_from_slice(format!("{i:0>1000}").as_bytes());
            out.flush_full()?;
        }
        Ok(())
    }

    #[test]
    fn a_long_text_goes_out_in_pieces_and_a_short_one_whole() {
        let sink = Recorder::new(usize::MAX);
        let mut out = AnswerText::new(Some(&sink));
        write(&mut out, 300).unwrap();
        assert_eq!(out.finish().unwrap(), Response::streamed());
        assert_eq!(*sink.started.borrow(), Some("application/json"));
        let pieces = sink.pieces.borrow();
        assert_eq!(pieces.len(), 300_000 / CHUNK + 1);
        assert!(pieces.iter().all(|p| p.len() < CHUNK + 1000));
        assert_eq!(pieces.concat().len(), 300_000);

        let sink = Recorder::new(usize::MAX);
        let mut out = AnswerText::new(Some(&sink));
        write(&mut out, 3).unwrap();
        let whole = out.finish().unwrap();
        assert!(sink.started.borrow().is_none());
        let expected: String = (0..3).map(|i| format!("{i:0>1000}")).collect();
        assert_eq!(whole.body, Body::JsonText(expected));
    }

    #[test]
    fn the_producer_stops_when_the_sink_refuses() {
        let sink = Recorder::new(2);
        let mut out = AnswerText::new(Some(&sink));
        assert_eq!(write(&mut out, 10_000), Err(Gone("receiver dropped")));
        assert_eq!(sink.pieces.borrow().len(), 2);
        assert_eq!(HmcError::from(Gone("x")).status, 500);
    }
}
