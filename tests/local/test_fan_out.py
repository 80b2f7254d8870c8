"""`make dev` runs the table's fan-out end to end: the stream's reader hands the table's
changes to the changes function, which sends the media cleanup its queue's share, whose poller
hands them to the media cleanup function."""

from __future__ import annotations

import time
from pathlib import Path

import boto3

from local.client import ForumClient

from .conftest import PASSWORD, Runtime
from .test_uploads import photo, settled

GONE_WITHIN_SECONDS = 30


def test_a_removed_attachment_loses_its_images_on_the_local_runtime(runtime: Runtime) -> None:
    # Given a photo uploaded and made into images
    client = ForumClient(runtime.url)
    token = client.sign_in("bob", PASSWORD)["AccessToken"]
    name, data = photo()
    attachment_id = client.upload(token, name, data, "image/jpeg")
    found = settled(client, attachment_id)
    assert found["status"] == "ready", found
    assert client.request("GET", found["thumb_url"]).status == 200

    # When its item goes, as DynamoDB's TTL deletes an unused upload (moto runs no TTL)
    endpoint = Path(runtime.state_dir / "aws" / "endpoint").read_text()
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    (table,) = [name for name in dynamodb.list_tables()["TableNames"] if "data" in name]
    dynamodb.delete_item(
        TableName=table,
        Key={"pk": {"S": f"ATTACHMENT#{attachment_id}"}, "sk": {"S": "ATTACHMENT"}},
    )

    # Then its images go too, through the stream, the changes function and the queue
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while client.request("GET", found["thumb_url"]).status == 200:
        assert time.monotonic() < deadline, "the images are still there"
        time.sleep(0.2)
    assert client.request("GET", found["display_url"]).status == 404
