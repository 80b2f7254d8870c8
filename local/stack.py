"""Build the stack's resources in the local AWS (moto) from its CloudFormation template.

A small CloudFormation: it creates what the forum needs to run locally (the table, buckets with
their CORS and notifications, queues with their dead-letter redrive, the user pool with its
client and groups), and reads what the runtime must emulate (the functions with their handlers
and environment, the HTTP API's routes and JWT authorizer, the queues' event source mappings,
CloudFront's response headers, the static files' Cache-Control). Each resource type has a small
creator in ``CREATORS``; a type not there has no local counterpart and is passed over. Creating
is idempotent: a restart finds what it made before. Reading the template (its resources in
order, their names, ``Ref`` and ``Fn::GetAtt``) is local/template.py's; what the runtime learns
of the stack, local/deployed.py's.

A table's stream is created (moto records it) and a mapping that reads it becomes a stream
trigger (its batch size, filters, retries, bisection and on-failure queue), which
local/streams.py polls as Lambda does. A FIFO queue gets its ``.fifo`` name.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from . import stack_cdn
from .deployed import (
    Function,
    HttpRoute,
    JwtConfig,
    LocalStack,
    QueueTrigger,
    StreamTrigger,
)
from .deployment import Creator, Deployment
from .template import ACCOUNT, REGION, Resource, Template, local_name

__all__ = ["ACCOUNT", "REGION", "deploy"]

log = logging.getLogger("forum.stack")


def _members(client: Any, operation: str) -> set[str]:
    model = client.meta.service_model.operation_model(operation)
    return set(model.input_shape.members)


def _only(client: Any, operation: str, properties: dict[str, Any]) -> dict[str, Any]:
    members = _members(client, operation)
    return {key: value for key, value in properties.items() if key in members}


def _table(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    dynamodb = deployment.client("dynamodb")
    properties = deployment.resolve(resource["Properties"])
    name = local_name(logical_id, resource)
    # CloudFormation's shape: the view type alone; the API's also says it is enabled.
    stream = _stream_specification(properties.get("StreamSpecification"))
    if name not in dynamodb.list_tables()["TableNames"]:
        arguments = _only(dynamodb, "CreateTable", properties)
        arguments.pop("SSESpecification", None)  # CloudFormation's shape differs; moto ignores it
        arguments.pop("StreamSpecification", None)
        if stream:
            arguments["StreamSpecification"] = stream
        dynamodb.create_table(TableName=name, **arguments)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    description = dynamodb.describe_table(TableName=name)["Table"]
    _add_missing_indexes(dynamodb, name, properties, description)
    if stream and "LatestStreamArn" not in description:
        # A table kept from a runtime that ran before the stack had a stream.
        dynamodb.update_table(TableName=name, StreamSpecification=stream)
        description = dynamodb.describe_table(TableName=name)["Table"]
    if "LatestStreamArn" in description:
        deployment.stack.stream_arns[logical_id] = description["LatestStreamArn"]
    deployment.made(logical_id, name, f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}")


def _add_missing_indexes(
    dynamodb: Any, name: str, properties: dict[str, Any], description: dict[str, Any]
) -> None:
    """A table kept from a runtime that ran before the stack had one of its indexes gets it,
    as a deploy adds it to the table in AWS."""
    present = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes") or []}
    attributes = properties.get("AttributeDefinitions") or []
    for index in properties.get("GlobalSecondaryIndexes") or []:
        if index["IndexName"] in present:
            continue
        dynamodb.update_table(
            TableName=name,
            AttributeDefinitions=attributes,
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["IndexName"],
                        "KeySchema": index["KeySchema"],
                        "Projection": index["Projection"],
                    }
                }
            ],
        )


def _user_pool(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    cognito = deployment.client("cognito-idp")
    name = local_name(logical_id, resource)
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((pool["Id"] for pool in pools if pool["Name"] == name), None)
    if pool_id is None:
        arguments = _only(cognito, "CreateUserPool", deployment.resolve(resource["Properties"]))
        # moto runs no triggers; the runtime does (local/cognito_triggers.py).
        arguments.pop("LambdaConfig", None)
        pool_id = cognito.create_user_pool(PoolName=name, **arguments)["UserPool"]["Id"]
    deployment.made(
        logical_id, pool_id, f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool_id}"
    )


def _user_pool_client(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    cognito = deployment.client("cognito-idp")
    properties = deployment.resolve(resource["Properties"])
    name = local_name(logical_id, resource)
    pool_id = properties["UserPoolId"]
    existing = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    client_id = next(
        (c["ClientId"] for c in existing["UserPoolClients"] if c["ClientName"] == name), None
    )
    if client_id is None:
        arguments = _only(cognito, "CreateUserPoolClient", properties)
        arguments.pop("UserPoolId", None)
        created = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **arguments)
        client_id = created["UserPoolClient"]["ClientId"]
    deployment.made(logical_id, client_id)


def _user_pool_group(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    cognito = deployment.client("cognito-idp")
    properties = deployment.resolve(resource["Properties"])
    try:
        cognito.get_group(GroupName=properties["GroupName"], UserPoolId=properties["UserPoolId"])
    except cognito.exceptions.ResourceNotFoundException:
        cognito.create_group(**_only(cognito, "CreateGroup", properties))


def _queue(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    properties = deployment.resolve(resource.get("Properties", {}))
    name = local_name(logical_id, resource)
    attributes: dict[str, str] = {}
    for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
        if key in properties:
            attributes[key] = str(properties[key])
    if properties.get("FifoQueue") in (True, "true"):
        # SQS wants the suffix on a FIFO queue's name (CloudFormation adds it).
        name = f"{name[:75]}.fifo"
        attributes["FifoQueue"] = "true"
        if properties.get("ContentBasedDeduplication") in (True, "true"):
            attributes["ContentBasedDeduplication"] = "true"
    if "RedrivePolicy" in properties:
        attributes["RedrivePolicy"] = json.dumps(properties["RedrivePolicy"])
    url = deployment.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    deployment.stack.queue_urls[logical_id] = url
    deployment.made(logical_id, url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")


def _bucket(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    s3 = deployment.client("s3")
    properties = deployment.resolve(resource.get("Properties", {}))
    name = local_name(logical_id, resource)
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name not in existing:
        s3.create_bucket(Bucket=name)
    rules = (properties.get("CorsConfiguration") or {}).get("CorsRules") or []
    if rules:
        origin = deployment.local_origin
        s3.put_bucket_cors(
            Bucket=name,
            CORSConfiguration={"CORSRules": [_cors_rule(rule, origin) for rule in rules]},
        )
    deployment.made(logical_id, name, f"arn:aws:s3:::{name}")


def _bucket_notifications(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    properties = deployment.resolve(resource["Properties"])
    configuration = properties.get("NotificationConfiguration") or {}
    queue_configs = configuration.get("QueueConfigurations") or []
    if queue_configs:
        deployment.client("s3").put_bucket_notification_configuration(
            Bucket=properties["BucketName"],
            NotificationConfiguration={"QueueConfigurations": queue_configs},
        )


def _name_function(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    name = local_name(logical_id, resource)
    deployment.made(logical_id, name, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")


def _function(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    properties = deployment.resolve(resource["Properties"])
    if "Handler" not in properties or "." not in properties["Handler"]:
        return  # not a Python function of ours (a CDK provider's, say)
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    deployment.stack.functions[logical_id] = Function(
        logical_id=logical_id,
        name=deployment.stack.names[logical_id],
        handler=properties["Handler"],
        environment={key: str(value) for key, value in variables.items() if value is not None},
        timeout=int(properties.get("Timeout", 3)),
        memory=int(properties.get("MemorySize", 128)),
    )


def _integration(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    uri = deployment.resolve(resource["Properties"]).get("IntegrationUri")
    deployment.integrations[logical_id] = _function_of(uri, deployment.stack)


def _authorizer(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    configuration = deployment.resolve(resource["Properties"]).get("JwtConfiguration") or {}
    deployment.stack.jwt = JwtConfig(
        issuer=configuration.get("Issuer", ""),
        audiences=tuple(str(item) for item in configuration.get("Audience", [])),
    )
    deployment.made(logical_id, logical_id)


def _route(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    properties = resource["Properties"]
    integration = _integration_of(properties.get("Target", {}))
    function = deployment.integrations.get(integration or "")
    if function is None:
        return
    deployment.stack.routes.append(
        HttpRoute(
            route_key=properties["RouteKey"],
            function=function,
            jwt=properties.get("AuthorizationType") == "JWT",
        )
    )


def _event_source_mapping(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    stack = deployment.stack
    properties = deployment.resolve(resource["Properties"])
    source = properties.get("EventSourceArn", "")
    queue = next((key for key, arn in stack.arns.items() if arn == source), None)
    function = _function_of(properties.get("FunctionName"), stack)
    if source in stack.stream_arns.values() and function:
        stack.stream_triggers.append(_stream_trigger(stack, source, function, properties))
        return
    if queue not in stack.queue_urls or not function:
        reason = f"{function or 'a function'} reads {source or 'a source'}, made nowhere locally"
        stack.skipped[logical_id] = reason
        log.info("event source mapping %s skipped: %s", logical_id, reason)
        return
    if queue in stack.queue_urls and function:
        stack.triggers.append(
            QueueTrigger(
                queue_url=stack.queue_urls[queue],
                function=function,
                batch_size=int(properties.get("BatchSize", 10)),
                report_failures="ReportBatchItemFailures"
                in (properties.get("FunctionResponseTypes") or []),
            )
        )


def _stream_trigger(
    stack: LocalStack, source: str, function: str, properties: dict[str, Any]
) -> StreamTrigger:
    filters = ((properties.get("FilterCriteria") or {}).get("Filters")) or []
    destination = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
        "Destination"
    )
    on_failure = next(
        (stack.queue_urls[key] for key, arn in stack.arns.items() if arn == destination), None
    )
    return StreamTrigger(
        stream_arn=source,
        function=function,
        batch_size=int(properties.get("BatchSize", 100)),
        report_failures="ReportBatchItemFailures"
        in (properties.get("FunctionResponseTypes") or []),
        filters=tuple(json.loads(item["Pattern"]) for item in filters),
        retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
        bisect=bool(properties.get("BisectBatchOnFunctionError")),
        on_failure_queue_url=on_failure if on_failure in stack.queue_urls.values() else None,
    )


# Every resource type the local runtime makes or reads, in the order they are made: each
# creator may rely on what those above it made (an app client on its user pool, a bucket's
# notifications on their queue, a function's environment on the table, buckets and pool).
CREATORS: dict[str, Creator] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::SQS::Queue": _queue,
    "AWS::S3::Bucket": _bucket,
    "Custom::S3BucketNotifications": _bucket_notifications,
    "AWS::Lambda::Function": _function,
    "AWS::ApiGatewayV2::Integration": _integration,
    "AWS::ApiGatewayV2::Authorizer": _authorizer,
    "AWS::ApiGatewayV2::Route": _route,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::CloudFront::ResponseHeadersPolicy": stack_cdn.response_headers_policy,
    "AWS::CloudFront::Distribution": stack_cdn.distribution,
    "Custom::CDKBucketDeployment": stack_cdn.bucket_deployment,
}
# Resources whose names are theirs before anything is made, so that any resource may name
# them: a function's name and ARN follow from its construct path.
NAMERS: dict[str, Creator] = {"AWS::Lambda::Function": _name_function}


def deploy(
    template: dict[str, Any], clients: Callable[[str], Any], local_origin: str
) -> LocalStack:
    """Create (or find again) the template's resources; ``clients(name)`` gives boto3 clients."""
    read = Template(template)
    deployment = Deployment(clients, local_origin)
    for table in (NAMERS, CREATORS):
        for resource_type, create in table.items():
            for logical_id, resource in read.of_type(resource_type):
                create(deployment, logical_id, resource)
    stack = deployment.stack
    for name, output in read.outputs.items():
        value = deployment.resolve(output.get("Value"))
        if value is not None:
            stack.outputs[name] = str(value)
    return stack


def _stream_specification(specification: Any) -> dict[str, Any] | None:
    if not isinstance(specification, dict) or "StreamViewType" not in specification:
        return None
    return {"StreamEnabled": True, "StreamViewType": specification["StreamViewType"]}


def _function_of(reference: Any, stack: LocalStack) -> str | None:
    """The logical id of the function an ARN or a name points at."""
    if not isinstance(reference, str):
        return None
    for logical_id in stack.functions or stack.names:
        if reference in (stack.arns.get(logical_id), stack.names.get(logical_id)):
            return logical_id
    for logical_id, arn in stack.arns.items():
        if reference == arn and ":function:" in arn:
            return logical_id
    return None


def _integration_of(target: Any) -> str | None:
    # "integrations/<Ref integration>" as an Fn::Join of a literal and a Ref.
    if isinstance(target, dict) and "Fn::Join" in target:
        for part in target["Fn::Join"][1]:
            if isinstance(part, dict) and "Ref" in part:
                return str(part["Ref"])
    return None


def _cors_rule(rule: dict[str, Any], local_origin: str) -> dict[str, Any]:
    renamed = {"MaxAge": "MaxAgeSeconds", "Id": "ID"}
    result = {renamed.get(key, key): value for key, value in rule.items()}
    # The stack allows its CloudFront origin; locally the page comes from the local gateway.
    result["AllowedOrigins"] = sorted({*result.get("AllowedOrigins", []), local_origin} - {None})
    return result
