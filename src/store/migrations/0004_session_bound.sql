-- An upper bound on the length of any stored questioning session, kept by the importer, so
-- that an audit need not scan every session (6M rows at 1M cases) to bound its window
-- lookups. It never shrinks when a case changes: a bound too large is still a bound.
CREATE TABLE xbounds (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    longest INTEGER NOT NULL
);
INSERT INTO xbounds (id, longest) SELECT 1, coalesce(max(ended_at - started_at), 0) FROM xsessions;
