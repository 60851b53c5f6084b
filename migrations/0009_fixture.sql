-- mock-hmc as a test fixture (issue 11): checkpoints of the HMC state and
-- fault rules. The clock offset is the meta key 'clock-offset-ms'.

-- A named, consistent copy of the HMC state, taken in one transaction.
-- 'initial' is taken automatically when the db is loaded or initialised.
CREATE TABLE checkpoints (
    name       TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL   -- unix milliseconds (real time)
);

-- The copies: one table per state table, with the checkpoint's name first.
CREATE TABLE checkpoint_resources (
    checkpoint TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    uri        TEXT NOT NULL,
    class      TEXT NOT NULL,
    parent_uri TEXT,
    name       TEXT,
    properties TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (checkpoint, uri)
);
CREATE TABLE checkpoint_id_allocations (
    checkpoint TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    pool       TEXT NOT NULL,
    value      INTEGER NOT NULL,
    owner_uri  TEXT NOT NULL,
    PRIMARY KEY (checkpoint, pool, value)
);
CREATE TABLE checkpoint_metric_values (
    checkpoint   TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    group_name   TEXT NOT NULL,
    resource_uri TEXT NOT NULL,
    timestamp    TEXT NOT NULL,
    metrics      TEXT NOT NULL,
    PRIMARY KEY (checkpoint, seq)
);
-- HMC-wide settings (name, versions, the clock offset); not the TLS material,
-- which belongs to the server, not to the HMC state.
CREATE TABLE checkpoint_meta (
    checkpoint TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (checkpoint, key)
);

-- Fault rules: dispatch consults them before running an operation. A rule
-- matches when every non-null match column matches; it then skips its
-- first `skip` matches, and applies its effect `remaining` more times
-- (null: without limit) until `expires_at` (HMC clock, unix ms; null: never).
CREATE TABLE faults (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    method      TEXT,              -- GET, POST, DELETE, ...
    uri_regex   TEXT,              -- matched against the whole path
    operation   TEXT,              -- the WS API book's title, e.g. 'Start Partition'
    userid      TEXT,
    session_id  TEXT,
    status      INTEGER,           -- effect: an HMC error (status, reason, message) ...
    reason      INTEGER,
    message     TEXT,
    delay_ms    INTEGER,           -- ... and/or a delay before the request runs
    skip        INTEGER NOT NULL DEFAULT 0,
    remaining   INTEGER,
    expires_at  INTEGER,
    matched     INTEGER NOT NULL DEFAULT 0,  -- matches so far (skipped ones included)
    applied     INTEGER NOT NULL DEFAULT 0,  -- times the effect was applied
    created_at  INTEGER NOT NULL,
    CHECK (status IS NOT NULL OR delay_ms IS NOT NULL)
);

-- The request journal: one row per request, written right after it (not
-- inside its transaction: a failed request rolls back, and a GET stays a
-- read), newest last, bounded to the last 10000 rows.
CREATE TABLE journal (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,   -- HMC clock, unix milliseconds
    session     TEXT,               -- the session as stored (sessions.id)
    userid      TEXT,
    method      TEXT NOT NULL,
    uri         TEXT NOT NULL,
    body        TEXT,               -- JSON body with passwords replaced by "********"
    status      INTEGER NOT NULL,
    reason      INTEGER,            -- of an error
    duration_us INTEGER NOT NULL,
    job_uri     TEXT,               -- of a 202 answer
    test_id     TEXT,               -- the X-Mock-Test-Id header
    fault_id    INTEGER             -- the fault rule that applied, if any
);
CREATE INDEX journal_test ON journal(test_id, id);
