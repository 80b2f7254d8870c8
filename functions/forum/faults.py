"""AWS failing us: throttled, timed out, unreachable, or refusing the function's credentials.

None of it is the reader's or the caller's doing, and every write is one transaction or one
conditional write, so nothing was half-done and the same request may simply be sent again. The
API and the pages both answer such a failure with ``busy()`` (503 with Retry-After) and count
it as one of AWS's, not as a bug of ours: decided here, once, for both.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from .errors import Busy
from .i18n import _

# PynamoDB wraps what botocore raises (QueryError, GetError, TransactWriteError...); botocore's
# own are a service's error answers (ThrottlingException, ProvisionedThroughputExceeded,
# RequestLimitExceeded, InternalServerError...) and failures to reach it (timeouts, no route,
# no credentials).
AWS_FAULTS: tuple[type[Exception], ...] = (PynamoDBException, ClientError, BotoCoreError)


def is_aws_fault(error: BaseException) -> bool:
    return isinstance(error, AWS_FAULTS)


def busy() -> Busy:
    """What to answer for an AWS fault."""
    return Busy(_("The forum is busy right now; please try again shortly."))
