"""The forum's one DynamoDB table, shaped by ``forum.schema`` (keys, TTL, global indexes)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from forum import schema


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class ForumTable(Construct):
    """Boards, topics, posts, presence and viewers in one on-demand table.

    Kept when the stack goes (RETAIN and deletion protection) and restorable to any second of
    the last 35 days (point-in-time recovery). Its stream has one reader, the changes function
    (infra/changes.py), which tells each feature's queue what changed.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(schema.PARTITION_KEY),
            sort_key=_string_key(schema.SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=schema.TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
            # Keys only: a change names its item, and each consumer reads the item's current
            # state (forum.changes); no item's content (file names, owners, post bodies) is
            # copied into the stream or the queues behind it.
            stream=dynamodb.StreamViewType.KEYS_ONLY,
        )
        for index_name, index_pk, index_sk in schema.GLOBAL_INDEXES:
            self.table.add_global_secondary_index(
                index_name=index_name,
                partition_key=_string_key(index_pk),
                sort_key=_string_key(index_sk),
                projection_type=dynamodb.ProjectionType.ALL,
            )
