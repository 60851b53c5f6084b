-- mock-hmc schema, version 2: what the console records.

-- The console's audit and security logs (Get Console Audit Log, Get
-- Console Security Log): one row per event that happened on this HMC
-- (logons, logoffs, failed logons, changes to users, roles and the other
-- security objects, console operations), in the order they happened.
CREATE TABLE console_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_time    INTEGER NOT NULL,   -- unix milliseconds
    event_id      TEXT NOT NULL,      -- the HMC's message number, e.g. '1941'
    event_name    TEXT NOT NULL,
    event_message TEXT NOT NULL,
    data_items    TEXT NOT NULL CHECK (json_valid(data_items)),  -- array of {data-item-number, -type, -value}
    userid        TEXT,               -- who caused it (null: the HMC itself)
    user_uri      TEXT,
    audit         INTEGER NOT NULL,   -- 1: in the audit log
    security      INTEGER NOT NULL    -- 1: in the security log
);
CREATE INDEX console_log_time ON console_log(event_time);

-- Problems reported with Report a Console Problem.
CREATE TABLE reported_problems (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    reported_at INTEGER NOT NULL,     -- unix milliseconds
    userid      TEXT,
    report      TEXT NOT NULL CHECK (json_valid(report))  -- the request body
);
