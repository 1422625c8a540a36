#!/usr/bin/env bash
# The console under load: median and 95th-percentile latency of the findings list (问题清单),
# its JSON API and the dashboard (首页), measured with ApacheBench (Debian's apache2-utils).
#
#   benches/console_load.sh [CASES] [DIR]      # defaults: 100000 cases, /tmp/xuncha-console-load
#
# Uses `xuncha` from PATH, else target/release/xuncha, else target/debug/xuncha. The
# database is generated and audited once and reused (delete DIR to start again).
set -euo pipefail
cases=${1:-100000}
dir=${2:-/tmp/xuncha-console-load}
requests=${REQUESTS:-200}
concurrency=${CONCURRENCY:-4}
. "$(dirname "$0")/common.sh"
need ab apache2-utils
mkdir -p "$dir"
db=$dir/console-$cases.db
if [ ! -s "$db" ]; then
    "$bin" gen --cases "$cases" --seed 7 --error-rate 0.3 --out "$dir/cases-$cases.ndjson" --truth "$dir/truth-$cases.ndjson"
    "$bin" --db "$db" --quiet audit "$dir/cases-$cases.ndjson" --as-of 2026-06-30 || [ $? -eq 1 ]
    echo 'load test passphrase' | "$bin" --db "$db" user add load --role legal --password-stdin
fi
port=${PORT:-18931}
"$bin" --db "$db" --quiet serve --listen "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/login" && break
    sleep 0.2
done
cookie=$(curl -s -o /dev/null -D - --data-urlencode login=load --data-urlencode 'password=load test passphrase' \
    "http://127.0.0.1:$port/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(xuncha_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "could not log in" >&2; exit 1; }
# the dashboard once, so the figures are of a warm server (as the warmer keeps it)
curl -s -o /dev/null -b "$cookie" "http://127.0.0.1:$port/"
echo "console load: $cases cases, $requests requests, $concurrency concurrent, binary $bin"
for path in "/findings" "/findings?status=open&level=violation&page=3" "/api/findings?status=open" "/"; do
    out=$(ab -q -n "$requests" -c "$concurrency" -C "$cookie" "http://127.0.0.1:$port$path" 2>&1)
    ok=$(echo "$out" | sed -n 's/^Non-2xx responses: *//p')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p95=$(echo "$out" | awk '$1 == "95%" {print $2}')
    printf '%-48s median %5s ms  p95 %5s ms%s\n' "$path" "$p50" "$p95" "${ok:+  (non-2xx: $ok)}"
done
