#!/bin/sh
# What cron runs every hour: `streams-archive seal`, so closed hours are compacted during the day and the
# nightly run has little left to seal. Same environment as nightly.sh (STREAMS_ROOT, STREAMS_BIN,
# STREAMS_LOG, default log $STREAMS_ROOT/_logs/seal.log). A seal already running makes this one exit 1
# with a message; the next hour catches up.
set -u

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
job=seal
. "$here/lib.sh"

run_logged seal --root "$STREAMS_ROOT"
