"""The local mailbox: what Cognito would mail is kept at /_dev/mail, and its codes are checked.

moto mails nothing and accepts any code for ConfirmSignUp and ConfirmForgotPassword; the
runtime makes the codes, keeps the mail (local/cognito_mail.py, local/mailbox.py) and refuses a
wrong code as Cognito does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.client import ForumClient
from local.mailbox import Mailbox

from .conftest import Runtime

PASSWORD = "Mailbox-2026"
NEW_PASSWORD = "Mailbox-2027"


def mail_to(client: ForumClient, address: str) -> list[dict[str, Any]]:
    answer = client.request("GET", "/_dev/mail.json")
    assert answer.status == 200
    return [message for message in answer.json["messages"] if message["to"] == address]


def code_in(message: dict[str, Any]) -> str:
    found = re.search(r"\b(\d{6})\b", message["text"])
    assert found, message
    return found.group(1)


def refusal(call: Any, **arguments: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call(**arguments)
    return str(refused.value.response["Error"]["Code"])


def test_a_sign_up_and_a_reset_are_mailed_and_only_their_codes_work(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    cognito = client.cognito()
    client_id = client.config["cognito"]["client_id"]
    address = "mailbox@forum.invalid"
    account = {"username": "mailbox", "email": address, "password": PASSWORD}
    # Given a sign-up through the forum
    assert client.request("POST", "/api/accounts", account).status == 201
    # Then its confirmation code is in the mailbox, in the words of the pool's custom message
    # trigger (tests/local/test_cognito_messages.py)
    (confirmation,) = mail_to(client, address)
    assert confirmation["kind"] == "cognito:sign-up"
    assert confirmation["subject"] == "Confirm your email address for Forum"
    code = code_in(confirmation)
    # and only that code confirms the account
    wrong = "000000" if code != "000000" else "111111"
    confirm = cognito.confirm_sign_up
    assert (
        refusal(confirm, ClientId=client_id, Username="mailbox", ConfirmationCode=wrong)
        == "CodeMismatchException"
    )
    confirm(ClientId=client_id, Username="mailbox", ConfirmationCode=code)
    assert client.sign_in("mailbox", PASSWORD)["AccessToken"]

    # When the member forgets the password, a reset code is mailed, the newest message first
    cognito.forgot_password(ClientId=client_id, Username="mailbox")
    reset, first = mail_to(client, address)
    assert first == confirmation and reset["kind"] == "cognito:reset"
    reset_code = code_in(reset)
    # Then a wrong code, an unknown name and a weak password are refused as Cognito does
    arguments = {"ClientId": client_id, "Username": "mailbox", "Password": NEW_PASSWORD}
    confirm_reset = cognito.confirm_forgot_password
    assert refusal(confirm_reset, **arguments, ConfirmationCode=wrong) == "CodeMismatchException"
    unknown = {**arguments, "Username": "nobody-here"}
    assert refusal(confirm_reset, **unknown, ConfirmationCode=reset_code) == (
        "CodeMismatchException"
    )
    weak = {**arguments, "Password": "short"}
    assert refusal(confirm_reset, **weak, ConfirmationCode=reset_code) == (
        "InvalidPasswordException"
    )
    assert client.sign_in("mailbox", PASSWORD)["AccessToken"]
    # and the right code sets the new password, once
    confirm_reset(**arguments, ConfirmationCode=reset_code)
    assert client.sign_in("mailbox", NEW_PASSWORD)["AccessToken"]
    again = {**arguments, "Password": "Mailbox-2028"}
    assert refusal(confirm_reset, **again, ConfirmationCode=reset_code) == "ExpiredCodeException"
    # An unknown name is answered as a known one, and nothing is mailed
    before = client.request("GET", "/_dev/mail.json").json["messages"]
    cognito.forgot_password(ClientId=client_id, Username="nobody-here")
    assert client.request("GET", "/_dev/mail.json").json["messages"] == before

    # The mailbox's page shows the messages, newest first
    page = client.request("GET", "/_dev/mail")
    assert page.status == 200
    headers = {name.lower(): value for name, value in page.headers.items()}
    assert headers["cache-control"] == "no-store"
    assert page.text.index(f"{reset_code}") < page.text.index(f"{code}")


def test_the_email_address_stands_for_the_username_once_confirmed(runtime: Runtime) -> None:
    # moto ignores the pool's email alias; the runtime resolves it (local/cognito_aliases.py)
    client = ForumClient(runtime.url)
    cognito = client.cognito()
    client_id = client.config["cognito"]["client_id"]
    address = "Alias.Member@forum.invalid"
    account = {"username": "alias_member", "email": address, "password": PASSWORD}
    assert client.request("POST", "/api/accounts", account).status == 201
    (confirmation,) = mail_to(client, address)
    # Before the address is confirmed it names nobody
    assert refusal(client.sign_in, username=address, password=PASSWORD) == "UserNotFoundException"
    cognito.confirm_sign_up(
        ClientId=client_id, Username="alias_member", ConfirmationCode=code_in(confirmation)
    )
    # Then the address signs in (any case), as the member, not as the address
    tokens = client.sign_in(address.lower(), PASSWORD)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alias_member"
    # and resets the password
    cognito.forgot_password(ClientId=client_id, Username=address)
    reset, _ = mail_to(client, address)
    cognito.confirm_forgot_password(
        ClientId=client_id,
        Username=address,
        ConfirmationCode=code_in(reset),
        Password=NEW_PASSWORD,
    )
    assert client.sign_in("alias_member", NEW_PASSWORD)["AccessToken"]


def test_the_mailbox_page_makes_links_clickable_and_escapes_the_rest(tmp_path: Path) -> None:
    mailbox = Mailbox(tmp_path / "mail.jsonl")
    mailbox.deliver(
        to="a@forum.invalid",
        subject="<b>Hello</b>",
        text="Read https://forum.example/t/1?a=1&b=2 <script>x</script>",
        kind="forum:test",
    )
    mailbox.deliver(to="b@forum.invalid", subject="Second", text="Later", kind="forum:test")
    page = mailbox.as_html()
    assert '<a href="https://forum.example/t/1?a=1&amp;b=2" rel="noreferrer">' in page
    assert "<script>" not in page and "&lt;b&gt;Hello&lt;/b&gt;" in page
    assert page.index("Second") < page.index("Hello")
    # Kept across a restart
    again = Mailbox(tmp_path / "mail.jsonl")
    assert [message.to for message in again.messages()] == ["b@forum.invalid", "a@forum.invalid"]
