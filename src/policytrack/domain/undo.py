"""Undo and revert: taking back a change without erasing anything.

`undo` reverses the analyst's latest change (a log, edit, delete or restore of an entry, a target set, a
framework update); `revert ID --to REVISION` makes an earlier revision of an entry current again. Each is a
new revision (a new targets row, a new framework version) and a row in `reversals`, so history keeps both
the change and its reversal, and a second `undo` steps further back instead of redoing.

A change is undone only while its result is still what the database holds: if the entry, target or
framework was changed again since (by anyone), undo says so and names the command that reverts by hand.
Nothing here prints: `plan_*` says what would happen (with a before/after diff), `apply` does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError, NotFoundError
from policytrack.core.i18n import N_, _
from policytrack.records.columns import ENTRY_COLUMNS
from policytrack.records.models import Entry, Framework, Revision
from policytrack.records.target import TARGET
from policytrack.store import Store

# What each action of an entry's revision was, as the title of its undo says it.
_ACTIONS = {
    "create": N_("the log"),
    "edit": N_("the edit"),
    "delete": N_("the deletion"),
    "restore": N_("the restoration"),
    "import": N_("the import"),
}
# What a target row holds besides who set it and when: what undo puts back.
_TARGET_VALUES = tuple(c for c in TARGET.stored() if c not in ("set_by", "set_at"))


@dataclass(frozen=True)
class FieldChange:
    """One line of a before/after diff."""

    name: str
    before: str
    after: str


@dataclass(frozen=True)
class Reversal:
    """What an undo or a revert will write, and the diff that shows it."""

    command: str  # undo | revert
    kind: str  # entry | target | framework | decision (on candidates)
    ref: int  # entry id, targets row id, framework id
    revision: int  # the revision undone (entry revision, 0 for a target, framework version) or reverted to
    title: str  # what is undone, for people
    action: str = ""  # the entry revision's action: edit, delete or restore
    values: dict[str, Any] = field(default_factory=dict)  # the stored values to write
    before: Entry | None = None  # an entry as it is, and as it will be
    after: Entry | None = None
    changes: tuple[FieldChange, ...] = ()  # the diff of a target or a framework
    definition: str = ""  # a framework file's text to load again
    targets: tuple[
        tuple[int, dict[str, Any]], ...
    ] = ()  # targets rows a framework update set, and their undo


class NothingToUndo(InputError):
    pass


def _when(stamp: str) -> str:
    return stamp[:19].replace("T", " ") + " UTC"


def plan_undo(store: Store, analyst: str) -> Reversal:
    """The reversal of the analyst's latest change that undo may take back."""
    found = store.latest_changes(analyst)
    if not found:
        raise NothingToUndo(
            _(
                "nothing to undo: {analyst} has no change that undo can take back (imports and first "
                "loads of a framework are not undone); `policytrack revert ID --to REVISION` restores any "
                "revision of an entry"
            ).format(analyst=analyst)
        )
    # a redaction is for good: undo steps past it to the analyst's latest change before it, and says so
    redactions = [c for c in found if c["kind"] == "redaction"]
    found = [c for c in found if c["kind"] != "redaction"]
    if not found:
        change = redactions[0]
        raise InputError(
            _(
                "cannot undo the redaction of {field} of entry {id} ({when}): a redaction is for good; "
                "`policytrack revert {id} --to REVISION` takes back an earlier change"
            ).format(field=change["action"], id=change["ref"], when=_when(change["changed_at"]))
        )
    plan = _plan_change(store, found[0])
    later = [r for r in redactions if str(r["changed_at"]) > str(found[0]["changed_at"])]
    if later:
        stays = _("the redaction of {field} of entry {id} after it stays (a redaction is for good)").format(
            field=later[0]["action"], id=later[0]["ref"]
        )
        plan = replace(plan, title=_("{before}; {after}").format(before=plan.title, after=stays))
    return plan


def _plan_change(store: Store, change: Any) -> Reversal:
    """The reversal of one change latest_changes offers (not a redaction)."""
    kind, ref, revision = change["kind"], int(change["ref"]), int(change["revision"])
    if kind == "entry":
        return _undo_entry(store, ref, revision, change["action"], change["changed_at"])
    if kind == "target":
        return _undo_target(store, ref, change["changed_at"])
    if kind == "decision":
        from policytrack.domain.triage import plan_undo as plan_undo_decision

        decision: Reversal = plan_undo_decision(store, ref, change["changed_at"])
        return decision
    return _undo_framework(store, ref, revision, change["changed_at"])


def plan_revert(store: Store, entry_id: int, revision: int) -> Reversal:
    """Make an earlier revision of an entry current again (its values, and deleted or not)."""
    current = store.get_entry(entry_id)
    revisions = store.revisions(entry_id)
    wanted = next((r for r in revisions if r.revision == revision), None)
    if wanted is None:
        raise NotFoundError(
            _(
                "entry {id} has no revision {revision}; it has revisions {first} to {last}: "
                "`policytrack history {id}` lists them"
            ).format(id=entry_id, revision=revision, first=revisions[0].revision, last=current.revision)
        )
    if revision == current.revision:
        raise InputError(
            _(
                "revision {revision} of entry {id} is already current; `policytrack history {id}` lists "
                "the earlier ones"
            ).format(revision=revision, id=entry_id)
        )
    plan = _entry_to(store, current, wanted, "revert", revision)
    now = store.entry_row(entry_id)
    if plan.action == "edit" and all(now[c] == plan.values[c] for c in ENTRY_COLUMNS):
        raise InputError(
            _(
                "entry {id} already has the values of revision {revision}: nothing to revert; "
                "`policytrack history {id}` lists the others"
            ).format(id=entry_id, revision=revision)
        )
    return plan


def _undo_entry(store: Store, entry_id: int, revision: int, action: str, at: str) -> Reversal:
    current = store.get_entry(entry_id)
    revisions = store.revisions(entry_id)
    undone = next(r for r in revisions if r.revision == revision)
    what = _(_ACTIONS[action]) if action in _ACTIONS else action
    made_by = store.entry_reversals(entry_id).get(revision)  # (command, the revision it undid or went to)
    if made_by:
        command, undone_revision = made_by
        reversed_by = (
            _("the undo (of revision {n})") if command == "undo" else _("the revert (to revision {n})")
        )
        what = reversed_by.format(n=undone_revision)
    title = _("{what} of entry {id} (revision {revision}, {when})").format(
        what=what, id=entry_id, revision=revision, when=_when(at)
    )
    if not _same_state(store, current, entry_id, revision):
        raise InputError(
            _(
                "cannot undo {title}: the entry was changed since (now revision {revision} by {by}); "
                "`policytrack revert {id} --to REVISION` restores the one you want (`policytrack history "
                "{id}` lists them)"
            ).format(title=title, revision=current.revision, by=revisions[-1].changed_by, id=entry_id)
        )
    if revision == 1:
        # Undoing a log deletes the entry (a tombstone: `restore` brings it back).
        plan = _entry_to(store, current, undone, "undo", revision, deleted=True)
    else:
        before = next(r for r in revisions if r.revision == revision - 1)
        plan = _entry_to(store, current, before, "undo", revision)
        now = store.entry_row(entry_id)
        if plan.action == "edit" and all(now[c] == plan.values[c] for c in ENTRY_COLUMNS):
            # what it changed was redacted since: the marker in both, nothing left to take back
            raise InputError(
                _(
                    "cannot undo {title}: what it changed was redacted since, for good, so nothing of it "
                    "is left to take back; `policytrack revert {id} --to REVISION` restores another "
                    "revision (`policytrack history {id}` lists them)"
                ).format(title=title, id=entry_id)
            )
    return replace(plan, title=title)


def _same_state(store: Store, current: Entry, entry_id: int, revision: int) -> bool:
    """Whether the entry is still as that revision left it (values, and deleted or not)."""
    now = store.entry_row(entry_id)
    then = store.revision_row(entry_id, revision)
    assert then is not None
    return all(now[c] == then[c] for c in ENTRY_COLUMNS) and current.deleted == bool(then["was_deleted"])


def _entry_to(
    store: Store,
    current: Entry,
    target: Revision,
    command: str,
    revision: int,
    *,
    deleted: bool | None = None,
) -> Reversal:
    """The reversal that gives the entry `target`'s stored values, and its deletion state (or `deleted`)."""
    row = store.revision_row(current.id, target.revision)
    assert row is not None
    will_be_deleted = bool(row["was_deleted"]) if deleted is None else deleted
    values: dict[str, Any] = {c: row[c] for c in ENTRY_COLUMNS}
    if will_be_deleted and not current.deleted:
        action = "delete"
        values["deleted_at"] = None  # set to the time of the change by apply
    elif current.deleted and not will_be_deleted:
        action = "restore"
        values["deleted_at"] = None
    else:
        action = "edit"
    after = replace(target.entry, deleted=will_be_deleted, revision=current.revision + 1, id=current.id)
    title = _("entry {id} to revision {revision}").format(id=current.id, revision=target.revision)
    return Reversal(
        command, "entry", current.id, revision, title, action, values, before=current, after=after
    )


def _target_text(row: Any) -> str:
    if row is None or not row["level"]:
        return _("none")
    due, start = PartialDate.from_stored(row["due"]).shown_by, PartialDate.from_stored(row["start"]).shown
    return _("{level} by {due}, from {start}").format(level=row["level"], due=due, start=start)


def _target_reversal(store: Store, target_id: int, title: str) -> tuple[dict[str, Any], FieldChange]:
    """The targets row that takes back row `target_id` (the indicator's previous target, or none), if it is
    still the current one."""
    row = store.target_row(target_id)
    assert row is not None
    key = row["key"]
    latest = store.target_row(int(row["latest_id"]))
    same = [c for c in _TARGET_VALUES if c in TARGET.exported()]
    if latest is None or any(latest[c] != row[c] for c in same):
        raise InputError(
            _(
                "cannot undo {title}: the target of {key} was changed since (now {now}); `policytrack target "
                "{key} LEVEL --by DATE` sets the one you want"
            ).format(title=title, key=key, now=_target_text(latest))
        )
    previous = store.target_row(int(row["previous_id"])) if row["previous_id"] is not None else None
    if previous is not None:
        values = {c: previous[c] for c in _TARGET_VALUES}
    else:  # the indicator's first target: withdraw it (an empty level and note)
        values = {c: row[c] for c in _TARGET_VALUES} | {"level": "", "note": ""}
    return values, FieldChange(
        _("target of {key}").format(key=key), _target_text(row), _target_text(previous)
    )


def _undo_target(store: Store, target_id: int, at: str) -> Reversal:
    row = store.target_row(target_id)
    assert row is not None
    title = _("the target set for {key} at {when}").format(key=row["key"], when=_when(at))
    values, change = _target_reversal(store, target_id, title)
    return Reversal("undo", "target", target_id, 0, title, values=values, changes=(change,))


def _undo_framework(store: Store, framework_id: int, version: int, at: str) -> Reversal:
    from policytrack.domain.frameworks.install import indicator_differs, update_problems
    from policytrack.domain.frameworks.parse import parse_framework

    undone = store.framework_version_row(framework_id, version)
    assert undone is not None
    name = undone["name"]
    title = _("the update of framework {name} to version {version} ({when})").format(
        name=name, version=version, when=_when(at)
    )
    latest = store.framework_version_row(framework_id, int(undone["latest"]))
    assert latest is not None
    fix = _("`policytrack framework add FILE --update` loads the file you want")
    if latest["sha256"] != undone["sha256"]:
        raise InputError(
            _("cannot undo {title}: it was updated again since (now version {version}); {fix}").format(
                title=title, version=latest["version"], fix=fix
            )
        )
    previous = store.framework_version_row(framework_id, version - 1)
    assert previous is not None
    old = parse_framework(previous["definition"], Path(f"{name} version {version - 1}"), stored=True)
    new = parse_framework(undone["definition"], Path(f"{name} version {version}"), stored=True)
    current = store.framework(name)
    assert current is not None
    blocked, dropped = update_problems(store, current, old)
    if blocked or dropped:
        lost = ", ".join(
            [_("indicator {key}").format(key=b) for b in blocked]
            + [_("level {name} (in use)").format(name=d) for d in dropped]
        )
        raise InputError(
            _("cannot undo {title}: version {version} lacks {lost}; {fix}").format(
                title=title, version=version - 1, lost=lost, fix=fix
            )
        )
    old_by_key = {i.key: i for i in old.indicators}
    new_by_key = {i.key: i for i in new.indicators}
    changes = [
        FieldChange(
            _("file"),
            _("version {n}").format(n=version),
            _("the file of version {n}").format(n=version - 1),
        )
    ]
    if old.title != new.title:
        changes.append(FieldChange(_("title"), new.title, old.title))
    indicator = _("indicator {key}")
    for key in sorted(new_by_key.keys() - old_by_key.keys()):
        changes.append(FieldChange(indicator.format(key=key), _("present"), _("removed")))
    for key in sorted(old_by_key.keys() - new_by_key.keys()):
        changes.append(FieldChange(indicator.format(key=key), _("absent"), _("added back")))
    for key in sorted(new_by_key.keys() & old_by_key.keys()):
        if indicator_differs(new_by_key[key], old_by_key[key]):
            changes.append(FieldChange(indicator.format(key=key), _("as updated"), _("as before")))
    if [lv.name for lv in old.scale] != [lv.name for lv in new.scale]:
        changes.append(
            FieldChange(
                _("scale"), ", ".join(lv.name for lv in new.scale), ", ".join(lv.name for lv in old.scale)
            )
        )
    # the targets that the update's file set are taken back with it
    targets = []
    for target_id in store.target_ids_set_by(f"framework {name}", undone["loaded_at"]):
        values, change = _target_reversal(store, target_id, title)
        targets.append((target_id, values))
        changes.append(change)
    return Reversal(
        "undo",
        "framework",
        framework_id,
        version,
        title,
        changes=tuple(changes),
        definition=previous["definition"],
        targets=tuple(targets),
    )


def apply(store: Store, plan: Reversal, replan: Reversal, by: str, at: str) -> str:
    """Write the reversal, after checking (in the same transaction) that it is still the one planned:
    `replan` is the plan made again under the write lock. Returns what was done, for people."""
    if (replan.kind, replan.ref, replan.revision, replan.values, replan.definition, replan.targets) != (
        plan.kind,
        plan.ref,
        plan.revision,
        plan.values,
        plan.definition,
        plan.targets,
    ):
        problem = (
            _("the database changed while the undo was shown; run it again")
            if plan.command == "undo"
            else _("the database changed while the revert was shown; run it again")
        )
        raise InputError(problem)
    if plan.kind == "entry":
        values = dict(plan.values)
        if plan.action == "delete":
            values["deleted_at"] = at
        made = store.write_entry_reversal(plan.ref, values, plan.action, plan.command, plan.revision, by, at)
        return _("it is now revision {n}").format(n=made)
    if plan.kind == "decision":
        from policytrack.domain.triage import apply_undo

        return apply_undo(store, plan, by, at)
    if plan.kind == "target":
        store.write_target_reversal(plan.ref, plan.values, by, at)
        return _("the target is as before") if plan.values["level"] else _("the indicator has no target")
    from policytrack.domain.frameworks.install import install_text
    from policytrack.domain.frameworks.parse import parse_framework

    version = store.framework_version_row(plan.ref, plan.revision)
    assert version is not None
    name = version["name"]
    origin = f"{name} version {plan.revision - 1}"
    fw: Framework = parse_framework(plan.definition, Path(origin), stored=True)
    for target_id, values in plan.targets:
        store.write_target_reversal(target_id, values, by, at)
    result = install_text(store, fw, plan.definition, origin, at, update=True, by=by)
    store.record_framework_reversal(plan.ref, plan.revision, result.version, by, at)
    return _("framework {name} is at version {version} (the file of version {n})").format(
        name=name, version=result.version, n=plan.revision - 1
    )
