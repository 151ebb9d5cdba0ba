"""The daily campaign report's campaign_events.csv, computed by Spark from the archive's partitions.

Usage:  python3 Jobs/spark/campaign_report.py ROOT DATE OUT          (Spark local mode, pip install pyspark)
        spark-submit Jobs/spark/campaign_report.py ROOT DATE OUT    (a cluster; unchanged)

ROOT is the archive root, a local path or any URI Hadoop reads (s3a://bucket/prefix, gs://, hdfs://).
OUT is a directory (local or URI); OUT/campaign_events.csv is written byte for byte as
`streams-archive report` writes it (docs/REPORT.md): same header, rows, order, RFC 4180 quoting, CRLF.

Spark reads events/date=DATE/ with partition discovery (channel=, hour=) and skips files being written
(their names start with "_"). Rules, as in the report: CAMPAIGN_EVENTs of DATE, each event_uuid once;
names from the campaign's latest event that has them (event_time, then event_uuid); unique users are
distinct uids; rows sorted by campaign_id then event_code in byte order. The report is small (a row per
campaign and event code), so the driver collects it and writes the one file itself.
"""
import csv
import io
import sys

from pyspark.sql import SparkSession
from pyspark.sql.types import LongType, StringType, StructField, StructType

HEADER = ["date", "campaign_id", "campaign_name", "campaign_type", "campaign_channel", "event_code", "event_name", "events", "unique_users"]

SCHEMA = StructType([
    StructField("event_uuid", StringType()), StructField("event_code", StringType()), StructField("event_name", StringType()),
    StructField("event_time", LongType()), StructField("event_type", StringType()), StructField("uid", StringType()),
    StructField("event_attributes", StructType([
        StructField("campaign_id", StringType()), StructField("campaign_name", StringType()),
        StructField("campaign_type", StringType()), StructField("campaign_channel", StringType()),
    ])),
])

QUERY = """
WITH events AS (
    SELECT event_uuid, event_code, event_name, event_time, uid,
        coalesce(event_attributes.campaign_id, '') AS campaign_id,
        event_attributes.campaign_name AS campaign_name, event_attributes.campaign_type AS campaign_type,
        event_attributes.campaign_channel AS campaign_channel
    FROM raw WHERE event_type = 'CAMPAIGN_EVENT'
),
campaigns AS (
    SELECT campaign_id,
        max_by(campaign_name, struct(event_time, event_uuid)) FILTER (WHERE campaign_name IS NOT NULL) AS campaign_name,
        max_by(campaign_type, struct(event_time, event_uuid)) FILTER (WHERE campaign_type IS NOT NULL) AS campaign_type,
        max_by(campaign_channel, struct(event_time, event_uuid)) FILTER (WHERE campaign_channel IS NOT NULL) AS campaign_channel
    FROM events GROUP BY campaign_id
)
SELECT e.campaign_id, c.campaign_name, c.campaign_type, c.campaign_channel, e.event_code,
    max_by(e.event_name, struct(e.event_time, e.event_uuid)) FILTER (WHERE e.event_name IS NOT NULL) AS event_name,
    count(*) AS events, count(DISTINCT e.uid) AS unique_users
FROM events e JOIN campaigns c ON e.campaign_id = c.campaign_id
GROUP BY e.campaign_id, c.campaign_name, c.campaign_type, c.campaign_channel, e.event_code
"""


def neutralised(text):
    """A leading ' before a cell a spreadsheet would run as a formula (OWASP), as streams-archive writes it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def main(root, date, out):
    spark = SparkSession.builder.appName(f"streams-archive campaign report {date}").getOrCreate()
    jvm, conf = spark._jvm, spark._jsc.hadoopConfiguration()
    day = f"{root.rstrip('/')}/events/date={date}"
    day_path = jvm.org.apache.hadoop.fs.Path(day)
    rows = []
    if day_path.getFileSystem(conf).exists(day_path):
        raw = spark.read.schema(SCHEMA).option("pathGlobFilter", "*.jsonl.gz").json(day).dropDuplicates(["event_uuid"])
        raw.createOrReplaceTempView("raw")
        rows = spark.sql(QUERY).collect()
    # Byte order, as streams-archive and DuckDB sort; Python compares str by code point, which is the same order.
    rows.sort(key=lambda row: (row.campaign_id.encode(), row.event_code.encode()))
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([date] + [neutralised(text or "") for text in (row.campaign_id, row.campaign_name, row.campaign_type,
                         row.campaign_channel, row.event_code, row.event_name)] + [row.events, row.unique_users])
    target = jvm.org.apache.hadoop.fs.Path(f"{out.rstrip('/')}/campaign_events.csv")
    fs = target.getFileSystem(conf)
    fs.setWriteChecksum(False)  # no .crc sidecar beside the CSV on local disks
    stream = fs.create(target, True)
    stream.write(bytearray(text.getvalue().encode("utf-8")))
    stream.close()
    spark.stop()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: campaign_report.py ROOT DATE OUT")
    main(*sys.argv[1:])
