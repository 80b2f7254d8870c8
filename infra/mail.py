"""The forum's own mail (forum.mail): the secret that signs unsubscribe links, and, when
``forum:mailFrom`` names an SES identity, the configuration set whose bounces and complaints
stop mail to an address.

    function that mails (allow_sending) ─ SESv2 SendEmail ─► SES, configuration set
        ─ bounces, complaints ─► SNS topic ─► mail events function ─► suppression items

Without ``forum:mailFrom`` the forum sends no mail (forum.mail answers NO_MAIL) and the stack
says so in its ``MailSender`` output; the unsubscribe route still answers (for links sent before).
The secret is generated at the first deployment and reaches the functions as a deploy-time
reference, as the origin secret does (infra/api.py): never in the template.

A feature that mails members calls ``mail.allow_sending(function)``: the sender, the
configuration set, the secret, the forum's address and the cap reach its environment, and it
may send as the identity (in the configuration set) and read and count in the table.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from forum import settings as env

from .auth import MailSender
from .config import ForumConfig
from .functions import TRACING_REASON, forum_function
from .nag import acknowledge

MAIL_EVENTS_HANDLER = "mail_events.handler.lambda_handler"
SECRET_LENGTH = 48
MAILS_PER_HOUR = 10


class ForumMail(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.ITable,
        layer: lambda_.ILayerVersion,
        site_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = table
        self.site_url = site_url
        self.sender = MailSender.from_context(self)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description="The forum: the key that signs the unsubscribe links of its mail",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=SECRET_LENGTH
            ),
        )
        acknowledge(
            self.secret,
            {
                "AwsSolutions-SMG4": (
                    "Not a credential of any AWS service: the HMAC key of unsubscribe links. "
                    "A rotation would void every link already mailed; a new value is a new "
                    "secret resource and a deployment."
                ),
            },
        )
        self.configuration_set: ses.ConfigurationSet | None = None
        self.events_function: lambda_.Function | None = None
        if self.sender.address is None:
            CfnOutput(
                Stack.of(self),
                "MailSender",
                value="none: set forum:mailFrom to an SES identity to send the forum's mail",
                description="The forum's own mail (notifications)",
            )
            return
        self.configuration_set = ses.ConfigurationSet(self, "ConfigurationSet")
        topic = sns.Topic(
            self,
            "Events",
            display_name="Forum mail bounces and complaints",
            master_key=kms.Alias.from_alias_name(self, "EventsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        function, role = forum_function(
            self,
            "MailEvents",
            description="Stops mail to addresses SES reports bounce or complain",
            role_description=(
                "The forum's mail events function: its log group, X-Ray, writing suppression "
                "items to the table"
            ),
            handler=MAIL_EVENTS_HANDLER,
            service="forum-mail-events",
            layer=layer,
            config=config,
            memory_size=256,
            environment={env.TABLE_ENV: table.table_name},
        )
        topic.add_subscription(subscriptions.LambdaSubscription(function))
        role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[table.table_arn])
        )
        acknowledge(role, {"AwsSolutions-IAM5[Resource::*]": TRACING_REASON})
        self.events_function = function
        CfnOutput(
            Stack.of(self),
            "MailSender",
            value=f"from {self.sender.address}",
            description="The forum's own mail (notifications)",
        )

    def allow_sending(self, function: lambda_.Function) -> None:
        """Let a function mail members with forum.mail.send."""
        function.add_environment(env.MAIL_SECRET_ENV, self.secret.secret_value.unsafe_unwrap())
        function.add_environment(env.SITE_URL_ENV, self.site_url)
        function.add_environment(env.MAILS_PER_HOUR_ENV, str(MAILS_PER_HOUR))
        # The opt-outs and suppressions (BatchGetItem) and the hour's count (UpdateItem).
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
                resources=[self.table.table_arn],
            )
        )
        if self.sender.address is None or self.configuration_set is None:
            return
        function.add_environment(env.MAIL_FROM_ENV, self.sender.address)
        function.add_environment(
            env.MAIL_CONFIGURATION_SET_ENV, self.configuration_set.configuration_set_name
        )
        stack = Stack.of(self)
        identity = self.sender.address
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    stack.format_arn(service="ses", resource="identity", resource_name=identity),
                    stack.format_arn(
                        service="ses",
                        resource="configuration-set",
                        resource_name=self.configuration_set.configuration_set_name,
                    ),
                ],
            )
        )

    def allow_unsubscribing(self, function: lambda_.Function) -> None:
        """The API function verifies and follows unsubscribe links."""
        function.add_environment(env.MAIL_SECRET_ENV, self.secret.secret_value.unsafe_unwrap())
