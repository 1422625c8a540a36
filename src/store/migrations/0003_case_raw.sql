-- 0003: each case's raw JSON moves from `cases` to its own table `case_raw`.
--
-- Choosing what a nightly run must audit reads the small columns of every case (hashes,
-- audit stamps, next_change). With the raw text in the same row, and stored before the
-- audit columns, that scan read the whole database: 2.3 GB for a million cases. Nothing is
-- dropped before it is copied, and the migration runs in one transaction.
CREATE TABLE case_raw (
    case_id TEXT PRIMARY KEY,
    raw     TEXT NOT NULL
);
INSERT INTO case_raw (case_id, raw) SELECT case_id, raw FROM cases;
ALTER TABLE cases DROP COLUMN raw;

-- an incremental run finds the cases near changed sessions and persons, and loads the index
-- entries of only the officers and persons it audits, through these
CREATE INDEX xsessions_officer ON xsessions(officer_id, started_at);
CREATE INDEX xsessions_person ON xsessions(person_key) WHERE person_key IS NOT NULL;
CREATE INDEX xpersons_person ON xpersons(person_key);
