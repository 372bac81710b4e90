"""django-axes, locking an account and an address each by its own count.

Axes counts failures per lockout parameter and compares the largest count with one limit.
GovPlan locks an account after AXES_FAILURE_LIMIT failures whatever the address they came from
(one person guessing from many addresses), and an address after AXES_ADDRESS_FAILURE_LIMIT
failures whatever the names tried (one address guessing many names: 48 failures over 12 names
used to lock nothing). The address limit is higher, because a whole office may sit behind one
address.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# The order of AXES_LOCKOUT_PARAMETERS in the settings.
ACCOUNT, ADDRESS = 0, 1


def _failures(attempts: Any) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class AccountAndAddressHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The account's failures, or as many as the account limit once the address has
        reached its own limit: axes compares this with AXES_FAILURE_LIMIT."""
        attempts = self.get_user_attempts(request, credentials)
        account = _failures(attempts[ACCOUNT])
        address = _failures(attempts[ADDRESS])
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = int(settings.AXES_ADDRESS_FAILURE_LIMIT)
        return max(account, address - address_limit + account_limit)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful login clears its account's failures only: logging in to one's own
        account between guesses must not clear the address's count of guesses at others."""
        attempts = self.filter_user_attempts(request, credentials)[ACCOUNT]
        count, _ = attempts.delete()
        return int(count)
