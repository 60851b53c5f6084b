//! The STOMP 1.1 notification server (port 61612, TLS with the HTTPS
//! certificate unless `--stomp-plain`), as zhmcclient's
//! `NotificationReceiver` and auto-updater use it: CONNECT with a userid and
//! password or a session id and credential, heart-beats, SUBSCRIBE to
//! `/topic/<name>` with `ack=auto`, UNSUBSCRIBE, DISCONNECT with receipt.
//!
//! Notifications come from the outbox table, not from this process: a
//! poller reads the rows every process (requests, the library, the CLI)
//! committed, in order, and hands them to every connection, which sends
//! each to its matching subscriptions with a `session-sequence-nr` per
//! topic. So a change made anywhere on the db reaches every subscriber of
//! every `serve` process.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_rustls::TlsAcceptor;

use super::stomp_frame::{Frame, Parsed, parse};
use crate::dispatch::now_ms;
use crate::hmc::{Error, Hmc};
use crate::notifications::{self, Audience, Delivery, TopicKind};

/// The HMC's STOMP port.
pub const DEFAULT_STOMP_PORT: u16 = 61612;

/// How often the outbox is read for new rows: the bound on delivery
/// latency for changes made by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Rows read per poll at most (the rest come at the next one).
const POLL_BATCH: i64 = 1000;
/// How often this process renews its listener row (well within
/// `LISTENER_TIMEOUT_MS`) and prunes delivered rows, and how old they must be.
const PRUNE_INTERVAL: Duration = Duration::from_secs(5);
const PRUNE_AGE_MS: i64 = 60_000;
/// Notifications buffered per connection before a slow one misses some.
const CHANNEL_CAPACITY: usize = 16_384;
/// Shortest heart-beat interval we agree to, in milliseconds.
const MIN_HEART_BEAT_MS: u64 = 1000;

/// How `serve` offers STOMP.
#[derive(Debug, Clone)]
pub struct StompOptions {
    pub enabled: bool,
    /// `None`: 61612, and a port in use only warns (so parallel test servers
    /// still start); `Some(0)`: a free port; `Some(n)`: n or fail.
    pub port: Option<u16>,
    /// Plain TCP instead of TLS.
    pub plain: bool,
}

impl Default for StompOptions {
    fn default() -> StompOptions {
        StompOptions {
            enabled: true,
            port: None,
            plain: false,
        }
    }
}

/// Where the STOMP port is written: next to the HTTP port file, in
/// `<port file>.stomp`, so that the port file keeps holding just the HTTP
/// port for the scripts that read it.
pub fn stomp_port_file(port_file: &Path) -> PathBuf {
    let mut name = port_file.as_os_str().to_owned();
    name.push(".stomp");
    PathBuf::from(name)
}

/// What every connection shares: the stream of notifications, the
/// per-session sequence numbers and the listener registration.
struct Hub {
    hmc: Arc<Hmc>,
    deliveries: broadcast::Sender<Arc<Delivery>>,
    /// session (or a topic of no session) -> (outbox seq last numbered,
    /// its session-sequence-nr).
    numbers: Mutex<HashMap<String, (i64, u64)>>,
    /// This process's row in `notification_listeners`.
    listener_id: String,
    /// CONNECTED clients of this process.
    clients: AtomicUsize,
    /// The server is going: no client registers it again.
    closed: AtomicBool,
    /// Held while the listener row is written or removed, so that
    /// registrations take effect in the order of the client counts they
    /// saw.
    registering: Mutex<()>,
    /// While the listener row is written (and renewed), the outbox's last
    /// `seq` when it was written (every change committed later has a row
    /// after it); -1 while unregistered. The poller reads the outbox only
    /// while registered: without a client its reads, 50 a second, found
    /// nothing for anybody here.
    listening_from: AtomicI64,
}

/// A CONNECTED client: counted while it lives.
struct Client {
    hub: Arc<Hub>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.hub.clients.fetch_sub(1, Ordering::SeqCst);
        let hub = self.hub.clone();
        // The last client gone: the row goes, off the async worker when
        // there is one.
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn_blocking(move || hub.sync_registration());
            }
            Err(_) => hub.sync_registration(),
        }
    }
}

impl Hub {
    /// Registers this process as a listener while it has a client, and
    /// unregisters it when it has none: changes write outbox rows only
    /// while some process has somebody to deliver them to. Registering
    /// only with `serve` running made every write of a server without a
    /// STOMP client write rows nobody read (a fifth of an Update's CPU
    /// time, docs/benchmarks.md).
    fn sync_registration(&self) {
        let _registering = self
            .registering
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let wanted = !self.closed.load(Ordering::SeqCst) && self.clients.load(Ordering::SeqCst) > 0;
        if wanted == self.is_registered() {
            return;
        }
        let (id, pid) = (&self.listener_id, std::process::id());
        let written = self.hmc.store().write(|tx| {
            if wanted {
                tx.listener_heartbeat(id, pid)?;
                tx.last_notification_seq()
            } else {
                tx.remove_listener(id).map(|()| -1)
            }
        });
        match written {
            Ok(from) => self.listening_from.store(from, Ordering::SeqCst),
            Err(e) => tracing::warn!(error = %e, "cannot update the notification listener"),
        }
    }

    fn is_registered(&self) -> bool {
        self.listening_from.load(Ordering::SeqCst) >= 0
    }

    /// Renews the listener row, if registered.
    fn renew_registration(&self) -> Result<(), crate::store::StoreError> {
        let _registering = self
            .registering
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.is_registered() {
            self.hmc
                .store()
                .write(|tx| tx.listener_heartbeat(&self.listener_id, std::process::id()))?;
        }
        Ok(())
    }

    /// The `session-sequence-nr` of outbox row `seq` for `key` (the
    /// session a topic belongs to): 0 for the first notification of the
    /// session here, then one more per row, the same for every subscriber
    /// of its topics.
    fn sequence_nr(&self, key: &str, seq: i64) -> u64 {
        let Ok(mut numbers) = self.numbers.lock() else {
            return 0;
        };
        match numbers.get_mut(key) {
            Some((last, nr)) => {
                if seq > *last {
                    *last = seq;
                    *nr += 1;
                }
                *nr
            }
            None => {
                numbers.insert(key.to_string(), (seq, 0));
                0
            }
        }
    }
}

/// A running STOMP server: while it has a client, this process is
/// registered as a listener, so changes write notifications; dropping it
/// unregisters.
pub struct Listening {
    hub: Arc<Hub>,
    /// The bound address.
    pub addr: SocketAddr,
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.hub.closed.store(true, Ordering::SeqCst);
        self.hub.sync_registration();
    }
}

/// Starts STOMP for `serve` on `ip`: over TLS with the HTTPS acceptor
/// (or the same certificate, when HTTP is plain) unless `--stomp-plain`.
pub(super) async fn start_beside(
    hmc: &Arc<Hmc>,
    opts: &super::ServeOptions,
    ip: IpAddr,
    http_tls: Option<&TlsAcceptor>,
    names: &[String],
) -> Result<Option<Listening>, Error> {
    let stomp = &opts.stomp;
    let tls = match (stomp.enabled && !stomp.plain, http_tls) {
        (false, _) => None,
        (true, Some(t)) => Some(t.clone()),
        (true, None) => {
            Some(super::tls::acceptor(hmc, opts.cert.as_deref(), opts.key.as_deref(), names)?.0)
        }
    };
    start(hmc.clone(), ip, stomp, tls, opts.port_file.as_deref()).await
}

/// Starts the STOMP listener and the outbox poller on the current tokio
/// runtime (`None`: disabled, or the default port was in use).
pub async fn start(
    hmc: Arc<Hmc>,
    listen: IpAddr,
    opts: &StompOptions,
    tls: Option<TlsAcceptor>,
    port_file: Option<&Path>,
) -> Result<Option<Listening>, Error> {
    if !opts.enabled {
        return Ok(None);
    }
    let port = opts.port.unwrap_or(DEFAULT_STOMP_PORT);
    let listener = match TcpListener::bind((listen, port)).await {
        Ok(l) => l,
        Err(e) if opts.port.is_none() => {
            tracing::warn!(
                "STOMP port {listen}:{port} is not available ({e}); serving without notifications \
                 (use --stomp-port N, or --stomp-port 0 for a free port)"
            );
            return Ok(None);
        }
        Err(e) => {
            return Err(Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot listen on {listen}:{port} for STOMP (--stomp-port): {e}"),
            )));
        }
    };
    let addr = listener.local_addr()?;
    if let Some(f) = port_file {
        let path = stomp_port_file(f);
        std::fs::write(&path, format!("{}\n", addr.port())).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot write the STOMP port file {}: {e}", path.display()),
            ))
        })?;
    }
    let (deliveries, _) = broadcast::channel(CHANNEL_CAPACITY);
    let hub = Arc::new(Hub {
        hmc,
        deliveries,
        numbers: Mutex::new(HashMap::new()),
        listener_id: uuid::Uuid::new_v4().to_string(),
        clients: AtomicUsize::new(0),
        closed: AtomicBool::new(false),
        registering: Mutex::new(()),
        listening_from: AtomicI64::new(-1),
    });
    // The cursor before any registration (the first client's): every
    // change committed after it writes rows, and they all lie after the
    // cursor.
    let first = {
        let hmc = hub.hmc.clone();
        tokio::task::spawn_blocking(move || hmc.store().read(|tx| tx.last_notification_seq()))
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e)))??
    };
    tokio::spawn(poll_outbox(hub.clone(), first));
    let listening = Listening {
        hub: hub.clone(),
        addr,
    };
    tokio::spawn(accept_loop(listener, hub, tls));
    tracing::info!(%addr, tls = !opts.plain, "STOMP notifications");
    Ok(Some(listening))
}

/// Reads new outbox rows and hands them to every connection, in order;
/// now and then renews the listener row and prunes delivered rows and
/// expired sessions.
async fn poll_outbox(hub: Arc<Hub>, mut cursor: i64) {
    let mut ticker = tokio::time::interval(POLL_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_prune = tokio::time::Instant::now();
    loop {
        ticker.tick().await;
        let from = hub.listening_from.load(Ordering::SeqCst);
        // Rows from before the registration are changes of when this
        // process had no client (other processes' listeners had them
        // written): nobody here is to get them.
        cursor = cursor.max(from);
        let read = if from < 0 {
            Ok(Ok(Vec::new()))
        } else {
            let hmc = hub.hmc.clone();
            tokio::task::spawn_blocking(move || {
                hmc.store()
                    .read(|tx| tx.notifications_after(cursor, POLL_BATCH))
            })
            .await
        };
        match read {
            Ok(Ok(rows)) => {
                for row in rows {
                    cursor = row.seq;
                    if let Some(d) = notifications::render(&row) {
                        // No receivers is fine: nobody is subscribed.
                        let _ = hub.deliveries.send(Arc::new(d));
                    }
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot read the notification outbox"),
            Err(e) => tracing::warn!(error = %e, "outbox poll failed"),
        }
        if last_prune.elapsed() >= PRUNE_INTERVAL {
            last_prune = tokio::time::Instant::now();
            let hub = hub.clone();
            let pruned = tokio::task::spawn_blocking(move || {
                let now = now_ms();
                hub.renew_registration()?;
                hub.hmc.store().write(|tx| {
                    tx.delete_expired_sessions(now)?;
                    tx.prune_notifications(cursor, now - PRUNE_AGE_MS)
                })
            })
            .await;
            if let Ok(Err(e)) = pruned {
                tracing::warn!(error = %e, "cannot prune the notification outbox");
            }
        }
    }
}

async fn accept_loop(listener: TcpListener, hub: Arc<Hub>, tls: Option<TlsAcceptor>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "STOMP accept failed");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let hub = hub.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => ended(peer, connection(stream, hub, peer).await),
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(s)) => ended(peer, connection(s, hub, peer).await),
                        Ok(Err(e)) => {
                            tracing::info!(%peer, error = %e, "STOMP TLS handshake failed")
                        }
                        Err(_) => tracing::info!(%peer, "STOMP TLS handshake timed out"),
                    }
                }
            }
        });
    }
}

/// One subscription of a connection.
struct Subscription {
    id: String,
    topic: String,
    /// What kind of session topic it is (`None`: a topic of no session,
    /// such as an OS-message channel's): object, audit and security topics
    /// get every notification of their kind.
    kind: Option<TopicKind>,
    /// What its `session-sequence-nr` counts: the session of the topic,
    /// or the topic itself if it names none.
    numbering: String,
}

/// A connection's state once CONNECTED.
struct Session {
    /// Counts the connection as a client until it closes.
    _client: Client,
    subscriptions: Vec<Subscription>,
    deliveries: broadcast::Receiver<Arc<Delivery>>,
    /// Send a heart-beat after this much silence.
    send_every: Option<Duration>,
    /// Close after this much silence from the client.
    expect_within: Option<Duration>,
}

/// What handling a client frame leads to.
enum Next {
    Continue,
    Close,
}

/// Logs why a STOMP connection ended: a client that loses its connection
/// sees only that it is gone (a CI run's receiver once did, right after
/// CONNECTED), so the server's log says which side ended it and how.
fn ended(peer: SocketAddr, why: &'static str) {
    tracing::info!(%peer, why, "STOMP connection ended");
}

/// Serves one STOMP connection; returns why it ended.
async fn connection<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    hub: Arc<Hub>,
    peer: SocketAddr,
) -> &'static str {
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 8192];
    let mut session: Option<Session> = None;
    let mut last_read = tokio::time::Instant::now();
    let mut last_write = tokio::time::Instant::now();
    let mut message_nr: u64 = 0;
    loop {
        let beat = session
            .as_ref()
            .and_then(|s| s.send_every)
            .map(|d| last_write + d);
        let deadline = match &session {
            Some(s) => s.expect_within.map(|d| last_read + d),
            // A client that does not CONNECT within 30 s is dropped.
            None => Some(last_read + Duration::from_secs(30)),
        };
        let sleep_until = |t: Option<tokio::time::Instant>| async move {
            match t {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = reader.read(&mut chunk) => {
                let n = match read {
                    Ok(0) => return "the client closed it",
                    Err(e) => {
                        // The error says whether the client reset the
                        // connection or TLS failed: "a read failed" alone
                        // left a CI failure unexplained.
                        tracing::info!(error = %e, "STOMP read failed");
                        return "a read failed";
                    }
                    Ok(n) => n,
                };
                last_read = tokio::time::Instant::now();
                buf.extend_from_slice(&chunk[..n]);
                loop {
                    let parsed = match parse(&buf) {
                        Ok(p) => p,
                        Err(e) => {
                            let _ = send(&mut writer, &error_frame(&e)).await;
                            return "a malformed frame";
                        }
                    };
                    let frame = match parsed {
                        Parsed::Incomplete => break,
                        Parsed::HeartBeat(n) => {
                            buf.drain(..n);
                            continue;
                        }
                        Parsed::Frame(f, n) => {
                            buf.drain(..n);
                            f
                        }
                    };
                    let (replies, next) = handle_frame(&hub, &mut session, frame).await;
                    for r in replies {
                        if send(&mut writer, &r).await.is_err() {
                            return "a write failed";
                        }
                        last_write = tokio::time::Instant::now();
                    }
                    if let Next::Close = next {
                        let _ = writer.shutdown().await;
                        return "closed after the frame's answer (DISCONNECT or an ERROR)";
                    }
                }
            }
            delivered = recv(&mut session) => {
                let Some(s) = &session else { continue };
                let d = match delivered {
                    Ok(d) => d,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(%peer, missed, "slow STOMP subscriber missed notifications");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return "the server is going",
                };
                for sub in &s.subscriptions {
                    let matches = match &d.audience {
                        Audience::ObjectTopics => sub.kind == Some(TopicKind::Objects),
                        Audience::AuditTopics => sub.kind == Some(TopicKind::Audit),
                        Audience::SecurityTopics => sub.kind == Some(TopicKind::Security),
                        Audience::Topic(t) => *t == sub.topic,
                    };
                    if !matches {
                        continue;
                    }
                    message_nr += 1;
                    let frame = message_frame(&hub, sub, &d, message_nr);
                    if send(&mut writer, &frame).await.is_err() {
                        return "a write failed";
                    }
                    last_write = tokio::time::Instant::now();
                }
            }
            () = sleep_until(beat) => {
                if writer.write_all(b"\n").await.is_err() || writer.flush().await.is_err() {
                    return "a heart-beat write failed";
                }
                last_write = tokio::time::Instant::now();
            }
            () = sleep_until(deadline) => {
                return "the client was silent past its heart-beat (or sent no CONNECT)";
            }
        }
    }
}

/// The next notification for a connected session (never, before CONNECT).
async fn recv(session: &mut Option<Session>) -> Result<Arc<Delivery>, broadcast::error::RecvError> {
    match session {
        Some(s) => s.deliveries.recv().await,
        None => std::future::pending().await,
    }
}

async fn send<W: AsyncWrite + Unpin>(w: &mut W, f: &Frame) -> std::io::Result<()> {
    w.write_all(&f.encode()).await?;
    w.flush().await
}

fn error_frame(message: &str) -> Frame {
    let mut f = Frame::new("ERROR")
        .header("message", message)
        .header("content-type", "text/plain");
    f.body = message.as_bytes().to_vec();
    f
}

fn message_frame(hub: &Hub, sub: &Subscription, d: &Delivery, nr: u64) -> Frame {
    let seq_nr = hub.sequence_nr(&sub.numbering, d.seq);
    let mut f = Frame::new("MESSAGE")
        .header("destination", &format!("/topic/{}", sub.topic))
        .header("subscription", &sub.id)
        .header("message-id", &format!("mock-hmc-{}-{nr}", d.seq))
        .header("session-sequence-nr", &seq_nr.to_string());
    for (n, v) in &d.headers {
        f = f.header(n, v);
    }
    if !d.body.is_empty() {
        f = f.header("content-type", "application/json;charset=utf-8");
        f.body = d.body.clone().into_bytes();
    }
    f
}

/// The heart-beat intervals agreed from the client's `heart-beat: cx,cy`:
/// we send every max(cy, 1 s) if it wants beats, and expect its beats
/// every max(cx, 1 s) (allowing three missed ones).
fn heart_beats(header: Option<&str>) -> (u64, u64) {
    let mut parts = header
        .unwrap_or("0,0")
        .split(',')
        .map(|p| p.trim().parse::<u64>().unwrap_or(0));
    let cx = parts.next().unwrap_or(0);
    let cy = parts.next().unwrap_or(0);
    let sx = if cy > 0 { cy.max(MIN_HEART_BEAT_MS) } else { 0 };
    let sy = if cx > 0 { cx.max(MIN_HEART_BEAT_MS) } else { 0 };
    (sx, sy)
}

/// Handles one client frame: the frames to answer and whether to close.
async fn handle_frame(
    hub: &Arc<Hub>,
    session: &mut Option<Session>,
    frame: Frame,
) -> (Vec<Frame>, Next) {
    let receipt = frame
        .get("receipt")
        .map(|r| Frame::new("RECEIPT").header("receipt-id", r));
    let with_receipt = |mut out: Vec<Frame>| {
        out.extend(receipt.clone());
        out
    };
    match (frame.command.as_str(), session.as_mut()) {
        ("CONNECT" | "STOMP", None) => {
            let versions = frame.get("accept-version").unwrap_or("1.0");
            if !versions
                .split(',')
                .any(|v| v.trim() == "1.1" || v.trim() == "1.2")
            {
                return (
                    vec![
                        error_frame("Supported protocol versions are 1.1").header("version", "1.1"),
                    ],
                    Next::Close,
                );
            }
            let login = frame.get("login").unwrap_or("").to_string();
            let passcode = frame.get("passcode").unwrap_or("").to_string();
            let hmc = hub.hmc.clone();
            let ok = tokio::task::spawn_blocking(move || {
                hmc.store()
                    .read(|tx| notifications::stomp_login_ok(tx, &login, &passcode, now_ms()))
            })
            .await;
            match &ok {
                Ok(Err(e)) => tracing::warn!(error = %e, "STOMP CONNECT: cannot check the login"),
                Err(e) => tracing::warn!(error = %e, "STOMP CONNECT: login check failed"),
                Ok(Ok(_)) => {}
            }
            if !matches!(ok, Ok(Ok(true))) {
                return (
                    vec![error_frame(
                        "Authentication failed: bad userid/password or session id/credential",
                    )],
                    Next::Close,
                );
            }
            // Registered before CONNECTED: every change the client makes
            // or sees made after it writes rows.
            hub.clients.fetch_add(1, Ordering::SeqCst);
            let client = Client { hub: hub.clone() };
            let registering = hub.clone();
            let _ = tokio::task::spawn_blocking(move || registering.sync_registration()).await;
            let (sx, sy) = heart_beats(frame.get("heart-beat"));
            *session = Some(Session {
                _client: client,
                subscriptions: Vec::new(),
                deliveries: hub.deliveries.subscribe(),
                send_every: (sx > 0).then(|| Duration::from_millis(sx)),
                expect_within: (sy > 0).then(|| Duration::from_millis(sy * 3)),
            });
            let connected = Frame::new("CONNECTED")
                .header("version", "1.1")
                .header("heart-beat", &format!("{sx},{sy}"))
                .header("server", concat!("mock-hmc/", env!("CARGO_PKG_VERSION")))
                .header("session", &uuid::Uuid::new_v4().to_string());
            (vec![connected], Next::Continue)
        }
        ("CONNECT" | "STOMP", Some(_)) => (vec![error_frame("already connected")], Next::Close),
        (_, None) => (
            vec![error_frame("not connected: send CONNECT first")],
            Next::Close,
        ),
        ("SUBSCRIBE", Some(s)) => {
            let (Some(dest), Some(id)) = (frame.get("destination"), frame.get("id")) else {
                return (
                    vec![error_frame("SUBSCRIBE needs destination and id headers")],
                    Next::Close,
                );
            };
            let Some(topic) = dest.strip_prefix("/topic/").filter(|t| !t.is_empty()) else {
                return (
                    vec![error_frame(&format!(
                        "unknown destination {dest}: only /topic/<name>"
                    ))],
                    Next::Close,
                );
            };
            let ack = frame.get("ack").unwrap_or("auto");
            if ack != "auto" {
                return (
                    vec![error_frame(&format!(
                        "ack mode {ack} is not supported: use ack=auto"
                    ))],
                    Next::Close,
                );
            }
            let hmc = hub.hmc.clone();
            let name = topic.to_string();
            let owner = tokio::task::spawn_blocking(move || {
                hmc.store().read(|tx| notifications::topic_owner(tx, &name))
            })
            .await;
            let (numbering, kind) = match owner {
                Ok(Ok(Some((session, kind)))) => (format!("session {session}"), Some(kind)),
                _ => (format!("topic {topic}"), None),
            };
            s.subscriptions.retain(|sub| sub.id != id);
            s.subscriptions.push(Subscription {
                id: id.to_string(),
                topic: topic.to_string(),
                kind,
                numbering,
            });
            (with_receipt(Vec::new()), Next::Continue)
        }
        ("UNSUBSCRIBE", Some(s)) => {
            let Some(id) = frame.get("id") else {
                return (
                    vec![error_frame("UNSUBSCRIBE needs an id header")],
                    Next::Close,
                );
            };
            s.subscriptions.retain(|sub| sub.id != id);
            (with_receipt(Vec::new()), Next::Continue)
        }
        ("DISCONNECT", Some(_)) => (with_receipt(Vec::new()), Next::Close),
        // The HMC's topics are written by the HMC only; clients' messages
        // and acknowledgements (ack=auto needs none) are accepted and dropped.
        ("SEND" | "ACK" | "NACK" | "BEGIN" | "COMMIT" | "ABORT", Some(_)) => {
            (with_receipt(Vec::new()), Next::Continue)
        }
        (other, Some(_)) => (
            vec![error_frame(&format!("unknown command {other}"))],
            Next::Close,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heart_beats_follow_the_client_with_a_floor() {
        assert_eq!(heart_beats(Some("5000,5000")), (5000, 5000));
        assert_eq!(heart_beats(Some("0,10")), (1000, 0));
        assert_eq!(heart_beats(Some("0,0")), (0, 0));
        assert_eq!(heart_beats(None), (0, 0));
    }

    #[test]
    fn the_stomp_port_file_sits_next_to_the_port_file() {
        assert_eq!(
            stomp_port_file(Path::new("/tmp/port")),
            PathBuf::from("/tmp/port.stomp")
        );
    }
}
