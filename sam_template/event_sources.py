"""The template's DynamoDB stream event sources: each function's `Type: DynamoDB` events,
as the event source mappings SAM creates for them (one AWS::Lambda::EventSourceMapping
each, with these properties).

Defaults and limits are Lambda's, from its parameter table for DynamoDB Streams
(https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html) and
CreateEventSourceMapping's reference. A setting Lambda would refuse, or a stream that is
not a table of this template's, is a TemplateProblem: the mapping is skipped and the
devserver says why, as it does for what else cannot run locally.
devserver.stream_pollers runs them the way Lambda does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sam_template.document import resources_of_type
from sam_template.functions import LambdaFunction, TemplateProblem
from sam_template.intrinsics import NO_VALUE, Resolver, UnresolvableError
from sam_template.tables import TABLE_TYPE

EVENT_TYPE = "DynamoDB"
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
# AT_TIMESTAMP is for Kinesis, MSK and Kafka only.
STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST")


_USED_PROPERTIES = (
    "Stream",
    "StartingPosition",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "TumblingWindowInSeconds",
    "FunctionResponseTypes",
    "FilterCriteria",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "ParallelizationFactor",
    "Enabled",
)


class _InvalidSetting(ValueError):
    """A property CreateEventSourceMapping would refuse."""


@dataclass(frozen=True)
class StreamEventSource:
    """One DynamoDB event source mapping: which function reads which table's stream, how."""

    function_id: str
    event_name: str
    table_id: str  # the logical id of the table whose stream it reads
    table_name: str
    starting_position: str  # TRIM_HORIZON or LATEST
    batch_size: int = 100
    maximum_batching_window_s: int = 0
    # 0: no tumbling windows (the function gets plain batches and needs no state).
    tumbling_window_s: int = 0
    report_batch_item_failures: bool = False
    # FilterCriteria's patterns, each as its JSON text: a record goes to the function if it
    # matches any of them (none: every record goes).
    filter_patterns: tuple[str, ...] = ()
    maximum_retry_attempts: int = -1  # -1: until it succeeds or the record expires
    maximum_record_age_s: int = -1  # -1: no limit
    bisect_batch_on_function_error: bool = False
    parallelization_factor: int = 1
    enabled: bool = True

    @property
    def where(self) -> str:
        return f"{self.function_id}.Events.{self.event_name}"


def stream_event_sources(
    template: dict[str, Any], functions: list[LambdaFunction], resolver: Resolver
) -> tuple[list[StreamEventSource], list[TemplateProblem]]:
    """The DynamoDB events of the given functions (those that run locally)."""
    sources: list[StreamEventSource] = []
    problems: list[TemplateProblem] = []
    resources = template["Resources"]
    for function in functions:
        events = (resources[function.logical_id].get("Properties") or {}).get("Events") or {}
        for event_name, event in events.items():
            if event.get("Type") != EVENT_TYPE:
                continue
            where = f"{function.logical_id}.Events.{event_name}"
            try:
                sources.append(
                    _event_source(template, function.logical_id, event_name, event, resolver)
                )
            except (_InvalidSetting, UnresolvableError) as exc:
                problems.append(TemplateProblem(where, f"skipped: {exc}"))
    return sources, problems


def _event_source(
    template: dict[str, Any],
    function_id: str,
    event_name: str,
    event: dict[str, Any],
    resolver: Resolver,
) -> StreamEventSource:
    # Each property resolved on its own: one this runner does not use (a DestinationConfig
    # naming a queue only a deployed stack has) must not take the others with it.
    raw = event.get("Properties") or {}
    properties = {
        name: resolved
        for name in _USED_PROPERTIES
        if name in raw and (resolved := resolver.resolve(raw[name])) is not NO_VALUE
    }
    table_id = _table_of_stream(template, properties.get("Stream"), resolver)
    starting_position = properties.get("StartingPosition")
    if starting_position not in STARTING_POSITIONS:
        raise _InvalidSetting(
            f"StartingPosition must be one of {', '.join(STARTING_POSITIONS)}, "
            f"not {starting_position!r}"
        )
    response_types = properties.get("FunctionResponseTypes") or []
    if not isinstance(response_types, list) or set(response_types) - {REPORT_BATCH_ITEM_FAILURES}:
        raise _InvalidSetting(
            f"FunctionResponseTypes {response_types!r}: only {REPORT_BATCH_ITEM_FAILURES} exists"
        )
    maximum_record_age_s = _integer(properties, "MaximumRecordAgeInSeconds", -1, -1, 604_800)
    if 0 <= maximum_record_age_s < 60:
        raise _InvalidSetting("MaximumRecordAgeInSeconds must be -1 or 60 to 604800")
    return StreamEventSource(
        function_id=function_id,
        event_name=event_name,
        table_id=table_id,
        table_name=resolver.physical_name(table_id),
        starting_position=starting_position,
        batch_size=_integer(properties, "BatchSize", 100, 1, 10_000),
        maximum_batching_window_s=_integer(properties, "MaximumBatchingWindowInSeconds", 0, 0, 300),
        tumbling_window_s=_integer(properties, "TumblingWindowInSeconds", 0, 0, 900),
        report_batch_item_failures=REPORT_BATCH_ITEM_FAILURES in response_types,
        filter_patterns=_filter_patterns(properties.get("FilterCriteria")),
        maximum_retry_attempts=_integer(properties, "MaximumRetryAttempts", -1, -1, 10_000),
        maximum_record_age_s=maximum_record_age_s,
        bisect_batch_on_function_error=_boolean(properties, "BisectBatchOnFunctionError", False),
        parallelization_factor=_integer(properties, "ParallelizationFactor", 1, 1, 10),
        enabled=_boolean(properties, "Enabled", True),
    )


def _table_of_stream(template: dict[str, Any], stream: Any, resolver: Resolver) -> str:
    """The logical id of the table whose StreamArn the (resolved) Stream property is.

    Compared after resolving, so `!GetAtt LinksTable.StreamArn`, `!Sub
    "${LinksTable.StreamArn}"` and the like all name the table alike.
    """
    if not isinstance(stream, str):
        raise _InvalidSetting(f"Stream must be a stream ARN, not {stream!r}")
    for table_id, table in resources_of_type(template, TABLE_TYPE).items():
        if (
            not resolver.resource_enabled(table_id)
            or resolver.get_att(table_id, "StreamArn") != stream
        ):
            continue
        specification = (table.get("Properties") or {}).get("StreamSpecification") or {}
        if not isinstance(specification, dict) or "StreamViewType" not in specification:
            raise _InvalidSetting(
                f"{table_id} has no StreamSpecification: it has no stream to read"
            )
        return table_id
    raise _InvalidSetting(
        f"Stream {stream} is not the StreamArn of a table in this template: only those run locally"
    )


def _filter_patterns(criteria: Any) -> tuple[str, ...]:
    if criteria is None:
        return ()
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    if not isinstance(filters, list):
        raise _InvalidSetting("FilterCriteria must have a list of Filters")
    patterns: list[str] = []
    for filter_ in filters:
        pattern = filter_.get("Pattern") if isinstance(filter_, dict) else None
        if not isinstance(pattern, str):
            raise _InvalidSetting(f"each filter needs a Pattern string, not {filter_!r}")
        try:
            parsed = json.loads(pattern)
        except ValueError as exc:
            raise _InvalidSetting(f"filter pattern {pattern!r} is not JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise _InvalidSetting(f"filter pattern {pattern!r} must be a JSON object")
        patterns.append(pattern)
    return tuple(patterns)


def _integer(properties: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = properties.get(name, default)
    try:
        number = int(value)  # a Number parameter resolves to its text, e.g. "60"
    except (TypeError, ValueError):
        raise _InvalidSetting(f"{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise _InvalidSetting(f"{name} must be {low} to {high}, not {number}")
    return number


def _boolean(properties: dict[str, Any], name: str, default: bool) -> bool:
    value = properties.get(name, default)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise _InvalidSetting(f"{name} must be true or false, not {value!r}")
