"""AWS on this machine: an embedded moto server whose data survives a restart.

moto keeps everything in memory. The runtime saves the DynamoDB, S3 and Cognito state to disk
(pickled moto backends) every few seconds after a change and when it stops, and loads it back
at start; SQS messages are transient, as a restarted consumer would re-read them anyway.
moto runs no Cognito triggers: the runtime runs the pre sign-up and custom message triggers in
front of it (local/cognito_triggers.py, local/cognito_messages.py, through
``LocalAws.intercept``); nor does it mail or check codes (local/cognito_mail.py).
"""

from __future__ import annotations

import copyreg
import logging
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.cognitoidp.models import cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.s3.models import s3_backends
from moto.server import ThreadedMotoServer

PERSISTED: dict[str, Any] = {
    "dynamodb": dynamodb_backends,
    "s3": s3_backends,
    "cognito-idp": cognitoidp_backends,
}


def _load_private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def _pickle_private_key(key: Any) -> tuple[Any, tuple[bytes]]:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _load_private_key, (pem,)


# The user pool's signing key is a cryptography object that pickle cannot take as it is.
copyreg.pickle(
    type(rsa.generate_private_key(public_exponent=65537, key_size=1024)), _pickle_private_key
)

# DynamoDB applies each request atomically; moto's backends are not safe for two requests at
# once (a transaction deep-copies a table another thread is writing). One request at a time.
_one_request_at_a_time = threading.RLock()
_dispatch = DomainDispatcherApplication.__call__


# What answers a request before moto does, or lets it through (None): Cognito's Lambda
# triggers (local/cognito_triggers.py). Outside the lock: a trigger may call this server itself.
Interceptor = Callable[[dict[str, Any]], tuple[str, list[tuple[str, str]], bytes] | None]
_interceptors: list[Interceptor] = []


def _atomic_dispatch(self: DomainDispatcherApplication, environ: Any, start_response: Any) -> Any:
    for intercept in _interceptors:
        answer = intercept(environ)
        if answer is not None:
            status, headers, body = answer
            start_response(status, headers)
            return [body]
    with _one_request_at_a_time:
        # Read the whole response inside the lock: it may be generated lazily.
        return list(_dispatch(self, environ, start_response))


DomainDispatcherApplication.__call__ = _atomic_dispatch  # type: ignore[method-assign]


class LocalAws:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def start(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.restore()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def intercept(self, interceptor: Interceptor) -> None:
        """Have ``interceptor`` see every request first (it may answer it instead of moto)."""
        _interceptors.append(interceptor)

    def stop(self) -> None:
        self.save()
        self._server.stop()

    def restore(self) -> bool:
        loaded = False
        for name, backends in PERSISTED.items():
            path = self.state_dir / f"{name}.pickle"
            if path.is_file():
                with _one_request_at_a_time:
                    backends.clear()
                    backends.update(pickle.loads(path.read_bytes()))
                loaded = True
        return loaded

    def save(self) -> None:
        """Write the state to disk (atomically: a crash never leaves half a file)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with _one_request_at_a_time:
            blobs = {name: pickle.dumps(backends) for name, backends in PERSISTED.items()}
        for name, blob in blobs.items():
            path = self.state_dir / f"{name}.pickle"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(blob)
            temporary.replace(path)
