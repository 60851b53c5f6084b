-- Which resources name which URIs in their list-valued properties
-- (`nic-uris`, `connected-vnic-uris`, capacity-group `partition-uris`,
-- ...): a Delete removes the dead URIs from the documents listed here.
-- Before, it looked for each dead URI in the text of every stored
-- document, so Create + Delete NIC took 23x as long at 10,000 resources
-- as at 100 (docs/benchmarks.md).
--
-- A URI here is a string item of a top-level array that starts with '/'
-- (lists of names or states, such as `acceptable-status`, take no rows;
-- view `resource_list_uris`).
-- A row may outlive its reason (the sqlite3 CLI does not enforce foreign
-- keys): a Delete reads the holder's document anyway, so a stale row
-- costs a read, never a wrong answer.
CREATE TABLE resource_references (
    target_uri TEXT NOT NULL,
    holder_uri TEXT NOT NULL REFERENCES resources(uri) ON DELETE CASCADE,
    PRIMARY KEY (target_uri, holder_uri)
) WITHOUT ROWID;
CREATE INDEX resource_references_holder ON resource_references(holder_uri);

-- mock-hmc keeps the table itself, from the documents it has parsed
-- anyway, and adds 1 to `store_rev` at each write of a row. A write that
-- leaves `store_rev` as it was (an UPDATE typed into the sqlite3 CLI), or
-- an INSERT without it, makes these triggers read the references out of
-- the document. Triggers for every write doubled the time of a `load`,
-- which parsed each partition's document five times more.
ALTER TABLE resources ADD COLUMN store_rev INTEGER NOT NULL DEFAULT 0;

-- The rule, in one place (the store's `references_in` follows it).
CREATE VIEW resource_list_uris AS
    SELECT item.value AS target_uri, r.uri AS holder_uri
    FROM resources r, json_each(r.properties) AS prop, json_each(prop.value) AS item
    WHERE prop.type = 'array' AND item.type = 'text' AND item.value LIKE '/%';

CREATE TRIGGER resource_references_insert AFTER INSERT ON resources
WHEN new.store_rev = 0
BEGIN
    INSERT OR IGNORE INTO resource_references (target_uri, holder_uri)
        SELECT target_uri, holder_uri FROM resource_list_uris WHERE holder_uri = new.uri;
END;

CREATE TRIGGER resource_references_update AFTER UPDATE OF properties ON resources
WHEN new.store_rev = old.store_rev
BEGIN
    DELETE FROM resource_references WHERE holder_uri = new.uri;
    INSERT OR IGNORE INTO resource_references (target_uri, holder_uri)
        SELECT target_uri, holder_uri FROM resource_list_uris WHERE holder_uri = new.uri;
END;

INSERT OR IGNORE INTO resource_references (target_uri, holder_uri)
    SELECT target_uri, holder_uri FROM resource_list_uris;

-- A checkpoint keeps its references beside its documents, so a restore
-- copies them instead of parsing every document. Those of checkpoints
-- taken before are read out of their documents by the same rule.
CREATE TABLE checkpoint_resource_references (
    checkpoint TEXT NOT NULL REFERENCES checkpoints(name) ON DELETE CASCADE,
    target_uri TEXT NOT NULL,
    holder_uri TEXT NOT NULL,
    PRIMARY KEY (checkpoint, target_uri, holder_uri)
) WITHOUT ROWID;
INSERT INTO checkpoint_resource_references (checkpoint, target_uri, holder_uri)
    SELECT DISTINCT c.checkpoint, item.value, c.uri
    FROM checkpoint_resources c, json_each(c.properties) AS prop, json_each(prop.value) AS item
    WHERE prop.type = 'array' AND item.type = 'text' AND item.value LIKE '/%';
