-- 0002: rollups for the reports (issue #7: 日清 周结 月通报).
--
-- Why: supervisors must be able to read the numbers the bulletins print with the `sqlite3`
-- shell or any SQLite client, and a closed period's numbers must not move when a later
-- import or a re-audit adds rows with old dates. This adds a calendar of Asia/Shanghai days,
-- views that roll findings up by day, ISO week and month, and the tables that keep a closed
-- period as it stood the first time it was reported. `SELECT * FROM rollup_doc` explains
-- every view and column; `.schema rollup_live` shows the definitions with their comments.
--
-- Conventions of every rollup:
-- * a period is [start_at, end_at) in epoch seconds, Asia/Shanghai local time; weeks are
--   ISO 8601 (Monday first, `2020-W53`), months `2026-03`, days `2026-03-01`;
-- * preview findings (findings.preview = 1) are never counted;
-- * a finding's status at an instant is the `to_status` of its last event before that
--   instant (finding_events ordered by `at`, then `id`);
-- * scope `*` is the whole bureau, otherwise a unit id (the numbers of that unit only);
--   dim is `all` (key `*`), `unit`, `group`, `category` or `officer`. A finding counts once
--   for its unit, group and category and once for each responsible officer.

-- One row per local day from 2000-01-01 to 2099-12-31. Asia/Shanghai has kept UTC+08:00
-- without daylight saving since 1991, so a day starts at local midnight = 16:00 UTC the day
-- before. The ISO week comes from SQLite's own `%G-W%V`; a unit test checks every row
-- against jiff's Asia/Shanghai zone and ISO week dates.
CREATE TABLE calendar (
    day      TEXT PRIMARY KEY,       -- local date `YYYY-MM-DD`
    start_at INTEGER NOT NULL,       -- epoch seconds of 00:00 local time
    end_at   INTEGER NOT NULL,       -- epoch seconds of the next day's 00:00
    week     TEXT NOT NULL,          -- ISO week `YYYY-Www` the day belongs to
    month    TEXT NOT NULL           -- `YYYY-MM`
) WITHOUT ROWID;

INSERT INTO calendar (day, start_at, end_at, week, month)
WITH RECURSIVE d(day) AS (
    SELECT '2000-01-01'
    UNION ALL
    SELECT date(day, '+1 day') FROM d WHERE day < '2099-12-31'
)
SELECT day,
       CAST(strftime('%s', day) AS INTEGER) - 28800,
       CAST(strftime('%s', day, '+1 day') AS INTEGER) - 28800,
       strftime('%G-W%V', day),
       substr(day, 1, 7)
FROM d;

CREATE INDEX calendar_week ON calendar(week);
CREATE INDEX calendar_month ON calendar(month);
CREATE INDEX calendar_start ON calendar(start_at);

-- for period lookups of events and accepted cases
CREATE INDEX finding_events_at ON finding_events(at, to_status);
CREATE INDEX cases_accepted ON cases(accepted_at, unit_id);

CREATE VIEW periods AS
-- every day, ISO week and month of the calendar: kind (`day` | `week` | `month`), period
-- (its key), start_at and end_at (epoch seconds, end exclusive)
SELECT 'day' AS kind, day AS period, start_at, end_at FROM calendar
UNION ALL
SELECT 'week', week, min(start_at), max(end_at) FROM calendar GROUP BY week
UNION ALL
SELECT 'month', month, min(start_at), max(end_at) FROM calendar GROUP BY month;

CREATE VIEW finding_status_spans AS
-- each finding's status history as half-open spans [since_at, until_at); until_at is NULL
-- for the present status. The status at instant T is the span with
-- since_at < T AND (until_at IS NULL OR until_at >= T).
SELECT finding_id,
       to_status AS status,
       at AS since_at,
       lead(at) OVER (PARTITION BY finding_id ORDER BY at, id) AS until_at,
       by,
       note
FROM finding_events;

CREATE VIEW rollup_keys AS
-- what each counted (non-preview) finding is counted under: one row per scope (`*` and its
-- unit) and dimension (`all`, `unit`, `group`, `category`, one `officer` row per officer)
WITH s AS (
    SELECT id, unit_id, category, group_code, '*' AS scope FROM findings WHERE preview = 0
    UNION ALL
    SELECT id, unit_id, category, group_code, unit_id FROM findings WHERE preview = 0
)
SELECT id AS finding_id, scope, 'all' AS dim, '*' AS key FROM s
UNION ALL SELECT id, scope, 'unit', unit_id FROM s
UNION ALL SELECT id, scope, 'group', group_code FROM s
UNION ALL SELECT id, scope, 'category', category FROM s
UNION ALL SELECT s.id, s.scope, 'officer', o.officer_id FROM s JOIN finding_officers o ON o.finding_id = s.id;

CREATE VIEW rollup_finding_period AS
-- one row per period and counted finding first seen before the period's end: what the
-- finding did in the period and where it stood at the end
SELECT p.kind,
       p.period,
       p.start_at,
       p.end_at,
       f.id AS finding_id,
       f.first_seen,
       f.points,
       -- first seen in the period
       f.first_seen >= p.start_at AS is_new,
       -- status just before end_at
       (SELECT e.to_status FROM finding_events e
         WHERE e.finding_id = f.id AND e.at < p.end_at
         ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status_at_end,
       -- came back after being rectified or resolved, within the period
       EXISTS (SELECT 1 FROM finding_events e
                WHERE e.finding_id = f.id AND e.at >= p.start_at AND e.at < p.end_at
                  AND e.to_status = 'open' AND e.from_status IN ('rectified', 'resolved')) AS reopened,
       EXISTS (SELECT 1 FROM finding_events e
                WHERE e.finding_id = f.id AND e.at >= p.start_at AND e.at < p.end_at
                  AND e.to_status = 'pushed') AS pushed,
       EXISTS (SELECT 1 FROM finding_events e
                WHERE e.finding_id = f.id AND e.at >= p.start_at AND e.at < p.end_at
                  AND e.to_status = 'rectified') AS rectified,
       EXISTS (SELECT 1 FROM finding_events e
                WHERE e.finding_id = f.id AND e.at >= p.start_at AND e.at < p.end_at
                  AND e.to_status = 'waived') AS waived,
       EXISTS (SELECT 1 FROM finding_events e
                WHERE e.finding_id = f.id AND e.at >= p.start_at AND e.at < p.end_at
                  AND e.to_status = 'resolved') AS resolved,
       -- pushed at any time before end_at
       EXISTS (SELECT 1 FROM finding_events e
                WHERE e.finding_id = f.id AND e.at < p.end_at AND e.to_status = 'pushed') AS pushed_by_end,
       -- first rectification or resolution within the period
       (SELECT min(e.at) FROM finding_events e
         WHERE e.finding_id = f.id AND e.at >= p.start_at AND e.at < p.end_at
           AND e.to_status IN ('rectified', 'resolved')) AS closed_at
FROM periods p
JOIN findings f ON f.preview = 0 AND f.first_seen < p.end_at
-- periods that have started (by the clock or by the data)
WHERE p.start_at <= (SELECT max(CAST(strftime('%s', 'now') AS INTEGER), coalesce(max(at), 0)) FROM finding_events);

CREATE VIEW rollup_live AS
-- the present numbers of every started period, per scope, dimension and key (see
-- rollup_doc for each column); rows where everything is zero are left out
WITH counted AS (
    SELECT r.kind, r.period, k.scope, k.dim, k.key,
           0 AS cases,
           r.is_new AS new,
           r.reopened,
           r.pushed,
           r.rectified,
           r.waived,
           r.resolved,
           coalesce(r.status_at_end IN ('open', 'pushed'), 0) AS backlog,
           r.is_new AND coalesce(r.status_at_end IN ('open', 'pushed'), 0) AS new_outstanding,
           r.is_new AND coalesce(r.status_at_end IN ('rectified', 'resolved'), 0) AS new_closed,
           r.is_new AND coalesce(r.status_at_end = 'waived', 0) AS new_waived,
           r.is_new AND r.pushed_by_end AS new_pushed,
           CASE WHEN r.is_new AND r.status_at_end IS NOT 'waived' THEN r.points ELSE 0 END AS points,
           r.closed_at - r.first_seen AS secs_to_close
    FROM rollup_finding_period r
    JOIN rollup_keys k ON k.finding_id = r.finding_id
    UNION ALL
    -- cases accepted in the period, for findings per 100 cases (dims `all` and `unit` only)
    SELECT p.kind, p.period,
           CASE s.n WHEN 0 THEN '*' ELSE c.unit_id END,
           d.dim,
           CASE d.dim WHEN 'all' THEN '*' ELSE c.unit_id END,
           1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL
    FROM periods p
    JOIN cases c ON c.accepted_at >= p.start_at AND c.accepted_at < p.end_at
    CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1) s
    CROSS JOIN (SELECT 'all' AS dim UNION ALL SELECT 'unit') d
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY kind, period, scope, dim, key
                              ORDER BY secs_to_close IS NULL, secs_to_close) AS rn,
           count(secs_to_close) OVER (PARTITION BY kind, period, scope, dim, key) AS n_closed
    FROM counted
)
SELECT kind, period, scope, dim, key,
       sum(cases) AS cases,
       sum(new) AS new,
       sum(reopened) AS reopened,
       sum(pushed) AS pushed,
       sum(rectified) AS rectified,
       sum(waived) AS waived,
       sum(resolved) AS resolved,
       sum(backlog) AS backlog,
       sum(new_outstanding) AS new_outstanding,
       sum(new_closed) AS new_closed,
       sum(new_waived) AS new_waived,
       sum(new_pushed) AS new_pushed,
       sum(points) AS points,
       CAST(sum(new_closed) AS REAL) / nullif(sum(new) - sum(new_waived), 0) AS rectification_rate,
       CAST(sum(new_pushed) AS REAL) / nullif(sum(new), 0) AS share_pushed,
       avg(CASE WHEN secs_to_close IS NOT NULL AND rn IN ((n_closed + 1) / 2, (n_closed + 2) / 2)
                THEN secs_to_close END) / 86400.0 AS median_days_to_rectify
FROM ranked
GROUP BY kind, period, scope, dim, key
HAVING sum(cases) + sum(new) + sum(reopened) + sum(pushed) + sum(rectified) + sum(waived)
       + sum(resolved) + sum(backlog) > 0;

-- A closed period's numbers as they stood the first time the period was reported after it
-- closed (one row per scope, dim and key, as rollup_live had them then).
CREATE TABLE rollup_frozen (
    kind                   TEXT NOT NULL,
    period                 TEXT NOT NULL,
    scope                  TEXT NOT NULL,
    dim                    TEXT NOT NULL,
    key                    TEXT NOT NULL,
    cases                  INTEGER NOT NULL,
    new                    INTEGER NOT NULL,
    reopened               INTEGER NOT NULL,
    pushed                 INTEGER NOT NULL,
    rectified              INTEGER NOT NULL,
    waived                 INTEGER NOT NULL,
    resolved               INTEGER NOT NULL,
    backlog                INTEGER NOT NULL,
    new_outstanding        INTEGER NOT NULL,
    new_closed             INTEGER NOT NULL,
    new_waived             INTEGER NOT NULL,
    new_pushed             INTEGER NOT NULL,
    points                 INTEGER NOT NULL,
    rectification_rate     REAL,
    share_pushed           REAL,
    median_days_to_rectify REAL,
    PRIMARY KEY (kind, period, scope, dim, key)
) WITHOUT ROWID;

-- Which periods are frozen, and when.
CREATE TABLE frozen_periods (
    kind      TEXT NOT NULL,
    period    TEXT NOT NULL,
    frozen_at INTEGER NOT NULL,              -- epoch seconds
    PRIMARY KEY (kind, period)
) WITHOUT ROWID;

-- The whole report of a closed period as first rendered (the JSON of `xuncha report ...
-- --format json`, language-neutral), per scope (`*` or a unit id) and options, so that the
-- lists of a closed period (findings, repeat offenders, the officer appendix) never change.
CREATE TABLE report_frozen (
    kind      TEXT NOT NULL,                 -- daily | weekly | monthly
    period    TEXT NOT NULL,
    scope     TEXT NOT NULL,
    options   TEXT NOT NULL,                 -- e.g. `repeat=3/90d fix=7d`
    frozen_at INTEGER NOT NULL,
    model     TEXT NOT NULL,                 -- JSON, schema `xuncha.report/1`
    PRIMARY KEY (kind, period, scope, options)
) WITHOUT ROWID;

CREATE VIEW rollup AS
-- what the reports print: the frozen numbers of a frozen period, the live numbers of every
-- other period; frozen_at is NULL for live rows
SELECT r.kind, r.period, r.scope, r.dim, r.key, r.cases, r.new, r.reopened, r.pushed, r.rectified,
       r.waived, r.resolved, r.backlog, r.new_outstanding, r.new_closed, r.new_waived, r.new_pushed,
       r.points, r.rectification_rate, r.share_pushed, r.median_days_to_rectify, z.frozen_at
FROM rollup_frozen r
JOIN frozen_periods z ON z.kind = r.kind AND z.period = r.period
UNION ALL
SELECT l.kind, l.period, l.scope, l.dim, l.key, l.cases, l.new, l.reopened, l.pushed, l.rectified,
       l.waived, l.resolved, l.backlog, l.new_outstanding, l.new_closed, l.new_waived, l.new_pushed,
       l.points, l.rectification_rate, l.share_pushed, l.median_days_to_rectify, NULL
FROM rollup_live l
WHERE NOT EXISTS (SELECT 1 FROM frozen_periods z WHERE z.kind = l.kind AND z.period = l.period);
