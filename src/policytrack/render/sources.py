"""Rendering the source registry: the list with its grade patterns, one source, and suggestions.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from policytrack.core.i18n import _, ngettext, number
from policytrack.records.models import Entry, SourceRecord, plural
from policytrack.render.text import literal

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from policytrack.domain.source_listing import GradePattern, SourceListing


def _share(pattern: GradePattern) -> str:
    share = pattern.share
    return (
        "-" if share is None else _("{share} of {graded}").format(share=f"{share:.0%}", graded=pattern.graded)
    )


def source_list_renderables(listing: SourceListing) -> list[Table]:
    """The registered sources, then each analyst's grade pattern (share of grades on A1/B2/C3)."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=_("Registered sources"), pad_edge=False)
    table.add_column(_("Key"), no_wrap=True)
    for name in (_("Name"), _("Type"), _("Origin")):
        table.add_column(name, justify="left")
    table.add_column(_("Rel."), no_wrap=True)
    table.add_column(_("Entries"), justify="right", no_wrap=True)
    table.add_column(_("On A1/B2/C3"), justify="left")
    for source, pattern in listing.sources:
        table.add_row(
            literal(source.key),
            literal(source.name),
            source.type,
            literal(source.origin),
            source.reliability or "-",
            str(pattern.entries),
            _share(pattern),
        )
    analysts = Table(
        box=box.SIMPLE_HEAD, title=_("Grades on the A1/B2/C3 diagonal, by analyst"), pad_edge=False
    )
    analysts.add_column(_("Analyst"))
    analysts.add_column(_("On A1/B2/C3"))
    for pattern in listing.analysts:
        analysts.add_row(literal(pattern.who), _share(pattern))
    return [table, analysts]


def source_detail(
    source: SourceRecord, entries: Sequence[Entry], width: int | None = None, total: int | None = None
) -> RenderableType:
    """One source's fields, then its current entries with their grades and indicators (a table at
    `width`, None: rich decides, that names any column it leaves out); `total`, when the entries are
    the newest page of more, how many there are, and a note of how to list them all."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in (
        (_("Name"), source.name),
        ("URL", source.url),
        (_("Type"), source.type),
        (_("Origin"), source.origin),
        (_("Reliability"), source.reliability or ""),
        (_("Note"), source.note),
        ("UUID", source.uuid),
    ):
        grid.add_row(label, literal(value))
    from policytrack.render.entries import entries_table, left_out_note

    panel = Panel(
        grid, title=literal(_("Source {key}").format(key=source.key)), title_align="left", expand=False
    )
    if not entries:
        return Group(panel, literal(_("No entries cite it.")))
    total = len(entries) if total is None else total
    table, dropped = entries_table(
        list(entries), title=plural(total, "entry", "entries"), frameworks=True, width=width
    )
    parts: list[RenderableType] = [panel, table, *([left_out_note(dropped)] if dropped else [])]
    if len(entries) < total:
        parts.append(
            literal(
                ngettext(
                    "Showing the newest {shown} of {total} entry: `{command}` lists them all.",
                    "Showing the newest {shown} of {total} entries: `{command}` lists them all.",
                    total,
                ).format(
                    shown=number(len(entries)),
                    total=number(total),
                    command=f"policytrack list --all-frameworks --source {source.key}",
                ),
                style="yellow",
            )
        )
    return Group(*parts)
