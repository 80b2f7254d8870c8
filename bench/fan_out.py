"""What the fan-out of the table's changes costs, per change and per consumer.

Writes posts to a moto table with its stream (keys only), hands the stream's real records to
the real changes function in the stream mapping's batches (100), with one, three and five
subscribed queues that want them, counts its SQS requests (hooks on its client) and times it,
then takes each queue's messages as Lambda's SQS event source mapping does (ReceiveMessage of
ten, DeleteMessageBatch of what was handled) and counts those requests. Prices them with
bench/cost.py's us-east-1 list prices.

    .venv/bin/python bench/fan_out.py [--changes 2000]

The stream's reads cost nothing (Lambda reads DynamoDB Streams for free). Durations are
measured in process against moto, slower than SQS, so the Lambda figures lean high.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "functions")]

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench import dynamodb_cost as _environment  # noqa: E402, F401  (the fake AWS environment)
from bench.cost import PRICE  # noqa: E402
from forum import fanout, schema  # noqa: E402
from forum.settings import CHANGE_SUBSCRIPTIONS_ENV, get_settings  # noqa: E402

STREAM_BATCH = 100  # infra/changes.py BATCH_SIZE
CHANGES_MEMORY_MB = 256  # infra/changes.py MEMORY_MB
SQS_BATCH = 10
# Lambda's SQS event source mapping long-polls each queue even when it is empty: about five
# pollers, each a 20-second ReceiveMessage, at rest. Billed as SQS requests.
IDLE_RECEIVES_PER_MONTH = 5 * 3 * 60 * 24 * 30


def measure(changes: int, consumers: int) -> dict[str, float]:
    import os

    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        table = get_settings().table_name
        dynamodb.create_table(
            **schema.create_table_arguments(table),
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
        sqs = boto3.client("sqs")
        queues = [
            sqs.create_queue(QueueName=f"forum-consumer-{n}")["QueueUrl"] for n in range(consumers)
        ]
        subscriptions = [
            fanout.Subscription(f"Consumer{n}", url, frozenset({"post"}), frozenset({"INSERT"}))
            for n, url in enumerate(queues)
        ]
        os.environ[CHANGE_SUBSCRIPTIONS_ENV] = json.dumps([s.to_json() for s in subscriptions])
        get_settings.cache_clear()
        fanout.sqs.cache_clear()
        for number in range(1, changes + 1):
            dynamodb.put_item(
                TableName=table,
                Item={
                    "pk": {"S": schema.topic_pk(f"t{number % 50}")},
                    "sk": {"S": schema.post_sk(number)},
                },
            )
        records = _stream_records(dynamodb, table)

        from changes.handler import handle

        requests: list[str] = []
        fanout.sqs().meta.events.register(
            "before-call.sqs", lambda model, **kwargs: requests.append(model.name)
        )
        invocations, milliseconds = 0, 0.0
        consumer_requests, taken = 0, 0
        for start in range(0, len(records), STREAM_BATCH):
            event = [_as_lambda(r) for r in records[start : start + STREAM_BATCH]]
            began = time.perf_counter()
            assert handle(event) == {"batchItemFailures": []}
            milliseconds += math.ceil((time.perf_counter() - began) * 1000)
            invocations += 1
            # The consumers run meanwhile (and moto's SQS slows down with every message kept).
            for url in queues:
                requests_made, count = _consume(sqs, url)
                consumer_requests += requests_made
                taken += count
        assert taken == changes * consumers, (taken, changes)
        os.environ.pop(CHANGE_SUBSCRIPTIONS_ENV, None)
        get_settings.cache_clear()
        fanout.sqs.cache_clear()
    return {
        "invocations": invocations,
        "milliseconds": milliseconds,
        "send_requests": requests.count("SendMessageBatch"),
        "consumer_requests": consumer_requests / consumers,
    }


def _consume(sqs: Any, url: str) -> tuple[int, int]:
    """What Lambda's SQS event source mapping does with a queue: receive ten, delete what was
    handled; the requests it made (not the final empty receive, the long poll that runs
    anyway) and the messages it took."""
    requests, taken = 0, 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=SQS_BATCH).get(
            "Messages", []
        )
        if not messages:
            return requests, taken
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )
        requests += 2
        taken += len(messages)


def _stream_records(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = boto3.client(
        "dynamodbstreams",
        region_name="us-east-1",
        config=Config(account_id_endpoint_mode="disabled"),
    )
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    while True:
        found = streams.get_records(ShardIterator=iterator, Limit=1000)
        if not found["Records"]:
            return records
        records += [dict(record) for record in found["Records"]]
        iterator = found["NextShardIterator"]


def _as_lambda(record: dict[str, Any]) -> dict[str, Any]:
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    return {
        **record,
        "dynamodb": {**record["dynamodb"], "ApproximateCreationDateTime": int(created.timestamp())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=2000)
    args = parser.parse_args()
    per_million = 1e6 / args.changes
    print(f"The fan-out of {args.changes:,} new posts (stream batches of {STREAM_BATCH})\n")
    print(
        f"{'queues':>6} {'invocations':>11} {'ms/change':>9} {'sends/change':>12} "
        f"{'reader $/M':>10} {'$/M per queue':>13} {'consumer req/change':>19}"
    )
    for consumers in (1, 3, 5):
        found = measure(args.changes, consumers)
        lambda_cost = (
            found["invocations"] * PRICE["lambda_request"]
            + found["milliseconds"]
            / 1000
            * CHANGES_MEMORY_MB
            / 1024
            * PRICE["lambda_gb_second_arm"]
        )
        send_cost = found["send_requests"] * PRICE["sqs_request"]
        consumer_cost = found["consumer_requests"] * PRICE["sqs_request"]
        per_queue = (send_cost / consumers + consumer_cost) * per_million
        print(
            f"{consumers:>6} {found['invocations']:>11.0f} "
            f"{found['milliseconds'] / args.changes:>9.2f} "
            f"{found['send_requests'] / args.changes / consumers:>12.2f} "
            f"{lambda_cost * per_million:>10.2f} {per_queue:>13.2f} "
            f"{found['consumer_requests'] / args.changes:>19.2f}"
        )
    idle = IDLE_RECEIVES_PER_MONTH * PRICE["sqs_request"]
    print(
        "\nreader $/M: the changes function's invocations and duration per million changes, "
        "whatever the number of queues;\n$/M per queue: each queue's SendMessageBatch share "
        "and its event source mapping's receives and deletes (before its own function);\n"
        f"at rest, each subscribed queue's long polling costs about ${idle:.2f} a month "
        f"({IDLE_RECEIVES_PER_MONTH:,} empty receives), the stream nothing."
    )


if __name__ == "__main__":
    main()
