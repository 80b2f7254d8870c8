"""`make redrive`: move the messages of the local forum's dead-letter queues back to their queues.

A message lands in a dead-letter queue after failing three times (an upload whose images could
not be made because S3 or DynamoDB failed, say). Once the cause is fixed, moving it back lets the
function try again; uploads it already settled are skipped, so moving everything is safe.

In AWS, SQS does this itself:

    aws sqs start-message-move-task --source-arn <the dead-letter queue's ARN>

(without --destination-arn the messages go back to the queues they came from). moto has no such
task, so this receives, sends and deletes, ten messages at a time, from each dead-letter queue
to the queue whose redrive policy names it. It talks to the moto server of the running
`make dev`, whose address the runtime writes to .local/aws/endpoint.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
ENDPOINT_FILE = "endpoint"


def dead_letter_routes(sqs: Any) -> list[tuple[str, str]]:
    """(dead-letter queue URL, source queue URL) for every queue with a redrive policy."""
    urls = sqs.list_queues().get("QueueUrls", [])
    arns = {}
    policies = {}
    for url in urls:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"]
        )["Attributes"]
        arns[attributes["QueueArn"]] = url
        if "RedrivePolicy" in attributes:
            policies[url] = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    return [(arns[target], source) for source, target in policies.items() if target in arns]


def move(sqs: Any, from_url: str, to_url: str) -> int:
    """Move every message from one queue to another; how many were moved.

    A message is deleted from the first queue only once the second holds it, so a failure half
    way leaves a message in both (the function settles it once) rather than in neither.
    """
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=from_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return moved
        entries = []
        for index, message in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=to_url, Entries=entries)
        done = [messages[int(item["Id"])] for item in sent.get("Successful", [])]
        if done:
            sqs.delete_message_batch(
                QueueUrl=from_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(done)
                ],
            )
        moved += len(done)
        if len(done) < len(messages):
            failed = [item.get("Message", "?") for item in sent.get("Failed", [])]
            raise RuntimeError(f"SQS refused {len(failed)} message(s): {failed}")


def redrive_all(sqs: Any) -> dict[str, int]:
    """Move back the messages of every dead-letter queue; how many, by source queue."""
    return {source: move(sqs, dead, source) for dead, source in dead_letter_routes(sqs)}


def endpoint_of(state_dir: Path) -> str:
    path = state_dir / "aws" / ENDPOINT_FILE
    if not path.is_file():
        raise SystemExit(
            f"No local forum is running (there is no {path}): start it with `make dev` first."
        )
    return path.read_text().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.redrive", description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".local")
    parser.add_argument("--endpoint", help="the moto server (default: the running make dev's)")
    args = parser.parse_args(argv)

    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=args.endpoint or endpoint_of(args.state_dir),
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    moved = redrive_all(sqs)
    if not moved:
        print("No queue has a dead-letter queue.")
    for source, count in moved.items():
        print(f"{count} message(s) moved back to {source.rsplit('/', 1)[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
