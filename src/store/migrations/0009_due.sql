-- 0009: running deadlines (预警, issue #17).
--
-- One row per deadline a check is still waiting on: the act is not done and the deadline
-- has not passed on the audit date. If nothing changes, the first audit after `deadline`
-- finds the same (case_id, rule_id, subject). The audit replaces a case's rows (of the
-- rules that ran) in the transaction that writes its findings, so the rows always match the
-- findings; a case the incremental audit skips keeps its rows, which stay valid until its
-- `next_change` (never later than its earliest row's deadline + 1 s).
CREATE TABLE due (
    case_id     TEXT NOT NULL,
    rule_id     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    category    TEXT NOT NULL,
    level       TEXT NOT NULL,             -- the level the finding will have: violation | review
    preview     INTEGER NOT NULL,          -- from a preview check
    deadline    INTEGER NOT NULL,          -- the last instant the act is in time (epoch seconds)
    message     TEXT NOT NULL,             -- 须于 2026-07-02 14:30 前通知被拘留人家属
    statutory   INTEGER NOT NULL,          -- 1: set by law; 0: local practice or unverified
    presumed    INTEGER NOT NULL,          -- 1: a year the holiday calendar lacks was presumed
    officer_ids TEXT NOT NULL,             -- JSON array: the officers the finding will name
    unit_id     TEXT NOT NULL,
    finding     TEXT NOT NULL,             -- the finding's message after the deadline
    as_of       INTEGER NOT NULL,          -- the audit date the row was found on
    run_id      INTEGER NOT NULL,
    PRIMARY KEY (case_id, rule_id, subject)
) WITHOUT ROWID;

CREATE INDEX due_deadline ON due (deadline);

