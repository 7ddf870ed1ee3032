"""What waits on the team, in one list, oldest first: candidates in the inbox (one line per dataset),
candidates the dataset changed after a decision, entries not yet reviewed, indicators with no recent
evidence, targets and forecasts falling due, and entries changed apart (sync conflicts). Nothing prints."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from policytrack.core.i18n import _, ngettext
from policytrack.records.models import Framework
from policytrack.store import Store

STALE_DAYS = 180


def agenda(store: Store, fw: Framework, days: int, today: date | None = None) -> list[dict[str, Any]]:
    today = today or date.today()
    assert fw.id is not None, "a framework read from the database"
    framework_id = fw.id
    end = (today + timedelta(days=days)).isoformat()
    items: list[dict[str, Any]] = []
    for row in store.waiting_by_dataset(today.isoformat()):
        n = int(row["n"])
        detail = ngettext("{n} candidate waits", "{n} candidates wait", n).format(n=n)
        items.append(_item("candidate", row["feed"] or row["dataset"], row["oldest"] or "", detail))
    for row in store.changed_after_decision():
        detail = _("the dataset changed it after it was {state}").format(state=row["state"])
        items.append(_item("candidate", str(row["id"]), str(row["changed_since"])[:10], detail))
    for row in store.unreviewed_entries(framework_id):
        items.append(
            _item(
                "entry",
                str(row["id"]),
                row["date_start"],
                _("not reviewed: {summary}").format(summary=row["summary"][:80]),
            )
        )
    stale_before = (today - timedelta(days=STALE_DAYS)).isoformat()
    for row in store.latest_evidence_dates(framework_id):
        if row["latest"] is None or row["latest"] < stale_before:
            detail = _("no evidence in {days} days: {title}").format(days=STALE_DAYS, title=row["title"])
            items.append(_item("indicator", row["key"], row["latest"] or "", detail))
    for row in store.targets_due(framework_id, today.isoformat(), end):
        detail = _("target {level} due by {due}").format(level=row["level"], due=row["due"])
        items.append(_item("target", row["key"], row["due_end"], detail))
    for row in store.forecasts_due(framework_id, today.isoformat(), end):
        detail = _("forecast {id}: {key} at {level} by {due}").format(
            id=row["id"], key=row["key"], level=row["level"], due=row["due"]
        )
        items.append(_item("forecast", str(row["id"]), row["due_end"], detail))
    for entry_id, _uuid in store.conflicted_entries():
        items.append(
            _item("conflict", str(entry_id), "", _("changed apart by teammates: `policytrack conflicts`"))
        )
    return sorted(items, key=lambda item: item["since"])


def _item(what: str, ref: str, since: str, detail: str) -> dict[str, Any]:
    return {"what": what, "ref": ref, "since": since, "detail": detail}
