"""`make dev`: the whole forum on this machine, with no AWS account and no Docker."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8000
DEFAULT_PASSWORD = "ForumDemo2026"
SAVE_EVERY_SECONDS = 5

log = logging.getLogger("forum.local")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("FORUM_PORT") or DEFAULT_PORT)
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("FORUM_STATE_DIR") or REPO_ROOT / ".local"),
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("FORUM_CACHE_DIR") or REPO_ROOT / ".local" / "cache"),
        help="where the synthesized template is kept between starts",
    )
    parser.add_argument("--no-seed", action="store_true", help="start without demo content")
    return parser.parse_args(argv)


def _bind(host: str, port: int) -> socket.socket:
    """Take the port before anything slow starts, so a clash is reported at once."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise SystemExit(
            f"Port {port} on {host} is in use: stop what uses it or pick another port, "
            f"e.g. FORUM_PORT={port + 1} make dev"
        ) from None
    listener.listen(128)
    return listener


@contextlib.contextmanager
def flood_control_off() -> Iterator[None]:
    """The demo content is written in a second or two, faster than any member may post."""
    from forum.settings import (
        NEW_MEMBER_POSTS_PER_HOUR_ENV,
        POST_INTERVAL_SECONDS_ENV,
        UPLOADS_PER_HOUR_ENV,
        get_settings,
    )

    names = (POST_INTERVAL_SECONDS_ENV, NEW_MEMBER_POSTS_PER_HOUR_ENV, UPLOADS_PER_HOUR_ENV)
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, "0"))
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stdout,
    )
    for noisy in ("werkzeug", "botocore", "urllib3", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _context() -> dict[str, Any]:
    context = json.loads((REPO_ROOT / "cdk.json").read_text()).get("context", {})
    return dict(context)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    _configure_logging()
    listener = _bind(args.host, args.port)
    origin = f"http://{args.host}:{args.port}"
    started = time.monotonic()

    # Every AWS client in this process (the functions' too) talks to the local AWS.
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    sys.path[:0] = [str(REPO_ROOT / "functions"), str(REPO_ROOT)]

    from forum import models
    from forum.settings import (
        COGNITO_ENDPOINT_ENV,
        DYNAMODB_ENDPOINT_ENV,
        NEW_MEMBER_POSTS_PER_HOUR_ENV,
        PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV,
        PASSWORD_RESETS_PER_IP_PER_HOUR_ENV,
        POST_INTERVAL_SECONDS_ENV,
        SIGN_UPS_PER_ADDRESS_PER_DAY_ENV,
        SIGN_UPS_PER_IP_PER_HOUR_ENV,
        SITE_URL_ENV,
        STATIC_FILES_ENV,
        UPLOADS_PER_HOUR_ENV,
        get_settings,
    )

    from .aws import LocalAws
    from .cognito_email import install as wait_for_email_codes
    from .stack import REGION, deploy
    from .template import load_template

    # Flood control and the sign-up limits as the stack configures them, unless this process's
    # own environment says otherwise (the tests and `make load` post faster than people do).
    limits = (
        POST_INTERVAL_SECONDS_ENV,
        NEW_MEMBER_POSTS_PER_HOUR_ENV,
        UPLOADS_PER_HOUR_ENV,
        SIGN_UPS_PER_IP_PER_HOUR_ENV,
        SIGN_UPS_PER_ADDRESS_PER_DAY_ENV,
        PASSWORD_RESETS_PER_IP_PER_HOUR_ENV,
        PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV,
    )
    flood_overrides = {name: os.environ[name] for name in limits if name in os.environ}

    aws = LocalAws(args.state_dir / "aws")
    # Nothing is mailed locally: Cognito's codes (and later the forum's mail) are kept here.
    from .cognito_mail import install as keep_cognito_mail
    from .mailbox import Mailbox

    mailbox = Mailbox(args.state_dir / "mail.jsonl")
    keep_cognito_mail(mailbox)
    # A changed email address waits for its code, as in Cognito (the account page).
    wait_for_email_codes(mailbox)
    endpoint = aws.start()
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    log.info("local AWS (moto) at %s", endpoint)
    # For tools that talk to this runtime's AWS while it runs (make redrive).
    endpoint_file = args.state_dir / "aws" / "endpoint"
    endpoint_file.parent.mkdir(parents=True, exist_ok=True)
    endpoint_file.write_text(endpoint)

    import boto3

    def clients(name: str) -> Any:
        return boto3.client(name, endpoint_url=endpoint, region_name=REGION)  # type: ignore[call-overload]

    from infra import static_build

    try:
        static_build.manifest()  # the stack (and so its template) needs the build
    except static_build.StaticFilesNotBuilt as missing:
        raise SystemExit(str(missing)) from None
    template = load_template(args.cache_dir)
    stack = deploy(template, clients, origin)
    for function in stack.functions.values():
        os.environ.update(function.environment)
    os.environ.update(flood_overrides)
    # Links in Cognito's mail (the custom message trigger) lead to this runtime's pages.
    os.environ[SITE_URL_ENV] = origin
    # The names of the static build this start serves (build/static.json, which the stack puts in
    # the site function's environment too): the cached template's copy is that of its last
    # synthesis, and an edited script should not cost a new one.
    os.environ[STATIC_FILES_ENV] = static_build.manifest_text()
    # The forum's own mail goes to the local SES, and from there to the local mailbox.
    from . import ses_mail

    ses_mail.install(mailbox)
    ses_mail.configure(args.state_dir, origin, clients("sesv2"))
    os.environ[DYNAMODB_ENDPOINT_ENV] = endpoint
    os.environ[COGNITO_ENDPOINT_ENV] = endpoint
    from . import search

    search.prepare(args.state_dir)
    search.write_outputs(args.state_dir, stack.outputs)
    # The functions run in this process, on the settings just made: their cold starts find the
    # models pointed at the local table already.
    get_settings.cache_clear()
    models.configure(get_settings())

    # Data kept from before username claims were keyed by skeleton: move those claims once.
    from forum.claims import rekey_old_claims

    for name in rekey_old_claims():
        log.warning("the username %s has a look-alike member; its claim stays as it was", name)
    # And posts removed before removal kept them in the user_posts index: put them back once.
    from forum.removed_posts import index_removed_posts

    index_removed_posts()
    # And topics made before the recent_topics index: give each its shard there, once.
    from forum.recent import index_old_topics

    index_old_topics()

    from .authorizer import JwtAuthorizer
    from .functions import Functions
    from .gateway import Gateway, allow_connections
    from .poller import Poller

    functions = Functions(stack.functions)
    from .cognito_messages import CustomMessages
    from .cognito_triggers import CognitoTriggers

    triggers = CognitoTriggers.from_template(template, stack.names, functions.invoke)
    aws.intercept(triggers.intercept)
    from . import cognito_aliases

    aws.intercept(cognito_aliases.intercept)
    # After the aliases: the custom message trigger is run for the account a name resolves to.
    aws.intercept(CustomMessages(triggers).intercept)
    authorizer = None
    if stack.jwt is not None:
        pool_id = stack.jwt.issuer.rstrip("/").rsplit("/", 1)[-1]
        authorizer = JwtAuthorizer(
            stack.jwt.issuer, stack.jwt.audiences, f"{endpoint}/{pool_id}/.well-known/jwks.json"
        )
    context = _context()
    pool_id = stack.outputs.get("UserPoolId", "")
    client_id = stack.outputs.get("UserPoolClientId", "")
    media_bucket = stack.outputs.get("MediaBucketName")
    s3 = clients("s3")

    def config() -> dict[str, Any]:
        return {
            "region": REGION,
            "api_base": "/api",
            "media_base": "/media",
            "cognito": {"endpoint": endpoint, "user_pool_id": pool_id, "client_id": client_id},
            "max_upload_bytes": int(context.get("forum:maxUploadBytes", 10 * 1024 * 1024)),
        }

    def media(key: str) -> tuple[bytes, str, str | None] | None:
        if not media_bucket:
            return None
        try:
            # As CloudFront's /media/* behavior: the path is the key (media/{id}/thumb.jpg).
            found = s3.get_object(Bucket=media_bucket, Key=f"media/{key}")
        except s3.exceptions.NoSuchKey:
            return None
        return (
            found["Body"].read(),
            found.get("ContentType", "application/octet-stream"),
            found.get("CacheControl"),
        )

    gateway = Gateway(
        routes=stack.routes,
        functions=functions,
        authorizer=authorizer,
        # The build's hashed names and web/'s plain ones, as the two deployments of infra/cdn.py
        static_dirs=[static_build.BUILD_DIR, REPO_ROOT / "web"],
        static_deployments=stack.static_deployments,
        config=config,
        media=media if media_bucket else None,
        response_headers=allow_connections(stack.response_headers, endpoint),
        mailbox=mailbox,
    )

    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, gateway, threaded=True, fd=listener.fileno())
    serving = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    serving.start()

    sqs = clients("sqs")
    pollers = [
        Poller(sqs, trigger, _queue_arn(stack, trigger.queue_url), functions.invoke)
        for trigger in stack.triggers
        if trigger.function in stack.functions
    ]
    for poller in pollers:
        poller.start()
    # The table's stream, read as its event source mapping reads it (local/streams.py).
    from .streams import Checkpoints, StreamPoller, StreamReader, forget_iterator

    checkpoints = Checkpoints(args.state_dir / "streams.json")
    stream_pollers = [
        StreamPoller(
            StreamReader(
                clients("dynamodbstreams"),
                sqs,
                trigger,
                functions.invoke,
                checkpoints,
                forget_iterator,
            )
        )
        for trigger in stack.stream_triggers
        if trigger.function in stack.functions
    ]
    for stream_poller in stream_pollers:
        stream_poller.start()

    password = os.environ.get("FORUM_DEMO_PASSWORD") or DEFAULT_PASSWORD
    if not args.no_seed:
        from .client import ForumClient
        from .seed import DEMO_USERS, create_users, seed

        create_users(clients("cognito-idp"), pool_id, password)
        with flood_control_off():
            if seed(ForumClient(origin), password):
                log.info("demo content created")
        names = ", ".join(name for name, _ in DEMO_USERS)
        log.info("demo users: %s; password: %s", names, password)
    # The demo content (and anything written before this start) is searchable at once.
    search.index_at_start(args.state_dir)
    aws.save()

    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log.info(
        "the forum is at %s (ready in %.1fs; Ctrl-C stops it)", origin, time.monotonic() - started
    )
    print(f"READY {origin}", flush=True)
    while not stopping.wait(SAVE_EVERY_SECONDS):
        aws.save()
    log.info("stopping")
    for poller in pollers:
        poller.stop()
    for stream_poller in stream_pollers:
        stream_poller.stop()
    server.shutdown()
    aws.stop()
    endpoint_file.unlink(missing_ok=True)
    log.info("stopped; data kept in %s (make dev-reset wipes it)", args.state_dir)
    return 0


def _queue_arn(stack: Any, queue_url: str) -> str:
    for logical_id, url in stack.queue_urls.items():
        if url == queue_url:
            return str(stack.arns[logical_id])
    return ""
