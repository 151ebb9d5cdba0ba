#!/bin/sh
# What cron runs every Monday: the campaign report over the previous ISO week, Monday to Sunday (UTC dates),
# `streams-archive report --from MON --to SUN` into $STREAMS_ROOT/reports/range=MON_SUN/, with unique users
# counted across the week. Run it after the nightly job has sealed and reported Sunday. Weeks are UTC dates
# and cron runs in the machine's time zone: on a machine east of UTC, schedule it late enough on Monday that
# it is Monday in UTC too (else it reports the week before last).
#
# Environment:
#   STREAMS_ROOT     the archive root (required)
#   STREAMS_BIN      the streams-archive binary (default: the release build beside this script, then PATH)
#   STREAMS_WEEK_OF  a UTC date (YYYY-MM-DD): report the ISO week before the one holding it (default: today)
#   STREAMS_MEMORY_BUDGET  what the report may hold in memory before it counts users through the disk
#                    (read by streams-archive itself; default: a quarter of physical memory)
#   STREAMS_LOG      log file to append to (default: $STREAMS_ROOT/_logs/weekly-report.log)
#
# Works from any directory in cron's bare environment (PATH=/usr/bin:/bin, no HOME). Exits with the report's
# code: 0 ok, 1 failed, 2 damaged input or a day of the week not here (nothing written then; restore it and
# run again with STREAMS_WEEK_OF), 64 bad settings.
set -u

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
job=weekly-report
. "$here/lib.sh"

day=${STREAMS_WEEK_OF:-$(date -u +%Y-%m-%d)}
# ISO weekday, 1 = Monday … 7 = Sunday (GNU date, as on Debian).
if ! weekday=$(date -u -d "$day" +%u 2>/dev/null); then
    echo "$job: STREAMS_WEEK_OF='$day' is not a date; give YYYY-MM-DD" >&2
    exit 64
fi
monday=$(date -u -d "$day -$((weekday + 6)) days" +%Y-%m-%d)
sunday=$(date -u -d "$day -$weekday days" +%Y-%m-%d)
run_logged report --root "$STREAMS_ROOT" --from "$monday" --to "$sunday"
