-- Whether a CPC is in DPM mode, answered from an index: every request on
-- a resource below a CPC (a List of its partitions, Get and Update of a
-- partition or an LPAR) checks its CPC's mode, and reading the value out
-- of the CPC's document made SQLite parse all of it (about 10 us for a
-- default CPC, docs/benchmarks.md). Only CPC rows are in the index, and
-- it covers the check: a CPC's write parses its document once more.
--
-- The range instead of `class = 'cpc'`: with an equality, every statement
-- that compares `class = ?` (most of the store's) was prepared again at
-- each run, because the bound value decides whether this index applies
-- (16 us instead of 2 for a List's name probe).
CREATE INDEX resources_cpc_mode
    ON resources(uri, class, json_type(properties, '$."dpm-enabled"'))
    WHERE class >= 'cpc' AND class <= 'cpc';
