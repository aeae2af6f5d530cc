"""Creating links idempotently: Powertools' idempotency around shorten_link.

A repeated POST /shorten with the same Idempotency-Key, from the same client, within
an hour answers with the same link and the same management token; the same key with
another body is refused. Records live in the links table (repository/idempotency_store.py)
and keep the token only sealed under the server's secret (domain/management_tokens.py).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from domain.errors import InvalidInput, StorageUnavailable
from domain.host_rules import hostname_of
from domain.management_tokens import seal_token, unseal_token
from domain.shortening import Creator, ShortenedLink, shorten_link
from domain.target_rules import TargetRules
from handlers import wiring
from handlers.api_models import CreatedLink, ShortenRequest
from handlers.observability import LINKS_CREATED, count
from handlers.settings import MisconfiguredError
from repository.idempotency_store import IdempotencyRecordFailed

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(child=True)


# What _create_and_seal made in this request, for when Powertools fails to record it.
_CREATED_IN_THIS_REQUEST: ContextVar[dict[str, Any] | None] = ContextVar(
    "created_in_this_request", default=None
)


@cache
def creation_idempotency() -> IdempotencyConfig:
    # Only for a request with a key (repository/idempotency_store.py says why).
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    # Records are scoped by client and key, so someone else repeating a key (and body)
    # gets a link of their own, never another client's token.
    return IdempotencyConfig(
        event_key_jmespath="[client, idempotencyKey]",
        payload_validation_jmespath="request",
        expires_after_seconds=3600,
        hash_function="sha256",
    )


IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x21-\x7e]{16,255}")


def create_link(
    request: ShortenRequest,
    *,
    idempotency_key: str | None,
    creator: Creator,
    rules: TargetRules,
    base_url: str,
    lambda_context: LambdaContext | None = None,
) -> CreatedLink:
    """The created link (or, for a repeated key, the one created the first time).

    `lambda_context` lets a record of a request that dies with its function expire
    when the function would have timed out, rather than an hour later."""
    if idempotency_key is None:
        shortened = shorten_counted(request.to_domain(), creator, rules)
        return _created(shortened, base_url)
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(idempotency_key):
        raise InvalidInput("Idempotency-Key", "must be 16 to 255 visible ASCII characters")
    secret = wiring.settings().token_sealing_secret
    if not secret:
        raise MisconfiguredError("TOKEN_SEALING_SECRET is not set (template.yaml sets it)")
    outcome = _create_once(
        # Powertools hashes this payload into the record's key and checks `request`
        # against the record on a repeat, so it holds only JSON values.
        payload={
            "client": creator.client,
            "owner": creator.owner,
            "creatorClass": creator.address_class,
            "idempotencyKey": idempotency_key,
            "request": request.model_dump(mode="json"),
        },
        rules=rules,
        base_url=base_url,
        secret=secret,
        lambda_context=lambda_context,
    )
    link = outcome["link"]
    context = _seal_context(idempotency_key, link["shortId"])
    token = unseal_token(outcome["sealedToken"], secret=secret, context=context)
    return CreatedLink.model_validate({**link, "managementToken": token})


def _create_once(lambda_context: LambdaContext | None, **arguments: Any) -> dict[str, Any]:
    """_create_and_seal, once per client and key."""
    config = creation_idempotency()
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    create = wiring.idempotent(_create_and_seal, config)
    created_here = _CREATED_IN_THIS_REQUEST.set(None)
    try:
        return create(**arguments)
    except (StorageUnavailable, IdempotencyRecordFailed):
        if (created := _CREATED_IN_THIS_REQUEST.get()) is not None:
            # The link is stored; only marking the key's record done failed. The client
            # gets its link and token now, rather than an error for a link it could never
            # manage. A repeat of the key is told to wait (409) until the unfinished
            # record expires with this invocation's time, then makes a new link.
            logger.warning("Link created; its idempotency record was not completed")
            return created
        raise
    finally:
        _CREATED_IN_THIS_REQUEST.reset(created_here)


def _create_and_seal(
    payload: dict[str, Any], *, rules: TargetRules, base_url: str, secret: str
) -> dict[str, Any]:
    """What Powertools stores and replays: the link, and its token sealed."""
    request = ShortenRequest.model_validate(payload["request"]).to_domain()
    creator = Creator(payload["client"], payload["owner"], payload["creatorClass"])
    shortened = shorten_counted(request, creator, rules)
    created = _created(shortened, base_url)
    context = _seal_context(payload["idempotencyKey"], created.short_id)
    outcome = {
        "link": created.model_dump(mode="json", by_alias=True, exclude={"management_token"}),
        "sealedToken": seal_token(created.management_token, secret=secret, context=context),
    }
    _CREATED_IN_THIS_REQUEST.set(outcome)
    return outcome


def shorten_counted(request: Any, creator: Creator, rules: TargetRules) -> ShortenedLink:
    """Create the link; counted and logged here, where it really happens (a replay of an
    idempotent request never gets this far). An import's rows come here one by one."""
    settings = wiring.settings()
    shortened = shorten_link(
        request,
        client=creator,
        repository=wiring.link_repository(),
        counter=wiring.creation_counter(),
        rate_limits=settings.creation_rate_limits,
        rules=rules,
    )
    count(LINKS_CREATED)
    # The target's host only: paths and queries can carry personal data or secrets.
    logger.info("Link created", extra={"target_host": hostname_of(shortened.link.url)})
    return shortened


def _created(shortened: ShortenedLink, base_url: str) -> CreatedLink:
    return CreatedLink.from_created(shortened.link, base_url, shortened.management_token)


def _seal_context(idempotency_key: str, short_id: str) -> str:
    return f"{idempotency_key}\x00{short_id}"
