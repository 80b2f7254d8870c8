"""Build the stack's resources in the local AWS (moto) from its CloudFormation template.

A small CloudFormation: it reads the synthesized template and creates what the forum needs to
run locally (the table, buckets with their CORS and notifications, queues with their dead-letter
redrive, the user pool with its client and groups), and reads what the runtime must emulate
(the functions with their handlers and environment, the HTTP API's routes and JWT authorizer,
the queues' event source mappings). Creating is idempotent: a restart finds what it made before.

A table's stream is created (moto records it), but a mapping that reads a stream is skipped,
with a log line: only removing an attachment item would invoke its function, and the only thing
that removes one is DynamoDB's TTL, which moto does not run.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("forum.stack")

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    handler: str
    environment: dict[str, str]
    timeout: int
    memory: int


@dataclass(frozen=True)
class HttpRoute:
    route_key: str
    function: str
    jwt: bool

    @property
    def method(self) -> str:
        return "ANY" if self.route_key == "$default" else self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return "" if self.route_key == "$default" else self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class JwtConfig:
    issuer: str
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class QueueTrigger:
    queue_url: str
    function: str
    batch_size: int
    report_failures: bool


@dataclass
class LocalStack:
    """What the runtime needs to know about the stack once its resources exist."""

    names: dict[str, str] = field(default_factory=dict)  # logical id → Ref value
    arns: dict[str, str] = field(default_factory=dict)  # logical id → Arn
    functions: dict[str, Function] = field(default_factory=dict)
    routes: list[HttpRoute] = field(default_factory=list)
    jwt: JwtConfig | None = None
    triggers: list[QueueTrigger] = field(default_factory=list)
    # Event source mappings the runtime does not emulate: logical id → why.
    skipped: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)  # table logical id → stream ARN
    queue_urls: dict[str, str] = field(default_factory=dict)  # logical id → URL
    outputs: dict[str, str] = field(default_factory=dict)
    # CloudFront's response headers by path pattern, in the order CloudFront checks them;
    # the default behavior's pattern is "*" and comes last.
    response_headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def first(self, resource_type: str, template: dict[str, Any]) -> str:
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == resource_type:
                return self.names[logical_id]
        raise KeyError(resource_type)


def _local_name(logical_id: str, resource: dict[str, Any]) -> str:
    """A stable, readable name from the construct path: Forum/Data/Table → forum-data-table."""
    path = resource.get("Metadata", {}).get("aws:cdk:path", logical_id)
    parts = [part for part in path.split("/") if part not in ("Resource", "Default")]
    name = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9-]+", "-", name).strip("-")[:60]


class _Resolver:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = (
                    argument if isinstance(argument, list) else argument.split(".", 1)
                )
                return self.get_att(logical_id, attribute)
            if key == "Fn::Join":
                separator, parts = argument
                resolved = [self(part) for part in parts]
                return None if None in resolved else separator.join(str(part) for part in resolved)
            if key == "Fn::Sub" and isinstance(argument, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.ref(m.group(1))), argument)
        return {key: self(item) for key, item in value.items()}

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "Forum",
        }
        if name in pseudo:
            return pseudo[name]
        return self.stack.names.get(name)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if attribute == "Arn":
            return self.stack.arns.get(logical_id)
        if attribute == "StreamArn":
            return self.stack.stream_arns.get(logical_id)
        if attribute == "QueueUrl":
            return self.stack.queue_urls.get(logical_id)
        if attribute in ("QueueName", "ProviderName"):
            return self.stack.names.get(logical_id)
        if attribute == "RegionalDomainName" and logical_id in self.stack.names:
            # A bucket's address in AWS (the pages' CSP names it; locally the moto server is
            # allowed instead).
            return f"{self.stack.names[logical_id]}.s3.{REGION}.amazonaws.com"
        return None


def _members(client: Any, operation: str) -> set[str]:
    model = client.meta.service_model.operation_model(operation)
    return set(model.input_shape.members)


def _only(client: Any, operation: str, properties: dict[str, Any]) -> dict[str, Any]:
    members = _members(client, operation)
    return {key: value for key, value in properties.items() if key in members}


def deploy(template: dict[str, Any], clients: Any, local_origin: str) -> LocalStack:
    """Create (or find again) the template's resources; ``clients(name)`` gives boto3 clients."""
    stack = LocalStack()
    resolve = _Resolver(stack)
    resources: dict[str, dict[str, Any]] = template["Resources"]

    def of_type(*types: str) -> list[tuple[str, dict[str, Any]]]:
        return [(key, value) for key, value in resources.items() if value["Type"] in types]

    dynamodb = clients("dynamodb")
    for logical_id, resource in of_type("AWS::DynamoDB::Table"):
        properties = resolve(resource["Properties"])
        name = _local_name(logical_id, resource)
        # CloudFormation's shape: the view type alone; the API's also says it is enabled.
        stream = _stream_specification(properties.get("StreamSpecification"))
        if name not in dynamodb.list_tables()["TableNames"]:
            arguments = _only(dynamodb, "CreateTable", properties)
            arguments.pop(
                "SSESpecification", None
            )  # CloudFormation's shape differs; moto ignores it
            arguments.pop("StreamSpecification", None)
            if stream:
                arguments["StreamSpecification"] = stream
            dynamodb.create_table(TableName=name, **arguments)
            ttl = properties.get("TimeToLiveSpecification")
            if ttl and ttl.get("Enabled"):
                dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={
                        "AttributeName": ttl["AttributeName"],
                        "Enabled": True,
                    },
                )
        description = dynamodb.describe_table(TableName=name)["Table"]
        if stream and "LatestStreamArn" not in description:
            # A table kept from a runtime that ran before the stack had a stream.
            dynamodb.update_table(TableName=name, StreamSpecification=stream)
            description = dynamodb.describe_table(TableName=name)["Table"]
        if "LatestStreamArn" in description:
            stack.stream_arns[logical_id] = description["LatestStreamArn"]
        stack.names[logical_id] = name
        stack.arns[logical_id] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"

    cognito = clients("cognito-idp")
    for logical_id, resource in of_type("AWS::Cognito::UserPool"):
        name = _local_name(logical_id, resource)
        pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
        pool_id = next((pool["Id"] for pool in pools if pool["Name"] == name), None)
        if pool_id is None:
            arguments = _only(cognito, "CreateUserPool", resolve(resource["Properties"]))
            # moto runs no triggers; the runtime does (local/cognito_triggers.py).
            arguments.pop("LambdaConfig", None)
            pool_id = cognito.create_user_pool(PoolName=name, **arguments)["UserPool"]["Id"]
        stack.names[logical_id] = pool_id
        stack.arns[logical_id] = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool_id}"
    for logical_id, resource in of_type("AWS::Cognito::UserPoolClient"):
        properties = resolve(resource["Properties"])
        name = _local_name(logical_id, resource)
        pool_id = properties["UserPoolId"]
        existing = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
        client_id = next(
            (c["ClientId"] for c in existing["UserPoolClients"] if c["ClientName"] == name), None
        )
        if client_id is None:
            arguments = _only(cognito, "CreateUserPoolClient", properties)
            arguments.pop("UserPoolId", None)
            created = cognito.create_user_pool_client(
                UserPoolId=pool_id, ClientName=name, **arguments
            )
            client_id = created["UserPoolClient"]["ClientId"]
        stack.names[logical_id] = client_id
    for _, resource in of_type("AWS::Cognito::UserPoolGroup"):
        properties = resolve(resource["Properties"])
        try:
            cognito.get_group(
                GroupName=properties["GroupName"], UserPoolId=properties["UserPoolId"]
            )
        except cognito.exceptions.ResourceNotFoundException:
            cognito.create_group(**_only(cognito, "CreateGroup", properties))

    sqs = clients("sqs")
    queues = of_type("AWS::SQS::Queue")
    # Dead-letter queues first: the queues that redrive to them name their ARN.
    queues.sort(key=lambda item: "RedrivePolicy" in item[1].get("Properties", {}))
    for logical_id, resource in queues:
        properties = resolve(resource.get("Properties", {}))
        name = _local_name(logical_id, resource)
        attributes: dict[str, str] = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            if key in properties:
                attributes[key] = str(properties[key])
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(properties["RedrivePolicy"])
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        stack.names[logical_id] = url
        stack.queue_urls[logical_id] = url
        stack.arns[logical_id] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    s3 = clients("s3")
    for logical_id, resource in of_type("AWS::S3::Bucket"):
        properties = resolve(resource.get("Properties", {}))
        name = _local_name(logical_id, resource)
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        if name not in existing:
            s3.create_bucket(Bucket=name)
        rules = (properties.get("CorsConfiguration") or {}).get("CorsRules") or []
        if rules:
            s3.put_bucket_cors(
                Bucket=name,
                CORSConfiguration={"CORSRules": [_cors_rule(rule, local_origin) for rule in rules]},
            )
        stack.names[logical_id] = name
        stack.arns[logical_id] = f"arn:aws:s3:::{name}"
    for _, resource in of_type("Custom::S3BucketNotifications"):
        properties = resolve(resource["Properties"])
        configuration = properties.get("NotificationConfiguration") or {}
        queue_configs = configuration.get("QueueConfigurations") or []
        if queue_configs:
            s3.put_bucket_notification_configuration(
                Bucket=properties["BucketName"],
                NotificationConfiguration={"QueueConfigurations": queue_configs},
            )

    for logical_id, resource in of_type("AWS::Lambda::Function"):
        name = _local_name(logical_id, resource)
        stack.names[logical_id] = name
        stack.arns[logical_id] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    for logical_id, resource in of_type("AWS::Lambda::Function"):
        properties = resolve(resource["Properties"])
        if "Handler" not in properties or "." not in properties["Handler"]:
            continue
        variables = (properties.get("Environment") or {}).get("Variables") or {}
        stack.functions[logical_id] = Function(
            logical_id=logical_id,
            name=stack.names[logical_id],
            handler=properties["Handler"],
            environment={key: str(value) for key, value in variables.items() if value is not None},
            timeout=int(properties.get("Timeout", 3)),
            memory=int(properties.get("MemorySize", 128)),
        )

    integrations = {
        logical_id: _function_of(resolve(resource["Properties"]).get("IntegrationUri"), stack)
        for logical_id, resource in of_type("AWS::ApiGatewayV2::Integration")
    }
    for logical_id, resource in of_type("AWS::ApiGatewayV2::Authorizer"):
        configuration = resolve(resource["Properties"]).get("JwtConfiguration") or {}
        stack.jwt = JwtConfig(
            issuer=configuration.get("Issuer", ""),
            audiences=tuple(str(item) for item in configuration.get("Audience", [])),
        )
        stack.names[logical_id] = logical_id
    for _, resource in of_type("AWS::ApiGatewayV2::Route"):
        properties = resource["Properties"]
        target = properties.get("Target", {})
        integration = _integration_of(target)
        function = integrations.get(integration or "")
        if function is None:
            continue
        stack.routes.append(
            HttpRoute(
                route_key=properties["RouteKey"],
                function=function,
                jwt=properties.get("AuthorizationType") == "JWT",
            )
        )

    for logical_id, resource in of_type("AWS::Lambda::EventSourceMapping"):
        properties = resolve(resource["Properties"])
        source = properties.get("EventSourceArn", "")
        queue = next((key for key, arn in stack.arns.items() if arn == source), None)
        function = _function_of(properties.get("FunctionName"), stack)
        if source in stack.stream_arns.values():
            reason = (
                f"{function} reads a table's stream, which the local runtime does not poll: "
                "moto runs no TTL, the only thing that would remove the items it acts on"
            )
            stack.skipped[logical_id] = reason
            log.info("event source mapping %s skipped: %s", logical_id, reason)
            continue
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

    stack.response_headers = _response_headers(resources, resolve)

    for name, output in (template.get("Outputs") or {}).items():
        value = resolve(output.get("Value"))
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


def _header_values(config: dict[str, Any]) -> dict[str, str]:
    """The headers a CloudFront response headers policy adds (with override) to a response."""
    headers: dict[str, str] = {}
    security = config.get("SecurityHeadersConfig") or {}
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        if hsts.get("IncludeSubdomains"):
            value += "; includeSubDomains"
        if hsts.get("Preload"):
            value += "; preload"
        headers["Strict-Transport-Security"] = value
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    for item in (config.get("CustomHeadersConfig") or {}).get("Items") or []:
        headers[item["Header"]] = item["Value"]
    return headers


def _response_headers(
    resources: dict[str, dict[str, Any]], resolve: _Resolver
) -> list[tuple[str, dict[str, str]]]:
    """The distribution's response headers policies, by the path patterns of its behaviors."""
    policies = {
        logical_id: _header_values(
            resolve(resource["Properties"]).get("ResponseHeadersPolicyConfig") or {}
        )
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"
    }
    found: list[tuple[str, dict[str, str]]] = []
    for resource in resources.values():
        if resource["Type"] != "AWS::CloudFront::Distribution":
            continue
        config = resource["Properties"]["DistributionConfig"]
        behaviors = [
            *config.get("CacheBehaviors", []),
            {"PathPattern": "*", **config.get("DefaultCacheBehavior", {})},
        ]
        for behavior in behaviors:
            policy = behavior.get("ResponseHeadersPolicyId")
            reference = policy.get("Ref") if isinstance(policy, dict) else None
            found.append((behavior["PathPattern"], dict(policies.get(reference or "", {}))))
    return found
