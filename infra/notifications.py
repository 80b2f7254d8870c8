"""The notifier function: new posts and topics become members' notifications.

    table ─ stream ─► the one reader (the change feed) ─► SQS (+DLQ) ─► notifier function
        └─► the table: watchers Queried page by page, notifications written in batches

It consumes the changes of kinds ``post`` and ``topic`` with event ``INSERT`` only
(``NOTIFIED_KINDS`` and ``NOTIFIED_EVENTS``): the change feed subscribes ``function`` to them.

The function reads and writes the table and nothing else; what it does, and why it is
idempotent under duplicated and reordered messages, is in ``forum/notifier.py``. A reply in a
topic with 10,000 watchers is about a thousand requests (a Query per hundred watchers, a
BatchWriteItem per twelve), well within the timeout.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from forum import changes
from forum import settings as env

from .config import ForumConfig
from .functions import acknowledge_tracing_and_indexes, forum_function

NOTIFIER_HANDLER = "notifier.handler.lambda_handler"
NOTIFIED_KINDS = ("post", "topic")
NOTIFIED_EVENTS = (changes.INSERT,)
TIMEOUT = Duration.seconds(120)
MEMORY_MB = 512


class ForumNotifications(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.Table,
        layer: lambda_.ILayerVersion,
    ) -> None:
        super().__init__(scope, construct_id)
        function, role = forum_function(
            self,
            "Notifier",
            description="Makes members' notifications of new posts and topics",
            role_description=(
                "The forum's notifier function: its log group, X-Ray, reading and writing the "
                "forum table"
            ),
            handler=NOTIFIER_HANDLER,
            service="forum-notifier",
            layer=layer,
            config=config,
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            environment={env.TABLE_ENV: table.table_name},
        )
        table.grant_read_write_data(role)
        acknowledge_tracing_and_indexes(
            role,
            table,
            "The table grant covers its indexes ({indexes}); the notifier queries none of "
            "them, reading watchers and writing notifications by key.",
        )
        self.function = function
        self.role = role
