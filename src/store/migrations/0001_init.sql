-- 0001: the first schema. Cases as imported (raw JSON kept whole, so unknown fields survive),
-- import runs and rejected records, audit runs, findings with their lifecycle, and the
-- cross-case index the engine builds its read-only lookups from.

CREATE TABLE cases (
    case_id          TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    unit_id          TEXT NOT NULL,
    unit_name        TEXT,
    officer_ids      TEXT NOT NULL,          -- JSON array of officer ids, lead first
    lead_officer     TEXT,
    is_open          INTEGER NOT NULL,       -- 1 while `closure` is absent
    accepted_at      INTEGER,                -- epoch seconds
    closed_at        INTEGER,
    content_hash     TEXT NOT NULL,          -- blake3 of the raw record
    raw              TEXT NOT NULL,
    first_import     INTEGER NOT NULL REFERENCES import_runs(id),
    last_import      INTEGER NOT NULL REFERENCES import_runs(id),
    last_change      INTEGER NOT NULL REFERENCES import_runs(id),
    -- what the last audit of this case saw: content, rules, and as-of instant
    audited_hash     TEXT,
    audited_rules    TEXT,
    audited_as_of    INTEGER,
    audited_run      INTEGER,
    -- the earliest audit instant at which a check's answer could change with the date
    -- alone (a pending deadline); an unchanged case is skipped until then
    next_change      INTEGER
) WITHOUT ROWID;

CREATE INDEX cases_unit ON cases(unit_id);

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    files       TEXT NOT NULL,               -- JSON array of paths
    new         INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE rejects (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES import_runs(id),
    file      TEXT NOT NULL,
    line      INTEGER NOT NULL,
    idx       INTEGER,                        -- index in a JSON array
    case_id   TEXT,
    path      TEXT,
    reason    TEXT NOT NULL,
    raw       TEXT NOT NULL
);

-- one row per questioning per officer, and per punished or summoned person, for checks
-- across cases (overlapping sessions, prior penalties, repeated summonses)
CREATE TABLE xsessions (
    case_id    TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    person_key TEXT,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL
);
CREATE INDEX xsessions_case ON xsessions(case_id);

CREATE TABLE xpersons (
    case_id    TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    person_key TEXT NOT NULL,                 -- resident id number
    what       TEXT NOT NULL,                 -- 'penalty' | 'summons'
    at         INTEGER NOT NULL
);
CREATE INDEX xpersons_case ON xpersons(case_id);

-- officers and persons touched by cases imported since the last complete audit; cases
-- sharing one of them are re-audited by cross-case checks. An officer key carries the
-- time span of the changed session (only sessions near it can overlap); a person key
-- covers all time.
CREATE TABLE dirty_keys (
    key     TEXT NOT NULL,
    from_at INTEGER NOT NULL,
    to_at   INTEGER NOT NULL,
    PRIMARY KEY (key, from_at, to_at)
) WITHOUT ROWID;

CREATE TABLE audit_runs (
    id            INTEGER PRIMARY KEY,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    as_of         INTEGER NOT NULL,
    full          INTEGER NOT NULL,
    selection     TEXT,
    rules_hash    TEXT NOT NULL,
    rule_versions TEXT NOT NULL,              -- JSON object: rule id -> "version@hash"
    audited       INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    new           INTEGER NOT NULL DEFAULT 0,
    resolved      INTEGER NOT NULL DEFAULT 0,
    reopened      INTEGER NOT NULL DEFAULT 0,
    rule_errors   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE findings (
    id            INTEGER PRIMARY KEY,
    case_id       TEXT NOT NULL,
    rule_id       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    category      TEXT NOT NULL,
    group_code    TEXT NOT NULL,              -- the category's group (G01-G12)
    severity      TEXT NOT NULL,              -- low | medium | high, from the catalog when last seen
    points        INTEGER NOT NULL,           -- points deducted per responsible officer and the unit
    preview       INTEGER NOT NULL DEFAULT 0, -- found by a preview check: listed, not counted in bulletins
    status        TEXT NOT NULL CHECK (status IN ('open','pushed','rectified','waived','resolved')),
    message       TEXT NOT NULL,
    evidence      TEXT NOT NULL,              -- JSON object
    officer_ids   TEXT NOT NULL,              -- JSON array
    unit_id       TEXT NOT NULL,
    rule_version  TEXT NOT NULL,
    rule_hash     TEXT NOT NULL,
    first_run     INTEGER NOT NULL REFERENCES audit_runs(id),
    last_run      INTEGER NOT NULL REFERENCES audit_runs(id),
    first_seen    INTEGER NOT NULL,           -- as-of instant of the first run that saw it
    last_seen     INTEGER NOT NULL,
    resolved_at   INTEGER,
    resolved_run  INTEGER,
    recurrences   INTEGER NOT NULL DEFAULT 0,
    waived_until  INTEGER,
    pushed_at     INTEGER,
    rectified_at  INTEGER,
    UNIQUE (case_id, rule_id, subject)
);
CREATE INDEX findings_status ON findings(status);
CREATE INDEX findings_first_seen ON findings(first_seen, category, unit_id);

-- every status change of a finding: who, when, why
CREATE TABLE finding_events (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    at          INTEGER NOT NULL,
    run_id      INTEGER,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    by          TEXT NOT NULL,
    note        TEXT
);
CREATE INDEX finding_events_finding ON finding_events(finding_id);

CREATE TABLE finding_officers (
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    officer_id TEXT NOT NULL,
    PRIMARY KEY (finding_id, officer_id)
) WITHOUT ROWID;
CREATE INDEX finding_officers_officer ON finding_officers(officer_id);

CREATE TABLE rule_errors (
    run_id   INTEGER NOT NULL REFERENCES audit_runs(id),
    rule_id  TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    message  TEXT NOT NULL,
    position TEXT
);
