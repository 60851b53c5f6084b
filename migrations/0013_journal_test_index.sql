-- Only rows tagged with a test id are in the journal's test index: a row
-- without one (a request from a client that does not tag, such as a
-- benchmark or zhmcclient without the pytest plugin) cost an index entry
-- on insert and another delete at the prune, for an index no query of
-- untagged rows uses (about 4 of 10 us per row, docs/benchmarks.md). A
-- query `test_id = ?` still uses it: the equality implies NOT NULL.
DROP INDEX journal_test;
CREATE INDEX journal_test ON journal(test_id, id) WHERE test_id IS NOT NULL;
