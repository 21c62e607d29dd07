"""Cells for CSV files people open in a spreadsheet: a value starting with =, +, -, @ (or a tab
or carriage return) gets a leading apostrophe, so the spreadsheet shows it rather than running
it as a formula (OWASP "CSV injection"). dataio's import takes the apostrophe off again."""

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
