"""campaign_events.csv computed by DuckDB straight from the archive's gzip JSONL partitions.

Usage: python3 campaign_events.py ROOT DATE OUT.csv [THREADS]
       python3 campaign_events.py ROOT FROM..TO OUT.csv [THREADS]    (a range report's: date_from,date_to)

The peer the report benchmark measures against, and a second, independent implementation of SPEC.md's
definition: one row per (campaign_id, event_code) of the CAMPAIGN_EVENTs of DATE, each event_uuid once,
names from the latest event that carries them (event_time, then event_uuid), sorted in byte order.
"""
import datetime
import sys

import duckdb

root, period, out = sys.argv[1], sys.argv[2], sys.argv[3]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else None
first, _, last = period.partition("..")
first, last = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last or first)
if last < first:
    sys.exit(f"campaign_events.py: {period}: the range ends before it starts; give FROM..TO, earlier date first")
dates = [str(first + datetime.timedelta(days=n)) for n in range((last - first).days + 1)]
# A daily report's rows start with its date; a range report's with date_from, date_to.
period_columns = "$date AS date" if first == last else "$first AS date_from, $last AS date_to"
parameters = {"date": str(first)} if first == last else {"first": str(first), "last": str(last)}

connection = duckdb.connect()
if threads:
    connection.execute(f"SET threads = {threads}")
connection.execute(
    """
    CREATE TEMP TABLE rows AS
    WITH raw AS (
        SELECT * FROM read_json(
            $files, format = 'newline_delimited', hive_partitioning = false,
            columns = {
                event_uuid: 'VARCHAR', event_code: 'VARCHAR', event_name: 'VARCHAR', event_time: 'BIGINT',
                event_type: 'VARCHAR', uid: 'VARCHAR',
                event_attributes: 'STRUCT(campaign_id VARCHAR, campaign_name VARCHAR, campaign_type VARCHAR, campaign_channel VARCHAR)'
            })
    ),
    events AS (
        SELECT DISTINCT ON (event_uuid)
            event_uuid, event_code, event_name, event_time, uid,
            coalesce(event_attributes.campaign_id, '') AS campaign_id,
            event_attributes.campaign_name AS campaign_name,
            event_attributes.campaign_type AS campaign_type,
            event_attributes.campaign_channel AS campaign_channel
        FROM raw WHERE event_type = 'CAMPAIGN_EVENT'
    ),
    campaigns AS (
        SELECT campaign_id,
            arg_max(campaign_name, (event_time, event_uuid)) FILTER (WHERE campaign_name IS NOT NULL) AS campaign_name,
            arg_max(campaign_type, (event_time, event_uuid)) FILTER (WHERE campaign_type IS NOT NULL) AS campaign_type,
            arg_max(campaign_channel, (event_time, event_uuid)) FILTER (WHERE campaign_channel IS NOT NULL) AS campaign_channel
        FROM events GROUP BY campaign_id
    )
    SELECT PERIOD_COLUMNS, e.campaign_id, c.campaign_name, c.campaign_type, c.campaign_channel, e.event_code,
        arg_max(e.event_name, (e.event_time, e.event_uuid)) FILTER (WHERE e.event_name IS NOT NULL) AS event_name,
        count(*) AS events, count(DISTINCT e.uid) AS unique_users
    FROM events e JOIN campaigns c USING (campaign_id)
    GROUP BY ALL
    ORDER BY e.campaign_id, e.event_code
    """.replace("PERIOD_COLUMNS", period_columns),
    {"files": [f"{root}/events/date={date}/*/*/*.jsonl.gz" for date in dates], **parameters},
)

# Python's csv module writes exactly RFC 4180 (CRLF, minimal quoting), as `streams-archive report` does.
import csv

with open(out, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow([d[0] for d in connection.execute("SELECT * FROM rows LIMIT 0").description])
    for row in connection.execute("SELECT * FROM rows ORDER BY campaign_id, event_code").fetchall():
        # A leading ' before a cell a spreadsheet would run as a formula (OWASP), as streams-archive writes it.
        writer.writerow(["" if value is None else "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
                         else value for value in row])
