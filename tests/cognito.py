"""A moto Cognito user pool made as the stack makes it (infra/auth.py), for the API tests.

The stack's pool also has a pre sign-up trigger, which moto never invokes: its handler is
tested with Cognito's events in tests/presignup/, and with the local runtime, which runs it as
Cognito does, in tests/local/test_sign_up.py. moto chooses the pool's and the client's ids;
the ``cognito`` fixture (tests/conftest.py) puts them into the settings' environment variables
and makes the settings be read again.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwk

from forum.identity import ADMINS, MODERATORS

# The stack's password policy (tests/infra/test_auth.py checks that the two agree).
PASSWORD_POLICY = {
    "MinimumLength": 10,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}
PASSWORD = "Correct-horse-42"


def _share_moto_signing_key() -> None:
    """moto builds the same RSA key from the same file for every pool it creates, a tenth of a
    second each time (most of an API test's set-up); build each distinct key once."""
    import_key = jwk.RSAKey.import_key
    if getattr(import_key, "shared", False):
        return

    @functools.cache
    def cached(serialized: str) -> Any:
        return import_key(json.loads(serialized))

    def shared(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, dict) and not args and not kwargs:
            return cached(json.dumps(value, sort_keys=True))
        return import_key(value, *args, **kwargs)

    shared.shared = True  # type: ignore[attr-defined]
    jwk.RSAKey.import_key = shared  # type: ignore[method-assign]


_share_moto_signing_key()


@dataclass
class MemberPool:
    client: Any
    pool_id: str
    client_id: str
    users: dict[str, str] = field(default_factory=dict)

    def add(self, username: str, groups: tuple[str, ...] = (), sub: str | None = None) -> str:
        """A confirmed member in these groups; returns their Cognito sub."""
        self.client.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": f"{username}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        self.client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            self.client.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=username, GroupName=group
            )
        user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        real_sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
        self.users[username] = sub or real_sub
        return self.users[username]

    def add_claims(self, claims: dict[str, str]) -> None:
        """Make the member a set of test claims describes (tests/events.claims) a Cognito user."""
        groups = claims.get("cognito:groups", "[]").strip("[]").split()
        self.add(claims["cognito:username"], tuple(groups), sub=claims["sub"])

    def groups_of(self, username: str) -> set[str]:
        answer = self.client.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=username)
        return {group["GroupName"] for group in answer["Groups"]}

    def exists(self, username: str) -> bool:
        try:
            self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except self.client.exceptions.UserNotFoundException:
            return False
        return True


def create_member_pool(client: Any) -> MemberPool:
    pool = client.create_user_pool(
        PoolName=f"forum-members-{time.monotonic_ns()}",
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        AliasAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}
        ],
    )["UserPool"]
    for group in (ADMINS, MODERATORS):
        client.create_group(UserPoolId=pool["Id"], GroupName=group)
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="browser",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return MemberPool(client=client, pool_id=pool["Id"], client_id=app_client["ClientId"])
