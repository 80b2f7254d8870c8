"""Members: the Cognito user pool, its groups, the browser's app client, the mail it sends (in
the forum's words, through the custom message trigger) and the pre sign-up trigger that holds
every new account to the forum's rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from forum import schema
from forum import settings as env
from forum.identity import ADMINS, MODERATORS

from .config import ForumConfig
from .functions import TRACING_REASON, forum_function
from .nag import acknowledge

PRE_SIGN_UP_HANDLER = "presignup.handler.lambda_handler"
# Cognito waits 5 seconds for a trigger, and retries it on a timeout three times at most.
PRE_SIGN_UP_TIMEOUT = Duration.seconds(5)
PRE_SIGN_UP_MEMORY_MB = 256
CUSTOM_MESSAGE_HANDLER = "custommessage.handler.lambda_handler"
CUSTOM_MESSAGE_MEMORY_MB = 256
# What the mail calls the forum, and the address of its pages (for links in the mail; without
# it the mail has none: the CloudFront address is made after the pool, which cannot wait for it).
SITE_NAME_CONTEXT = "forum:siteName"
SITE_URL_CONTEXT = "forum:siteUrl"
DEFAULT_SITE_NAME = "Forum"
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

GROUPS = {
    ADMINS: "Run the forum: boards, members and everything moderators may do.",
    MODERATORS: "Keep the peace: edit, move, lock, pin and delete topics and posts.",
}

PLUS_PLAN_REASON = (
    "Threat protection (advanced security) needs Cognito's Plus feature plan, billed per monthly "
    "active user; the forum stays on Essentials so that it costs nothing when idle, and the "
    "HTTP API's throttling bounds abuse. Revisit if credential stuffing shows up."
)


def site_from_context(scope: Construct) -> tuple[str, str]:
    """What the mail calls the forum (``forum:siteName``) and its https:// address
    (``forum:siteUrl``, empty when the context does not give it)."""
    name = str(scope.node.try_get_context(SITE_NAME_CONTEXT) or "").strip() or DEFAULT_SITE_NAME
    url = str(scope.node.try_get_context(SITE_URL_CONTEXT) or "").strip().rstrip("/")
    if url and not re.match(r"^https://[^/\s]+$", url):
        raise ValueError(
            f"context {SITE_URL_CONTEXT} must be the forum's https:// address without a path, "
            f"not {url!r}"
        )
    return name, url


@dataclass(frozen=True)
class MailSender:
    """Who Cognito's mail (confirmation codes, password resets) comes from, from CDK context.

    ``forum:mailFrom``: an address verified in SES (an email address identity); without it,
    Cognito's own sender, whose daily quota is small and shared by the whole pool.
    ``forum:mailFromName``, ``forum:sesConfigurationSet`` (where SES reports bounces and
    complaints) and ``forum:sesRegion`` (SES's region, when not the pool's) are optional.
    """

    address: str | None = None
    name: str | None = None
    configuration_set: str | None = None
    ses_region: str | None = None

    @classmethod
    def from_context(cls, scope: Construct) -> MailSender:
        def text(key: str) -> str | None:
            value = scope.node.try_get_context(key)
            if value is None or not str(value).strip():
                return None
            return str(value).strip()

        sender = cls(
            address=text("forum:mailFrom"),
            name=text("forum:mailFromName"),
            configuration_set=text("forum:sesConfigurationSet"),
            ses_region=text("forum:sesRegion"),
        )
        if sender.address is not None and not _ADDRESS.match(sender.address):
            raise ValueError(
                f"context forum:mailFrom must be an email address, not {sender.address!r}"
            )
        if sender.address is None and (
            sender.name or sender.configuration_set or sender.ses_region
        ):
            raise ValueError(
                "context forum:mailFromName, forum:sesConfigurationSet and forum:sesRegion "
                "need forum:mailFrom, the SES identity that sends"
            )
        return sender

    def email(self) -> cognito.UserPoolEmail:
        if self.address is None:
            return cognito.UserPoolEmail.with_cognito()
        # Cognito sends with its email service-linked role
        # (AWSServiceRoleForAmazonCognitoIdpEmailService, made on first use) and only as the
        # identity the pool names (SourceArn): the stack grants nothing, and nothing wider.
        return cognito.UserPoolEmail.with_ses(
            from_email=self.address,
            from_name=self.name,
            configuration_set_name=self.configuration_set,
            ses_region=self.ses_region,
        )


class ForumAuth(Construct):
    """Sign-up and sign-in for members; the HTTP API's JWT authorizer trusts this pool's tokens.

    Members sign up with a username (the name the forum shows; it reaches the functions as the
    ``cognito:username`` / ``username`` claim) and a verified email address, and may sign in
    with either. The browser uses USER_PASSWORD_AUTH (moto does not verify SRP, so the local
    runtime can use the same flow) and refreshes with the refresh token.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: ForumConfig) -> None:
        super().__init__(scope, construct_id)
        self.sender = MailSender.from_context(self)
        self.site_name, self.site_url = site_from_context(self)
        self.user_pool = cognito.UserPool(
            self,
            "Members",
            # Open, but only the forum's own sign-up passes the pre sign-up trigger
            # (check_sign_ups): SignUp stays the public call that sends the confirmation code.
            self_sign_up_enabled=True,
            email=self.sender.email(),
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            user_verification=cognito.UserVerificationConfig(
                email_subject="Confirm your email address for the forum",
                email_body="Your confirmation code for the forum is {####}",
                email_style=cognito.VerificationEmailStyle.CODE,
            ),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=10,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=False,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.user_pool,
            {
                "AwsSolutions-COG1": (
                    "The password policy asks for 10+ characters with upper and lower case "
                    "letters and digits but no symbols: length protects better than composition "
                    "rules, which NIST SP 800-63B advises against."
                ),
                "AwsSolutions-COG2": (
                    "A public forum cannot require MFA of everyone who signs up; members may "
                    "turn on TOTP MFA (optional, so no SMS costs)."
                ),
                "AwsSolutions-COG8": PLUS_PLAN_REASON,
            },
        )

        self.groups: dict[str, cognito.CfnUserPoolGroup] = {}
        for precedence, (name, description) in enumerate(GROUPS.items()):
            self.groups[name] = cognito.CfnUserPoolGroup(
                self,
                f"Group{name.capitalize()}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=name,
                description=description,
                precedence=precedence,
            )

        self.client = self.user_pool.add_client(
            "Browser",
            generate_secret=False,
            # The browser signs in through the API calls, not Cognito's hosted UI.
            disable_o_auth=True,
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.minutes(config.access_token_minutes),
            id_token_validity=Duration.minutes(config.access_token_minutes),
            refresh_token_validity=Duration.days(config.refresh_token_days),
        )

    def check_sign_ups(
        self,
        *,
        config: ForumConfig,
        table: dynamodb.ITable,
        layer: lambda_.ILayerVersion,
    ) -> lambda_.Function:
        """The pre sign-up trigger (functions/presignup, forum.sign_up_check).

        Its role may read username claims and nothing else: GetItem on the forum table, for
        ``USERNAME#`` partition keys only. Cognito may invoke it for this pool only (the
        permission names the pool's ARN).
        """
        function, role = forum_function(
            self,
            "PreSignUp",
            description="Cognito's pre sign-up trigger: the forum's username rules and claim",
            role_description=(
                "The forum's pre sign-up function: its log group, X-Ray, and reading username "
                "claims from the forum table"
            ),
            handler=PRE_SIGN_UP_HANDLER,
            service="forum-presignup",
            layer=layer,
            config=config,
            memory_size=PRE_SIGN_UP_MEMORY_MB,
            timeout=PRE_SIGN_UP_TIMEOUT,
            environment={env.TABLE_ENV: table.table_name},
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem"],
                resources=[table.table_arn],
                conditions={
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": [f"{schema.USERNAME_PK_PREFIX}*"]
                    }
                },
            )
        )
        acknowledge(role, {"AwsSolutions-IAM5[Resource::*]": TRACING_REASON})
        self.user_pool.add_trigger(cognito.UserPoolOperation.PRE_SIGN_UP, function)
        self.pre_sign_up = function
        return function

    def word_mail(
        self,
        *,
        config: ForumConfig,
        table: dynamodb.ITable,
        layer: lambda_.ILayerVersion,
    ) -> lambda_.Function:
        """The custom message trigger (functions/custommessage, forum.account_mail): the
        subject and words of every mail Cognito sends, and the count of reset mail per account
        (forum.reset_limits).

        Its role may add to password reset counters and nothing else: UpdateItem on the forum
        table, for ``RESETS#`` partition keys only. Cognito may invoke it for this pool only.
        """
        environment = {
            env.TABLE_ENV: table.table_name,
            env.SITE_NAME_ENV: self.site_name,
            env.PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV: str(
                config.password_resets_per_account_per_day
            ),
        }
        if self.site_url:
            environment[env.SITE_URL_ENV] = self.site_url
        function, role = forum_function(
            self,
            "CustomMessage",
            description="Cognito's custom message trigger: the forum's words for its mail",
            role_description=(
                "The forum's custom message function: its log group, X-Ray, and counting "
                "password reset mail in the forum table"
            ),
            handler=CUSTOM_MESSAGE_HANDLER,
            service="forum-custommessage",
            layer=layer,
            config=config,
            memory_size=CUSTOM_MESSAGE_MEMORY_MB,
            # Cognito waits as long for this trigger as for the pre sign-up one.
            timeout=PRE_SIGN_UP_TIMEOUT,
            environment=environment,
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[table.table_arn],
                conditions={
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": [f"{schema.PASSWORD_RESETS_PK_PREFIX}*"]
                    }
                },
            )
        )
        acknowledge(role, {"AwsSolutions-IAM5[Resource::*]": TRACING_REASON})
        self.user_pool.add_trigger(cognito.UserPoolOperation.CUSTOM_MESSAGE, function)
        self.custom_message = function
        return function
