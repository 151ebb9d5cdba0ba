# Shared by the cron jobs: finds the binary, checks the settings, and runs one command with its output
# appended to the job's log, framed by start and end lines, exiting with the command's code.

if [ -z "${STREAMS_ROOT:-}" ]; then
    echo "$job: STREAMS_ROOT is not set; set it to the archive root in the crontab" >&2
    exit 64
fi

find_binary() {
    if [ -n "${STREAMS_BIN:-}" ]; then
        echo "$STREAMS_BIN"
        return
    fi
    # The most recently built of the package's builds beside this script, else the one on PATH.
    newest=$(ls -t "$here"/../.build/release/streams-archive "$here"/../.build-release/release/streams-archive \
        "$here"/../.build/debug/streams-archive 2>/dev/null | head -n 1)
    if [ -n "$newest" ]; then
        echo "$newest"
        return
    fi
    command -v streams-archive || true
}

bin=$(find_binary)
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "$job: no streams-archive binary (set STREAMS_BIN, or run 'swift build -c release' in $here/..)" >&2
    exit 64
fi

log=${STREAMS_LOG:-$STREAMS_ROOT/_logs/$job.log}
mkdir -p "$(dirname -- "$log")" || exit 1

run_logged() {
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $job: start: $bin $*" >> "$log"
    "$bin" "$@" >> "$log" 2>&1
    status=$?
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $job: end: exit $status" >> "$log"
    exit $status
}
