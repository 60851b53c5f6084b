//! A small STOMP client for tests and benchmarks: plain TCP, frames read
//! whole, heart-beats counted.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

/// A received frame: command, headers, body.
#[derive(Debug)]
pub struct Frame {
    pub command: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Frame {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A plain-TCP STOMP client, just enough to test the server.
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// Messages that arrived while `subscribe` waited for its receipt: a
    /// subscription is live before its RECEIPT is sent, so a pending
    /// notification can come first.
    early: std::collections::VecDeque<Frame>,
}

impl Client {
    pub fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Client {
            stream,
            buf: Vec::new(),
            early: std::collections::VecDeque::new(),
        }
    }

    pub fn send(&mut self, command: &str, headers: &[(&str, &str)]) {
        let mut out = format!("{command}\n");
        for (n, v) in headers {
            out.push_str(&format!("{n}:{v}\n"));
        }
        out.push_str("\n\0");
        self.stream.write_all(out.as_bytes()).unwrap();
    }

    /// The next frame (heart-beats counted in `beats`), or None after `wait`.
    pub fn next(&mut self, wait: Duration, beats: &mut usize) -> Option<Frame> {
        if let Some(f) = self.early.pop_front() {
            return Some(f);
        }
        let deadline = Instant::now() + wait;
        loop {
            while self.buf.first() == Some(&b'\n') {
                self.buf.remove(0);
                *beats += 1;
            }
            if let Some(end) = self.buf.iter().position(|b| *b == 0) {
                let raw: Vec<u8> = self.buf.drain(..=end).collect();
                let text = String::from_utf8(raw[..raw.len() - 1].to_vec()).unwrap();
                let (head, body) = text.split_once("\n\n").unwrap();
                let mut lines = head.lines();
                let command = lines.next().unwrap().to_string();
                let headers = lines
                    .map(|l| {
                        let (n, v) = l.split_once(':').unwrap();
                        (n.to_string(), v.replace("\\c", ":").replace("\\\\", "\\"))
                    })
                    .collect();
                return Some(Frame {
                    command,
                    headers,
                    body: body.to_string(),
                });
            }
            if Instant::now() > deadline {
                return None;
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(_) => {}
            }
        }
    }

    pub fn frame(&mut self) -> Frame {
        let mut beats = 0;
        self.next(Duration::from_secs(5), &mut beats)
            .expect("no frame within 5 s")
    }

    /// The next MESSAGE, skipping none.
    pub fn message(&mut self) -> Frame {
        let f = self.frame();
        assert_eq!(f.command, "MESSAGE", "{f:?}");
        f
    }

    pub fn logged_in(port: u16, login: &str, passcode: &str) -> Client {
        let mut c = Client::connect(port);
        c.send(
            "CONNECT",
            &[
                ("accept-version", "1.1"),
                ("host", "localhost"),
                ("login", login),
                ("passcode", passcode),
            ],
        );
        let f = c.frame();
        assert_eq!(f.command, "CONNECTED", "{f:?}");
        assert_eq!(f.get("version"), Some("1.1"));
        c
    }

    pub fn subscribe(&mut self, topic: &str, id: &str) {
        self.send(
            "SUBSCRIBE",
            &[
                ("destination", &format!("/topic/{topic}")),
                ("id", id),
                ("ack", "auto"),
                ("receipt", &format!("sub-{id}")),
            ],
        );
        let mut waiting = std::mem::take(&mut self.early);
        let r = loop {
            let f = self.frame();
            if f.command != "MESSAGE" {
                break f;
            }
            waiting.push_back(f);
        };
        self.early = waiting;
        assert_eq!(r.command, "RECEIPT", "{r:?}");
        assert_eq!(r.get("receipt-id"), Some(format!("sub-{id}").as_str()));
    }
}

/// The STOMP port a `support::Server` wrote for `db` (started with
/// `--stomp-port 0`).
pub fn port_of(db: &Path) -> u16 {
    let file = db.with_extension(format!("port-{}.stomp", std::process::id()));
    std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .trim()
        .parse()
        .unwrap()
}
