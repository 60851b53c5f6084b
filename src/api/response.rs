//! `Response`: status, headers and body of an answer, independent of HTTP.

use serde_json::{Value, json};

/// The header by which the transport-free core tells the server to close
/// the connection without sending an answer (a `--drop-connection` fault
/// rule). The server honours it and never sends it; an in-process caller
/// sees it beside the 503 the library answers instead.
pub const DROP_CONNECTION: &str = "X-Mock-Hmc-Drop-Connection";

/// The body of a response.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    Json(Value),
    Text {
        content_type: String,
        text: String,
    },
    /// A JSON document as the text it is stored as (a resource's
    /// properties) or was written as (Get Inventory, `api::AnswerText`),
    /// sent without parsing it. Only the HTTP server sees it:
    /// `Hmc::handle` gives library callers `Json`. (A long written answer
    /// on the server's blocking path never becomes one: it is streamed.)
    JsonText(String),
}

/// An answer to a request, as the server sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Response {
    /// 200 with a JSON body.
    pub fn ok(body: Value) -> Response {
        Response {
            status: 200,
            headers: Vec::new(),
            body: Body::Json(body),
        }
    }

    /// 200 with a JSON body that is already text (see `Body::JsonText`).
    pub fn ok_text(text: String) -> Response {
        Response {
            status: 200,
            headers: Vec::new(),
            body: Body::JsonText(text),
        }
    }

    /// What a handler answers once its body went to the request's sink
    /// (`AnswerText::finish`): a 200 with nothing left to send. The server
    /// ends the streamed body only on this; any other answer after the
    /// head was sent cuts the body short.
    pub fn streamed() -> Response {
        Response {
            status: 200,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// 201 with a JSON body naming the new resource, and a `Location` header.
    pub fn created(uri_prop: &str, uri: &str) -> Response {
        Response {
            status: 201,
            headers: vec![("Location".into(), uri.into())],
            body: Body::Json(json!({ uri_prop: uri })),
        }
    }

    /// 204 without body.
    pub fn no_content() -> Response {
        Response {
            status: 204,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// 202 with `{"job-uri"}`: an asynchronous operation. No `Location`
    /// header: zhmcclient takes one as the URI of a created resource and
    /// fails on operations whose job has no result.
    pub fn accepted_job(job_uri: &str) -> Response {
        Response {
            status: 202,
            headers: Vec::new(),
            body: Body::Json(json!({ "job-uri": job_uri })),
        }
    }

    /// The same answer with header `name` set to `value` (replacing it).
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The JSON body, if it has one.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `reason` of an HMC error body.
    pub fn reason(&self) -> Option<i64> {
        self.json()
            .and_then(|v| v.get("reason"))
            .and_then(Value::as_i64)
    }

    /// The body's content type, as the server sends it.
    pub fn content_type(&self) -> Option<&str> {
        match &self.body {
            Body::Empty => None,
            Body::Json(_) | Body::JsonText(_) => Some("application/json"),
            Body::Text { content_type, .. } => Some(content_type),
        }
    }

    /// The body as bytes, as the server sends it.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Empty => Vec::new(),
            Body::Json(v) => v.to_string().into_bytes(),
            Body::Text { text, .. } | Body::JsonText(text) => text.clone().into_bytes(),
        }
    }

    /// The body as bytes, without copying a text.
    pub fn into_body_bytes(self) -> Vec<u8> {
        match self.body {
            Body::Empty => Vec::new(),
            Body::Json(v) => v.to_string().into_bytes(),
            Body::Text { text, .. } | Body::JsonText(text) => text.into_bytes(),
        }
    }

    /// The same answer with a `JsonText` body parsed into `Json`, for
    /// callers that read the value.
    pub fn parsed(self) -> Response {
        let Body::JsonText(text) = self.body else {
            return self;
        };
        let body = match serde_json::from_str(&text) {
            Ok(v) => Body::Json(v),
            Err(_) => Body::Text {
                content_type: "application/json".into(),
                text,
            },
        };
        Response { body, ..self }
    }
}
