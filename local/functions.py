"""The stack's Lambda functions, run in this process as the Lambda runtime would run them."""

from __future__ import annotations

import importlib
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from .deployed import Function
from .stack import ACCOUNT, REGION

Handler = Callable[[dict[str, Any], Any], Any]


class Context:
    """The Lambda context object handed to a function."""

    def __init__(self, function: Function) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = function.memory
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function.name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Functions:
    """Imports each function's handler once (its cold start) and invokes it.

    A Lambda instance serves one event at a time; the handlers rely on that (the event
    handler keeps the current event on the app), so each function runs one event at a time.
    """

    def __init__(self, functions: dict[str, Function]) -> None:
        self.functions = functions
        self._handlers: dict[str, Handler] = {}
        self._locks = {logical_id: threading.Lock() for logical_id in functions}
        self._import_lock = threading.Lock()

    def handler(self, logical_id: str) -> Handler:
        with self._import_lock:
            if logical_id not in self._handlers:
                function = self.functions[logical_id]
                # The service name is read when the function's module creates its logger.
                service = function.environment.get("POWERTOOLS_SERVICE_NAME")
                if service:
                    os.environ["POWERTOOLS_SERVICE_NAME"] = service
                module_name, _, attribute = function.handler.rpartition(".")
                module = importlib.import_module(module_name)
                self._handlers[logical_id] = getattr(module, attribute)
            return self._handlers[logical_id]

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        handler = self.handler(logical_id)
        with self._locks[logical_id]:
            return handler(event, Context(self.functions[logical_id]))
