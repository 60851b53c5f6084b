-- Sessions are now found by the SHA-256 of their id (src/secrets.rs), so
-- rows keyed by a plain id could never match again: drop them, and their
-- ids with them. Clients log on again on the 403 reason 5 they now get.
DELETE FROM sessions;
