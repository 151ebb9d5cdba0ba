#!/usr/bin/env python3
"""The ship benchmark's peer: boto3's transfer manager (what `aws s3 cp --recursive` uses: multipart above
8 MiB, 10 requests in flight) uploading the files listed on stdin (one "PATH KEY" per line) into BUCKET.

    boto3_upload.py ENDPOINT BUCKET [--head] < list

With --head, each upload is followed by a HeadObject asking for its checksum (what ship does to confirm
every object), 10 files in flight. Prints the seconds the uploads took (after Python and boto3 are loaded)
and the process's peak RSS in KB.
"""
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from boto3.s3.transfer import TransferConfig
from s3transfer.manager import TransferManager


def main():
    endpoint, bucket = sys.argv[1], sys.argv[2]
    pairs = [line.rstrip("\n").split(" ", 1) for line in sys.stdin if line.strip()]
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
    )
    started = time.monotonic()
    if "--head" in sys.argv[3:]:
        config = TransferConfig(use_threads=False)

        def upload_and_head(pair):
            path, key = pair
            client.upload_file(path, bucket, key, ExtraArgs={"ChecksumAlgorithm": "SHA256"}, Config=config)
            client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")

        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(upload_and_head, pairs))
    else:
        with TransferManager(client, TransferConfig()) as manager:
            futures = [manager.upload(path, bucket, key) for path, key in pairs]
            for future in futures:
                future.result()
    print(f"{time.monotonic() - started:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


if __name__ == "__main__":
    main()
