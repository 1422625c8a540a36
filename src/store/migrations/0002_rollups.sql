-- 0002: rollups for the reports (issue #7: 日清 周结 月通报).
--
-- Why: supervisors must be able to read the numbers the bulletins print with the `sqlite3`
-- shell or any SQLite client, and a closed period's numbers must not move when a later
-- import or a re-audit adds rows with old dates. This adds a calendar of Asia/Shanghai days,
-- views that roll findings up by day, ISO week and month, and the tables that keep a closed
-- period as it stood the first time it was reported. `SELECT * FROM rollup_doc` explains
-- every view and column; `.schema rollup_live` shows the definitions with their comments.
--
-- For example, March 2026 per unit, and the officers with the most open findings at the end
-- of ISO week 10:
--   SELECT key, cases, new, round(100.0 * new / cases, 1) AS per_100, rectification_rate, points
--     FROM rollup WHERE kind = 'month' AND period = '2026-03' AND scope = '*' AND dim = 'unit';
--   SELECT key, backlog FROM rollup WHERE kind = 'week' AND period = '2026-W10' AND scope = '*'
--     AND dim = 'officer' ORDER BY backlog DESC LIMIT 10;
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

-- for period lookups of events and accepted cases; the first covers a finding's events
CREATE INDEX finding_events_history ON finding_events(finding_id, at, to_status, from_status);
CREATE INDEX finding_events_at ON finding_events(at, to_status);
CREATE INDEX cases_accepted ON cases(accepted_at, unit_id);
CREATE INDEX findings_unit_first_seen ON findings(unit_id, first_seen);

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

CREATE VIEW rollup_live AS
-- The present numbers of every started period, per scope, dimension and key (rollup_doc
-- explains each column). Always filter on kind and period (WHERE kind = 'month' AND
-- period = '2026-03'): a period's numbers are computed when its row is read, so the whole
-- history at once takes long.
--
-- How: for the period row p, the subquery in json_each() reduces each counted finding's
-- events before p.end_at to one row r (what it did in the period, its status at the end),
-- sums those rows under every scope, dimension and key, and hands the sums over as a JSON
-- array of rows, which json_each() turns back into rows. Rows where everything is zero are
-- left out; a unit with cases accepted in the period but no counted finding before its end
-- has a row with its cases only.
SELECT p.kind,
       p.period,
       json_extract(j.value, '$[0]') AS scope,
       json_extract(j.value, '$[1]') AS dim,
       json_extract(j.value, '$[2]') AS key,
       json_extract(j.value, '$[3]') AS cases,
       json_extract(j.value, '$[4]') AS new,
       json_extract(j.value, '$[5]') AS reopened,
       json_extract(j.value, '$[6]') AS pushed,
       json_extract(j.value, '$[7]') AS rectified,
       json_extract(j.value, '$[8]') AS waived,
       json_extract(j.value, '$[9]') AS resolved,
       json_extract(j.value, '$[10]') AS backlog,
       json_extract(j.value, '$[11]') AS new_outstanding,
       json_extract(j.value, '$[12]') AS new_closed,
       json_extract(j.value, '$[13]') AS new_waived,
       json_extract(j.value, '$[14]') AS new_pushed,
       json_extract(j.value, '$[15]') AS points,
       CAST(json_extract(j.value, '$[12]') AS REAL)
           / nullif(json_extract(j.value, '$[4]') - json_extract(j.value, '$[13]'), 0) AS rectification_rate,
       CAST(json_extract(j.value, '$[14]') AS REAL) / nullif(json_extract(j.value, '$[4]'), 0) AS share_pushed,
       json_extract(j.value, '$[16]') / 86400.0 AS median_days_to_rectify
FROM periods p
JOIN json_each((
    SELECT json_group_array(json_array(
               g.scope, g.dim, g.key, g.cases, g.new, g.reopened, g.pushed, g.rectified, g.waived,
               g.resolved, g.backlog, g.new_outstanding, g.new_closed, g.new_waived, g.new_pushed,
               g.points,
               -- median seconds to rectify: the middle one, or the mean of the middle two
               (SELECT avg(value)
                  FROM (SELECT value,
                               row_number() OVER (ORDER BY value) AS rn,
                               count(*) OVER () AS n
                        FROM json_each(g.closes))
                 WHERE rn IN ((n + 1) / 2, (n + 2) / 2))))
    FROM (
      SELECT scope, dim, key, sum(cases) AS cases, sum(new) AS new, sum(reopened) AS reopened,
             sum(pushed) AS pushed, sum(rectified) AS rectified, sum(waived) AS waived,
             sum(resolved) AS resolved, sum(backlog) AS backlog, sum(new_outstanding) AS new_outstanding,
             sum(new_closed) AS new_closed, sum(new_waived) AS new_waived, sum(new_pushed) AS new_pushed,
             sum(points) AS points, max(closes) AS closes
      FROM (
        SELECT CASE sc.by_unit WHEN 0 THEN '*' ELSE r.unit_id END AS scope,
               d.dim AS dim,
               CASE d.dim WHEN 'all' THEN '*' WHEN 'unit' THEN r.unit_id WHEN 'group' THEN r.group_code
                          WHEN 'category' THEN r.category ELSE o.value END AS key,
               0 AS cases,
               sum(r.is_new) AS new,
               sum(r.reopened) AS reopened,
               sum(r.pushed) AS pushed,
               sum(r.rectified) AS rectified,
               sum(r.waived) AS waived,
               sum(r.resolved) AS resolved,
               sum(r.status_at_end IN ('open', 'pushed')) AS backlog,
               sum(r.is_new AND r.status_at_end IN ('open', 'pushed')) AS new_outstanding,
               sum(r.is_new AND r.status_at_end IN ('rectified', 'resolved')) AS new_closed,
               sum(r.is_new AND r.status_at_end = 'waived') AS new_waived,
               sum(r.is_new AND r.pushed_by_end) AS new_pushed,
               sum(CASE WHEN r.is_new AND r.status_at_end <> 'waived' THEN r.points ELSE 0 END) AS points,
               json_group_array(r.closed_at - r.first_seen) FILTER (WHERE r.closed_at IS NOT NULL) AS closes
        FROM (
            -- one row per counted finding first seen before the end of the period
            SELECT f.id, f.unit_id, f.group_code, f.category, f.points, f.first_seen,
                   (SELECT json_group_array(o.officer_id) FROM finding_officers o
                     WHERE o.finding_id = f.id) AS officers,
                   -- first seen in the period
                   f.first_seen >= p.start_at AS is_new,
                   -- the status of the last event (by at, then id) before the end
                   substr(max(printf('%020d%020d%s', e.at, e.id, e.to_status)), 41) AS status_at_end,
                   -- came back after being rectified or resolved, in the period
                   max(e.at >= p.start_at AND e.to_status = 'open'
                       AND coalesce(e.from_status IN ('rectified', 'resolved'), 0)) AS reopened,
                   max(e.at >= p.start_at AND e.to_status = 'pushed') AS pushed,
                   max(e.at >= p.start_at AND e.to_status = 'rectified') AS rectified,
                   max(e.at >= p.start_at AND e.to_status = 'waived') AS waived,
                   max(e.at >= p.start_at AND e.to_status = 'resolved') AS resolved,
                   -- pushed at any time before the end
                   max(e.to_status = 'pushed') AS pushed_by_end,
                   -- the first rectification or resolution in the period
                   min(CASE WHEN e.at >= p.start_at AND e.to_status IN ('rectified', 'resolved')
                            THEN e.at END) AS closed_at
            FROM findings f
            JOIN finding_events e ON e.finding_id = f.id AND e.at < p.end_at
            WHERE f.preview = 0 AND f.first_seen < p.end_at
            GROUP BY f.id
            -- only findings that count for something: new, changed in the period, or open
            HAVING is_new OR max(e.at >= p.start_at) OR status_at_end IN ('open', 'pushed')
        ) r
        -- counted for the whole bureau and for its unit ...
        CROSS JOIN (SELECT 0 AS by_unit UNION ALL SELECT 1) sc
        -- ... once per dimension, and once per responsible officer
        CROSS JOIN (SELECT 'all' AS dim UNION ALL SELECT 'unit' UNION ALL SELECT 'group'
                    UNION ALL SELECT 'category' UNION ALL SELECT 'officer') d
        JOIN json_each(CASE d.dim WHEN 'officer' THEN r.officers ELSE '[0]' END) o
        GROUP BY 1, 2, 3
        UNION ALL
        -- cases accepted in the period, for findings per 100 cases
        SELECT coalesce(x.scope, c.unit_id), x.dim, coalesce(x.key, c.unit_id),
               count(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL
        FROM cases c
        -- (scope, dim, key) a case counts under; NULL stands for the case's unit
        CROSS JOIN (SELECT '*' AS scope, 'all' AS dim, '*' AS key
                    UNION ALL SELECT '*', 'unit', NULL
                    UNION ALL SELECT NULL, 'all', '*'
                    UNION ALL SELECT NULL, 'unit', NULL) x
        WHERE c.accepted_at >= p.start_at AND c.accepted_at < p.end_at
        GROUP BY 1, 2, 3
      )
      GROUP BY scope, dim, key
    ) g
    WHERE g.cases + g.new + g.reopened + g.pushed + g.rectified + g.waived + g.resolved + g.backlog > 0
)) j
-- periods that have started, by the clock or by the data
WHERE p.start_at <= (SELECT max(CAST(strftime('%s', 'now') AS INTEGER), coalesce(max(at), 0))
                     FROM finding_events);

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

-- What each rollup table, view and column means, for anyone reading the database with a
-- SQLite client: SELECT * FROM rollup_doc;
CREATE TABLE rollup_doc (
    name       TEXT PRIMARY KEY,             -- a table or view, or `rollup.<column>`
    meaning_zh TEXT NOT NULL,
    meaning_en TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO rollup_doc (name, meaning_zh, meaning_en) VALUES
('calendar', '上海时间的日历：每天的起止时刻（epoch 秒）、所属 ISO 周和月份', 'Asia/Shanghai days with their bounds (epoch seconds), ISO week and month'),
('periods', '每一天、ISO 周（周一开始）和月份及其起止时刻（结束时刻不含）', 'every day, ISO week (Monday first) and month with its bounds (end exclusive)'),
('finding_status_spans', '每条问题的状态历史，按时间段列出', 'each finding''s status history as time spans'),
('rollup_live', '各时段的现时统计；查询时务必指定 kind 和 period', 'the present numbers of each period; always filter on kind and period'),
('rollup_cases', '各时段各单位受理的案件数（按 cases.accepted_at）', 'cases accepted per period and unit (cases.accepted_at)'),
('rollup_frozen', '已结束时段首次出报告时冻结的统计', 'a closed period''s numbers, frozen when it was first reported'),
('frozen_periods', '已冻结的时段及冻结时刻', 'which periods are frozen, and when'),
('report_frozen', '已结束时段首次生成的完整报告（JSON），此后重出报告与之一致', 'the whole report of a closed period as first generated (JSON); later reports repeat it'),
('rollup', '报告所用的统计：已冻结时段取冻结数，其余取现时数', 'what the reports print: frozen numbers for frozen periods, live numbers otherwise'),
('rollup.kind', '时段类型：day 日、week 周、month 月', 'period kind: day, week or month'),
('rollup.period', '时段：2026-03-01、2026-W09、2026-03', 'the period: 2026-03-01, 2026-W09, 2026-03'),
('rollup.scope', '范围：* 为全局，否则为单位编号（只计该单位的问题）', 'scope: * for the whole bureau, else a unit id (that unit''s findings only)'),
('rollup.dim', '维度：all 合计、unit 单位、group 问题大类、category 问题类别、officer 民警', 'dimension: all, unit, group, category or officer'),
('rollup.key', '维度取值：单位编号、G01-G12、P001-P108、民警编号；all 为 *', 'the unit id, group, category or officer id; * for all'),
('rollup.cases', '本时段受理案件数（仅 all 和 unit 维度）', 'cases accepted in the period (dims all and unit only)'),
('rollup.new', '本时段新发现的问题数（首次发现时间在本时段）', 'findings first seen in the period'),
('rollup.reopened', '本时段整改或消除后又复发的问题数', 'findings that came back in the period after being rectified or resolved'),
('rollup.pushed', '本时段推送整改的问题数', 'findings pushed for rectification in the period'),
('rollup.rectified', '本时段标记已整改的问题数', 'findings marked rectified in the period'),
('rollup.waived', '本时段豁免的问题数', 'findings waived in the period'),
('rollup.resolved', '本时段巡查不再发现（已消除）的问题数', 'findings the audit no longer saw in the period (resolved)'),
('rollup.backlog', '时段结束时仍待整改（open 或 pushed）的问题数', 'findings still open or pushed at the end of the period'),
('rollup.new_outstanding', '本时段新发现、时段结束时仍待整改的问题数', 'of the new findings, those still open or pushed at the end'),
('rollup.new_closed', '本时段新发现、时段结束时已整改或已消除的问题数', 'of the new findings, those rectified or resolved at the end'),
('rollup.new_waived', '本时段新发现、时段结束时已豁免的问题数', 'of the new findings, those waived at the end'),
('rollup.new_pushed', '本时段新发现、时段结束前已推送的问题数', 'of the new findings, those pushed before the end'),
('rollup.points', '本时段新发现且未豁免问题的扣分合计（民警维度为该民警被扣分数）', 'points deducted for the new findings not waived at the end (for an officer: that officer''s deduction)'),
('rollup.rectification_rate', '整改率 = new_closed / (new - new_waived)', 'rectification rate = new_closed / (new - new_waived)'),
('rollup.share_pushed', '推送率 = new_pushed / new', 'share pushed = new_pushed / new'),
('rollup.median_days_to_rectify', '本时段整改或消除的问题，从首次发现到首次整改或消除所用天数的中位数', 'median days from first seen to the first rectification or resolution, over findings rectified or resolved in the period'),
('rollup.frozen_at', '冻结时刻（epoch 秒）；现时数为 NULL', 'when the numbers were frozen (epoch seconds); NULL for live numbers'),
('example.units', '示例，2026年3月各单位情况：SELECT key, cases, new, round(100.0 * new / cases, 1) AS per_100, rectification_rate, points FROM rollup WHERE kind = ''month'' AND period = ''2026-03'' AND scope = ''*'' AND dim = ''unit''', 'example, March 2026 per unit: SELECT key, cases, new, round(100.0 * new / cases, 1) AS per_100, rectification_rate, points FROM rollup WHERE kind = ''month'' AND period = ''2026-03'' AND scope = ''*'' AND dim = ''unit'''),
('example.officers', '示例，2026年第10周末待整改问题最多的民警：SELECT key, backlog FROM rollup WHERE kind = ''week'' AND period = ''2026-W10'' AND scope = ''*'' AND dim = ''officer'' ORDER BY backlog DESC LIMIT 10', 'example, the officers with the most open findings at the end of ISO week 2026-W10: SELECT key, backlog FROM rollup WHERE kind = ''week'' AND period = ''2026-W10'' AND scope = ''*'' AND dim = ''officer'' ORDER BY backlog DESC LIMIT 10');
