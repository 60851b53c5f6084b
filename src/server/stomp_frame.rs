//! STOMP 1.1 frames: reading them from a byte buffer and writing them.
//!
//! Our own small codec rather than a crate: the registry has STOMP
//! *clients* (async-stomp, tokio-stomp-2, under licences or with APIs that
//! do not fit a server) and one parser, stomp-parser, built on nom with few
//! releases; the server needs only the frames zhmcclient's stomp.py sends
//! (CONNECT/STOMP, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT, SEND, ACK/NACK) and
//! the few it answers, which fit in the functions below.

/// Largest frame accepted from a client (headers and body): notification
/// clients send small frames only.
pub const MAX_FRAME: usize = 1024 * 1024;

/// One frame: command, headers in order (a repeated header: the first
/// counts, as STOMP 1.1 says), body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub command: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Frame {
    /// A frame without body.
    pub fn new(command: &str) -> Frame {
        Frame {
            command: command.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The same frame with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Frame {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The value of the first header `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The frame as bytes, with `content-length` for a body and header
    /// values escaped (STOMP 1.1: `\n`, `:` and `\` in headers; CONNECTED
    /// frames are not escaped).
    pub fn encode(&self) -> Vec<u8> {
        let escape = self.command != "CONNECTED";
        let mut out = Vec::with_capacity(64 + self.body.len());
        out.extend_from_slice(self.command.as_bytes());
        out.push(b'\n');
        for (n, v) in &self.headers {
            if escape {
                out.extend_from_slice(escape_header(n).as_bytes());
                out.push(b':');
                out.extend_from_slice(escape_header(v).as_bytes());
            } else {
                out.extend_from_slice(format!("{n}:{v}").as_bytes());
            }
            out.push(b'\n');
        }
        if !self.body.is_empty() {
            out.extend_from_slice(format!("content-length:{}\n", self.body.len()).as_bytes());
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out.push(0);
        out
    }
}

fn escape_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            ':' => out.push_str("\\c"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_header(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('c') => out.push(':'),
            Some('r') => out.push('\r'),
            other => {
                return Err(format!(
                    "invalid escape in header: \\{}",
                    other.unwrap_or(' ')
                ));
            }
        }
    }
    Ok(out)
}

/// What the front of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Not a whole frame yet.
    Incomplete,
    /// `n` bytes of heart-beat (end-of-line) to drop.
    HeartBeat(usize),
    /// A frame that took `n` bytes.
    Frame(Frame, usize),
}

/// Reads the frame (or heart-beat) at the start of `buf`; an error is a
/// protocol violation to answer with ERROR and a close.
pub fn parse(buf: &[u8]) -> Result<Parsed, String> {
    let eols = buf
        .iter()
        .take_while(|b| **b == b'\n' || **b == b'\r')
        .count();
    if eols > 0 {
        return Ok(Parsed::HeartBeat(eols));
    }
    // The headers end at the first empty line (LF or CRLF line ends).
    let (head_end, sep) = match (find(buf, b"\n\n"), find(buf, b"\r\n\r\n")) {
        (Some(a), Some(b)) if b < a => (b, 4),
        (Some(a), _) => (a, 2),
        (None, Some(b)) => (b, 4),
        (None, None) if buf.len() > MAX_FRAME => return Err("frame too large".into()),
        (None, None) => return Ok(Parsed::Incomplete),
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let command = lines.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    for line in lines {
        let Some((n, v)) = line.split_once(':') else {
            return Err(format!("malformed header line: {line}"));
        };
        let (n, v) = if command == "CONNECT" || command == "STOMP" {
            // CONNECT headers are not escaped (STOMP 1.1, for 1.0 clients).
            (n.to_string(), v.to_string())
        } else {
            (unescape_header(n)?, unescape_header(v)?)
        };
        headers.push((n, v));
    }
    let body_start = head_end + sep;
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| "invalid content-length")
        })
        .transpose()?;
    let (body_end, frame_end) = match length {
        Some(len) => {
            if len > MAX_FRAME {
                return Err("frame too large".into());
            }
            if buf.len() < body_start + len + 1 {
                return Ok(Parsed::Incomplete);
            }
            if buf[body_start + len] != 0 {
                return Err("frame body does not end with NUL after content-length".into());
            }
            (body_start + len, body_start + len + 1)
        }
        None => match buf[body_start..].iter().position(|b| *b == 0) {
            Some(i) => (body_start + i, body_start + i + 1),
            None if buf.len() > MAX_FRAME => return Err("frame too large".into()),
            None => return Ok(Parsed::Incomplete),
        },
    };
    Ok(Parsed::Frame(
        Frame {
            command,
            headers,
            body: buf[body_start..body_end].to_vec(),
        },
        frame_end,
    ))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_heart_beats_and_partial_input() {
        let connect =
            b"CONNECT\naccept-version:1.1\nlogin:u\npasscode:p:q\nheart-beat:5000,5000\n\n\0";
        let Ok(Parsed::Frame(f, n)) = parse(connect) else {
            panic!("not a frame")
        };
        assert_eq!(n, connect.len());
        assert_eq!(f.command, "CONNECT");
        assert_eq!(f.get("passcode"), Some("p:q"));
        assert_eq!(parse(b"\n\r\nSUB").unwrap(), Parsed::HeartBeat(3));
        assert_eq!(parse(b"SUBSCRIBE\nid:1\n").unwrap(), Parsed::Incomplete);
        assert_eq!(
            parse(b"SEND\ncontent-length:4\n\nab").unwrap(),
            Parsed::Incomplete
        );
        let Ok(Parsed::Frame(f, _)) = parse(b"SEND\ncontent-length:3\n\na\0b\0") else {
            panic!("not a frame")
        };
        assert_eq!(f.body, b"a\0b");
        let Ok(Parsed::Frame(f, _)) = parse(b"SUBSCRIBE\r\ndestination:/topic/a\\cb\r\n\r\n\0")
        else {
            panic!("not a frame")
        };
        assert_eq!(f.get("destination"), Some("/topic/a:b"));
        assert!(parse(b"SEND\nbad\n\n\0").is_err());
    }

    #[test]
    fn encoding_escapes_headers_and_reads_back() {
        let f = Frame::new("MESSAGE")
            .header("destination", "/topic/x:y")
            .header("n", "a\nb\\c");
        let mut f2 = f.clone();
        f2.body = b"{}".to_vec();
        let bytes = f2.encode();
        let Ok(Parsed::Frame(back, n)) = parse(&bytes) else {
            panic!("not a frame")
        };
        assert_eq!(n, bytes.len());
        assert_eq!(back.get("destination"), Some("/topic/x:y"));
        assert_eq!(back.get("n"), Some("a\nb\\c"));
        assert_eq!(back.get("content-length"), Some("2"));
        assert_eq!(back.body, b"{}");
    }
}
