-- 0008: a period freezes on audit coverage, with late additions counted (issue #20), and a
-- frozen period keeps a few numbers instead of whole reports (issue #19, part 4).
--
-- Why: 0002 froze a period the first time it was reported after it ended, whatever the
-- audit had seen: a day reported before its audit stayed at 0 findings for good. A period
-- now freezes only when it has ended and a completed audit of every check has an as-of
-- instant at or after its last second, or on demand (`xuncha report freeze`, `--force` with
-- a note when no audit covers it). 0002 also kept every frozen report as one JSON document
-- per scope and options: the June bulletin of a million cases took gigabytes to write and
-- to read back.
--
-- What a frozen period keeps now: its rollup rows (rollup_frozen, as before), and in
-- frozen_periods the highest finding id, finding event id and finding version it read. The
-- lists of a frozen report (a day's findings, the backlog, the appendix) are read again from
-- findings, finding_events and finding_versions up to those ids: exactly what the report
-- showed when it was frozen, read as it is laid out, never held whole. What may change in a
-- finding after it is stored (its message, officers, level, what to verify) is versioned
-- below, so the lists read the values of the time. Names (units, officers, categories) are
-- kept once per distinct set in frozen_names.
--
-- Late additions (往期补录): a finding first seen in a frozen period with an id above the
-- period's finding watermark, and a case accepted in a frozen period that arrives after it
-- froze (late_cases, kept by the triggers below), leave the frozen numbers as they are. The
-- next period's report counts them per period, and so does the live view of the frozen
-- period (`report ... --live`): nothing disappears between the two.

-- the values a finding had before an update changed them, in the order of the changes: the
-- values at watermark W are those of the first version after W, or the row's own if none
CREATE TABLE finding_versions (
    seq         INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    message     TEXT NOT NULL,
    officer_ids TEXT NOT NULL,
    level       TEXT NOT NULL,
    verify      TEXT
);
CREATE INDEX finding_versions_finding ON finding_versions(finding_id, seq);

CREATE TRIGGER finding_versions_keep AFTER UPDATE OF message, officer_ids, level, verify ON findings
WHEN OLD.message IS NOT NEW.message OR OLD.officer_ids IS NOT NEW.officer_ids
     OR OLD.level IS NOT NEW.level OR OLD.verify IS NOT NEW.verify
BEGIN
    INSERT INTO finding_versions (finding_id, message, officer_ids, level, verify)
    VALUES (OLD.id, OLD.message, OLD.officer_ids, OLD.level, OLD.verify);
END;

-- a frozen period: its bounds (for the triggers), who froze it and on what ground, and the
-- watermarks its lists are read up to. Rows frozen before this migration have no finding
-- watermark (findings_upto IS NULL): their reports are read from report_frozen as before.
ALTER TABLE frozen_periods ADD COLUMN start_at INTEGER;
ALTER TABLE frozen_periods ADD COLUMN end_at INTEGER;
ALTER TABLE frozen_periods ADD COLUMN frozen_by TEXT;
ALTER TABLE frozen_periods ADD COLUMN note TEXT;
ALTER TABLE frozen_periods ADD COLUMN forced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE frozen_periods ADD COLUMN audit_run INTEGER;       -- the covering audit; NULL if forced
ALTER TABLE frozen_periods ADD COLUMN audit_as_of INTEGER;
ALTER TABLE frozen_periods ADD COLUMN findings_upto INTEGER;   -- max(findings.id) it read
ALTER TABLE frozen_periods ADD COLUMN events_upto INTEGER;     -- max(finding_events.id)
ALTER TABLE frozen_periods ADD COLUMN versions_upto INTEGER;   -- max(finding_versions.seq)
ALTER TABLE frozen_periods ADD COLUMN freeze_id INTEGER;        -- freeze_log.id of the freeze: the order periods froze in
ALTER TABLE frozen_periods ADD COLUMN late_upto INTEGER NOT NULL DEFAULT 0; -- max(late_cases.seq) when it froze
ALTER TABLE frozen_periods ADD COLUMN names TEXT;              -- frozen_names.hash
ALTER TABLE frozen_periods ADD COLUMN data TEXT;               -- JSON: what else its reports need (the period before)

UPDATE frozen_periods SET
    start_at = (SELECT start_at FROM periods p WHERE p.kind = frozen_periods.kind AND p.period = frozen_periods.period),
    end_at = (SELECT end_at FROM periods p WHERE p.kind = frozen_periods.kind AND p.period = frozen_periods.period),
    frozen_by = 'report';

CREATE INDEX frozen_periods_end ON frozen_periods(end_at, start_at);
CREATE INDEX frozen_periods_start ON frozen_periods(kind, start_at);

-- the names a frozen report shows (JSON), once per distinct set
CREATE TABLE frozen_names (
    hash  TEXT PRIMARY KEY,
    names TEXT NOT NULL
) WITHOUT ROWID;

-- every freeze and unfreeze: who, when, why
CREATE TABLE freeze_log (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,                 -- day | week | month
    period    TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('freeze', 'unfreeze')),
    at        INTEGER NOT NULL,              -- epoch seconds
    by        TEXT NOT NULL,
    note      TEXT,
    forced    INTEGER NOT NULL DEFAULT 0,    -- frozen without a covering audit
    audit_run INTEGER                        -- the covering audit
);

-- cases accepted in a period after it froze: one row per frozen period it falls in
CREATE TABLE late_cases (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    arrived_at  INTEGER NOT NULL             -- epoch seconds, wall clock
);
CREATE INDEX late_cases_period ON late_cases(kind, period, seq);

CREATE TRIGGER late_cases_insert AFTER INSERT ON cases
WHEN NEW.accepted_at IS NOT NULL
BEGIN
    INSERT INTO late_cases (kind, period, case_id, unit_id, arrived_at)
    SELECT z.kind, z.period, NEW.case_id, NEW.unit_id, CAST(strftime('%s', 'now') AS INTEGER)
    FROM frozen_periods z
    WHERE z.end_at > NEW.accepted_at AND z.start_at <= NEW.accepted_at;
END;

-- a case moved into a frozen period (or to another unit in it) arrives there late
CREATE TRIGGER late_cases_update AFTER UPDATE OF accepted_at, unit_id ON cases
WHEN NEW.accepted_at IS NOT NULL AND (OLD.accepted_at IS NOT NEW.accepted_at OR OLD.unit_id IS NOT NEW.unit_id)
BEGIN
    INSERT INTO late_cases (kind, period, case_id, unit_id, arrived_at)
    SELECT z.kind, z.period, NEW.case_id, NEW.unit_id, CAST(strftime('%s', 'now') AS INTEGER)
    FROM frozen_periods z
    WHERE z.end_at > NEW.accepted_at AND z.start_at <= NEW.accepted_at
      AND NOT (OLD.accepted_at IS NOT NULL AND z.start_at <= OLD.accepted_at AND OLD.accepted_at < z.end_at
               AND OLD.unit_id IS NEW.unit_id);
END;

INSERT OR REPLACE INTO rollup_doc (name, meaning_zh, meaning_en) VALUES
('frozen_periods', '已冻结的时段：冻结时刻、冻结人、依据的巡查（或强制冻结的说明），以及报告清单读取的截止编号', 'frozen periods: when, by whom, on which audit (or the note of a forced freeze), and the ids their lists are read up to'),
('freeze_log', '每次冻结、解冻的记录：谁、何时、为何', 'every freeze and unfreeze: who, when, why'),
('late_cases', '时段冻结后才导入的该时段受理案件（往期补录）', 'cases accepted in a period that arrived after it froze (late additions)'),
('finding_versions', '问题的描述、民警、等级或核查要点被更新前的值，冻结报告按冻结时的值列出', 'what a finding''s message, officers, level or what to verify were before an update; frozen reports list the values of their time'),
('frozen_names', '冻结报告所用的单位、民警、类别名称', 'the unit, officer and category names frozen reports show'),
('report_frozen', '0008 之前冻结的完整报告（JSON）；此后冻结的时段不再存整份报告', 'whole reports frozen before migration 0008 (JSON); periods frozen since keep no whole report');
