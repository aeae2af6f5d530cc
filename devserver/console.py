"""What the devserver's console shows of the functions' own output, unless --verbose.

The functions log as they do in Lambda: one JSON object per line (Powertools' Logger) and
one EMF line per metric flush, which CloudWatch reads and a person does not. By default
the console keeps to one line per request (devserver.server) and, from the functions,
only what asks for attention: a WARNING or worse becomes one readable line naming the
function, and output that is not JSON (a print, a traceback) passes as it is. --verbose
shows every line as the function wrote it.
"""

from __future__ import annotations

import json

# Log levels a person reading the console does not need to see.
_ROUTINE_LEVELS = frozenset({"DEBUG", "INFO"})


def readable(function_id: str, line: str) -> str | None:
    """What the console shows of one line of a function's stdout (None: nothing)."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict):
        return line
    level = str(record.get("level", "")).upper()
    if "_aws" in record or not level or level in _ROUTINE_LEVELS:  # "_aws": an EMF metric
        return None
    shown = f"{function_id} {level}: {record.get('message', '')}\n"
    exception = record.get("exception")
    return shown + f"{exception}\n" if exception else shown
