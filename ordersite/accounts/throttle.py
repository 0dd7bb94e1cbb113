"""Login throttling with two limits: per username from one address, and per address across usernames.

django-axes compares one failure count with one limit. Password spraying (a few guesses at each of
many usernames from one address) stays under a per-username limit for ever, so the address itself
needs a limit too, a higher one, as an office behind one NAT address shares it:

- AXES_FAILURE_LIMIT (5): failures for one username from one address;
- AXES_ADDRESS_FAILURE_LIMIT (20): failures for any usernames from that address.

Either one locks the address out (for that username, or for everyone) for AXES_COOLOFF_TIME.
A successful login clears the failures of that username from that address only: were it to clear
the address's count, an attacker would sign in to an account of their own between rounds of guesses.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class PerUsernameAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler, counting failures per username and address and per address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        from_address = self._recent_attempts(request)
        per_address = _failures(from_address)
        per_username = _failures(from_address.filter(username=get_client_username(request, credentials)))
        if per_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Axes locks out when the count reaches its one limit: report the address's lock-out as that.
            return max(per_username, get_failure_limit(request, credentials))
        return per_username

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(ip_address=request.axes_ip_address, username=username).delete()
        return count

    @staticmethod
    def _recent_attempts(request):
        return AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
