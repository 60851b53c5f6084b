-- mock-hmc schema, version 1. Read it with the sqlite3 CLI: properties are
-- JSON text, e.g.  select name, json_extract(properties, '$.status')
--                  from resources where class = 'partition';
PRAGMA application_id = 1213023009;  -- 0x484D4321, "HMC!": marks the file as ours

-- Every HMC resource (console, CPCs, partitions, NICs, ...), keyed by its URI.
-- Deleting a resource deletes its children through the foreign key.
CREATE TABLE resources (
    uri        TEXT PRIMARY KEY,
    class      TEXT NOT NULL,
    parent_uri TEXT REFERENCES resources(uri) ON DELETE CASCADE,
    name       TEXT,
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    seq        INTEGER NOT NULL UNIQUE
);
CREATE INDEX resources_parent_class ON resources(parent_uri, class, seq);
CREATE INDEX resources_class_name ON resources(class, name);

-- Logged-on Web Services API sessions. Logoff deletes the row.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    userid       TEXT NOT NULL,
    user_uri     TEXT,
    credential   TEXT NOT NULL,
    notification_topic     TEXT NOT NULL,
    job_notification_topic TEXT NOT NULL,
    created_at   INTEGER NOT NULL,  -- unix milliseconds
    last_used_at INTEGER NOT NULL,  -- unix milliseconds, touched at most about once a minute
    expires_at   INTEGER NOT NULL   -- unix milliseconds: last use + the user's idle timeout
);

-- Asynchronous operations (Start Partition, ...). They are complete when
-- created; the client polls, then deletes them.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    session_id      TEXT,
    operation       TEXT NOT NULL,      -- the WS API book's title, e.g. 'Start Partition'
    target_uri      TEXT NOT NULL,
    status          TEXT NOT NULL,      -- running | cancel-pending | canceled | complete
    job_status_code INTEGER,
    job_reason_code INTEGER,
    job_results     TEXT CHECK (job_results IS NULL OR json_valid(job_results)),
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER
);

-- Numbers handed out from a pool (device numbers, WWPNs per partition, ...).
-- A row belongs to the resource that holds the number and goes with it.
CREATE TABLE id_allocations (
    pool      TEXT NOT NULL,
    value     INTEGER NOT NULL,
    owner_uri TEXT NOT NULL REFERENCES resources(uri) ON DELETE CASCADE,
    PRIMARY KEY (pool, value)
);
CREATE INDEX id_allocations_owner ON id_allocations(owner_uri);

-- Prepared metric values (definition files' `metric_values`), in order.
CREATE TABLE metric_values (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_name   TEXT NOT NULL,
    resource_uri TEXT NOT NULL,
    timestamp    TEXT NOT NULL,           -- as given (ISO 8601)
    metrics      TEXT NOT NULL CHECK (json_valid(metrics))  -- object: metric name -> value, in order
);

-- HMC-wide settings: hmc-name, hmc-version, api-version, host, TLS material.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Views for people using the sqlite3 CLI.
CREATE VIEW partitions AS
    SELECT name, json_extract(properties, '$.status') AS status,
           json_extract(properties, '$.type') AS type, uri, parent_uri AS cpc_uri
    FROM resources WHERE class = 'partition' ORDER BY seq;
CREATE VIEW cpcs AS
    SELECT name, json_extract(properties, '$.status') AS status,
           json_extract(properties, '$."dpm-enabled"') AS dpm_enabled, uri
    FROM resources WHERE class = 'cpc' ORDER BY seq;
