"""POST /links/import on ShortenFunction: up to 1,000 links for an API key's owner, as JSON
or CSV, each row created on its own (domain/link_import.py).

Rows are created a few at a time, in threads: each is two DynamoDB requests (the key's
rate counter, then the link with its listing entry), so a thousand one after another
would outlast the function. With an Idempotency-Key, a repeat of the same import
within the hour answers what the first did and creates nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from domain.api_keys import ApiKey, Scope
from domain.errors import InvalidInput
from domain.link_import import ImportRow, RowOutcome, import_rows, rows_from_csv, rows_from_json
from domain.rate_limits import key_client
from domain.shortening import Creator, LinkRequest, ShortenedLink
from domain.target_rules import TargetRules
from handlers import wiring
from handlers.api_requests import base_url, target_rules
from handlers.callers import require_api_key
from handlers.idempotent_creation import (
    IDEMPOTENCY_KEY_PATTERN,
    creation_idempotency,
    shorten_counted,
)
from handlers.request_body import CSV_MEDIA_TYPE, check_readable_body, parse_json_body
from handlers.responses import JSON, NO_STORE, proxy_response

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(child=True)

# 1,000 rows of up to 2 KB of URL each, with room for titles and tags.
MAX_IMPORT_BYTES = 4 * 1024 * 1024
# Rows created at once: enough to finish 1,000 in a few seconds, few enough that one
# import cannot crowd out the table's other writers.
_WORKERS = 8


def answer_import(event: dict[str, Any], lambda_context: LambdaContext | None) -> dict[str, Any]:
    key = require_api_key(event, Scope.LINKS_WRITE)
    check_readable_body(event, max_bytes=MAX_IMPORT_BYTES, also=CSV_MEDIA_TYPE)
    headers: dict[str, str] = event.get("headers") or {}
    text = _body_text(event)
    media_type = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    settings = wiring.settings()
    rules = target_rules(event, settings)
    answer = {"media": media_type, "body": text}
    idempotency_key = headers.get("idempotency-key")
    if idempotency_key is None:
        results = _import(answer, key, rules, base_url(event, settings))
    else:
        if not IDEMPOTENCY_KEY_PATTERN.fullmatch(idempotency_key):
            raise InvalidInput("Idempotency-Key", "must be 16 to 255 visible ASCII characters")
        # The same records as POST /shorten's: by client (here the key) and Idempotency-Key.
        config = creation_idempotency()
        if lambda_context is not None:
            config.register_lambda_context(lambda_context)
        once = wiring.idempotent(_import_once, config)
        results = once(
            payload={
                "client": key_client(key.key_id),
                "idempotencyKey": idempotency_key,
                "request": answer,
            },
            key=key,
            rules=rules,
            base=base_url(event, settings),
        )
    return proxy_response(200, json.dumps(results), {"Content-Type": JSON, **NO_STORE})


def _import_once(
    payload: dict[str, Any], *, key: ApiKey, rules: TargetRules, base: str
) -> dict[str, Any]:
    return _import(payload["request"], key, rules, base)


def _import(request: dict[str, str], key: ApiKey, rules: TargetRules, base: str) -> dict[str, Any]:
    rows = _rows(request["media"], request["body"])
    creator = Creator(key_client(key.key_id), owner=key.owner, address_class="api-key")

    def create(link: LinkRequest) -> ShortenedLink:
        return shorten_counted(link, creator, rules)

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:

        def side_by_side(
            attempt: Callable[[ImportRow], RowOutcome], rows: list[ImportRow]
        ) -> Iterator[RowOutcome]:
            # Each row runs in a copy of this request's context, made here in the
            # request's thread: the deadline of calls_end_within, the logger's keys.
            tasks = [(copy_context(), row) for row in rows]
            return pool.map(lambda task: task[0].run(attempt, task[1]), tasks)

        outcomes = import_rows(rows, create, side_by_side)
    created = sum(outcome.status == 201 for outcome in outcomes)
    logger.info("Links imported", extra={"rows": len(outcomes), "linksCreated": created})
    return {
        "created": created,
        "refused": len(outcomes) - created,
        "results": [_result(outcome, base) for outcome in outcomes],
    }


def _rows(media_type: str, text: str) -> list[ImportRow]:
    if media_type == CSV_MEDIA_TYPE:
        return rows_from_csv(text)
    try:
        body = parse_json_body(text) if text else None
    except json.JSONDecodeError as exc:
        raise InvalidInput("body", f"is not JSON: {exc.msg}") from exc
    return rows_from_json(body)


def _result(outcome: RowOutcome, base: str) -> dict[str, Any]:
    result: dict[str, Any] = {"row": outcome.number, "status": outcome.status}
    if outcome.created is not None:
        link = outcome.created.link
        result |= {"shortId": link.short_id, "shortUrl": f"{base}/{link.short_id}"}
    if outcome.problems:
        result["errors"] = [{"field": f, "reason": r} for f, r in outcome.problems]
    return result


def _body_text(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):  # check_readable_body checked it decodes
        return base64.b64decode(body).decode("utf-8")
    return str(body)
