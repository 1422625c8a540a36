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

CREATE VIEW rollup_finding_period AS
-- one row per period and counted finding first seen before the period's end: what the
-- finding did in the period (1 = yes) and where it stood at the end
SELECT p.kind,
       p.period,
       p.start_at,
       p.end_at,
       f.id AS finding_id,
       f.unit_id,
       f.group_code,
       f.category,
       f.first_seen,
       f.points,
       -- first seen in the period
       f.first_seen >= p.start_at AS is_new,
       -- status just before end_at: that of the last event (by at, then id) before it
       substr(max(printf('%020d%020d%s', e.at, e.id, e.to_status)), 41) AS status_at_end,
       -- came back after being rectified or resolved, within the period
       max(e.at >= p.start_at AND e.to_status = 'open'
           AND coalesce(e.from_status IN ('rectified', 'resolved'), 0)) AS reopened,
       max(e.at >= p.start_at AND e.to_status = 'pushed') AS pushed,
       max(e.at >= p.start_at AND e.to_status = 'rectified') AS rectified,
       max(e.at >= p.start_at AND e.to_status = 'waived') AS waived,
       max(e.at >= p.start_at AND e.to_status = 'resolved') AS resolved,
       -- pushed at any time before end_at
       max(e.to_status = 'pushed') AS pushed_by_end,
       -- first rectification or resolution within the period
       min(CASE WHEN e.at >= p.start_at AND e.to_status IN ('rectified', 'resolved') THEN e.at END) AS closed_at
FROM periods p
JOIN findings f ON f.preview = 0 AND f.first_seen < p.end_at
JOIN finding_events e ON e.finding_id = f.id AND e.at < p.end_at
-- periods that have started (by the clock or by the data)
WHERE p.start_at <= (SELECT max(CAST(strftime('%s', 'now') AS INTEGER), coalesce(max(at), 0)) FROM finding_events)
GROUP BY p.kind, p.period, f.id;

CREATE VIEW rollup_live AS
-- the present numbers of every started period, per scope, dimension and key (rollup_doc
-- explains each column); rows where everything is zero are left out, and so are units
-- whose only activity in the period is accepted cases (rollup_cases has those). Filter on
-- kind and period: the whole history at once takes long.
SELECT g.kind, g.period, g.scope, g.dim, g.key, g.cases, g.new, g.reopened, g.pushed, g.rectified,
       g.waived, g.resolved, g.backlog, g.new_outstanding, g.new_closed, g.new_waived, g.new_pushed,
       g.points,
       CAST(g.new_closed AS REAL) / nullif(g.new - g.new_waived, 0) AS rectification_rate,
       CAST(g.new_pushed AS REAL) / nullif(g.new, 0) AS share_pushed,
       (SELECT avg(value) FROM (SELECT value,
                                       row_number() OVER (ORDER BY value) AS rn,
                                       count(*) OVER () AS n
                                FROM json_each(g.closes))
         WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) / 86400.0 AS median_days_to_rectify
FROM (
    SELECT r.kind, r.period,
           CASE s.by_unit WHEN 0 THEN '*' ELSE r.unit_id END AS scope,
           d.dim AS dim,
           CASE d.dim WHEN 'all' THEN '*' WHEN 'unit' THEN r.unit_id WHEN 'group' THEN r.group_code
                      WHEN 'category' THEN r.category ELSE o.officer_id END AS key,
           CASE WHEN d.dim IN ('all', 'unit') THEN
               (SELECT count(*) FROM cases c
                 WHERE c.accepted_at >= r.start_at AND c.accepted_at < r.end_at
                   AND (s.by_unit = 0 AND d.dim = 'all' OR c.unit_id = r.unit_id))
           ELSE 0 END AS cases,
           sum(r.is_new) AS new,
           sum(r.reopened) AS reopened,
           sum(r.pushed) AS pushed,
           sum(r.rectified) AS rectified,
           sum(r.waived) AS waived,
           sum(r.resolved) AS resolved,
           sum(coalesce(r.status_at_end IN ('open', 'pushed'), 0)) AS backlog,
           sum(r.is_new AND coalesce(r.status_at_end IN ('open', 'pushed'), 0)) AS new_outstanding,
           sum(r.is_new AND coalesce(r.status_at_end IN ('rectified', 'resolved'), 0)) AS new_closed,
           sum(r.is_new AND coalesce(r.status_at_end = 'waived', 0)) AS new_waived,
           sum(r.is_new AND r.pushed_by_end) AS new_pushed,
           sum(CASE WHEN r.is_new AND r.status_at_end IS NOT 'waived' THEN r.points ELSE 0 END) AS points,
           -- seconds from first seen to the first rectification or resolution in the period
           json_group_array(r.closed_at - r.first_seen) FILTER (WHERE r.closed_at IS NOT NULL) AS closes
    FROM rollup_finding_period r
    -- counted for the whole bureau and for its unit ...
    CROSS JOIN (SELECT 0 AS by_unit UNION ALL SELECT 1) s
    -- ... once per dimension, and once per responsible officer
    CROSS JOIN (SELECT 'all' AS dim UNION ALL SELECT 'unit' UNION ALL SELECT 'group'
                UNION ALL SELECT 'category' UNION ALL SELECT 'officer') d
    LEFT JOIN finding_officers o ON d.dim = 'officer' AND o.finding_id = r.finding_id
    WHERE d.dim <> 'officer' OR o.officer_id IS NOT NULL
    GROUP BY r.kind, r.period, scope, dim, key
    HAVING cases + new + reopened + pushed + rectified + waived + resolved + backlog > 0
) g;

CREATE VIEW rollup_cases AS
-- cases accepted in each period (cases.accepted_at), per unit: the denominator of
-- "findings per 100 cases"
SELECT p.kind, p.period, c.unit_id, count(*) AS cases
FROM periods p
JOIN cases c ON c.accepted_at >= p.start_at AND c.accepted_at < p.end_at
GROUP BY p.kind, p.period, c.unit_id;

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
