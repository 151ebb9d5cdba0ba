#!/bin/sh
# What cron runs every night: `streams-archive nightly` (seal → report → timelines → verify → ship → retain).
#
# Environment:
#   STREAMS_ROOT       the archive root (required)
#   STREAMS_BIN        the streams-archive binary (default: the release build beside this script, then PATH)
#   STREAMS_DATE       the UTC date to report (default: yesterday)
#   STREAMS_SHIP_TO    ship to object storage, s3://BUCKET/PREFIX (read by streams-archive itself, with the
#                      AWS_* variables and ~/.aws files it needs; put them in the crontab or in HOME's ~/.aws)
#   STREAMS_KEEP_DAYS  apply retention, keeping this many days of raw partitions (default: keep everything);
#                      with STREAMS_SHIP_TO only days confirmed in the bucket go, without it none do
#   STREAMS_DELETE_UNSHIPPED  set to 1 to let retention remove raw days that were never shipped (the only copy)
#   STREAMS_MEMORY_BUDGET  what seal may hold of an hour in memory before it spills to disk, e.g. 512M
#                      (read by streams-archive itself; default: a quarter of physical memory)
#   STREAMS_LOG        log file to append to (default: $STREAMS_ROOT/_logs/nightly.log)
#
# Works from any directory in cron's bare environment (PATH=/usr/bin:/bin, no HOME). Exits with the
# pipeline's code: 0 ok, 1 a step failed, 2 damaged data found, 75 another run is going, 64 bad settings.
set -u

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
job=nightly
. "$here/lib.sh"

set -- nightly --root "$STREAMS_ROOT"
[ -n "${STREAMS_DATE:-}" ] && set -- "$@" --date "$STREAMS_DATE"
[ -n "${STREAMS_KEEP_DAYS:-}" ] && set -- "$@" --keep-days "$STREAMS_KEEP_DAYS"
# --delete-unshipped only means something without a destination (with one, only what is shipped goes).
[ "${STREAMS_DELETE_UNSHIPPED:-}" = 1 ] && [ -z "${STREAMS_SHIP_TO:-}" ] && set -- "$@" --delete-unshipped
run_logged "$@"
