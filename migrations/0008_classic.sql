-- mock-hmc schema: classic mode and OS messages. Re-runnable (IF NOT EXISTS),
-- so its place among the migrations of other branches does not matter.

-- Export Profiles keeps a copy of a CPC's activation profiles here, per
-- profile area (1-4, as on the SE's disk); Import Profiles restores them.
CREATE TABLE IF NOT EXISTS profile_areas (
    cpc_uri    TEXT NOT NULL REFERENCES resources(uri) ON DELETE CASCADE,
    area       INTEGER NOT NULL,
    class      TEXT NOT NULL,   -- reset-, image- or load-activation-profile
    name       TEXT NOT NULL,
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    seq        INTEGER NOT NULL, -- the profile's place in the export
    PRIMARY KEY (cpc_uri, area, class, name)
);

-- Operating system messages of partitions and LPARs (List OS Messages).
-- One INSERT adds a message, e.g.
--   insert into os_messages (object_uri, message_text)
--   values ('/api/logical-partitions/classic1-lpar1', 'IEE136I LOCAL: TIME=10.00.00');
-- the trigger numbers it after the object's last message (from 0) and the
-- timestamp defaults to now (unix milliseconds).
CREATE TABLE IF NOT EXISTS os_messages (
    id              INTEGER PRIMARY KEY,  -- insertion order
    object_uri      TEXT NOT NULL REFERENCES resources(uri) ON DELETE CASCADE,
    sequence_number INTEGER,              -- per object; set by the trigger when NULL
    message_id      TEXT,                 -- the OS's id; NULL answers the sequence number
    message_text    TEXT NOT NULL,
    timestamp       INTEGER NOT NULL
        DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),  -- -1: unknown
    is_held         INTEGER NOT NULL DEFAULT 0 CHECK (is_held IN (0, 1)),
    is_priority     INTEGER NOT NULL DEFAULT 0 CHECK (is_priority IN (0, 1)),
    sound_alarm     INTEGER NOT NULL DEFAULT 0 CHECK (sound_alarm IN (0, 1)),
    prompt_text     TEXT,
    os_name         TEXT,
    UNIQUE (object_uri, sequence_number)
);
CREATE TRIGGER IF NOT EXISTS os_messages_sequence_number
    AFTER INSERT ON os_messages WHEN NEW.sequence_number IS NULL
BEGIN
    UPDATE os_messages SET sequence_number =
        (SELECT coalesce(max(sequence_number) + 1, 0) FROM os_messages
         WHERE object_uri = NEW.object_uri)
    WHERE id = NEW.id;
END;

-- OS message channels a session opened (Open OS Message Channel): the
-- topic the notifications of new messages go to. They end with the session.
CREATE TABLE IF NOT EXISTS os_message_channels (
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    object_uri  TEXT NOT NULL REFERENCES resources(uri) ON DELETE CASCADE,
    topic_name  TEXT NOT NULL UNIQUE,
    include_refresh_messages INTEGER NOT NULL CHECK (include_refresh_messages IN (0, 1)),
    created_at  INTEGER NOT NULL,  -- unix milliseconds
    PRIMARY KEY (session_id, object_uri)
);
