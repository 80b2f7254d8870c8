"""The forum's Lambda functions share one shape: arm64 Python 3.13, one code asset and one
dependency layer, a log group and a role of their own (least privilege: the role may write only
that log group, and X-Ray), active tracing and Powertools' settings."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, Duration, ILocalBundling, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from forum import schema

from . import FUNCTIONS_DIR
from .config import ForumConfig
from .nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
METRICS_NAMESPACE = "Forum"
FUNCTIONS_EXCLUDE = [
    "**/__pycache__",
    "**/*.pyc",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/.DS_Store",
]

RUNTIME_REASON = (
    "Python 3.13 on purpose: the dependency layer's wheels and bytecode are "
    "built for cp313 (layers/build.py); runtime and layer move together."
)
TRACING_REASON = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level "
    "permissions, so active tracing can only be granted on '*'."
)


@jsii.implements(ILocalBundling)
class _WithBytecode:
    """The functions' code as it is, plus its bytecode for the runtime's Python (no Docker).

    Lambda's code directory is read-only, so without shipped bytecode every cold start compiles
    the forum's own modules again (~30 ms). Compiled like the layer (layers/build.py): by a
    Python 3.13 found on this machine, recording source hashes, not file times, which the asset
    zip does not keep. Without a Python 3.13 the code ships as source, as before.
    """

    def try_bundle(self, output_dir: str, options: Any = None) -> bool:
        from layers.build import find_interpreter

        junk = (pattern.split("/")[-1] for pattern in FUNCTIONS_EXCLUDE)
        shutil.copytree(
            FUNCTIONS_DIR, output_dir, ignore=shutil.ignore_patterns(*junk), dirs_exist_ok=True
        )
        interpreter = find_interpreter()
        if interpreter is not None:
            compile_all = ["-m", "compileall", "-q", "-j0", "--invalidation-mode", "unchecked-hash"]
            subprocess.run([*interpreter, *compile_all, output_dir], check=True)
        return True


def functions_code() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(FUNCTIONS_DIR),
        exclude=FUNCTIONS_EXCLUDE,
        # The sources decide the asset (and so whether a deployment changes the functions).
        asset_hash_type=AssetHashType.SOURCE,
        bundling=BundlingOptions(
            # Never pulled: the local bundling above always succeeds.
            image=DockerImage.from_registry("public.ecr.aws/docker/library/busybox"),
            # jsii hands the options over as one argument, not as the typed keywords.
            local=_WithBytecode(),  # type: ignore[arg-type]
        ),
    )


def log_group(
    scope: Construct,
    construct_id: str,
    retention_days: int,
    log_class: logs.LogGroupClass = logs.LogGroupClass.STANDARD,
) -> logs.LogGroup:
    """A log group kept ``retention_days``. Function logs stay STANDARD: CloudWatch turns
    their embedded-metric lines into metrics, which the INFREQUENT_ACCESS class (half the
    ingestion price) does not."""
    group = logs.LogGroup(scope, construct_id, log_group_class=log_class)
    # Set on the CloudFormation resource: the L2 takes an enum, the context gives days.
    cfn_group = group.node.default_child
    assert isinstance(cfn_group, logs.CfnLogGroup)
    cfn_group.retention_in_days = retention_days
    return group


def forum_function(
    scope: Construct,
    name: str,
    *,
    description: str,
    role_description: str,
    handler: str,
    service: str,
    layer: lambda_.ILayerVersion,
    config: ForumConfig,
    environment: dict[str, str],
    memory_size: int = 512,
    timeout: Duration | None = None,
    extra_layers: tuple[lambda_.ILayerVersion, ...] = (),
    **options: Any,
) -> tuple[lambda_.Function, iam.Role]:
    """The function ``{name}Function`` with its ``{name}FunctionRole`` and log group."""
    logs_group = log_group(scope, f"{name}FunctionLogs", config.log_retention_days)
    role = iam.Role(
        scope,
        f"{name}FunctionRole",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=role_description,
    )
    # Only its own log group, instead of the AWSLambdaBasicExecutionRole managed policy.
    logs_group.grant_write(role)
    function = lambda_.Function(
        scope,
        f"{name}Function",
        description=description,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        handler=handler,
        # One asset and one layer for every function: one build, several handlers.
        code=functions_code(),
        layers=[layer, *extra_layers],
        memory_size=memory_size,
        timeout=timeout or Duration.seconds(10),
        tracing=lambda_.Tracing.ACTIVE,
        log_group=logs_group,
        # JSON logs (Powertools already writes JSON; Lambda does not encode it twice), and of
        # Lambda's own lines only warnings and errors: START/END/REPORT on every invocation
        # were most of the log bytes a request cost ($0.50 a GB ingested), and duration,
        # errors and throttles are CloudWatch metrics anyway. Lines without a level, such as
        # the embedded metrics, count as INFO and are kept.
        logging_format=lambda_.LoggingFormat.JSON,
        system_log_level_v2=lambda_.SystemLogLevel.WARN,
        application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
        role=role,
        environment={
            **environment,
            # Read by Powertools' Logger and Metrics.
            "POWERTOOLS_SERVICE_NAME": service,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
        },
        **options,
    )
    acknowledge(function, {"AwsSolutions-L1": RUNTIME_REASON})
    return function, role


def acknowledge_tracing_and_indexes(role: iam.Role, table: dynamodb.Table, reason: str) -> None:
    """cdk-nag's wildcard findings of a role that traces and queries the table's indexes.

    cdk-nag names the index grant after the table's logical id: <Id.Arn>/index/*.
    """
    cfn_table = table.node.default_child
    assert isinstance(cfn_table, dynamodb.CfnTable)
    table_logical_id = Stack.of(role).resolve(cfn_table.logical_id)
    indexes = ", ".join(name for name, _, _ in schema.GLOBAL_INDEXES)
    acknowledge(
        role,
        {
            "AwsSolutions-IAM5[Resource::*]": TRACING_REASON,
            f"AwsSolutions-IAM5[Resource::<{table_logical_id}.Arn>/index/*]": reason.format(
                indexes=indexes
            ),
        },
    )
