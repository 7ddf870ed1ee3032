"""Rendering frameworks: `framework show` (citation, scale, and each indicator in full) and `framework list`.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from policytrack.core.i18n import _
from policytrack.records.models import Framework
from policytrack.render.text import literal

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table


def framework_detail(fw: Framework, versions: list[tuple[int, str]]) -> RenderableType:
    """A framework in full, as given: its texts in the command's language come from
    domain.frameworks.translations.shown_in."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    parts: list[RenderableType] = [
        literal(f"{fw.title} [{fw.name}]", style="bold"),
        literal(_("Source: {citation}").format(citation=fw.source.citation()), style="dim"),
    ]
    if fw.source.note:
        parts.append(literal(fw.source.note, style="dim"))
    if fw.description:
        parts.append(literal(fw.description))
    scale = Table(title=_("Status scale"), title_justify="left")
    for column in (_("Level"), _("Label"), "%", _("Meaning")):
        scale.add_column(column)
    for level in fw.scale:
        mark = _(" (default)") if level.name == fw.default_status else ""
        scale.add_row(
            literal(level.name + mark),
            literal(level.label),
            str(level.percent),
            literal(level.description),
        )
    parts.append(scale)
    for ind in fw.indicators:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        worse = _(" (a higher level is worse news)") if ind.kind == "risk" else ""
        grid.add_row(_("Kind"), literal(ind.kind + worse))
        grid.add_row(_("Description"), literal(ind.description))
        grid.add_row(_("Actors"), literal(", ".join(ind.actors)))
        for direction in ("progress", "regression"):
            listed = [
                f"- {s.key}: {s.text}{f' ({s.kind})' if s.kind else ''}"
                for s in ind.signals
                if s.direction == direction
            ]
            label = _("Progress signals") if direction == "progress" else _("Regression signals")
            grid.add_row(label, literal("\n".join(listed)))
        summary = ind.baseline
        baseline = f"{summary} ({ind.baseline_source})" if ind.baseline_source else summary
        grid.add_row(_("Baseline"), literal(baseline))
        title = literal(f"{ind.number}. {ind.title} [{ind.key}]")
        parts.append(Panel(grid, title=title, title_align="left"))
    if versions:
        loaded = "; ".join(f"v{n} {at[:19].replace('T', ' ')}" for n, at in versions)
        parts.append(Text(_("Versions loaded (UTC): {versions}").format(versions=loaded), style="dim"))
    return Group(*parts)


def frameworks_table(records: Iterable[Mapping[str, Any]]) -> Table:
    """`framework list` for people: one row per framework (records of records.framework.FRAMEWORK_ROW)."""
    from rich.table import Table

    table = Table()
    for column in (_("Name"), _("Title"), _("Indicators"), _("Entries"), _("Version"), _("Loaded (UTC)")):
        table.add_column(column)
    for r in records:
        loaded = r["loaded_at"]
        table.add_row(
            literal(r["name"] + (_(" (default)") if r["default"] else "")),
            literal(r["title"]),
            str(r["indicators"]),
            str(r["entries"]),
            str(r["version"]) if r["version"] is not None else "-",
            literal(loaded[:19].replace("T", " ")) if loaded else "-",
        )
    return table
