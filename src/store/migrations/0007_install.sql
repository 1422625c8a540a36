-- 0007: install and run anywhere (issue #16).
--
-- One name per officer. `officers` holds the name, unit and position every report, list and
-- message uses for an officer id. A bureau's roster (`xuncha roster import FILE`) writes rows
-- with source 'roster'; without one, each import writes the name and unit of the newest
-- imported case that names the officer (source 'case', and case_id says which). A roster row
-- is never overwritten by a case. `xuncha roster check` lists the case records that name an
-- officer otherwise.
CREATE TABLE officers (
    id         TEXT PRIMARY KEY,
    name       TEXT,
    unit_id    TEXT,
    position   TEXT,
    source     TEXT NOT NULL CHECK (source IN ('roster', 'case')),
    case_id    TEXT,                        -- source 'case': the case the row was taken from
    updated_at INTEGER NOT NULL             -- epoch seconds
) WITHOUT ROWID;

-- the officers of the cases already stored, from the case changed last (the name from the
-- newest case that gives one)
INSERT INTO officers (id, name, unit_id, source, case_id, updated_at)
SELECT id, name, unit_id, 'case', case_id, CAST(strftime('%s', 'now') AS INTEGER)
FROM (
    SELECT id, unit_id, case_id,
           first_value(name) OVER (PARTITION BY id ORDER BY (name IS NULL), last_change DESC, case_id DESC) AS name,
           row_number() OVER (PARTITION BY id ORDER BY last_change DESC, case_id DESC) AS n
    FROM (
        SELECT json_extract(o.value, '$.id') AS id,
               nullif(trim(CASE WHEN json_type(o.value, '$.name') = 'text' THEN json_extract(o.value, '$.name') END), '') AS name,
               c.unit_id, c.case_id, c.last_change
        FROM cases c JOIN case_raw r USING (case_id),
             json_each(CASE WHEN json_valid(r.raw) THEN r.raw ELSE '{}' END, '$.officers') o
        WHERE o.type = 'object' AND json_type(o.value, '$.id') = 'text'
    )
)
WHERE n = 1;

-- Which rule set an audit ran: `built-in (xuncha 0.1.0)` or `directory /etc/xuncha/rules`
-- (the rules hash is in rules_hash). NULL for runs before this migration.
ALTER TABLE audit_runs ADD COLUMN rules_source TEXT;

-- A refused record keeps the column of the problem as well as its line: for malformed JSON,
-- where the bad byte is (in characters, 1-based); otherwise where the record starts.
ALTER TABLE rejects ADD COLUMN col INTEGER;
