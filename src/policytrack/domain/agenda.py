"""What waits on the team, in one list, oldest first: candidates in the inbox (one line per dataset),
candidates the dataset changed after a decision, entries not yet reviewed, indicators with no recent
evidence, targets and forecasts falling due, and entries changed apart (sync conflicts). Nothing prints.
Each item's `detail` is in English, as data is in every language; `shown` is the same in the command's
language, for the table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.i18n import _, data_and_shown, ngettext
from policytrack.records.models import Framework
from policytrack.store import Store

STALE_DAYS = 180
SUMMARY_CHARACTERS = 80  # of an entry to review, in its line


def agenda(
    store: Store, fw: Framework, days: int, today: date | None = None, conflicts: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """`conflicts`: what names each open conflict, as `conflicts resolve` takes it (the sync layer, which
    knows which conflicts a later change settled, works them out)."""
    today = today or date.today()
    assert fw.id is not None, "a framework read from the database"
    framework_id = fw.id
    end = (today + timedelta(days=days)).isoformat()
    items: list[dict[str, Any]] = []
    for row in store.waiting_by_dataset(today.isoformat()):
        n = int(row["n"])
        items.append(_item("candidate", row["feed"] or row["dataset"], row["oldest"] or "", _waiting, n=n))
    for row in store.changed_after_decision():
        changed = str(row["changed_since"])[:10]
        items.append(_item("candidate", str(row["id"]), changed, _changed, state=row["state"]))
    for row in store.unreviewed_entries(framework_id):
        summary = row["summary"]  # a line of the agenda: a long one is cut at a mark, never silently
        summary = summary if len(summary) <= SUMMARY_CHARACTERS else summary[: SUMMARY_CHARACTERS - 1] + "…"
        items.append(_item("entry", str(row["id"]), row["date_start"], _unreviewed, summary=summary))
    stale_before = (today - timedelta(days=STALE_DAYS)).isoformat()
    for row in store.latest_evidence_dates(framework_id):
        if row["latest"] is None or row["latest"] < stale_before:
            items.append(_item("indicator", row["key"], row["latest"] or "", _stale, title=row["title"]))
    for row in store.targets_due(framework_id, today.isoformat(), end):
        items.append(_item("target", row["key"], row["due_end"], _target, level=row["level"], due=row["due"]))
    for row in store.forecasts_due(framework_id, today.isoformat(), end):
        said = {"id": row["id"], "key": row["key"], "level": row["level"], "due": row["due"]}
        items.append(_item("forecast", str(row["id"]), row["due_end"], _forecast, **said))
    for ref in conflicts:
        items.append(_item("conflict", ref, "", _conflict))
    return sorted(items, key=lambda item: item["since"])


def _item(what: str, ref: str, since: str, detail: Callable[..., str], **values: Any) -> dict[str, Any]:
    """An item whose text `detail(**values)` makes, in English (`detail`) and in the command's language."""
    english, shown = data_and_shown(lambda: detail(**values))
    return {"what": what, "ref": ref, "since": since, "detail": english, "shown": shown}


# Each kind of item's text, made in the language of the moment (see `_item`).


def _waiting(n: int) -> str:
    return ngettext("{n} candidate waits", "{n} candidates wait", n).format(n=n)


def _changed(state: str) -> str:
    return _("the dataset changed it after it was {state}").format(state=state)


def _unreviewed(summary: str) -> str:
    return _("not reviewed: {summary}").format(summary=summary)


def _stale(title: str) -> str:
    return _("no evidence in {days} days: {title}").format(days=STALE_DAYS, title=title)


def _target(level: str, due: str) -> str:
    return _("target {level} due by {due}").format(level=level, due=PartialDate.from_stored(due).shown_by)


def _forecast(id: object, key: str, level: str, due: str) -> str:
    shown = PartialDate.from_stored(due).shown_by
    return _("forecast {id}: {key} at {level} by {due}").format(id=id, key=key, level=level, due=shown)


def _conflict() -> str:
    return _("changed apart by teammates: `policytrack conflicts`")
