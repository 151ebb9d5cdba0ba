"""A second reader of the timeline files: each uid's events of one day, found the way docs/TIMELINES.md says.

Usage: python3 lookup.py TIMELINE_DAY_DIR UIDS_FILE OUT_FILE

For each uid (one per line of UIDS_FILE, JSON strings): bucket = 64-bit FNV-1a of its UTF-8 bytes modulo the
bucket count in _INDEX.json; its line in that bucket's index gives the offset and length of the gzip member
holding it; the member is read with one seek and inflated with zlib; the uid's lines are kept. Writes one
line per uid to OUT_FILE ("uid<TAB>event count<TAB>event_uuids joined by spaces") and prints the mean
seconds per lookup, timed inside this process (start-up and imports excluded), so it compares with the
in-process lookup of the benchmark.
"""
import json
import sys
import time
import zlib

day, uids_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
count = json.load(open(f"{day}/_INDEX.json"))["buckets"]["count"]
uids = [json.loads(line) for line in open(uids_file, encoding="utf-8") if line.strip()]


def bucket(uid):
    h = 0xCBF29CE484222325
    for b in uid.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return h % count


def lookup(uid):
    name = f"part-{bucket(uid):04d}"
    prefix = ('{"uid":' + json.dumps(uid, ensure_ascii=False) + ",").encode()
    with open(f"{day}/{name}.index.jsonl", "rb") as index:
        entry = next((json.loads(line) for line in index if line.startswith(prefix)), None)
    if entry is None:
        return []
    with open(f"{day}/{name}.jsonl.gz", "rb") as data:
        data.seek(entry["offset"])
        member = zlib.decompress(data.read(entry["length"]), wbits=31)
    events = [json.loads(line) for line in member.splitlines()]
    return [event["event_uuid"] for event in events if event.get("uid") == uid]


results = []
started = time.perf_counter()
for uid in uids:
    results.append((uid, lookup(uid)))
elapsed = time.perf_counter() - started
with open(out, "w", encoding="utf-8") as output:
    for uid, found in results:
        output.write(f"{uid}\t{len(found)}\t{' '.join(found)}\n")
print(elapsed / max(1, len(uids)))
