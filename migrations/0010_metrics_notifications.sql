-- Metrics contexts and the notification outbox.
--   select id, session_id, metric_groups from metrics_contexts;
--   select seq, kind, uri, topic from notification_outbox order by seq;

-- Live metrics contexts (Create Metrics Context). A context belongs to the
-- session that created it and goes with it (logoff, expiry); one from a
-- definition file has no session and serves every session.
CREATE TABLE metrics_contexts (
    id            TEXT PRIMARY KEY,
    session_id    TEXT REFERENCES sessions(id) ON DELETE CASCADE,
    anticipated_frequency_seconds,       -- as the client sent it (usually an integer)
    metric_groups TEXT NOT NULL CHECK (json_valid(metric_groups)),  -- array of names; [] = all
    properties    TEXT NOT NULL CHECK (json_valid(properties)),     -- the request body as sent
    created_at    INTEGER NOT NULL       -- unix milliseconds
);
CREATE INDEX metrics_contexts_session ON metrics_contexts(session_id);

-- Notifications, written by the change itself in the same transaction (a
-- rolled-back request notifies nobody), while some `serve` process listens
-- (notification_listeners). Every such process delivers new rows in `seq`
-- order to its STOMP subscribers and prunes delivered rows once they are
-- older than a bound. A change made with the sqlite3 CLI writes no row:
-- `mock-hmc notify URI` emits one for it.
CREATE TABLE notification_outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,  -- property-change | status-change | inventory-change | job-completion | os-message | ...
    topic      TEXT,           -- NULL: every session's object-notification topic; else only this topic
    uri        TEXT NOT NULL,  -- the resource (or job) the notification is about
    class      TEXT,
    parent_uri TEXT,
    element    INTEGER NOT NULL DEFAULT 0,  -- 1: an element (element-uri; object-uri is the parent)
    body       TEXT CHECK (body IS NULL OR json_valid(body)),  -- the kind's payload (change reports, ...)
    created_at INTEGER NOT NULL  -- unix milliseconds
);

-- The `serve` processes that deliver notifications, with a heartbeat every
-- few seconds. Without a live one, changes write no outbox rows: nobody
-- would read them (a process that starts later begins at the newest row).
CREATE TABLE notification_listeners (
    id           TEXT PRIMARY KEY,
    pid          INTEGER,
    heartbeat_at INTEGER NOT NULL  -- unix milliseconds
);
