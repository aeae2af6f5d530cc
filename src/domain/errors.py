"""Everything the domain can refuse or fail at, as types.

The HTTP layer maps each of these to a status code in exactly one place
(handlers/responses.py); nothing ever picks a status by matching message text.
"""


class DomainError(Exception):
    """Base class of every error the domain raises on purpose."""


class InvalidInput(DomainError):
    """A client sent a value that breaks a rule; `field` names it, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidUrl(InvalidInput):
    """The target URL breaks the URL policy (see domain/url_policy.py)."""

    def __init__(self, reason: str) -> None:
        super().__init__("url", reason)


class LinkNotFound(DomainError):
    """No link has this short id."""

    def __init__(self, short_id: str) -> None:
        super().__init__(f"no link with id {short_id!r}")
        self.short_id = short_id


class ShortIdTaken(DomainError):
    """A write found an item under this short id already; nothing was overwritten."""

    def __init__(self, short_id: str) -> None:
        super().__init__(f"short id {short_id!r} is taken")
        self.short_id = short_id


class ShortIdsExhausted(DomainError):
    """Every freshly generated id collided; the service is too full or unlucky to answer now."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"no free short id after {attempts} attempts")
        self.attempts = attempts


class StorageUnavailable(DomainError):
    """The link store stayed throttled, failing or unreachable through the client's
    bounded retries. A write may or may not have landed (its answer can be lost), but
    never in part: every write is one conditional item write, so a retry by the client
    cannot half-write or overwrite a link."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"the link store did not complete {operation}")
        self.operation = operation


class ItemThrottled(StorageUnavailable):
    """DynamoDB refused a write for the rate at which its item is written (one item takes
    at most 1,000 write units a second). For a click it means the link is hot
    (domain/hot_links.py); anywhere else it is StorageUnavailable like any other."""


class AliasTaken(DomainError):
    """Someone already has this alias (or had it: deleted aliases are never handed out again)."""

    def __init__(self, alias: str) -> None:
        super().__init__(f"alias {alias!r} is taken")
        self.alias = alias


class LinkGone(DomainError):
    """The link existed but no longer redirects: it expired, was deleted or disabled, or
    its host is blocked."""

    def __init__(self, short_id: str, why: str) -> None:
        super().__init__(f"link {short_id!r} {why}")
        self.short_id = short_id
        self.why = why

    @property
    def reason(self) -> str:
        """`why` as one word for programs: deleted, expired, disabled, blocked."""
        return _GONE_REASONS.get(self.why, "unavailable")


_GONE_REASONS = {
    "was deleted": "deleted",
    "has expired": "expired",
    "was disabled for abuse": "disabled",
    "points to a blocked host": "blocked",
}


class NotAuthenticated(DomainError):
    """Managing a link needs its management token, and none was given."""


class NotAuthorized(DomainError):
    """The management token given is not this link's."""

    def __init__(self) -> None:
        super().__init__("this token does not manage this link")


class NotOwner(NotAuthorized):
    """The API key given is valid, but its owner does not own this link."""

    def __init__(self) -> None:
        DomainError.__init__(self, "this API key's owner does not own this link")


class RateLimited(DomainError):
    """This client (its address, or one of its IPv6 networks) created as many links as
    its limit allows in the rolling window (domain/rate_limits.py)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many links created; retry in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class CreationCeilingReached(DomainError):
    """The whole service, all clients together, created as many links as its ceiling
    allows per minute: no fault of this client's, and a sign of a flood operators hear of."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"the service's creation ceiling is reached; retry in {retry_after_seconds} s"
        )
        self.retry_after_seconds = retry_after_seconds
