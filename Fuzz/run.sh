#!/bin/sh
# Builds the libFuzzer target over the envelope parser and the gzip decoders, then fuzzes for SECONDS
# (default 60) from the corpus. A crash leaves crash-* here; add it to Fuzz/corpus/, and the corpus test in
# Tests/ArchiveTests/FuzzTests.swift (corpusRegressions) replays it on every test run.
#   Fuzz/run.sh            one minute, as CI runs it
#   Fuzz/run.sh 3600       an hour
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out" "$out/corpus"
sources=$(ls Sources/StreamsArchive/JSON/*.swift Sources/StreamsArchive/Model/*.swift Sources/StreamsArchive/Codec/*.swift \
    Sources/StreamsArchive/Support/*.swift Sources/StreamsArchive/Ingest/*.swift Sources/StreamsArchive/Archive/PartitionKey.swift \
    | grep -v -e "PartitionWriter+Batch" -e BodyFileIngest)
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name StreamsArchive -package-name streams_archive -I Sources/CZlib -I Sources/CLibdeflate -I Sources/CMalloc \
    Fuzz/FuzzTarget.swift $sources -lz -ldeflate -o "$out/fuzz-streams"
cp Fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
exec "$out/fuzz-streams" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 "$out/corpus"
