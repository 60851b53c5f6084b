-- Fault rules (issue 11 item 4): a probability with a seed, a dropped
-- connection (server only; `status` holds the 503 the library answers) and
-- a job that ends with the rule's error (`status`, `reason`) instead.
ALTER TABLE faults ADD COLUMN probability REAL;          -- NULL: always
ALTER TABLE faults ADD COLUMN seed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faults ADD COLUMN drop_connection INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faults ADD COLUMN job_error INTEGER NOT NULL DEFAULT 0;
