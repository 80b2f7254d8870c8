"""Image attachments in the stack: two private buckets, the queue between them, the function.

Most checks read the stack's one synthesis; the context's concurrency setting is checked on the
images construct alone in a small stack of its own (quicker than synthesizing the forum again).
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from infra.config import ForumConfig
from infra.images import ForumImages

from .conftest import Synthesis, alarm_descriptions, function_by_handler

THUMBNAIL_HANDLER = "thumbnail.handler.lambda_handler"
API_HANDLER = "api.handler.lambda_handler"
SSL_ONLY = {"Bool": {"aws:SecureTransport": "false"}}


def bucket(synth: Synthesis, construct_id: str) -> tuple[str, dict[str, Any]]:
    """A bucket of the images construct, by its construct id (Uploads, Media)."""
    return _of_images(synth, "AWS::S3::Bucket", construct_id)


def queue(synth: Synthesis, construct_id: str) -> tuple[str, dict[str, Any]]:
    return _of_images(synth, "AWS::SQS::Queue", construct_id)


def _of_images(
    synth: Synthesis, resource_type: str, construct_id: str
) -> tuple[str, dict[str, Any]]:
    found = [
        (logical_id, resource.get("Properties", {}))
        for logical_id, resource in synth.of_type(resource_type).items()
        if re.fullmatch(f"Images{construct_id}[0-9A-F]{{8}}", logical_id)
    ]
    assert len(found) == 1, (construct_id, found)
    return found[0]


def statements_of_role(synth: Synthesis, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions_on(statements: list[dict[str, Any]], resource_text: str) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        if resource_text in str(statement["Resource"]):
            action = statement["Action"]
            found.update([action] if isinstance(action, str) else action)
    return found


def test_both_buckets_are_private_encrypted_and_ssl_only(synth: Synthesis) -> None:
    for name in ("Uploads", "Media"):
        logical_id, properties = bucket(synth, name)
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        policies = [
            resource["Properties"]["PolicyDocument"]["Statement"]
            for resource in synth.of_type("AWS::S3::BucketPolicy").values()
            if resource["Properties"]["Bucket"] == {"Ref": logical_id}
        ]
        assert any(
            statement["Effect"] == "Deny" and statement["Condition"] == SSL_ONLY
            for statements in policies
            for statement in statements
        ), name


def test_originals_go_after_a_day_and_browsers_may_post_them(synth: Synthesis) -> None:
    _, uploads = bucket(synth, "Uploads")
    (rule,) = uploads["LifecycleConfiguration"]["Rules"]
    assert rule["Prefix"] == "originals/" and rule["ExpirationInDays"] == 1
    assert rule["Status"] == "Enabled"
    (cors,) = uploads["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]
    # Any origin (see infra/images.py: the presigned policy is the permission, not CORS).
    assert cors["AllowedOrigins"] == ["*"]
    _, media = bucket(synth, "Media")
    assert "CorsConfiguration" not in media and "LifecycleConfiguration" not in media


def test_uploaded_originals_are_announced_to_an_encrypted_queue_with_a_dead_letter_queue(
    synth: Synthesis,
) -> None:
    queue_id, work = queue(synth, "Thumbnails")
    dead_id, dead = queue(synth, "ThumbnailDeadLetters")
    assert work["SqsManagedSseEnabled"] is True and dead["SqsManagedSseEnabled"] is True
    assert work["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_id, "Arn"]},
        "maxReceiveCount": 3,
    }
    _, thumbnail = function_by_handler(synth, THUMBNAIL_HANDLER)
    assert work["VisibilityTimeout"] >= 6 * thumbnail["Timeout"]
    for logical_id in (queue_id, dead_id):
        statements = [
            statement
            for policy in synth.of_type("AWS::SQS::QueuePolicy").values()
            if {"Ref": logical_id} in policy["Properties"]["Queues"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]
        assert any(s["Effect"] == "Deny" and s["Condition"] == SSL_ONLY for s in statements)

    (notifications,) = synth.of_type("Custom::S3BucketNotifications").values()
    uploads_id, _ = bucket(synth, "Uploads")
    assert notifications["Properties"]["BucketName"] == {"Ref": uploads_id}
    (config,) = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["Filter"] == {"Key": {"FilterRules": [{"Name": "prefix", "Value": "originals/"}]}}
    assert config["QueueArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}


def test_the_thumbnail_function_is_sized_and_fed_by_the_queue(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    thumbnail_id, thumbnail = function_by_handler(synth, THUMBNAIL_HANDLER)
    _, api = function_by_handler(synth, API_HANDLER)
    # the api function's asset and layer, on arm64 and Python 3.13
    assert thumbnail["Code"] == api["Code"] and thumbnail["Layers"] == api["Layers"]
    assert thumbnail["Runtime"] == "python3.13" and thumbnail["Architectures"] == ["arm64"]
    assert thumbnail["MemorySize"] == 1024 and thumbnail["Timeout"] == 30
    assert thumbnail["ReservedConcurrentExecutions"] == context["forum:thumbnailConcurrency"]
    variables = thumbnail["Environment"]["Variables"]
    media_id, _ = bucket(synth, "Media")
    assert variables["FORUM_MEDIA_BUCKET"] == {"Ref": media_id}
    assert variables["FORUM_MAX_UPLOAD_BYTES"] == str(context["forum:maxUploadBytes"])
    assert variables["FORUM_TABLE"] == api["Environment"]["Variables"]["FORUM_TABLE"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "forum-thumbnail"

    queue_id, _ = queue(synth, "Thumbnails")
    (properties,) = [
        mapping["Properties"]
        for mapping in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if mapping["Properties"]["FunctionName"] == {"Ref": thumbnail_id}
    ]
    assert properties["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert properties["FunctionName"] == {"Ref": thumbnail_id}
    assert properties["BatchSize"] == context["forum:thumbnailBatchSize"]
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # never more pollers than reserved instances
    assert (
        properties["ScalingConfig"]["MaximumConcurrency"] == context["forum:thumbnailConcurrency"]
    )


def test_the_thumbnail_function_may_do_its_work_and_nothing_more(synth: Synthesis) -> None:
    _, thumbnail = function_by_handler(synth, THUMBNAIL_HANDLER)
    statements = statements_of_role(synth, thumbnail["Role"]["Fn::GetAtt"][0])
    uploads_id, _ = bucket(synth, "Uploads")
    media_id, _ = bucket(synth, "Media")
    table_id, _ = synth.one("AWS::DynamoDB::Table")

    assert actions_on(statements, f"'{uploads_id}', 'Arn']}}, '/originals/*'") == {"s3:GetObject"}
    assert actions_on(statements, f"'{media_id}', 'Arn']}}, '/media/*'") == {"s3:PutObject"}
    assert actions_on(statements, f"'{table_id}'") == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    every = set().union(*(actions_on([s], "") for s in statements))
    assert not [action for action in every if action.startswith("s3:") and "*" in action]
    assert not [a for a in every if "Delete" in a and a.startswith(("s3:", "dynamodb:"))]
    # The queue's messages: the event source mapping's own grant
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= every


def test_the_api_function_signs_uploads_of_originals_only(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    _, api = function_by_handler(synth, API_HANDLER)
    uploads_id, _ = bucket(synth, "Uploads")
    statements = statements_of_role(synth, api["Role"]["Fn::GetAtt"][0])

    assert actions_on(statements, f"'{uploads_id}'") == {"s3:PutObject"}
    assert actions_on(statements, f"'{uploads_id}', 'Arn']}}, '/originals/*'") == {"s3:PutObject"}
    variables = api["Environment"]["Variables"]
    assert variables["FORUM_UPLOADS_BUCKET"] == {"Ref": uploads_id}
    assert variables["FORUM_MAX_UPLOAD_BYTES"] == str(context["forum:maxUploadBytes"])


def test_failures_and_dead_letters_raise_alarms(synth: Synthesis) -> None:
    descriptions = alarm_descriptions(synth)
    assert "The Thumbnail function failed" in descriptions
    assert "The Thumbnail function was throttled" in descriptions
    assert "Messages reached the Thumbnails dead-letter queue" in descriptions


def test_the_pages_may_post_uploads_to_the_bucket(synth: Synthesis) -> None:
    uploads_id, _ = bucket(synth, "Uploads")
    policies = [
        resource["Properties"]["ResponseHeadersPolicyConfig"]
        for resource in synth.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    ]
    csp = [
        str(policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"])
        for policy in policies
        if "connect-src 'self' https://cognito" in str(policy)
    ]
    assert csp and all(f"'{uploads_id}', 'RegionalDomainName'" in text for text in csp)


def test_the_bucket_names_are_outputs(synth: Synthesis) -> None:
    outputs = synth.template.to_json()["Outputs"]
    uploads_id, _ = bucket(synth, "Uploads")
    media_id, _ = bucket(synth, "Media")

    assert outputs["UploadsBucketName"]["Value"] == {"Ref": uploads_id}
    assert outputs["MediaBucketName"]["Value"] == {"Ref": media_id}


def images_alone(context: dict[str, Any]) -> dict[str, Any]:
    app = cdk.App(context=context)
    stack = cdk.Stack(app, "ImagesAlone")
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
    )
    code = lambda_.Code.from_inline("def handler(event, context): pass")
    api = lambda_.Function(
        stack, "Api", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler", code=code
    )
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack, "Layer", "arn:aws:lambda:us-east-1:123456789012:layer:forum:1"
    )
    ForumImages(
        stack,
        "Images",
        config=ForumConfig.from_context(stack),
        table=table,
        layer=layer,
        api_function=api,
    )
    return dict(Template.from_stack(stack).to_json()["Resources"])


def test_a_concurrency_of_zero_reserves_nothing() -> None:
    resources = images_alone({"forum:thumbnailConcurrency": 0})

    thumbnail = next(
        resource["Properties"]
        for resource in resources.values()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"].get("Handler") == THUMBNAIL_HANDLER
    )
    assert "ReservedConcurrentExecutions" not in thumbnail
    mapping = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping")
    assert "ScalingConfig" not in mapping["Properties"]


def test_the_batch_size_comes_from_the_context() -> None:
    resources = images_alone({"forum:thumbnailBatchSize": 10, "forum:thumbnailConcurrency": 2})

    mapping = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping")
    assert mapping["Properties"]["BatchSize"] == 10
    assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] == 2
