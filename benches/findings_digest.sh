#!/usr/bin/env bash
# What a rule set finds on generated cases, as one sorted text: for making a check faster
# without changing what it finds (issue #19). Audits the file at a fixed instant with the rules
# of DIR into a scratch database, then writes every finding (rule, case, subject, level,
# severity, message, verify text, evidence, officers), rule error, running deadline (the `due`
# rows), each case's re-check instant and the audit's calendar warning. Two rule sets that
# find the same give byte-identical digests:
#
#   benches/findings_digest.sh rules /tmp/before.txt            # before the edit
#   benches/findings_digest.sh rules /tmp/after.txt             # after it
#   cmp /tmp/before.txt /tmp/after.txt
#
#   benches/findings_digest.sh DIR OUT [CASES [AS_OF]]   # defaults: 20000 generated cases
#                                                        # (seed 7), as of 2026-06-15
#
# An instant inside the generated period leaves deadlines still running, so the digest
# covers the deadline functions' side effects as well as the findings. Uses `xuncha` as
# benches/common.sh finds it, and Debian's sqlite3.
set -euo pipefail
rules=$(realpath "$1")
out=$(realpath "$2")
cases=${3:-}
as_of=${4:-2026-06-15}
. "$(dirname "$0")/common.sh"
need sqlite3 sqlite3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$cases" ]; then
    cases=$tmp/cases.ndjson
    "$bin" --quiet gen --cases 20000 --seed 7 --error-rate 0.3 --out "$cases"
fi
db=$tmp/digest.db
# exit 1 means findings or rule errors were written: the digest shows them
"$bin" --rules "$rules" --db "$db" audit "$cases" --as-of "$as_of" --format json >"$tmp/audit.json" || [ $? -eq 1 ]
{
    sqlite3 "$db" "SELECT rule_id, case_id, subject, level, severity, message, coalesce(verify, ''), evidence, officer_ids
                   FROM findings ORDER BY rule_id, case_id, subject"
    sqlite3 "$db" "SELECT 'ERROR', rule_id, case_id, message FROM rule_errors ORDER BY rule_id, case_id, message"
    sqlite3 "$db" "SELECT 'DUE', case_id, rule_id, subject, level, deadline, message, presumed, finding, officer_ids
                   FROM due ORDER BY case_id, rule_id, subject"
    sqlite3 "$db" "SELECT 'NEXT', case_id, next_change FROM cases ORDER BY case_id"
    sqlite3 "$db" "SELECT 'CALENDAR', json_extract(readfile('$tmp/audit.json'), '\$.calendar_presumed_years')"
} >"$out"
echo "$(wc -l <"$out") lines in $out"
