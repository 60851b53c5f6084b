-- Job policies (issue 11): how the jobs of matching operations run. The
-- first rule (lowest id) whose fields all match a job operation applies:
-- `operation` is the WS API book's title (case-insensitive), `uri_regex` is
-- matched against the whole request path. Completion: at once (no
-- polls/after_ms/until_cancel), after `polls` Query Job Status requests,
-- after `after_ms` of the HMC clock, or only by Cancel Job. Outcome: the
-- operation's own result (then the target's `status` set to
-- `result_status` if given), or the HMC error error_status.error_reason.
CREATE TABLE job_policies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    operation     TEXT,
    uri_regex     TEXT,
    polls         INTEGER,
    after_ms      INTEGER,
    until_cancel  INTEGER NOT NULL DEFAULT 0,
    error_status  INTEGER,
    error_reason  INTEGER,
    error_message TEXT,
    result_status TEXT,
    created_at    INTEGER NOT NULL
);

-- A job whose operation has not run yet: the request to run at completion
-- and what is left of its policy (JSON, see fixture/job_policies.rs);
-- NULL for jobs that are done or ran at once.
ALTER TABLE jobs ADD COLUMN pending TEXT;

-- Checkpoints also copy OS messages and exported profile areas (HMC state
-- added after 0009; OS message channels and metrics contexts belong to
-- sessions, the console log is history: neither is copied).
CREATE TABLE checkpoint_os_messages (
    checkpoint      TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    id              INTEGER NOT NULL,
    object_uri      TEXT NOT NULL,
    sequence_number INTEGER,
    message_id      TEXT,
    message_text    TEXT NOT NULL,
    timestamp       INTEGER NOT NULL,
    is_held         INTEGER NOT NULL,
    is_priority     INTEGER NOT NULL,
    sound_alarm     INTEGER NOT NULL,
    prompt_text     TEXT,
    os_name         TEXT,
    PRIMARY KEY (checkpoint, id)
);
CREATE TABLE checkpoint_profile_areas (
    checkpoint TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    cpc_uri    TEXT NOT NULL,
    area       INTEGER NOT NULL,
    class      TEXT NOT NULL,
    name       TEXT NOT NULL,
    properties TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (checkpoint, cpc_uri, area, class, name)
);
