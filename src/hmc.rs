//! `Hmc`: one faked HMC in one SQLite file. Every request, from the HTTP
//! server or from Rust code, goes through `Hmc::handle`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::api::{HmcError, Method, Request, Response, Sink};
use crate::definition::{self, DefinitionError};
use crate::dispatch;
use crate::fixture;
use crate::notifications;
use crate::resources;
use crate::resources::console::CONSOLE;
use crate::resources::console::operations as console_ops;
use crate::resources::framework::generic::add_resource;
use crate::resources::metrics_context::{self, MetricsSource};
use crate::resources::os_message;
use crate::routes::{Action, RouteTable};
use crate::secrets;
use crate::session::Session;
use crate::store::{MetricValuesRow, MetricsContextRow, Props, SessionRow, Store, StoreError};

/// What can go wrong when using the library outside a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// The HMC answered a request with an error.
    #[error("{0}")]
    Hmc(HmcError),
    #[error("the database already holds an HMC (load with replace to overwrite it)")]
    NotEmpty,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Input the HMC cannot take: a bad argument to a fixture command
    /// (unknown checkpoint, malformed rule, ...) or metric values that do not
    /// fit their group. Nothing was changed.
    #[error("{0}")]
    Invalid(String),
}

/// A faked HMC backed by one SQLite file. `Send + Sync`: share it between
/// threads; open the same file from several processes to share one HMC.
pub struct Hmc {
    store: Arc<Store>,
    routes: &'static RouteTable,
    /// The request journal (`fixture::journal`).
    journal: crate::fixture::journal::Journal,
    /// Whether `/mock/...` is the admin API (`fixture::admin`).
    admin: AtomicBool,
}

impl Hmc {
    /// Opens (creating and migrating if needed) the HMC in `path`; an empty
    /// one is first filled with the embedded default HMC.
    pub fn open(path: impl AsRef<Path>) -> Result<Hmc, Error> {
        let hmc = Hmc::open_unseeded(path)?;
        hmc.seed_default_if_empty()?;
        Ok(hmc)
    }

    /// Opens (creating and migrating if needed) without filling an empty db.
    pub fn open_unseeded(path: impl AsRef<Path>) -> Result<Hmc, Error> {
        Hmc::from_store(Store::open(path.as_ref())?)
    }

    /// Opens an HMC that must exist: a missing file is an error and is not
    /// created (for commands that only read, such as `dump`).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Hmc, Error> {
        Hmc::from_store(Store::open_existing(path.as_ref())?)
    }

    fn from_store(store: Store) -> Result<Hmc, Error> {
        let store = Arc::new(store);
        let hmc = Hmc {
            store: store.clone(),
            routes: RouteTable::shared(),
            journal: crate::fixture::journal::Journal::new(store),
            admin: AtomicBool::new(false),
        };
        hmc.seal_plain_secrets()?;
        Ok(hmc)
    }

    /// Hashes write-only properties still stored in plain text: in a db
    /// written by an older mock-hmc or changed with `sqlite3`. A read finds
    /// them, so an up-to-date db costs no write at open.
    fn seal_plain_secrets(&self) -> Result<(), Error> {
        let typed = || resources::ALL.iter().filter(|rt| !rt.write_only.is_empty());
        // Only the write-only properties, one resource at a time: every
        // open of a db with 25,000 partitions (which have write-only
        // properties) parsed and held all their documents at once (a
        // `serve` peaked at 141 MiB before its first request).
        let plain = self.store.read(|tx| {
            let mut plain = false;
            for rt in typed() {
                tx.each_of_class(None, rt.class, Props::Only(rt.write_only), |r| {
                    plain |= secrets::has_plain(&r.props, rt.write_only);
                    Ok::<_, StoreError>(())
                })?;
            }
            Ok::<_, StoreError>(plain)
        })?;
        if !plain {
            return Ok(());
        }
        self.store.write(|tx| {
            for rt in typed() {
                for mut r in tx.resources_of_class(rt.class)? {
                    if secrets::has_plain(&r.props, rt.write_only) {
                        secrets::seal(&mut r.props, rt.write_only);
                        tx.save_properties(&r.uri, &r.props)?;
                    }
                }
            }
            Ok::<_, StoreError>(())
        })?;
        Ok(())
    }

    /// Fills an empty db with the embedded default HMC; true if it did.
    pub fn seed_default_if_empty(&self) -> Result<bool, Error> {
        let def = definition::parse(definition::DEFAULT_HMC_YAML)?;
        self.store.write(|tx| {
            if tx.resource_count()? > 0 {
                return Ok(false);
            }
            definition::load(tx, &def)?;
            for (uri, text, held, priority) in os_message::DEFAULT_MESSAGES {
                os_message::add(tx, uri, text, *held, *priority).map_err(Error::Hmc)?;
            }
            fixture::checkpoint::save_initial(tx)?;
            Ok::<_, Error>(true)
        })
    }

    /// Adds an operating system message for the partition or LPAR at `uri`
    /// (held and priority as given), as its OS would write it; returns its
    /// sequence number. List OS Messages shows it.
    pub fn add_os_message(
        &self,
        uri: &str,
        text: &str,
        held: bool,
        priority: bool,
    ) -> Result<i64, Error> {
        self.store
            .write(|tx| os_message::add(tx, uri, text, held, priority).map_err(Error::Hmc))
    }

    /// The store behind this HMC (crate-internal: writes go through
    /// `handle`; tests reach it through `test_support`).
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Handles one request exactly as the HTTP server does.
    pub fn handle(&self, req: &Request) -> Response {
        self.answer(req).parsed()
    }

    /// `handle` for the HTTP server: a stored document may come back as
    /// its text (`Body::JsonText`), to be sent as it is.
    pub(crate) fn answer(&self, req: &Request) -> Response {
        self.answer_to(req, None)
    }

    /// `answer` whose handler may stream a large answer into `sink` (the
    /// server's blocking entry): then it answers `Response::streamed()`.
    pub(crate) fn answer_to(&self, req: &Request, sink: Option<&dyn Sink>) -> Response {
        if self.admin.load(Ordering::Relaxed) && req.path().starts_with("/mock/") {
            return crate::fixture::admin::handle(self, req);
        }
        dispatch::handle(
            &self.store,
            self.routes,
            req,
            self.journal.is_on().then_some(&self.journal),
            sink,
        )
    }

    /// `answer` on a thread that must not block (the server's async
    /// workers): `None` when the request needs a blocking thread, having
    /// done nothing (see `dispatch::Mode::Inline`).
    pub(crate) fn answer_inline(&self, req: &Request) -> Option<Response> {
        self.answer_or_give_up(req, dispatch::Mode::Inline)
    }

    /// `answer` on the server's writer thread (`dispatch::Mode::Lane`):
    /// `None` when the request is not a plain write (a read, a fault
    /// rule's request, the admin API), having done nothing.
    pub(crate) fn answer_in_lane(&self, req: &Request) -> Option<Response> {
        self.answer_or_give_up(req, dispatch::Mode::Lane)
    }

    /// `answer` in a `mode` that may give up; the admin API always does.
    fn answer_or_give_up(&self, req: &Request, mode: dispatch::Mode) -> Option<Response> {
        if req.path().starts_with("/mock/") {
            return None;
        }
        dispatch::handle_in(
            &self.store,
            self.routes,
            req,
            self.journal.is_on().then_some(&self.journal),
            mode,
        )
    }

    /// Turns the admin API under `/mock/...` on or off (`serve --admin`;
    /// off by default, when `/mock/...` is a 404.1).
    pub fn set_admin_api(&self, on: bool) {
        self.admin.store(on, Ordering::Relaxed);
    }

    /// Marks `userid` as an admin of the admin API, or no longer (`admin`
    /// false). Kept in the meta key `mock-admins`, which checkpoints leave alone.
    pub fn set_admin_user(&self, userid: &str, admin: bool) -> Result<(), Error> {
        self.store.write(|tx| {
            let key = crate::fixture::admin::ADMINS_KEY;
            let mut users: Vec<String> = tx
                .meta(key)?
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty() && *u != userid)
                .map(str::to_string)
                .collect();
            if admin {
                users.push(userid.to_string());
            }
            Ok::<_, Error>(tx.set_meta(key, &users.join(","))?)
        })
    }

    /// The userids the admin API accepts.
    pub fn admin_users(&self) -> Result<Vec<String>, Error> {
        let key = crate::fixture::admin::ADMINS_KEY;
        let list = self.store.read(|tx| tx.meta(key))?.unwrap_or_default();
        Ok(list
            .split(',')
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The request journal (crate-internal: `set_journal` turns it on or off).
    pub(crate) fn request_journal(&self) -> &crate::fixture::journal::Journal {
        &self.journal
    }

    /// The answer to `req` when it does not depend on the body: dispatch
    /// refuses the request for its path or method (404) or for its session
    /// (403) before any handler reads the body. `None` when the body may
    /// matter. The server asks before it reads a large body, so that a
    /// client without a valid session cannot make it take one in.
    pub(crate) fn answer_before_body(&self, req: &Request) -> Option<Response> {
        let head = Request {
            body: Vec::new(),
            ..req.clone()
        };
        let Some((route, _)) = self.routes.lookup(req.path()) else {
            return Some(self.handle(&head));
        };
        let action = route.methods.iter().find(|(m, _)| *m == req.method);
        let refused_by_route =
            (req.raw_query().is_some() && !route.accepts_query) || action.is_none();
        let needs_session = match action {
            Some((_, Action::Service(s))) => s.auth,
            _ => true,
        };
        if !refused_by_route && !needs_session {
            return None;
        }
        if !refused_by_route {
            let now = dispatch::now_ms();
            let valid = req.session_id.as_deref().is_some_and(|id| {
                self.store
                    .read(|tx| tx.session(id))
                    .is_ok_and(|s| s.is_some_and(|s| s.expires_at > now))
            });
            if valid {
                return None;
            }
        }
        // Dispatch answers this request before its handler runs, so the
        // body-less copy gets the very answer the full request would.
        Some(self.handle(&head))
    }

    /// Logs on as `userid`; the session logs off when dropped.
    pub fn logon(&self, userid: &str, password: &str) -> Result<Session<'_>, Error> {
        let req = Request::new(Method::Post, "/api/sessions")
            .with_json(&json!({"userid": userid, "password": password}));
        let resp = self.handle(&req);
        let body = resp.json().cloned().unwrap_or(Value::Null);
        if resp.status != 200 {
            return Err(Error::Hmc(error_from_body(&body, resp.status)));
        }
        let field = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok(Session::new(
            self,
            field("api-session"),
            field("session-credential"),
        ))
    }

    /// Whether the db holds no resources.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.store.read(|tx| tx.resource_count())? == 0)
    }

    /// Loads a definition (parsed file) in one transaction. Refuses a
    /// non-empty HMC unless `replace`, which first removes everything.
    pub fn load(&self, def: &Value, replace: bool) -> Result<(), Error> {
        self.store.write(|tx| {
            if tx.resource_count()? > 0 {
                if !replace {
                    return Err(Error::NotEmpty);
                }
                tx.clear_all()?;
            }
            definition::load(tx, def)?;
            fixture::checkpoint::save_initial(tx)?;
            Ok(())
        })
    }

    /// Adds a console user `name` that can log on with `password`, or sets
    /// the password (and enables) an existing one.
    pub fn set_user_password(&self, name: &str, password: &str) -> Result<(), Error> {
        self.store.write(|tx| {
            let existing = tx.children_named(Some(CONSOLE.element), "user", name, true)?;
            if let Some(mut u) = existing.into_iter().next() {
                u.props
                    .insert("password".into(), json!(secrets::hash_password(password)));
                u.props.insert("disabled".into(), json!(false));
                tx.save_properties(&u.uri, &u.props)?;
                return Ok(());
            }
            let console = tx
                .resource(CONSOLE.element)?
                .ok_or_else(|| Error::Hmc(HmcError::not_found(CONSOLE.element)))?;
            // A complete standard user (the type's defaults fill the rest)
            // holding every system-defined role of the console, so that it
            // can manage everything.
            let roles: Vec<String> = tx
                .children(&console.uri, "user-role")?
                .into_iter()
                .filter(|r| r.str_prop("type") == Some("system-defined"))
                .map(|r| r.uri)
                .collect();
            let rule = tx
                .children(&console.uri, "password-rule")?
                .into_iter()
                .next()
                .map(|r| r.uri);
            let props = json!({
                "name": name,
                "type": "standard",
                "description": "Added by mock-hmc load --user",
                "authentication-type": "local",
                "password": password,
                "password-rule-uri": rule,
                "user-roles": roles,
            });
            let Value::Object(props) = props else {
                return Ok(());
            };
            add_resource(tx, &crate::resources::user::USER, Some(&console), props)
                .map_err(Error::Hmc)?;
            Ok(())
        })
    }

    /// A userid and password that can log on to this HMC (an enabled user
    /// with a password; `ensadmin` if it is one), for `serve` to print.
    pub fn logon_hint(&self) -> Result<Option<(String, Option<String>)>, Error> {
        let users = self.store.read(|tx| tx.children(CONSOLE.element, "user"))?;
        let usable = |u: &&crate::store::Resource| {
            u.str_prop("password").is_some()
                && u.props.get("disabled").and_then(Value::as_bool) != Some(true)
        };
        let mut candidates: Vec<_> = users.iter().filter(usable).collect();
        candidates.sort_by_key(|u| u.name() != "ensadmin");
        // Passwords are stored hashed: the hint can only name the default
        // HMC's password, by checking whether it is the one stored.
        const DEFAULT_PASSWORD: &str = "password";
        Ok(candidates.first().map(|u| {
            let stored = u.str_prop("password").unwrap_or("");
            let known = secrets::verify_password(stored, DEFAULT_PASSWORD)
                .then(|| DEFAULT_PASSWORD.to_string());
            (u.name().to_string(), known)
        }))
    }

    /// Makes the HMC available again after Shutdown Console (or ends a
    /// Restart Console early), for every process sharing the db.
    pub fn enable(&self) -> Result<(), Error> {
        self.store
            .write(|tx| console_ops::enable(tx).map_err(Error::Hmc))
    }

    /// Sets how long Restart Console keeps the HMC unavailable (default 5 s).
    pub fn set_restart_time(&self, time: std::time::Duration) -> Result<(), Error> {
        let ms = i64::try_from(time.as_millis()).unwrap_or(i64::MAX);
        self.store
            .write(|tx| console_ops::set_restart_ms(tx, ms).map_err(Error::Hmc))
    }

    /// Sets the API features that List Console API Features (for
    /// `/api/console`) or List CPC API Features (for a CPC's URI) answer.
    pub fn set_api_features(&self, uri: &str, features: &[&str]) -> Result<(), Error> {
        let text = serde_json::to_string(features).map_err(StoreError::from)?;
        self.store
            .write(|tx| Ok::<_, Error>(tx.set_meta(&console_ops::api_features_key(uri), &text)?))
    }

    /// The whole HMC as a definition; passwords only with `secrets`.
    pub fn dump(&self, secrets: bool) -> Result<Value, Error> {
        Ok(self.store.read(|tx| definition::dump(tx, secrets))?)
    }

    /// The sessions that are logged on and not expired.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, Error> {
        Ok(self
            .store
            .read(|tx| tx.live_sessions(fixture::clock::now(tx)?))?)
    }

    /// Sets the prepared values of `group` for `resource_uri` (replacing
    /// the ones it had), checked against the group's definition: every
    /// metric, each of its type. `timestamp` is ISO 8601; `None` is now.
    pub fn set_metric_values(
        &self,
        group: &str,
        resource_uri: &str,
        timestamp: Option<&str>,
        metrics: serde_json::Map<String, Value>,
    ) -> Result<(), Error> {
        let row = MetricValuesRow {
            group_name: group.to_string(),
            resource_uri: resource_uri.to_string(),
            timestamp: timestamp.map_or_else(
                || metrics_context::iso_timestamp(dispatch::now_ms()),
                str::to_string,
            ),
            metrics,
        };
        self.store.write(|tx| {
            tx.delete_metric_values(Some(group), Some(resource_uri))?;
            metrics_context::add_metric_values(tx, &row).map_err(Error::Invalid)
        })
    }

    /// Every prepared metric-values row, in insertion order.
    pub fn metric_values(&self) -> Result<Vec<MetricValuesRow>, Error> {
        Ok(self.store.read(|tx| tx.all_metric_values())?)
    }

    /// Removes prepared values: all, of one group, or of one group and
    /// resource. Returns how many rows went.
    pub fn clear_metric_values(
        &self,
        group: Option<&str>,
        resource_uri: Option<&str>,
    ) -> Result<usize, Error> {
        Ok(self
            .store
            .write(|tx| tx.delete_metric_values(group, resource_uri))?)
    }

    /// Sets where Get Metrics takes values from, for every process that
    /// shares this db.
    pub fn set_metrics_source(&self, source: MetricsSource) -> Result<(), Error> {
        Ok(self
            .store
            .write(|tx| tx.set_meta(metrics_context::META_METRICS_SOURCE, &source.to_text()))?)
    }

    /// The live metrics contexts (of every session, and from definitions).
    pub fn metrics_contexts(&self) -> Result<Vec<MetricsContextRow>, Error> {
        Ok(self.store.read(|tx| tx.metrics_contexts())?)
    }

    /// Notifies the current properties and status of `uri` to every
    /// subscriber, for a change made behind the HMC's back (with sqlite3),
    /// which the outbox does not see. Returns whether some `serve` process
    /// listens (otherwise there is nobody to notify).
    pub fn notify(&self, uri: &str) -> Result<bool, Error> {
        self.store
            .write(|tx| notifications::notify_resource(tx, uri).map_err(Error::Hmc))
    }

    /// Notifies OS messages of the partition or LPAR `object_uri` on the
    /// OS-message topic `topic` (see `notifications::emit_os_messages`).
    pub fn emit_os_messages(
        &self,
        topic: &str,
        object_uri: &str,
        messages: &[Value],
    ) -> Result<(), Error> {
        Ok(self
            .store
            .write(|tx| notifications::emit_os_messages(tx, topic, object_uri, messages))?)
    }

    /// Writes the WAL back into the database file.
    pub fn checkpoint(&self) -> Result<(), Error> {
        Ok(self.store.checkpoint()?)
    }
}

/// An `HmcError` from an HMC error body.
pub(crate) fn error_from_body(body: &Value, status: u16) -> HmcError {
    HmcError::new(
        body.get("http-status")
            .and_then(Value::as_u64)
            .map_or(status, |s| s as u16),
        body.get("reason").and_then(Value::as_i64).unwrap_or(0),
        body.get("message").and_then(Value::as_str).unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmc_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Hmc>();
    }

    #[test]
    fn open_seeds_the_default_hmc_once_and_logon_works() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        let hmc = Hmc::open(&path).unwrap();
        assert!(!hmc.is_empty().unwrap());
        assert!(!hmc.seed_default_if_empty().unwrap());
        let s = hmc.logon("ensadmin", "password").unwrap();
        assert_eq!(hmc.sessions().unwrap().len(), 1);
        assert_eq!(s.id().len(), 64);
        drop(s);
        assert!(hmc.sessions().unwrap().is_empty());
        assert!(matches!(hmc.logon("ensadmin", "wrong"), Err(Error::Hmc(e)) if e.status == 403));
    }

    #[test]
    fn set_user_password_adds_a_user_that_can_log_on() {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Hmc::open(dir.path().join("h.sqlite")).unwrap();
        hmc.set_user_password("alice", "secret").unwrap();
        assert!(hmc.logon("alice", "secret").is_ok());
        hmc.set_user_password("alice", "other").unwrap();
        assert!(hmc.logon("alice", "secret").is_err());
        assert!(hmc.logon("ALICE", "other").is_ok());
    }

    /// The journal's rows as (method, uri).
    fn journaled(hmc: &Hmc) -> Vec<(String, String)> {
        hmc.journal(&crate::JournalFilter::default())
            .unwrap()
            .into_iter()
            .map(|j| (j.method, j.uri))
            .collect()
    }

    #[test]
    fn inline_answers_plain_reads_and_gives_up_before_any_effect_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Hmc::open(dir.path().join("h.sqlite")).unwrap();
        let s = hmc.logon("ensadmin", "password").unwrap();
        hmc.clear_journal().unwrap();
        let get = |uri: &str| Request::new(Method::Get, uri).with_session(s.id());

        // A Get and a List run inline and are journaled.
        let cpcs = hmc.answer_inline(&get("/api/cpcs")).expect("inline");
        assert_eq!(cpcs.status, 200);
        assert_eq!(
            hmc.answer_inline(&get("/api/cpcs/nonesuch"))
                .unwrap()
                .status,
            404
        );
        assert_eq!(journaled(&hmc).len(), 2);
        hmc.clear_journal().unwrap();

        // A write, another kind of read, and the admin API are not tried.
        let cpc = cpcs.parsed().json().unwrap()["cpcs"][0]["object-uri"]
            .as_str()
            .unwrap()
            .to_string();
        let update = Request::new(Method::Post, &cpc)
            .with_session(s.id())
            .with_json(&json!({"description": "inline"}));
        assert!(hmc.answer_inline(&update).is_none());
        assert!(hmc.answer_inline(&get("/api/console")).is_some());
        assert!(
            hmc.answer_inline(&get("/api/console/operations/get-audit-log"))
                .is_none()
        );
        assert!(hmc.answer_inline(&get("/mock/journal")).is_none());

        // A fault rule: given up without counting the match; the blocking
        // run applies it.
        hmc.add_fault(&crate::FaultSpec {
            uri: Some("/api/cpcs".into()),
            error: Some((500, 99, None)),
            count: Some(1),
            ..crate::FaultSpec::default()
        })
        .unwrap();
        assert!(hmc.answer_inline(&get("/api/cpcs")).is_none());
        assert_eq!(hmc.faults().unwrap()[0].matched, 0);
        assert_eq!(hmc.answer(&get("/api/cpcs")).status, 500);
        assert_eq!(hmc.answer_inline(&get("/api/cpcs")).unwrap().status, 200);

        // A session due its last-used write: given up, then written.
        let before = hmc.sessions().unwrap()[0].last_used_at;
        hmc.advance_clock(2 * dispatch::TOUCH_INTERVAL_MS).unwrap();
        assert!(hmc.answer_inline(&get("/api/cpcs")).is_none());
        assert_eq!(hmc.sessions().unwrap()[0].last_used_at, before);
        assert_eq!(hmc.answer(&get("/api/cpcs")).status, 200);
        assert!(hmc.sessions().unwrap()[0].last_used_at > before);
        assert_eq!(hmc.answer_inline(&get("/api/cpcs")).unwrap().status, 200);

        // Only the answered requests are journaled, once each.
        let rows = journaled(&hmc);
        let gets = rows
            .iter()
            .filter(|(m, u)| m == "GET" && u == "/api/cpcs")
            .count();
        assert_eq!(gets, 4, "{rows:?}");
        assert!(!rows.iter().any(|(m, u)| m == "POST" || u.contains("audit")));
    }
}
