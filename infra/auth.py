"""Members: the Cognito user pool, its groups and the browser's app client."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from forum.identity import ADMINS, MODERATORS

from .config import ForumConfig
from .nag import acknowledge

GROUPS = {
    ADMINS: "Run the forum: boards, members and everything moderators may do.",
    MODERATORS: "Keep the peace: edit, move, lock, pin and delete topics and posts.",
}

PLUS_PLAN_REASON = (
    "Threat protection (advanced security) needs Cognito's Plus feature plan, billed per monthly "
    "active user; the forum stays on Essentials so that it costs nothing when idle, and the "
    "HTTP API's throttling bounds abuse. Revisit if credential stuffing shows up."
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
        self.user_pool = cognito.UserPool(
            self,
            "Members",
            self_sign_up_enabled=True,
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
