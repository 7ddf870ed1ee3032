"""Rendering entries, their history and the indicators: rich renderables for the terminal.

Functions here return renderables or text; the command decides where to print them.
rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from policytrack.grades import describe_grade
from policytrack.models import Entry, Framework, Revision
from policytrack.render.text import literal
from policytrack.status import IndicatorState

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from policytrack.undo import Reversal


def effect_text(effect: int) -> str:
    return f"+{effect}" if effect > 0 else str(effect)


def _effect_style(effect: int) -> str:
    return "green" if effect > 0 else "red" if effect < 0 else "dim"


def entries_table(entries: Iterable[Entry], title: str | None = None, *, frameworks: bool = False) -> Table:
    """Entries for people; `frameworks` shows each one's framework (a listing across them). A deleted
    entry is marked beside its id."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    rows = list(entries)
    show_tags = any(e.tags for e in rows)
    show_status = any(e.status for e in rows)
    table = Table(
        title=None if title is None else literal(title, style="table.title"),
        box=box.SIMPLE_HEAD,
        expand=False,
        pad_edge=False,
    )
    table.add_column("ID", justify="right", style="bold")
    table.add_column("Date", no_wrap=True)
    if frameworks:
        table.add_column("Framework", no_wrap=True)
    table.add_column("Indicator", no_wrap=True)
    table.add_column("Eff", justify="right")
    table.add_column("Grd")
    if show_status:
        table.add_column("Status", no_wrap=True)
    table.add_column("Summary", ratio=3, min_width=24)
    table.add_column("Source", ratio=1, min_width=10, overflow="fold")
    if show_tags:
        table.add_column("Tags")
    for e in rows:
        cells: list[RenderableType] = [
            Text(str(e.id)) + Text(" deleted", style="red") if e.deleted else str(e.id),
            str(e.date),
            *([literal(e.framework)] if frameworks else []),
            literal(e.indicator),
            Text(effect_text(e.effect), style=_effect_style(e.effect)),
            literal(e.grade or ""),
        ]
        if show_status:
            cells.append(literal(e.status or ""))
        cells += [literal(e.summary), literal(source_text(e))]
        if show_tags:
            cells.append(literal(", ".join(e.tags)))
        table.add_row(*cells)
    return table


def source_text(entry: Entry) -> str:
    """The registered source's key (and the outlet it came via), then the free text."""
    registered = " ".join(p for p in (entry.source_key, f"via {entry.via}" if entry.via else "") if p)
    return f"{registered}: {entry.source}" if registered and entry.source else registered or entry.source


def entry_detail(entry: Entry, linked: Sequence[Entry] = ()) -> RenderableType:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    rows: list[tuple[str, str]] = [
        ("Indicator", f"{entry.indicator} ({entry.indicator_title})"),
        ("Date", f"{entry.date} ({entry.date.precision} precision)"),
        ("Summary", entry.summary),
        ("Effect", effect_text(entry.effect)),
        ("Grade", describe_grade(entry.grade) if entry.grade else ""),
        ("Status", entry.status or ""),
        ("Source", source_text(entry)),
        ("Event", entry.event or ""),
        *(
            [
                (
                    "Same event",
                    "\n".join(
                        f"{e.id}: {e.framework}:{e.indicator} ({effect_text(e.effect)})" for e in linked
                    ),
                )
            ]
            if linked
            else []
        ),
        ("Note", entry.note),
        ("Tags", ", ".join(entry.tags)),
        ("Actors", ", ".join(entry.actors)),
        ("Signals", ", ".join(entry.signals)),
        ("Reviewed", f"by {entry.reviewed_by}, {entry.reviewed_at}" if entry.reviewed_at else "not yet"),
        ("Analyst", entry.analyst),
        ("Framework", entry.framework),
        ("UUID", entry.uuid),
        ("Revision", str(entry.revision)),
        ("Recorded", entry.recorded_at),
    ]
    for label, value in rows:
        grid.add_row(label, literal(value))
    title = Text(f"Entry {entry.id}")
    if entry.deleted:
        title.append(" (deleted)", style="red")
    return Panel(grid, title=title, title_align="left", expand=False)


_HISTORY_FIELDS = (
    "indicator",
    "date",
    "summary",
    "effect",
    "grade",
    "status",
    "source",
    "note",
    "tags",
    "actors",
    "analyst",
    "signals",
    "reviewed_by",
)


def _field_text(entry: Entry, name: str) -> str:
    value = getattr(entry, name)
    if isinstance(value, tuple):
        return ", ".join(value)
    if name == "effect":
        return effect_text(value)
    return "" if value is None else str(value)


def history_table(revisions: Sequence[Revision], notes: dict[int, str] | None = None) -> Table:
    """An entry's revisions; `notes` adds to a revision's action (such as "undo of revision 3")."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(f"History of entry {revisions[0].entry.id}", style="table.title") if revisions else None
    )
    table.add_column("Rev", justify="right")
    table.add_column("Action")
    table.add_column("By")
    table.add_column("When (UTC)", no_wrap=True)
    table.add_column("Changes")
    previous: Entry | None = None
    for rev in revisions:
        if previous is None:
            changes = f"{rev.entry.indicator} {rev.entry.date}: {rev.entry.summary}"
        else:
            lines = []
            for name in _HISTORY_FIELDS:
                old, new = _field_text(previous, name), _field_text(rev.entry, name)
                if old != new:
                    lines.append(f"{name}: {old or '(empty)'} -> {new or '(empty)'}")
            changes = "\n".join(lines)
        when = rev.changed_at[:19].replace("T", " ")
        action = rev.action + (f" ({notes[rev.revision]})" if notes and rev.revision in notes else "")
        table.add_row(str(rev.revision), literal(action), literal(rev.changed_by), when, literal(changes))
        previous = rev.entry
    return table


def reversal_table(plan: Reversal) -> RenderableType:
    """What an undo or a revert will change: a line saying what, then each field before and after."""
    from rich.console import Group
    from rich.table import Table

    table = Table()
    table.add_column("Field")
    table.add_column("Now")
    table.add_column("After")
    rows: list[tuple[str, str, str]] = [(c.name, c.before, c.after) for c in plan.changes]
    if plan.before is not None and plan.after is not None:
        for name in _HISTORY_FIELDS:
            old, new = _field_text(plan.before, name), _field_text(plan.after, name)
            if old != new:
                rows.append((name, old or "(empty)", new or "(empty)"))
        if plan.before.deleted != plan.after.deleted:
            rows.append(("deleted", _yes_no(plan.before.deleted), _yes_no(plan.after.deleted)))
    for name, old, new in rows:
        table.add_row(literal(name), literal(old, style="red"), literal(new, style="green"))
    return Group(literal(f"{plan.command.capitalize()} {plan.title}:", style="bold"), table)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def indicators_table(fw: Framework, states: Sequence[IndicatorState]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(
        title=literal(fw.title, style="table.title"),
        caption=literal(f"Source: {fw.source.citation()}", style="table.caption"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column("Key", style="bold", no_wrap=True)
    table.add_column("Title", min_width=16)
    table.add_column("Status", no_wrap=True)
    table.add_column("As of", no_wrap=True)
    table.add_column("Ev.", justify="right")
    table.add_column("Last ev.", no_wrap=True)
    for s in states:
        table.add_row(
            str(s.indicator.number),
            literal(s.indicator.key),
            literal(s.indicator.title),
            literal(f"{s.status.label} {s.status.percent}%"),
            str(s.status_date) if s.status_date else "baseline",
            str(s.evidence),
            str(s.last_evidence) if s.last_evidence else "-",
        )
    return table


INDICATOR_FIELDS = (
    "number",
    "key",
    "title",
    "kind",
    "status",
    "status_percent",
    "status_date",
    "evidence",
    "last_evidence",
)


def indicator_dicts(states: Sequence[IndicatorState]) -> list[dict[str, Any]]:
    return [
        {
            "number": s.indicator.number,
            "key": s.indicator.key,
            "title": s.indicator.title,
            "kind": s.indicator.kind,
            "status": s.status.name,
            "status_percent": s.status.percent,
            "status_date": str(s.status_date) if s.status_date else None,
            "evidence": s.evidence,
            "last_evidence": str(s.last_evidence) if s.last_evidence else None,
        }
        for s in states
    ]
