#!/usr/bin/env python3
"""What the tests ask of an S3 API server through clients other than ours (boto3, s3fs + pandas).

    s3_oracle.py setup ENDPOINT BUCKET [--auth]    create the bucket; with --auth also an IAM user with s3:*,
                                                   whose key and secret are printed (moto then checks signatures)
    s3_oracle.py objects ENDPOINT BUCKET PREFIX    every object under PREFIX downloaded and hashed: JSON
                                                   {key: {"bytes": n, "sha256": hex}}
    s3_oracle.py get ENDPOINT BUCKET KEY           an object's bytes to stdout
    s3_oracle.py alter ENDPOINT BUCKET KEY         rewrite the object with its last byte changed
    s3_oracle.py put ENDPOINT BUCKET KEY FILE      upload a file (as another client would)
    s3_oracle.py delete ENDPOINT BUCKET PREFIX     delete every object under PREFIX
    s3_oracle.py uploads ENDPOINT BUCKET           open multipart uploads: JSON [[key, upload_id], ...]
    s3_oracle.py mirror ENDPOINT BUCKET PREFIX DIR every object under PREFIX downloaded to DIR/KEY (a local
                                                   copy of the bucket as it is, for readers without s3a)
    s3_oracle.py pandas ENDPOINT BUCKET PREFIX     the shipped events read by pandas through s3fs with hive
                                                   partition columns: JSON {"rows": n, "distinct_uuids": n,
                                                   "by_partition": {"date/channel/hour": n}}

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (any value for moto without --auth).
"""
import hashlib
import json
import os
import sys

import boto3


def client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
    )


def setup(endpoint, bucket, auth):
    if auth:
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="admin", aws_secret_access_key="admin")
        iam.create_user(UserName="shipper")
        iam.put_user_policy(
            UserName="shipper",
            PolicyName="s3",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
        )
        key = iam.create_access_key(UserName="shipper")["AccessKey"]
        os.environ["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
        os.environ["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
        client(endpoint).create_bucket(Bucket=bucket)
        print(key["AccessKeyId"], key["SecretAccessKey"])
    else:
        client(endpoint).create_bucket(Bucket=bucket)


def objects(endpoint, bucket, prefix):
    s3 = client(endpoint)
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            out[entry["Key"]] = {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    print(json.dumps(out, sort_keys=True))


def mirror(endpoint, bucket, prefix, directory):
    s3 = client(endpoint)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            path = os.path.join(directory, entry["Key"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            s3.download_file(bucket, entry["Key"], path)


def pandas_read(endpoint, bucket, prefix):
    import pandas as pd
    import s3fs

    fs = s3fs.S3FileSystem(
        key=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        secret=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        client_kwargs={"endpoint_url": endpoint, "region_name": "us-east-1"},
    )
    frames = []
    for path in sorted(fs.glob(f"{bucket}/{prefix}/events/date=*/channel=*/hour=*/*.jsonl.gz")):
        parts = dict(p.split("=", 1) for p in path.split("/") if "=" in p)
        with fs.open(path, "rb") as handle:
            frame = pd.read_json(handle, lines=True, compression="gzip", dtype=False)
        for column in ("date", "channel", "hour"):
            frame[column] = parts[column]
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    counts = frame.groupby(["date", "channel", "hour"]).size()
    print(json.dumps({
        "rows": int(len(frame)),
        "distinct_uuids": int(frame["event_uuid"].nunique()),
        "by_partition": {f"{d}/{c}/{h}": int(n) for (d, c, h), n in counts.items()},
    }, sort_keys=True))


def main():
    command, endpoint, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
    if command == "setup":
        setup(endpoint, bucket, "--auth" in sys.argv[4:])
    elif command == "objects":
        objects(endpoint, bucket, sys.argv[4])
    elif command == "get":
        sys.stdout.buffer.write(client(endpoint).get_object(Bucket=bucket, Key=sys.argv[4])["Body"].read())
    elif command == "alter":
        s3 = client(endpoint)
        body = bytearray(s3.get_object(Bucket=bucket, Key=sys.argv[4])["Body"].read())
        body[-1] ^= 0xFF
        s3.put_object(Bucket=bucket, Key=sys.argv[4], Body=bytes(body))
    elif command == "put":
        with open(sys.argv[5], "rb") as handle:
            client(endpoint).put_object(Bucket=bucket, Key=sys.argv[4], Body=handle.read())
    elif command == "delete":
        s3 = client(endpoint)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=sys.argv[4]):
            for entry in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=entry["Key"])
    elif command == "uploads":
        response = client(endpoint).list_multipart_uploads(Bucket=bucket)
        print(json.dumps([[u["Key"], u["UploadId"]] for u in response.get("Uploads", [])]))
    elif command == "mirror":
        mirror(endpoint, bucket, sys.argv[4], sys.argv[5])
    elif command == "pandas":
        pandas_read(endpoint, bucket, sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
