#!/bin/sh
# What cron runs every night: `streams-archive nightly` (seal → report → timelines → verify → retain).
#
# Environment:
#   STREAMS_ROOT       the archive root (required)
#   STREAMS_BIN        the streams-archive binary (default: the release build beside this script, then PATH)
#   STREAMS_DATE       the UTC date to report (default: yesterday)
#   STREAMS_KEEP_DAYS  apply retention, keeping this many days of raw partitions (default: keep everything)
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
run_logged "$@"
