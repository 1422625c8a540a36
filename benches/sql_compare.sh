#!/usr/bin/env bash
# xuncha against the plain-SQL approach (issue #19): a user loads the export into SQLite and
# runs twelve checks written with json_each/json_extract. Both start from the same NDJSON file
# and an empty database; the wall time of each includes loading the file.
#
#   benches/sql_compare.sh [CASES] [DIR]     # defaults: 50000 cases, /tmp/xuncha-sql-compare
#
#   THREADS=1 benches/sql_compare.sh         # xuncha's worker threads (default: one per core)
#
# Uses `xuncha` as benches/common.sh finds it, and
# Debian's sqlite3 (3.38 or later, for unixepoch). The file is generated once and reused.
#
# The SQL is what such a user writes: twelve of the 108 categories, each a single query, no
# exceptions, no calendar, no review items, no deadlines still running, no finding
# lifecycle. xuncha does all of that for 130 checks, so the comparison flatters the SQL. It
# prints how many rows each query found, to show the queries did their work.
set -euo pipefail
cases=${1:-50000}
dir=${2:-/tmp/xuncha-sql-compare}
threads=${THREADS:-0}
. "$(dirname "$0")/common.sh"
need sqlite3 sqlite3
mkdir -p "$dir"
file=$dir/cases-$cases.ndjson
[ -s "$file" ] || "$bin" --quiet gen --cases "$cases" --seed 7 --error-rate 0.3 --out "$file"

sql=$dir/checks.sql
cat >"$sql" <<'SQL'
CREATE TABLE raw (j TEXT);
-- one JSON record per line; unit and record separators that never occur in JSON text
.mode ascii
.separator "\037" "\n"
.import FILE raw
.mode list
CREATE TABLE cases (case_id TEXT PRIMARY KEY, j TEXT);
INSERT OR REPLACE INTO cases SELECT json_extract(j, '$.case_id'), j FROM raw WHERE json_valid(j);
DROP TABLE raw;
CREATE TABLE hits (check_id TEXT, case_id TEXT, subject TEXT);
-- 1 detention: family told more than 24 hours after it began, or not at all
INSERT INTO hits SELECT 'family_notice', c.case_id, json_extract(m.value, '$.id') FROM cases c, json_each(c.j, '$.measures') m
 WHERE json_extract(m.value, '$.type') IN ('criminal_detention', 'administrative_detention', 'arrest')
   AND (json_extract(m.value, '$.family_notified_at') IS NULL
        OR unixepoch(json_extract(m.value, '$.family_notified_at')) - unixepoch(json_extract(m.value, '$.started_at')) > 86400);
-- 2 questioning with fewer than two officers
INSERT INTO hits SELECT 'two_officers', c.case_id, json_extract(q.value, '$.id') FROM cases c, json_each(c.j, '$.questionings') q
 WHERE json_array_length(q.value, '$.officer_ids') < 2;
-- 3 a minor questioned without a guardian
INSERT INTO hits SELECT 'minor_guardian', c.case_id, json_extract(q.value, '$.id') FROM cases c, json_each(c.j, '$.questionings') q, json_each(c.j, '$.persons') p
 WHERE json_extract(p.value, '$.id') = json_extract(q.value, '$.person_id')
   AND json_extract(p.value, '$.birth_date') IS NOT NULL
   AND date(json_extract(p.value, '$.birth_date'), '+18 years') > date(json_extract(q.value, '$.started_at'))
   AND coalesce(json_extract(q.value, '$.guardian_present'), 0) = 0;
-- 4 seized property not handed to the property room within 24 hours
INSERT INTO hits SELECT 'custody', c.case_id, json_extract(g.value, '$.id') FROM cases c, json_each(c.j, '$.properties') g
 WHERE json_extract(g.value, '$.taken_at') IS NOT NULL
   AND (json_extract(g.value, '$.handed_to_custody_at') IS NULL
        OR unixepoch(json_extract(g.value, '$.handed_to_custody_at')) - unixepoch(json_extract(g.value, '$.taken_at')) > 86400);
-- 5 a seizure list never given
INSERT INTO hits SELECT 'seizure_list', c.case_id, json_extract(g.value, '$.id') FROM cases c, json_each(c.j, '$.properties') g
 WHERE json_extract(g.value, '$.taken_at') IS NOT NULL AND json_extract(g.value, '$.list_issued_at') IS NULL;
-- 6 a fine of 2,000 yuan or more decided without telling of the right to a hearing
INSERT INTO hits SELECT 'hearing_notice', c.case_id, json_extract(p.value, '$.id') FROM cases c, json_each(c.j, '$.penalties') p
 WHERE coalesce(json_extract(p.value, '$.fine_cny'), 0) >= 2000
   AND json_extract(p.value, '$.hearing_notified_at') IS NULL;
-- 7 a questioning that ends before it starts
INSERT INTO hits SELECT 'reversed_questioning', c.case_id, json_extract(q.value, '$.id') FROM cases c, json_each(c.j, '$.questionings') q
 WHERE unixepoch(json_extract(q.value, '$.ended_at')) < unixepoch(json_extract(q.value, '$.started_at'));
-- 8 a summons that kept the person more than 24 hours
INSERT INTO hits SELECT 'summons_24h', c.case_id, json_extract(s.value, '$.id') FROM cases c, json_each(c.j, '$.summonses') s
 WHERE unixepoch(json_extract(s.value, '$.released_at')) - unixepoch(json_extract(s.value, '$.arrived_at')) > 86400;
-- 9 a measure begun before its approval
INSERT INTO hits SELECT 'approval_after_act', c.case_id, json_extract(m.value, '$.id') FROM cases c, json_each(c.j, '$.measures') m, json_each(c.j, '$.approvals') a
 WHERE json_extract(a.value, '$.step') = 'measure' AND json_extract(a.value, '$.subject_id') = json_extract(m.value, '$.id')
   AND unixepoch(json_extract(a.value, '$.approved_at')) > unixepoch(json_extract(m.value, '$.started_at'));
-- 10 evidence uploaded more than 24 hours after it was collected
INSERT INTO hits SELECT 'evidence_upload', c.case_id, json_extract(e.value, '$.id') FROM cases c, json_each(c.j, '$.evidence') e
 WHERE json_extract(e.value, '$.uploaded_at') IS NULL
    OR unixepoch(json_extract(e.value, '$.uploaded_at')) - unixepoch(json_extract(e.value, '$.collected_at')) > 86400;
-- 11 a penalty decision never delivered
INSERT INTO hits SELECT 'decision_delivery', c.case_id, json_extract(p.value, '$.id') FROM cases c, json_each(c.j, '$.penalties') p
 WHERE json_extract(p.value, '$.decided_at') IS NOT NULL AND json_extract(p.value, '$.delivered_at') IS NULL;
-- 12 a criminal case filed more than 3 days after acceptance
INSERT INTO hits SELECT 'filing_late', case_id, NULL FROM cases
 WHERE json_extract(j, '$.kind') = 'criminal' AND json_extract(j, '$.filing.decided_at') IS NOT NULL
   AND unixepoch(json_extract(j, '$.filing.decided_at')) - unixepoch(json_extract(j, '$.accepted_at')) > 3 * 86400;
SELECT (SELECT count(*) FROM cases) || ' cases loaded';
SELECT check_id || ' ' || count(*) FROM hits GROUP BY check_id ORDER BY check_id;
SQL
sed -i "s|^.import FILE raw|.import $file raw|" "$sql"

now() { date +%s.%N; }
rm -f "$dir"/sql.db* "$dir"/xuncha.db*
t0=$(now)
sqlite3 "$dir/sql.db" <"$sql" >"$dir/sql.out"
t1=$(now)
"$bin" --db "$dir/xuncha.db" --quiet audit "$file" --as-of 2026-06-30 --threads "$threads" || [ $? -eq 1 ]
t2=$(now)
sed "s/^/  sql: /" "$dir/sql.out"
echo "  xuncha findings: $(sqlite3 "$dir/xuncha.db" 'SELECT count(*) FROM findings')"
awk -v n="$cases" -v s="$(echo "$t1 - $t0" | bc)" -v x="$(echo "$t2 - $t1" | bc)" 'BEGIN {
    printf "%d cases: plain SQL (12 checks) %.1f s; xuncha audit (130 checks) %.1f s, %.0f cases/s; xuncha/SQL %.2f\n",
        n, s, x, n / x, x / s }'
