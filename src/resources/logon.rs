//! Query API Version, Logon, Logoff and Get Notification Topics.

use serde_json::{Value, json};

use crate::api::{Body, HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::audit;
use crate::resources::framework::preconditions::require_fields;
use crate::resources::os_message;
use crate::resources::{Service, Transaction};
use crate::store::{SessionRow, Tx};

/// Meta keys of the HMC-wide settings.
pub const META_HMC_NAME: &str = "hmc-name";
pub const META_HMC_VERSION: &str = "hmc-version";
pub const META_API_VERSION: &str = "api-version";

/// Idle timeout (minutes) of users that do not set
/// `web-services-api-session-idle-timeout` (the HMC's default).
const DEFAULT_IDLE_MINUTES: i64 = 360;

/// The configured API version as (major, minor): the first two
/// dot-separated parts of `api-version`.
pub fn api_version(tx: &Tx<'_>) -> Result<(i64, i64), HmcError> {
    let v = tx.meta(META_API_VERSION)?.unwrap_or_else(|| "4.10".into());
    let mut parts = v.split('.').map(|p| p.trim().parse::<i64>().unwrap_or(0));
    Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
}

/// Operation: Query API Version (no session needed).
fn query_api_version(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let (major, minor) = api_version(ctx.tx)?;
    Ok(Response::ok(json!({
        "hmc-name": ctx.tx.meta(META_HMC_NAME)?,
        "hmc-version": ctx.tx.meta(META_HMC_VERSION)?,
        "api-major-version": major,
        "api-minor-version": minor,
    })))
}

/// A fresh unguessable token: 244 random bits as 64 hex digits.
pub(crate) fn token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Operation: Logon. The userid is a console user's name (case-insensitive)
/// and the password its write-only `password`; a disabled user or a user
/// without a password cannot log on (403.0).
fn logon(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let body = ctx.req.json_object()?;
    require_fields(&body, &["userid", "password"])?;
    let userid = body.get("userid").and_then(Value::as_str).unwrap_or("");
    let password = body.get("password").and_then(Value::as_str);
    let users = ctx
        .tx
        .children_named(Some(CONSOLE.element), "user", userid, true)?;
    let user = users.into_iter().find(|u| {
        match (u.props.get("password").and_then(Value::as_str), password) {
            (Some(stored), Some(given)) => crate::secrets::verify_password(stored, given),
            _ => false,
        }
    });
    let Some(user) = user else {
        return refused(ctx, userid, false);
    };
    if user.props.get("disabled").and_then(Value::as_bool) == Some(true) {
        return refused(ctx, userid, true);
    }
    let idle_minutes = user
        .props
        .get("web-services-api-session-idle-timeout")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_IDLE_MINUTES);
    let expires_at = if idle_minutes <= 0 {
        i64::MAX
    } else {
        ctx.now.saturating_add(idle_minutes.saturating_mul(60_000))
    };
    // The file keeps only the hashes of the id and the credential (see
    // `secrets`); the client gets them in clear, once.
    let id = token();
    let credential = token();
    // Topic names are seen by notification clients: keep the id out of them.
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let short = &tag[..12];
    let session = SessionRow {
        id: crate::secrets::token_key(&id),
        userid: user.name().to_string(),
        user_uri: Some(user.uri.clone()),
        credential: crate::secrets::token_key(&credential),
        notification_topic: format!("{}.{short}.objects", user.name()),
        job_notification_topic: format!("{}.{short}.jobs", user.name()),
        created_at: ctx.now,
        last_used_at: ctx.now,
        expires_at,
    };
    ctx.tx.delete_expired_sessions(ctx.now)?;
    ctx.tx.insert_session(&session)?;
    audit::logged_on(ctx.tx, ctx.now, &session)?;
    let (major, minor) = api_version(ctx.tx)?;
    Ok(Response::ok(json!({
        "api-session": id,
        "session-credential": credential,
        "notification-topic": session.notification_topic,
        "job-notification-topic": session.job_notification_topic,
        "api-major-version": major,
        "api-minor-version": minor,
        "password-expires": user.props.get("password-expires").cloned().unwrap_or(json!(-1)),
    })))
}

/// A refused logon: 403.0, and an entry in the security log. The entry must
/// stay, so this is an answer, not an error (an error rolls the
/// transaction back).
fn refused(ctx: &Ctx<'_>, userid: &str, disabled: bool) -> Result<Response, HmcError> {
    audit::logon_refused(ctx.tx, ctx.now, userid, disabled)?;
    let e = HmcError::logon_failed();
    Ok(Response {
        status: e.status,
        headers: Vec::new(),
        body: Body::Json(e.body(ctx.req.method.as_str(), ctx.req.path())),
    })
}

/// Operation: Logoff. The session ends; its id is then rejected (403.5).
fn logoff(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    if let Some(s) = ctx.session {
        ctx.tx.delete_session(&s.id)?;
        audit::logged_off(ctx.tx, ctx.now, s, "logoff")?;
    }
    Ok(Response::no_content())
}

/// Operation: Get Notification Topics of the caller's session.
fn get_notification_topics(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let Some(s) = ctx.session else {
        return Err(HmcError::no_session());
    };
    let mut topics = vec![
        json!({"topic-type": "object-notification", "topic-name": s.notification_topic}),
        json!({"topic-type": "job-notification", "topic-name": s.job_notification_topic}),
        json!({"topic-type": "audit-notification",
               "topic-name": crate::notifications::audit_topic(&s.notification_topic)}),
        json!({"topic-type": "security-notification",
               "topic-name": crate::notifications::security_topic(&s.notification_topic)}),
    ];
    topics.extend(os_message::session_topics(ctx.tx, &s.id)?);
    Ok(Response::ok(json!({ "topics": topics })))
}

pub const QUERY_API_VERSION: Service = Service {
    title: "Query API Version",
    method: Method::Get,
    pattern: "/api/version",
    query: None,
    auth: false,
    transaction: Transaction::ByMethod,
    handler: "VersionHandler",
    run: query_api_version,
};

pub const LOGON: Service = Service {
    title: "Logon",
    method: Method::Post,
    pattern: "/api/sessions",
    query: None,
    auth: false,
    transaction: Transaction::ByMethod,
    handler: "SessionsHandler",
    run: logon,
};

pub const LOGOFF: Service = Service {
    title: "Logoff",
    method: Method::Delete,
    pattern: "/api/sessions/this-session",
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "ThisSessionHandler",
    run: logoff,
};

pub const GET_NOTIFICATION_TOPICS: Service = Service {
    title: "Get Notification Topics",
    method: Method::Get,
    pattern: "/api/sessions/operations/get-notification-topics",
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "NotificationTopicsHandler",
    run: get_notification_topics,
};
