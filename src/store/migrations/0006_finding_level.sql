-- 0006: a finding's level (issue #15).
--
-- `violation`: the rule is broken on the record; counted, scored, in the bulletins' figures.
-- `review` (待核查): the main rule is broken on the record, but an exception the law grants
-- may excuse it and the record cannot show whether it applies; `verify` says what the legal
-- officer must check. Review findings go through the same lifecycle (a verified exception is
-- waived with a note) but are never counted or scored: the rollups below count only
-- `preview = 0 AND level = 'violation'`. Every finding stored before this migration is a
-- violation. The rollup views are re-created with that one condition added.
ALTER TABLE findings ADD COLUMN level TEXT NOT NULL DEFAULT 'violation' CHECK (level IN ('violation', 'review'));
ALTER TABLE findings ADD COLUMN verify TEXT;

DROP VIEW rollup;
DROP VIEW rollup_live;

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
            WHERE f.preview = 0 AND f.level = 'violation' AND f.first_seen < p.end_at
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


INSERT OR REPLACE INTO rollup_doc (name, meaning_zh, meaning_en) VALUES
('findings.level', '问题等级：violation 违规（计入统计和扣分）；review 待核查（法律规定的例外可能适用而记录无法显示，列出核查要点，不计入统计）', 'finding level: violation (counted and scored); review (an exception the law grants may apply and the record cannot show it; listed with what to verify, never counted)');
