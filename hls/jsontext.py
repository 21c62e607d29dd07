"""JSON typed into a form (a method's steps, a signifier set), read strictly.

Python's `json.loads` accepts what JSON does not (`NaN`, `Infinity`, which PostgreSQL's jsonb
then refuses when the value is saved) and fails with errors other than `JSONDecodeError` on
some input (an integer of more than 4,300 digits; nesting deep enough to exhaust the stack).
`loads` turns every one of these into a `JsonTextError` with a message for the person, so a
form shows it beside the field instead of failing with a server error."""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from django.utils.translation import gettext as _

MAX_DEPTH = 100  # far beyond any definition; keeps the parser well inside Python's stack


class JsonTextError(ValueError):
    """Why the text is not JSON we take; `line` is known for syntax errors only."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def _no_constant(name: str) -> NoReturn:
    raise JsonTextError(
        _("%(name)s is not a number JSON allows: write a number or a text.") % {"name": name}
    )


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JsonTextError(
            _("%(number)s is too large a number: write a smaller one.") % {"number": text}
        )
    return number


def _depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (an upper bound is enough)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(text: str) -> Any:
    """The JSON value of `text`, or JsonTextError."""
    if _depth(text) > MAX_DEPTH:
        raise JsonTextError(
            _("This is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
        )
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise JsonTextError(
            _("This is not JSON (line %(line)d, column %(col)d): %(msg)s.")
            % {"line": error.lineno, "col": error.colno, "msg": error.msg},
            line=error.lineno,
        ) from None
    except JsonTextError:
        raise
    except (ValueError, RecursionError):  # an integer of more than 4,300 digits
        raise JsonTextError(_("A number in it is too long to read: write a shorter one.")) from None
