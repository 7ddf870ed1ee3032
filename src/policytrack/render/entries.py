"""Rendering entries, their history and the indicators: rich renderables for the terminal.

Functions here return renderables or text; the command decides where to print them.
rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from policytrack.core.grades import describe_grade
from policytrack.core.i18n import ENGLISH, N_, _, language, ngettext, number, pgettext
from policytrack.domain.status import IndicatorState
from policytrack.records.entry import CHANGES
from policytrack.records.models import Entry, Framework, Revision
from policytrack.render.text import literal, longest_word, redacted_shown, visible

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from policytrack.domain.undo import Reversal


def effect_text(effect: int) -> str:
    return f"+{effect}" if effect > 0 else str(effect)


def _effect_style(effect: int) -> str:
    return "green" if effect > 0 else "red" if effect < 0 else "dim"


@dataclass(frozen=True)
class Shape:
    """What a listing's table must make room for, known before its rows (a listing is drawn in chunks):
    the widest id, indicator key and status level, whether any entry has a status or tags, and whether
    entries of several frameworks are shown."""

    id_width: int = 1
    key_width: int = 9
    status_width: int = 6
    statuses: bool = False
    tags: bool = False
    frameworks: bool = False
    framework_width: int = 9

    @classmethod
    def of(cls, entries: Sequence[Entry], *, frameworks: bool = False) -> Shape:
        return cls(
            id_width=max((len(str(e.id)) + (8 if e.deleted else 0) for e in entries), default=2),
            key_width=max((len(visible(e.indicator)) for e in entries), default=9),
            status_width=max((len(visible(e.status or "")) for e in entries), default=6),
            statuses=any(e.status for e in entries),
            tags=any(e.tags for e in entries),
            frameworks=frameworks,
            framework_width=max((len(visible(e.framework)) for e in entries), default=9),
        ).headed()

    def headed(self) -> Shape:
        """At least as wide as the column headers (ID, Indicator, Status, Framework) in the language."""
        h = headers()
        return replace(
            self,
            id_width=max(len(h["ID"]), self.id_width),
            key_width=max(len(h["Indicator"]), self.key_width),
            status_width=max(len(h["Status"]), self.status_width),
            framework_width=max(len(h["Framework"]), self.framework_width),
        )


def headers() -> dict[str, str]:
    """The entries table's column headers in the chosen language, by their English name (the name the
    layout code uses)."""
    return {
        "ID": _("ID"),
        "Ref": _("Ref"),
        "Date": _("Date"),
        "Framework": _("Framework"),
        "Indicator": _("Indicator"),
        "Eff": _("Eff"),
        "Grd": _("Grd"),
        "Status": _("Status"),
        "Summary": _("Summary"),
        "Source": _("Source"),
        "Tags": _("Tags"),
    }


def date_width() -> int:
    """The widest date a table shows in the chosen language: 10 in English (2024-07-06); in French the
    longest month written out (30 septembre 2024)."""
    if language() == ENGLISH:
        return 10
    from datetime import date

    from policytrack.core.datewords import shown_date

    return max(len(shown_date(date(2024, month, 28), "day")) for month in range(1, 13))


# The team-wide reference beside the local id (records.models.short_ref: @ and 8 hex digits).
REF_WIDTH = 9
# Columns a narrow terminal leaves out, in the order they go, and what shows them.
SUMMARY_MIN = 24
_DROPPABLE = (("Tags", 12), ("Source", 12), ("Status", 0), ("Grd", 3), ("Ref", REF_WIDTH))


def left_out_hint() -> str:
    return _("a wider terminal, `policytrack show ID` or --format csv shows them")


FLEXIBLE = ("Source", "Tags")  # wrapped columns that share the width left with the summary (1 to its 3)


def fit(
    fixed: Sequence[int], optional: Sequence[tuple[str, int]], width: int | None
) -> tuple[list[str], dict[str, int]]:
    """Which optional columns (name, least width) to leave out, in the order given, so that the fixed
    column widths, the optional ones and a summary of SUMMARY_MIN fit `width`, and the widths of the
    summary and of the kept FLEXIBLE columns, which share what is left (None: any width, and rich
    decides). In a SIMPLE_HEAD table without padded edges each column takes its width and 3 cells
    (padding and rule), less 1 in all."""
    if width is None:
        return [], {}
    need = sum(w + 3 for w in fixed) + SUMMARY_MIN + 3 + sum(w + 3 for _, w in optional) - 1
    dropped = []
    for name, w in optional:
        if need <= width:
            break
        dropped.append(name)
        need -= w + 3
    flexible = [(name, w) for name, w in optional if name in FLEXIBLE and name not in dropped]
    spare = width - need
    shares = 3 + len(flexible)
    widths = {"Summary": max(8, SUMMARY_MIN + spare * 3 // shares)}
    for name, w in flexible:
        widths[name] = w + max(0, spare) // shares
    return dropped, widths


def left_out_note(dropped: Sequence[str], hint: str | None = None) -> Text:
    """The footer that names the columns a narrow terminal left out (by their English names, shown in
    the language), and what shows them."""
    from rich.text import Text

    h = headers()
    names = ", ".join(h.get(name, name) for name in dropped)
    message = _("Left out to fit the terminal: {columns}; {hint}.")
    return Text(message.format(columns=names, hint=hint or left_out_hint()), style="yellow")


def newest_note(shown: int, total: int) -> Text:
    """The footer of a terminal's page of the newest entries (`list`, `timeline`): how many of how many,
    and what shows the rest."""
    from rich.text import Text

    return Text(
        ngettext(
            "Showing the newest {shown} of {total} entry: --limit N shows the newest N, --all "
            "shows every one, and with $PAGER set they are paged.",
            "Showing the newest {shown} of {total} entries: --limit N shows the newest N, --all "
            "shows every one, and with $PAGER set they are paged.",
            total,
        ).format(shown=number(shown), total=number(total)),
        style="yellow",
    )


def entries_table(
    entries: Iterable[Entry],
    title: str | None = None,
    *,
    frameworks: bool = False,
    shape: Shape | None = None,
    width: int | None = None,
    header: bool = True,
    plain: bool = False,
) -> tuple[Table, list[str]]:
    """Entries for people, and the names of the columns left out to fit `width` (None: none are): ids and
    dates whole, summaries and sources wrapped, never cut. `frameworks` shows each one's framework (a
    listing across them). A deleted entry is marked beside its id. `shape` keeps the columns alike across
    the chunks of a long listing (default: from these entries). `plain` draws the rules in ASCII."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    rows = list(entries)
    shape = shape or Shape.of(rows, frameworks=frameworks)
    h = headers()
    fixed = [shape.id_width, date_width(), shape.key_width, max(3, len(h["Eff"]))]
    # a listing across frameworks names each row's framework; where even that leaves the summary too
    # narrow to keep its words whole, it goes last (named), never the summary
    framework = [("Framework", shape.framework_width)] if shape.frameworks else []
    optional = [
        (name, w)
        for name, w in _DROPPABLE
        if (name != "Tags" or shape.tags) and (name != "Status" or shape.statuses)
    ] + framework
    # a source or tag is as wide as its longest word (a word longer than FOLDED_WORD, a URL, folds)
    words = {
        "Source": longest_word(source_text(e) for e in rows),
        "Tags": longest_word(", ".join(e.tags) for e in rows),
    }
    optional = [
        (n, shape.status_width if n == "Status" else max(w, len(h[n]), words.get(n, 0))) for n, w in optional
    ]
    dropped, widths = fit(fixed, optional, width)
    show = {name for name, _ in optional if name not in dropped}
    table = Table(
        title=None if title is None else literal(title, style="table.title"),
        box=box.ASCII2 if plain else box.SIMPLE_HEAD,
        expand=False,
        pad_edge=False,
        show_header=header,
    )
    table.add_column(h["ID"], justify="right", style="bold", no_wrap=True, min_width=shape.id_width)
    if "Ref" in show:
        table.add_column(h["Ref"], no_wrap=True, min_width=REF_WIDTH)
    table.add_column(h["Date"], no_wrap=True, min_width=fixed[1])
    if "Framework" in show:
        table.add_column(h["Framework"], no_wrap=True, min_width=shape.framework_width)
    table.add_column(h["Indicator"], no_wrap=True, min_width=shape.key_width)
    table.add_column(h["Eff"], justify="right", no_wrap=True, min_width=fixed[3])
    if "Grd" in show:
        table.add_column(h["Grd"], no_wrap=True, min_width=max(3, len(h["Grd"])))
    if "Status" in show:
        table.add_column(h["Status"], no_wrap=True, min_width=shape.status_width)
    table.add_column(
        h["Summary"], ratio=3, min_width=SUMMARY_MIN, overflow="fold", width=widths.get("Summary")
    )
    if "Source" in show:
        table.add_column(h["Source"], ratio=1, min_width=10, overflow="fold", width=widths.get("Source"))
    if "Tags" in show:
        table.add_column(h["Tags"], ratio=1, min_width=10, overflow="fold", width=widths.get("Tags"))
    deleted = " " + _("deleted")
    for e in rows:
        cells: list[RenderableType] = [
            Text(str(e.id)) + Text(deleted, style="red") if e.deleted else str(e.id),
            *([e.ref] if "Ref" in show else []),
            e.date.shown,
            *([literal(e.framework)] if "Framework" in show else []),
            literal(e.indicator),
            Text(effect_text(e.effect), style=_effect_style(e.effect)),
        ]
        if "Grd" in show:
            cells.append(literal(e.grade or ""))
        if "Status" in show:
            cells.append(literal(e.status or ""))
        cells.append(literal(e.summary))
        if "Source" in show:
            cells.append(literal(source_text(e)))
        if "Tags" in show:
            cells.append(literal(", ".join(e.tags)))
        table.add_row(*cells)
    return table, dropped


def entries_plain(
    entries: Iterable[Entry], stats: dict[str, int], *, frameworks: bool = False
) -> Iterator[str]:
    """Entries for a pipe or a file: a plain-text table, a line per entry, streamed (render.plain), with
    the columns of `entries_table` and none left out: the fixed ones and the summary padded to the widths
    `stats` gives (Store.listing_stats: the longest of each over every row), the source last."""
    from policytrack.render.plain import PlainColumn, cell, plain_lines

    h = headers()
    deleted = " " + _("deleted")
    columns = [
        PlainColumn(h["ID"], stats["id_width"] + (len(deleted) if stats["deleted"] else 0), right=True),
        PlainColumn(h["Ref"], REF_WIDTH),
        PlainColumn(h["Date"], date_width()),
        *([PlainColumn(h["Framework"], stats["framework_width"])] if frameworks else []),
        PlainColumn(h["Indicator"], stats["key_width"]),
        PlainColumn(h["Eff"], 3, right=True),
        PlainColumn(h["Grd"], 3),
        *([PlainColumn(h["Status"], stats["status_width"])] if stats["statuses"] else []),
        *([PlainColumn(h["Tags"], stats["tags_width"])] if stats["tags"] else []),
        PlainColumn(h["Summary"], stats["summary_width"]),
        PlainColumn(h["Source"]),
    ]

    def cells(e: Entry) -> list[str]:
        return [
            f"{e.id}{deleted}" if e.deleted else str(e.id),
            e.ref,
            e.date.shown,
            *([cell(e.framework)] if frameworks else []),
            cell(e.indicator),
            effect_text(e.effect),
            cell(e.grade or ""),
            *([cell(e.status or "")] if stats["statuses"] else []),
            *([cell(", ".join(e.tags))] if stats["tags"] else []),
            cell(e.summary),
            cell(source_text(e)),
        ]

    return plain_lines(columns, map(cells, entries))


def _named(key: str | None, name: str | None) -> str:
    return f"{key} ({name})" if key and name else key or ""


def source_text(entry: Entry) -> str:
    """The registered source's key and name (and the outlet it came via, by key and name), then the free
    text: `wire (Example Wire Service) via outlet (The Outlet): https://...`."""
    source, via = _named(entry.source_key, entry.source_name), _named(entry.via, entry.via_name)
    registered = " ".join(p for p in (source, f"via {via}" if via else "") if p)
    return f"{registered}: {entry.source}" if registered and entry.source else registered or entry.source


def entry_detail(entry: Entry, linked: Sequence[Entry] = ()) -> RenderableType:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    precision = {"day": _("day"), "month": _("month"), "quarter": _("quarter"), "year": _("year")}[
        entry.date.precision
    ]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    rows: list[tuple[str, str]] = [
        (_("Indicator"), f"{entry.indicator} ({entry.indicator_title})"),
        (_("Date"), _("{date} ({precision} precision)").format(date=entry.date.shown, precision=precision)),
        (_("Summary"), entry.summary),
        (_("Effect"), effect_text(entry.effect)),
        (_("Grade"), describe_grade(entry.grade) if entry.grade else ""),
        (_("Status"), entry.status or ""),
        (_("Source"), source_text(entry)),
        (_("Event"), entry.event or ""),
        *(
            [
                (
                    _("Same event"),
                    "\n".join(
                        f"{e.id} {e.ref}: {e.framework}:{e.indicator} ({effect_text(e.effect)})"
                        for e in linked
                    ),
                )
            ]
            if linked
            else []
        ),
        (_("Note"), entry.note),
        (_("Tags"), ", ".join(entry.tags)),
        (_("Actors"), ", ".join(entry.actors)),
        (_("Signals"), ", ".join(entry.signals)),
        (
            _("Reviewed"),
            _("by {analyst}, {time}").format(analyst=entry.reviewed_by, time=entry.reviewed_at)
            if entry.reviewed_at
            else _("not yet"),
        ),
        *(
            [
                (
                    _("Returned"),
                    _("for changes by {analyst}, {time}").format(
                        analyst=entry.returned_by, time=entry.returned_at
                    ),
                ),
                (_("Changes asked"), entry.return_comment or ""),
            ]
            if entry.returned_at
            else []
        ),
        (_("Analyst"), entry.analyst),
        (_("Framework"), entry.framework),
        (
            _("Reference"),
            _("{ref} (uuid {uuid}): what every teammate's policytrack takes").format(
                ref=entry.ref, uuid=entry.uuid
            ),
        ),
        (_("Revision"), str(entry.revision)),
        (_("Recorded"), entry.recorded_at),
    ]
    for label, value in rows:
        grid.add_row(label, literal(value))
    title = Text(_("Entry {id} {ref}").format(id=entry.id, ref=entry.ref))
    if entry.deleted:
        title.append(" " + _("(deleted)"), style="red")
    return Panel(grid, title=title, title_align="left", expand=False)


_HISTORY_FIELDS = CHANGES.names()


def _field_text(entry: Entry, name: str) -> str:
    value = getattr(entry, name)
    if isinstance(value, tuple):
        return ", ".join(redacted_shown(v) for v in value)
    if isinstance(value, str):
        return redacted_shown(value)
    if name == "effect":
        return effect_text(value)
    return "" if value is None else str(value)


# A revision's action as the history table names it (the data keeps the action's own word).
_ACTIONS_SHOWN = {
    "create": N_("create"),
    "edit": N_("edit"),
    "delete": N_("delete"),
    "restore": N_("restore"),
    "import": N_("import"),
    "redact": N_("redact"),
}


def _action_shown(action: str) -> str:
    return _(_ACTIONS_SHOWN[action]) if action in _ACTIONS_SHOWN else action


def shown_action(action: str, changed_by: str, changed_at: str, state: Callable[[str], Any]) -> str:
    """A revision's action for people: a review or a return is stored as an edit (the stored action has no
    word for them), told apart by what it wrote: the reviewer's name and this very time as `reviewed_at`
    (or `returned_at`); `state` gives a field's value after the revision (only a changed one will do)."""
    if action == "edit":
        for field, word in (("reviewed", N_("review")), ("returned", N_("return"))):
            if state(f"{field}_at") == changed_at and state(f"{field}_by") == changed_by:
                return _(word)
    return _action_shown(action)


def reversal_words(made_by: tuple[str, int] | None) -> str | None:
    """What an undo or a revert did, as the data formats write it: always in English ("undo of revision 3"),
    since data never changes with the language."""
    if made_by is None:
        return None
    command, undone = made_by
    return f"undo of revision {undone}" if command == "undo" else f"revert to revision {undone}"


def _reversal_shown(made_by: tuple[str, int]) -> str:
    """The same for people, in their language."""
    command, undone = made_by
    text = _("undo of revision {n}") if command == "undo" else _("revert to revision {n}")
    return text.format(n=undone)


def history_table(
    revisions: Sequence[Revision],
    notes: dict[int, tuple[str, int]] | None = None,
    redactions: Sequence[Mapping[str, Any]] = (),
) -> Table:
    """An entry's revisions; `notes` adds to a revision's action (such as "undo of revision 3"); each of
    `redactions` is a row of its own at its time: who took which field out, and why (never the text)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(_("History of entry {id}").format(id=revisions[0].entry.id), style="table.title")
        if revisions
        else None
    )
    table.add_column(_("Rev"), justify="right")
    table.add_column(_("Action"))
    table.add_column(pgettext("who made a change", "By"))
    table.add_column(_("When (UTC)"), no_wrap=True)
    table.add_column(_("Changes"))
    shown: list[Revision] = []
    pending = sorted(redactions, key=lambda r: str(r["at"]))
    for rev in revisions:
        base = _base(shown, rev)
        previous = base.entry if base is not None else None
        if previous is None:
            changes = f"{rev.entry.indicator} {rev.entry.date}: {redacted_shown(rev.entry.summary)}"
        else:
            lines = []
            for name in _HISTORY_FIELDS:
                old, new = _field_text(previous, name), _field_text(rev.entry, name)
                if old != new:
                    lines.append(f"{name}: {old or _('(empty)')} -> {new or _('(empty)')}")
            changes = "\n".join(lines)
            if not lines and rev.action not in ("delete", "restore"):
                # such as `conflicts resolve` keeping the current side: a copy of the revision before it
                changes = _("(no change: the same as revision {n})").format(n=base.revision if base else 0)
        when = rev.changed_at[:19].replace("T", " ")
        action = shown_action(rev.action, rev.changed_by, rev.changed_at, rev.entry.__getattribute__) + (
            f" ({_reversal_shown(notes[rev.revision])})" if notes and rev.revision in notes else ""
        )
        while pending and pending[0]["at"] <= rev.changed_at:
            _redaction_row(table, pending.pop(0))
        table.add_row(str(rev.revision), literal(action), literal(rev.changed_by), when, literal(changes))
        shown.append(rev)
    for redaction in pending:
        _redaction_row(table, redaction)
    return table


def _base(shown: Sequence[Revision], rev: Revision) -> Revision | None:
    """The revision `rev` was made from, whose fields its Changes are read against: the one before it,
    except for revisions made apart (sync gave them one authored number): each is read against the last
    revision numbered below it, so the side ordered second does not seem to undo the first."""
    if rev.authored is None:
        return shown[-1] if shown else None
    for earlier in reversed(shown):
        if earlier.authored is None or earlier.authored < rev.authored:
            return earlier
    return shown[-1] if shown else None


def _redaction_row(table: Table, redaction: Mapping[str, Any]) -> None:
    what = _("{field} redacted in every revision: {reason}").format(
        field=redaction["field"], reason=redaction["reason"]
    )
    when = str(redaction["at"])[:19].replace("T", " ")
    table.add_row("", _action_shown("redact"), literal(str(redaction["by"])), when, literal(what))


def reversal_table(plan: Reversal) -> RenderableType:
    """What an undo or a revert will change: a line saying what, then each field before and after."""
    from rich.console import Group
    from rich.table import Table

    table = Table()
    table.add_column(_("Field"))
    table.add_column(_("Now"))
    table.add_column(_("After"))
    rows: list[tuple[str, str, str]] = [(c.name, c.before, c.after) for c in plan.changes]
    if plan.before is not None and plan.after is not None:
        for name in _HISTORY_FIELDS:
            old, new = _field_text(plan.before, name), _field_text(plan.after, name)
            if old != new:
                rows.append((name, old or _("(empty)"), new or _("(empty)")))
        if plan.before.deleted != plan.after.deleted:
            rows.append(("deleted", _yes_no(plan.before.deleted), _yes_no(plan.after.deleted)))
    for name, old, new in rows:
        table.add_row(literal(name), literal(old, style="red"), literal(new, style="green"))
    heading = _("Undo {title}:") if plan.command == "undo" else _("Revert {title}:")
    return Group(literal(heading.format(title=plan.title), style="bold"), table)


def _yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def indicators_table(fw: Framework, states: Sequence[IndicatorState]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(
        title=literal(fw.title, style="table.title"),
        caption=literal(_("Source: {citation}").format(citation=fw.source.citation()), style="table.caption"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column(_("Key"), style="bold", no_wrap=True)
    table.add_column(_("Title"), min_width=16)
    table.add_column(_("Status"), no_wrap=True)
    table.add_column(_("As of"), no_wrap=True)
    table.add_column(_("Ev."), justify="right")
    table.add_column(_("Last ev."), no_wrap=True)
    for s in states:
        table.add_row(
            str(s.indicator.number),
            literal(s.indicator.key),
            literal(s.indicator.title),
            literal(f"{s.status.label} {s.status.percent}%"),
            str(s.status_date) if s.status_date else _("baseline"),
            str(s.evidence),
            str(s.last_evidence) if s.last_evidence else "-",
        )
    return table


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
