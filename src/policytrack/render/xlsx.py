"""Workbooks (xlsx) for spreadsheets: typed cells, one sheet per framework or report table, and a sheet
that describes every column. Written by xlsxwriter in its constant-memory mode, which streams each row to
disk as it comes, so memory does not grow with the rows. xlsxwriter is imported here only, and this module
only when xlsx is asked for.

The cell rules, stated once:
- numbers are numbers, true/false are booleans, nothing (None) is an empty cell;
- text is always a text cell (write_string): a spreadsheet never runs it as a formula, so unlike CSV no
  apostrophe is put before text that starts with = + - @;
- a list (tags, actors) is one text cell, its items joined with "; " as in CSV;
- dates are text cells in ISO 8601 at the precision they were recorded with (2024, 2024-07, 2024-07-06),
  never turned into a day the evidence did not name; a date_precision column, where there is one, says
  which, and ISO text sorts and filters in date order;
- a text longer than a cell can hold (32,767 characters) is refused, naming the row and column, rather
  than cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _, number
from policytrack.core.storable import MAX_CELL_TEXT, utf16_length
from policytrack.records.columns import LIST_SEPARATOR
from policytrack.records.field import Kind

MAX_WIDTH = 60  # the widest a column is made, in characters; longer text is still all there
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

COLUMNS_SHEET = "columns"


def dates_note() -> str:
    """What the columns sheet says of dates, in the chosen language."""
    return _(
        "Dates are text in ISO 8601 at the precision they were recorded with (2024, 2024-07, 2024-07-06), "
        "never a made-up day; date_precision says which. As text they sort and filter in date order."
    )


def _kind_label(kind: str) -> str:
    """A kind of cell (what `_kind` returns, or `empty`) as the columns sheet names it to people."""
    return {
        "true/false": _("true/false"),
        "number": _("number"),
        "list (text, items joined with '; ')": _("list (text, items joined with '; ')"),
        "text": _("text"),
        "empty": _("empty"),
    }[kind]


@dataclass
class Sheet:
    """One sheet: its name, the kind of record its rows are (its fields are the columns, in order, and
    their descriptions what the columns sheet says each means), and its rows (records of that kind)."""

    name: str
    kind: Kind
    records: Iterable[Mapping[str, Any]]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.kind.names()


def sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts (at most 31 characters, none of []:*?/\\, not empty, unique in any case)."""
    base = SHEET_NAME.sub("_", name).strip("'")[:31] or "sheet"
    candidate, n = base, 1
    while candidate.lower() in taken or candidate.lower() == COLUMNS_SHEET:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list | tuple):
        return "list (text, items joined with '; ')"
    return "text"


def write_workbook(out: IO[bytes], sheets: Iterable[Sheet], *, created: datetime | None = None) -> None:
    """Write the sheets to `out` as one xlsx workbook, and a last sheet describing every column. The
    workbook's creation time is `created` (default now): a fixed one gives the same bytes for the same
    sheets (xlsxwriter dates every part of the zip 1980-01-01)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    if created is not None:
        book.set_properties({"created": created})
    header = book.add_format({"bold": True, "bottom": 1})
    described: list[tuple[str, str, str, str]] = []
    taken: set[str] = set()
    try:
        for sheet in sheets:
            name = sheet_name(sheet.name, taken)
            kinds = _write_sheet(book.add_worksheet(name), header, sheet, name)
            for column in sheet.fields:
                kind = _(" or ").join(_kind_label(k) for k in sorted(kinds.get(column, {"empty"})))
                described.append((name, column, kind, _(sheet.kind[column].description)))
        columns = book.add_worksheet(COLUMNS_SHEET)
        columns.freeze_panes(1, 0)
        for col, (title, width) in enumerate(
            ((_("sheet"), 24), (_("column"), 22), (_("cells"), 16), (_("meaning"), MAX_WIDTH + 20))
        ):
            columns.set_column(col, col, width)
            columns.write_string(0, col, title, header)
        for row, values in enumerate(described, start=1):
            for col, text in enumerate(values):
                columns.write_string(row, col, text)
        columns.write_string(len(described) + 2, 0, _("dates"))
        columns.write_string(len(described) + 2, 3, dates_note())

        columns.autofilter(0, 0, max(len(described), 1), 3)
    finally:
        book.close()


def _write_sheet(ws: Any, header: Any, sheet: Sheet, name: str) -> dict[str, set[str]]:
    """Stream the sheet's records into `ws`; return the kinds of cell each column held."""
    fields = list(sheet.fields)
    widths = [max(8, len(f) + 2) for f in fields]
    kinds: dict[str, set[str]] = {}
    ws.freeze_panes(1, 0)
    for col, title in enumerate(fields):
        ws.write_string(0, col, title, header)
    row = 0
    for row, record in enumerate(sheet.records, start=1):
        for col, column in enumerate(fields):
            value = record.get(column)
            if value is None:
                continue
            kinds.setdefault(column, set()).add(_kind(value))
            if isinstance(value, bool):
                ws.write_boolean(row, col, value)
                continue
            if isinstance(value, int | float):
                ws.write_number(row, col, value)
                widths[col] = max(widths[col], len(str(value)) + 2)
                continue
            text = LIST_SEPARATOR.join(value) if isinstance(value, list | tuple) else str(value)
            if len(text) > MAX_CELL_TEXT // 2 and utf16_length(text) > MAX_CELL_TEXT:
                which = (
                    _("entry {id}").format(id=record["id"])
                    if "id" in record and "summary" in record
                    else _("row {row}").format(row=row)
                )
                raise InputError(
                    _(
                        "{which} of sheet {name!r}: its {column} is {text} UTF-16 units, over the "
                        "{max_cell_text} a spreadsheet cell holds, and would be cut; shorten it "
                        "(`policytrack edit`) or use --format csv or json, which keep it all"
                    ).format(
                        which=which,
                        name=name,
                        column=column,
                        text=number(utf16_length(text)),
                        max_cell_text=number(MAX_CELL_TEXT),
                    )
                )
            ws.write_string(row, col, text)
            widths[col] = min(MAX_WIDTH, max(widths[col], len(text) + 2))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    if fields:
        ws.autofilter(0, 0, max(row, 1), len(fields) - 1)
    return kinds
