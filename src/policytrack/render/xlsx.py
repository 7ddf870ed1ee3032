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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from policytrack.core.errors import InputError
from policytrack.records.columns import LIST_SEPARATOR

MAX_CELL_TEXT = 32_767  # characters in one cell, Excel's limit
MAX_WIDTH = 60  # the widest a column is made, in characters; longer text is still all there
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

COLUMNS_SHEET = "columns"
DATES_NOTE = (
    "Dates are text in ISO 8601 at the precision they were recorded with (2024, 2024-07, 2024-07-06), "
    "never a made-up day; date_precision says which. As text they sort and filter in date order."
)


@dataclass
class Sheet:
    """One sheet: its name, its columns (`fields`, in order), its rows (records holding those fields),
    and what each column means (for the columns sheet)."""

    name: str
    fields: Sequence[str]
    records: Iterable[Mapping[str, Any]]
    notes: Mapping[str, str] = field(default_factory=dict)


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
                kind = " or ".join(sorted(kinds.get(column, {"empty"})))
                described.append((name, column, kind, sheet.notes.get(column, "")))
        columns = book.add_worksheet(COLUMNS_SHEET)
        columns.freeze_panes(1, 0)
        for col, (title, width) in enumerate(
            (("sheet", 24), ("column", 22), ("cells", 16), ("meaning", MAX_WIDTH + 20))
        ):
            columns.set_column(col, col, width)
            columns.write_string(0, col, title, header)
        for row, values in enumerate(described, start=1):
            for col, text in enumerate(values):
                columns.write_string(row, col, text)
        columns.write_string(len(described) + 2, 0, "dates")
        columns.write_string(len(described) + 2, 3, DATES_NOTE)
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
            if len(text) > MAX_CELL_TEXT:
                raise InputError(
                    f"row {row} of sheet {name!r}: its {column} is {len(text):,} characters, over the "
                    f"{MAX_CELL_TEXT:,} a spreadsheet cell holds; use --format csv or json, which keep it all"
                )
            ws.write_string(row, col, text)
            widths[col] = min(MAX_WIDTH, max(widths[col], len(text) + 2))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    if fields:
        ws.autofilter(0, 0, max(row, 1), len(fields) - 1)
    return kinds


# What each column means, for the columns sheet: by field name, as the records of every command name them.
# Where a name means something else in a report (status), the report's own notes say so (REPORT_NOTES).
NOTES: dict[str, str] = {
    "id": "The entry's short id on this database (what show, edit and delete take).",
    "uuid": "The entry's stable id across databases (what import matches on).",
    "framework": "The framework (set of recommendations or risks) the row belongs to.",
    "indicator": "The indicator's key.",
    "indicator_title": "The indicator's title.",
    "date": "When it happened: ISO text at its precision (see dates below).",
    "date_precision": "day, month or year: how precise the date is.",
    "summary": "What happened, in a sentence.",
    "note": "A longer note.",
    "source": "URL or citation of the evidence.",
    "effect": "Effect on the indicator, -2 (strongly hinders) to +2 (strongly advances); 0 is context. "
    "For a risk, +2 means the risk strongly grows.",
    "status": "The status level this entry assesses the indicator at (empty: none).",
    "grade": "Admiralty code: source reliability A-F then information credibility 1-6.",
    "tags": "Tags, joined with '; '.",
    "actors": "Actors involved, joined with '; '.",
    "source_key": "The key of the registered source the evidence comes from (empty: none registered).",
    "via": "The key of the registered outlet it came through (empty: none).",
    "event": "The event it is part of: the entries of one event, logged against several indicators at "
    "once, share it (empty: none).",
    "signals": "The keys of the indicator's signals (signposts) it observes, joined with '; '.",
    "analyst": "Who logged it.",
    "reviewed_by": "Who reviewed it (empty: not reviewed).",
    "reviewed_at": "When it was reviewed (UTC; empty: not reviewed).",
    "revision": "How many times the entry was written (1: never edited).",
    "recorded_at": "When it was first recorded (UTC).",
    "deleted": "Whether the entry is deleted (a tombstone).",
    "deleted_at": "When the entry was deleted (UTC; empty: it is current).",
    "action": "What made this revision: create, edit, delete, restore or import.",
    "changed_by": "Who made the revision.",
    "changed_at": "When the revision was made (UTC).",
    "cumulative_momentum": "The sum of effects from the start of the window up to this entry.",
    "status_change": "'old -> new' when this entry's assessment changes the status.",
    "number": "The indicator's number in the framework.",
    "key": "The indicator's key.",
    "title": "The title.",
    "kind": "recommendation, or risk (a watch item: higher is worse).",
    "status_percent": "The status as a percentage of the framework's scale.",
    "status_date": "The date of the assessment the status comes from (empty: the baseline).",
    "evidence": "How many current entries the indicator has.",
    "last_evidence": "The date of the latest evidence (empty: none).",
    "level": "The status level the target is to reach.",
    "from": "When the target starts to count.",
    "due": "When the target is due.",
    "set_by": "Who set it.",
    "set_at": "When it was set (UTC).",
    "name": "The framework's name (what --framework takes).",
    "indicators": "How many indicators the framework has.",
    "entries": "How many entries.",
    "version": "The framework file's version.",
    "loaded_at": "When the framework was loaded (UTC).",
    "default": "Whether it is the default framework.",
}
REPORT_NOTES: dict[str, str] = {
    **NOTES,
    "status": "The latest assessment on or before the as-of date, else the baseline.",
    "target": "The status level the indicator's current target is to reach (empty: no target).",
    "target_percent": "The target's level as a percentage.",
    "target_due": "When the target is due.",
    "track": "Against the target: met, on track, off track, overdue or no target.",
    "expected_percent": "Where a straight line from the target's start to its due date stands today.",
    "entries": "Entries in the evidence window.",
    "advancing": "Entries with a positive effect.",
    "hindering": "Entries with a negative effect.",
    "context": "Entries with effect 0.",
    "momentum": "The sum of the effects in the window.",
    "weighted_momentum": "The sum of the effects, each weighted by its grade.",
    "sources": "How many distinct sources the window's entries cite.",
    "days_since_evidence": "Days from the latest evidence to the as-of date.",
    "stale": "Whether the indicator has had no evidence for longer than the stale limit.",
    "as_of": "The date the report is as of.",
    "since": "The start of the evidence window (empty: the first entry).",
    "until": "The end of the evidence window.",
    "period": "The period (month, quarter or year).",
    "period_start": "The period's first day.",
    "period_end": "The period's last day.",
    "single_source": "Whether the window's evidence rests on one source only.",
    "official_share": "The share of the window's entries whose registered source is official (0 to 1).",
    "source_types": "The independent sources by type (official, media, ...; free text), joined with '; '.",
    "analysts": "How many analysts assessed the indicator in the window.",
    "consensus": "The median of the analysts' latest assessments in the window (the lower middle one).",
    "spread": "How many levels lie between the lowest and the highest assessment (0: agreed).",
    "contested": "Whether the analysts' latest assessments in the window differ.",
}
# --by-analyst: one row per indicator and analyst.
ANALYST_NOTES: dict[str, str] = {
    **REPORT_NOTES,
    "analyst": "The analyst (empty: nobody assessed the indicator in the window).",
    "status": "The analyst's latest assessment in the window.",
    "date": "The date of that assessment.",
}
# `signposts`: one row per signal of an indicator.
SIGNPOST_NOTES: dict[str, str] = {
    **NOTES,
    "signal": "The signal's key within its indicator.",
    "direction": "progress or regression: what the signal, observed, says of the indicator.",
    "kind": "leading (comes before the change) or confirming (shows it happened); empty: not said.",
    "text": "What the signal is.",
    "state": "observed (entries report it in the window) or awaited.",
    "first": "The date of the first entry that observes it (empty: awaited).",
    "last": "The date of the latest entry that observes it (empty: awaited).",
    "entries": "The ids of the entries that observe it, joined with '; '.",
    "sources": "The distinct sources those entries cite, joined with '; '.",
}
# `forecasts` and `export forecasts`: one row per forecast; `forecasts --score`: one per analyst and band.
FORECAST_NOTES: dict[str, str] = {
    **NOTES,
    "id": "The forecast's short id on this database (what withdraw takes).",
    "uuid": "The forecast's stable id across databases (what import --forecasts matches on).",
    "level": "The status level forecast to be reached (or passed) by the due date.",
    "due": "When the level is to be reached by.",
    "likelihood": "The forecast's likelihood, in whole percent.",
    "confidence": "The analyst's confidence in the judgement (empty: not said).",
    "note": "Why.",
    "analyst": "Who made the forecast.",
    "made_on": "When the forecast was made.",
    "recorded_at": "When it was recorded (UTC).",
    "withdrawn_at": "When it was withdrawn (UTC; empty: it stands).",
    "withdrawn_by": "Who withdrew it (empty: it stands).",
    "band": "The likelihood's band in words (ICD 203).",
    "outcome": "open, yes, no or withdrawn: what the status history says of it as of today.",
    "table": "analyst, overall or band: which table of the score the row belongs to.",
    "name": "The analyst, all analysts, or the band.",
    "forecasts": "How many resolved forecasts the row scores.",
    "brier": "The mean Brier score (0 is perfect, 1 the worst).",
    "mean_likelihood": "The band's mean forecast likelihood (0 to 1).",
    "happened": "The share of the band's forecasts that came true (0 to 1).",
}
