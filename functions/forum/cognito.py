"""The few calls the forum makes to its Cognito user pool.

The client is made on first use, not at import: most requests never call Cognito, and a cold
start should not pay for it. botocore alone is enough (boto3 would add its import time).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from .settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


class CognitoRefused(Exception):
    """Cognito answered with an error; ``code`` is its error code, ``message`` its words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedUp:
    user_id: str
    confirmed: bool
    # Where the confirmation code went (a masked address) and how, when Cognito says.
    destination: str | None
    delivery_medium: str | None


@lru_cache(maxsize=4)
def _client_for(region: str, endpoint: str | None) -> CognitoIdentityProviderClient:
    import botocore.session

    session = botocore.session.get_session()
    made = session.create_client("cognito-idp", region_name=region, endpoint_url=endpoint)
    return cast("CognitoIdentityProviderClient", made)


def client() -> CognitoIdentityProviderClient:
    settings = get_settings()
    return _client_for(settings.region, settings.cognito_endpoint)


def _call(operation: str, **arguments: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(client(), operation)(**arguments)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise CognitoRefused(
            str(details.get("Code") or "Unknown"), str(details.get("Message") or "")
        ) from error
    except BotoCoreError as error:
        # No answer at all (network, timeout): say so in the same terms.
        raise CognitoRefused("Unreachable", str(error)) from error


def sign_up(username: str, email: str, password: str, validation_data: dict[str, str]) -> SignedUp:
    """Cognito's SignUp; ``validation_data`` reaches the pre sign-up trigger (and is not kept)."""
    answer = _call(
        "sign_up",
        ClientId=get_settings().user_pool_client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
        ValidationData=[{"Name": name, "Value": value} for name, value in validation_data.items()],
    )
    delivery = answer.get("CodeDeliveryDetails") or {}
    return SignedUp(
        user_id=answer["UserSub"],
        confirmed=bool(answer.get("UserConfirmed")),
        destination=delivery.get("Destination"),
        delivery_medium=delivery.get("DeliveryMedium"),
    )


def add_to_group(username: str, group: str) -> None:
    _call(
        "admin_add_user_to_group",
        UserPoolId=get_settings().user_pool_id,
        Username=username,
        GroupName=group,
    )


def remove_from_group(username: str, group: str) -> None:
    _call(
        "admin_remove_user_from_group",
        UserPoolId=get_settings().user_pool_id,
        Username=username,
        GroupName=group,
    )


def groups_of(username: str) -> frozenset[str]:
    groups: set[str] = set()
    token: str | None = None
    pool_id = get_settings().user_pool_id
    while True:
        arguments: dict[str, Any] = {"UserPoolId": pool_id, "Username": username}
        if token:
            arguments["NextToken"] = token
        answer = _call("admin_list_groups_for_user", **arguments)
        groups.update(group["GroupName"] for group in answer.get("Groups", []))
        token = answer.get("NextToken")
        if not token:
            return frozenset(groups)


def forgot_password(name: str) -> None:
    """Cognito's ForgotPassword with the browser's app client: a public call, which IAM does
    not guard, so the API's role needs no grant for it. ``name`` is a username or a verified
    address."""
    _call("forgot_password", ClientId=get_settings().user_pool_client_id, Username=name)


def delete_user(username: str) -> None:
    """AdminDeleteUser; a user already gone is no error (an account's deletion repeats it)."""
    try:
        _call("admin_delete_user", UserPoolId=get_settings().user_pool_id, Username=username)
    except CognitoRefused as refusal:
        if refusal.code != "UserNotFoundException":
            raise


def members_of(group: str, limit: int = 2) -> list[str]:
    """Up to ``limit`` usernames of a group's members (ListUsersInGroup, one page)."""
    answer = _call(
        "list_users_in_group",
        UserPoolId=get_settings().user_pool_id,
        GroupName=group,
        Limit=limit,
    )
    return [str(user["Username"]) for user in answer.get("Users", [])]
