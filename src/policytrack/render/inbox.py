"""The inbox's tables: candidates waiting, one candidate in full, feeds, the agenda, and what a read did.
rich is imported by the functions that build a table: `inbox add` (one line of text) does not load it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import shown_day
from policytrack.core.i18n import _, ngettext, pgettext
from policytrack.render.text import literal

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table


def candidates_table(rows: Sequence[Any], title: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=literal(title, style="table.title"), box=box.SIMPLE_HEAD, pad_edge=False)
    for name, whole in (
        (_("ID"), True),
        (_("Date"), True),
        (_("Dataset"), False),
        (_("Title"), False),
        (_("Suggested"), False),
        (_("Note"), False),
    ):
        table.add_column(name, no_wrap=whole)
    for row in rows:
        hint, notes = _hint_and_notes(row)
        table.add_row(
            str(row["id"]),
            literal(row["date"]),
            literal(row["dataset"]),
            literal(row["title"] or row["summary"]),
            literal(hint),
            literal(notes),
        )
    return table


def _hint_and_notes(row: Any) -> tuple[str, str]:
    suggestions = json.loads(row["suggestions"] or "[]")
    hint = ", ".join(sorted({str(s["indicator"]) for s in suggestions if "indicator" in s}))
    notes = []
    if row["duplicate_of"]:
        notes.append(_("possible duplicate"))
    if row["state"] == "snoozed":
        notes.append(_("snoozed until {date}").format(date=row["snoozed_until"]))
    return hint, "; ".join(notes)


def candidates_plain(rows: Iterable[Any], title: str, id_width: int, dataset_width: int) -> Iterator[str]:
    """The candidates as plain text for a pipe or a file, a line each as they are read (flat memory); the
    widths are known before the rows (render/plain.py), the title last (it is not padded)."""
    from policytrack.render.plain import PlainColumn, cell, plain_lines

    columns = [
        PlainColumn(_("ID"), id_width, right=True),
        PlainColumn(_("Date"), 10),
        PlainColumn(_("Dataset"), dataset_width),
        PlainColumn(_("Suggested"), 12),
        PlainColumn(_("Note"), 18),
        PlainColumn(_("Title")),
    ]

    def cells(row: Any) -> list[str]:
        hint, notes = _hint_and_notes(row)
        title_text = row["title"] or row["summary"]
        return [str(row["id"]), cell(row["date"]), cell(row["dataset"]), cell(hint), notes, cell(title_text)]

    yield cell(title) + "\n\n"
    yield from plain_lines(columns, (cells(r) for r in rows))


def candidate_detail(row: Any, decisions: Sequence[Any], revisions: Sequence[Any]) -> RenderableType:
    from rich.console import Group
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for name in row.keys():  # noqa: SIM118 (sqlite3.Row)
        if name in ("raw", "suggestions"):
            continue
        value = row[name]
        table.add_row(literal(name), literal("" if value is None else str(value)))
    parts: list[RenderableType] = [table]
    suggestions = json.loads(row["suggestions"] or "[]")
    if suggestions:
        parts.append(literal(_("Suggestions (rule: what it suggests):"), style="bold"))
        for s in suggestions:
            what = ", ".join(f"{k}={v}" for k, v in s.items() if k != "rule")
            parts.append(literal(f"  {s['rule']}: {what}"))
    parts.append(literal(_("Raw record:"), style="bold"))
    for key, value in json.loads(row["raw"] or "{}").items():
        parts.append(literal(f"  {key}: {value}"))
    if len(revisions) > 1:
        parts.append(literal(_("Versions read:"), style="bold"))
        for r in revisions:
            parts.append(literal(f"  {r['revision']}: {r['action']} {r['version']} ({r['pulled_at']})"))
    if decisions:
        parts.append(literal(_("Decisions:"), style="bold"))
        for d in decisions:
            extra = d["reason"] or d["until"] or d["entry"] or d["undoes"] or ""
            parts.append(literal(f"  {d['decided_at']} {d['decided_by']}: {d['action']} {extra}".rstrip()))
    if row["changed_since"]:
        parts.append(
            literal(
                _("The dataset changed or withdrew this record on {when}, after the decision.").format(
                    when=row["changed_since"]
                ),
                style="bold red",
            )
        )
    return Group(*parts)


def feeds_table(rows: Sequence[Any]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in (_("Name"), _("Kind"), _("From"), _("Rules"), _("Last pulled")):
        table.add_column(name)
    for row in rows:
        table.add_row(
            literal(row["name"]),
            literal(row["kind"]),
            literal(row["location"]),
            literal(row["rules"]),
            literal(row["pulled_at"] or _("never")),
        )
    return table


def agenda_table(items: Sequence[Any], title: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=literal(title, style="table.title"), box=box.SIMPLE_HEAD, pad_edge=False)
    for name, whole in ((_("Since"), True), (_("What"), False), (_("Ref"), True), (_("Detail"), False)):
        table.add_column(name, no_wrap=whole)
    what = _agenda_words()
    for item in items:
        shown = what.get(item["what"], item["what"])
        table.add_row(_since(item["since"]), literal(shown), literal(item["ref"]), literal(item["shown"]))
    return table


def _since(day: str) -> RenderableType:
    """An item's day (domain.agenda: a stored day, or none) as the language writes a day (core.dates)."""
    try:
        return literal(shown_day(date.fromisoformat(day)))
    except ValueError:
        return literal(day)


def _agenda_words() -> dict[str, str]:
    """What each agenda item is (domain.agenda's `what`, the key data keeps) as people read it."""
    return {
        "candidate": pgettext("what waits", "candidate"),
        "entry": pgettext("what waits", "entry"),
        "indicator": pgettext("what waits", "indicator"),
        "target": pgettext("what waits", "target"),
        "forecast": pgettext("what waits", "forecast"),
        "conflict": pgettext("what waits", "conflict"),
    }


def add_summary(result: Any) -> str:
    """What one read did, in one line."""
    parts = [
        ngettext("{n} new candidate", "{n} new candidates", result.added).format(n=result.added),
        ngettext("{n} revised", "{n} revised", result.revised).format(n=result.revised),
        ngettext("{n} unchanged", "{n} unchanged", result.unchanged).format(n=result.unchanged),
        ngettext("{n} withdrawn", "{n} withdrawn", result.withdrawn).format(n=result.withdrawn),
    ]
    if result.older:
        parts.append(
            ngettext("{n} older version ignored", "{n} older versions ignored", result.older).format(
                n=result.older
            )
        )
    if result.same_url:
        parts.append(
            ngettext(
                "{n} already queued by its URL", "{n} already queued by their URL", result.same_url
            ).format(n=result.same_url)
        )
    if result.possible_duplicates:
        parts.append(
            ngettext("{n} possible duplicate", "{n} possible duplicates", result.possible_duplicates).format(
                n=result.possible_duplicates
            )
        )
    if result.flagged:
        parts.append(
            ngettext(
                "{n} decided candidate changed (see `policytrack agenda`)",
                "{n} decided candidates changed (see `policytrack agenda`)",
                len(result.flagged),
            ).format(n=len(result.flagged))
        )
    return _("{dataset}: {parts}").format(dataset=result.dataset, parts=", ".join(parts))
