"""Reading an uploaded CSV strictly: UTF-8 (with or without a byte-order mark) only, a header
row with distinct, non-blank column names, and each data row with its line number.

Every error is a `ValidationError` on the field "file" with a code, listed in
docs/import-export.md, so the upload form shows it beside the file input."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A leading apostrophe that our export adds before =, +, -, @ (so spreadsheets do not run the
# cell as a formula) is taken off again on import.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    line: int  # the line of the file where the row starts (the header is line 1)
    values: list[str]


@dataclass(frozen=True)
class ParsedCsv:
    encoding: str
    header: list[str]
    rows: list[Row]


def _error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding ("utf-8" or "utf-8-sig"); anything else is refused."""
    if not data:
        raise _error(_("The file is empty: it has no header row and no rows."), "empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _error(
            _(
                "This file is UTF-16 (it starts with a UTF-16 byte-order mark). Save it again as "
                "“CSV UTF-8” and upload that."
            ),
            "encoding",
        )
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        offset = error.start + (len(codecs.BOM_UTF8) if bom else 0)
        line = data[:offset].count(b"\n") + 1
        raise _error(
            _(
                "This file is not UTF-8: byte %(offset)s (0x%(byte)02X, on line %(line)s) is not "
                "valid UTF-8. It was probably saved as Latin-1 or Windows-1252. Save it again as "
                "“CSV UTF-8” and upload that."
            )
            % {"offset": f"{offset:,}", "byte": data[offset], "line": line},
            "encoding",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _error(
            _("Line %(line)s holds a NUL character: this is not a text CSV file.") % {"line": line},
            "not_csv",
        )
    return text, "utf-8-sig" if bom else "utf-8"


def unescape(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def escape(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def parse(data: bytes) -> ParsedCsv:
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            if header is None:
                header = [name.strip() for name in values]
                _check_header(header)
                continue
            if not any(value.strip() for value in values):
                continue  # a blank line
            rows.append(Row(line=start, values=[unescape(v) for v in values]))
            if len(rows) > MAX_ROWS:
                raise _error(
                    _("The file has more than %(max)s rows. Split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"},
                    "too_many_rows",
                )
    except csv.Error as error:
        raise _error(
            _("Line %(line)s cannot be read as CSV (%(problem)s).")
            % {"line": reader.line_num, "problem": str(error)},
            "not_csv",
        ) from None
    if header is None:
        raise _error(_("The file is empty: it has no header row and no rows."), "empty")
    if not rows:
        raise _error(_("The file has a header row but no rows to import."), "no_rows")
    return ParsedCsv(encoding=encoding, header=header, rows=rows)


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise _error(
            _("Line 1 must be the header row: the names of the columns. It is blank."),
            "no_header",
        )
    blank = [str(i + 1) for i, name in enumerate(header) if not name]
    if blank:
        raise _error(
            _("The header row has no name for column %(columns)s. Name every column.")
            % {"columns": ", ".join(blank)},
            "blank_column_name",
        )
    seen: set[str] = set()
    for name in header:
        if name.casefold() in seen:
            raise _error(
                _("The header row names the column “%(name)s” twice. Column names must differ.")
                % {"name": name},
                "duplicate_column_name",
            )
        seen.add(name.casefold())
