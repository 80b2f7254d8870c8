"""Operations: alarms on what hurts people (server errors, failing or throttled functions,
throttled DynamoDB requests, images stuck in a dead-letter queue) and one dashboard, which also
graphs CloudFront's web ACL (whose blocks alarm is in the edge stack, infra/edge.py).

Alarms go to an SNS topic; `forum:alarmEmail` in the context subscribes an address to it.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

FIVE_MINUTES = Duration.minutes(5)
# The operations the forum uses; their throttles are summed into one alarm.
TABLE_OPERATIONS = [
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.BATCH_GET_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.TRANSACT_WRITE_ITEMS,
]


def alarm_topic(scope: Construct, construct_id: str) -> sns.Topic:
    """An encrypted, TLS-only topic CloudWatch alarms publish to; ``forum:alarmEmail`` in the
    context subscribes an address. Alarms notify only a topic in their own region, so each
    region the forum has alarms in has one of these."""
    topic = sns.Topic(
        scope,
        construct_id,
        display_name="Forum alarms",
        # The AWS-managed key costs nothing and satisfies encryption at rest.
        master_key=kms.Alias.from_alias_name(scope, f"{construct_id}Key", "alias/aws/sns"),
        enforce_ssl=True,
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsPublish",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
        )
    )
    email = scope.node.try_get_context("forum:alarmEmail")
    if email:
        topic.add_subscription(subscriptions.EmailSubscription(str(email)))
    return topic


def forum_alarm(
    scope: Construct,
    construct_id: str,
    topic: sns.ITopic,
    metric: cloudwatch.IMetric,
    threshold: float,
    description: str,
    periods: int = 1,
) -> cloudwatch.Alarm:
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=periods,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        # No traffic is no problem: a forum at rest must not page anyone.
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
    alarm.add_alarm_action(actions.SnsAction(topic))
    return alarm


def web_acl_metric(metric_name: str, web_acl: str, region: str) -> cloudwatch.Metric:
    """A CLOUDFRONT-scope web ACL's requests, all its rules together. Such a web ACL reports in
    us-east-1 without a Region dimension; ``web_acl`` is its visibility config's metric name."""
    return cloudwatch.Metric(
        namespace="AWS/WAFV2",
        metric_name=metric_name,
        dimensions_map={"WebACL": web_acl, "Rule": "ALL"},
        statistic="Sum",
        period=FIVE_MINUTES,
        region=region,
    )


class ForumMonitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        http_api: apigwv2.HttpApi,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(self, "Alarms")
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        self._watch_api(http_api)
        self._watch_table(table)

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        periods: int = 1,
    ) -> cloudwatch.Alarm:
        return forum_alarm(self, construct_id, self.topic, metric, threshold, description, periods)

    def _watch_api(self, http_api: apigwv2.HttpApi) -> None:
        requests = http_api.metric_count(period=FIVE_MINUTES, statistic="Sum")
        server_errors = http_api.metric_server_error(period=FIVE_MINUTES, statistic="Sum")
        rate = cloudwatch.MathExpression(
            expression="100 * errors / MAX([requests, 1])",
            using_metrics={"errors": server_errors, "requests": requests},
            label="5xx %",
            period=FIVE_MINUTES,
        )
        self._alarm(
            "Api5xxRate",
            rate,
            1,
            "More than 1% of API requests answered 5xx for 10 minutes.",
            periods=2,
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API requests", left=[requests], width=8),
            cloudwatch.GraphWidget(
                title="API errors",
                left=[server_errors, http_api.metric_client_error(period=FIVE_MINUTES)],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="API latency (p50, p99)",
                left=[
                    http_api.metric_latency(period=FIVE_MINUTES, statistic="p50"),
                    http_api.metric_latency(period=FIVE_MINUTES, statistic="p99"),
                ],
                width=8,
            ),
        )

    def _watch_table(self, table: dynamodb.ITable) -> None:
        throttles = table.metric_throttled_requests_for_operations(
            operations=TABLE_OPERATIONS, period=FIVE_MINUTES
        )
        self._alarm(
            "TableThrottles",
            throttles,
            1,
            "DynamoDB throttled forum requests; writes answer 503 with Retry-After meanwhile.",
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="DynamoDB consumed capacity",
                left=[
                    table.metric_consumed_read_capacity_units(period=FIVE_MINUTES),
                    table.metric_consumed_write_capacity_units(period=FIVE_MINUTES),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(title="DynamoDB throttles", left=[throttles], width=12),
        )

    def watch_function(self, name: str, function: lambda_.IFunction) -> None:
        """Alarm on a function's errors and throttles, and graph it."""
        errors = function.metric_errors(period=FIVE_MINUTES, statistic="Sum")
        throttles = function.metric_throttles(period=FIVE_MINUTES, statistic="Sum")
        self._alarm(
            f"{name}Errors", errors, 5, f"The {name} function failed 5+ times in 5 minutes."
        )
        self._alarm(f"{name}Throttles", throttles, 1, f"The {name} function was throttled.")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"{name}: invocations and errors",
                left=[function.metric_invocations(period=FIVE_MINUTES), errors, throttles],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title=f"{name}: duration (p50, p99)",
                left=[
                    function.metric_duration(period=FIVE_MINUTES, statistic="p50"),
                    function.metric_duration(period=FIVE_MINUTES, statistic="p99"),
                ],
                width=12,
            ),
        )

    def watch_web_acl(self, web_acl: str, region: str) -> None:
        """Graph what CloudFront's web ACL blocked, counted and let through (its blocks alarm
        lives with it in ``region``: an alarm watches only metrics of its own region)."""
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"WAF requests ({region})",
                left=[
                    web_acl_metric(name, web_acl, region)
                    for name in ("AllowedRequests", "BlockedRequests", "CountedRequests")
                ],
                region=region,
                width=24,
            )
        )

    def watch_dead_letter_queue(
        self, name: str, queue: sqs.IQueue, advice: str = "see the README's redrive command"
    ) -> None:
        """Anything in a dead-letter queue failed every retry and waits for a person; the
        alarm's description says where to start (``advice``)."""
        depth = queue.metric_approximate_number_of_messages_visible(
            period=FIVE_MINUTES, statistic="Maximum"
        )
        self._alarm(
            f"{name}DeadLetters",
            depth,
            1,
            f"Messages reached the {name} dead-letter queue; {advice}.",
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title=f"{name} dead-letter queue", left=[depth], width=12)
        )
