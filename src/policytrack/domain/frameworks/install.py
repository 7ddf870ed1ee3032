"""Frameworks in a database: adding and updating them from files (never losing evidence), and the template.

A framework enters or changes only through `install`, which validates the file first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from policytrack.core.errors import FrameworkError
from policytrack.core.i18n import _
from policytrack.domain.frameworks.parse import KEY_PATTERN, builtin_dir, read_framework_file
from policytrack.domain.targets import set_target, targets
from policytrack.records.models import Framework, Indicator, plural
from policytrack.store import Store


@dataclass(frozen=True)
class InstallResult:
    framework: Framework
    action: str  # added | updated | unchanged
    version: int
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.toml"))


def source_path(arg: str) -> Path:
    """A framework file's path, or the name of one that ships with policytrack."""
    path = Path(arg).expanduser()
    if path.exists() or not KEY_PATTERN.match(arg):
        return path
    if arg in builtin_names():
        return builtin_dir() / f"{arg}.toml"
    raise FrameworkError(
        _("no file {arg!r} and no built-in framework of that name (built in: {value})").format(
            arg=arg, value=", ".join(builtin_names())
        )
    )


# What an update may change in an indicator: everything but its identity (key, id) and its target, which
# goes through the targets' own dated history (_record_file_targets); translations are not in the
# database's rows but in the stored text of each version, which changes with them.
_UPDATABLE = tuple(f.name for f in fields(Indicator) if f.name not in {"key", "id", "target", "translations"})


def indicator_differs(old: Indicator, new: Indicator) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in _UPDATABLE)


def install(store: Store, path: Path, now: str, *, update: bool = False, by: str = "") -> InstallResult:
    """Validate a framework file and add it, or (with update) load it as the framework's new version.

    An update may add indicators and change any text, but may not remove an indicator that has entries
    or a status level that entries or targets use: evidence is never lost.
    """
    fw, text = read_framework_file(path)
    return install_text(store, fw, text, str(path), now, update=update, by=by)


def install_text(
    store: Store, fw: Framework, text: str, origin: str, now: str, *, update: bool, by: str = ""
) -> InstallResult:
    """Add or update a framework already read from `text` (from the file or the database `origin`
    names), recording who loaded it (`by`)."""
    # The checks and the writes under one write lock: a `log` committing between them could otherwise use
    # a level or an indicator that the update then removes.
    with store.transaction():
        return _install(store, fw, text, origin, now, update=update, by=by)


def install_definition(store: Store, text: str, label: Path, now: str, *, update: bool) -> InstallResult:
    """Add or update a framework from the text of its file (as a teammate loaded it: sync), validated
    like a file; `label` names it in messages."""
    from policytrack.domain.frameworks.parse import parse_framework

    return install_text(
        store, parse_framework(text, label, stored=True), text, str(label), now, update=update
    )


def _install(
    store: Store, fw: Framework, text: str, path: str, now: str, *, update: bool, by: str
) -> InstallResult:
    sha = hashlib.sha256(text.encode()).hexdigest()
    existing = store.framework(fw.name)
    added: list[str] = [ind.key for ind in fw.indicators]
    changed: list[str] = []
    removed: list[str] = []
    if existing is not None:
        assert existing.id is not None
        if not update:
            raise FrameworkError(
                _(
                    "{path}: framework {name!r} is already in this database; add --update to load this "
                    "file as its new version"
                ).format(path=path, name=fw.name)
            )
        old = {ind.key: ind for ind in existing.indicators}
        new_keys = {ind.key for ind in fw.indicators}
        added = [ind.key for ind in fw.indicators if ind.key not in old]
        changed = [
            ind.key for ind in fw.indicators if ind.key in old and indicator_differs(old[ind.key], ind)
        ]
        removed = [key for key in old if key not in new_keys]
        blocked, dropped = update_problems(store, existing, fw)
        if blocked:
            raise FrameworkError(
                _(
                    "{path}: cannot remove indicator {blocked} from {name!r}: its evidence or target "
                    "history would be lost; keep it in the file (its title and description may change)"
                ).format(path=path, blocked=", ".join(blocked), name=fw.name)
            )
        if dropped:
            raise FrameworkError(
                _(
                    "{path}: cannot drop status level {dropped} from {name!r}: entries or targets use it"
                ).format(path=path, dropped=", ".join(dropped), name=fw.name)
            )
        have = {(ind.key, sig.key) for ind in fw.indicators for sig in ind.signals}
        orphaned = sorted(f"{key}:{sig}" for key, sig in store.signals_in_use(existing.id) - have)
        if orphaned:
            raise FrameworkError(
                _(
                    "{path}: cannot drop signal {orphaned} from {name!r}: entries observe it; keep it in "
                    "the file with the same key (a text signal's key is its place: p1, r2...)"
                ).format(path=path, orphaned=", ".join(orphaned), name=fw.name)
            )
        versions = store.framework_versions(existing.id)
        if versions and versions[-1]["sha256"] == sha:
            return InstallResult(existing, "unchanged", versions[-1]["version"])
    framework_id = store.save_framework(fw, text, now)
    if removed:
        store.remove_indicators(framework_id, removed)
    version = store.add_framework_version(framework_id, now, sha, text, by)
    loaded = store.framework(fw.name)
    assert loaded is not None
    _record_file_targets(store, fw, loaded, now)
    action = "added" if existing is None else "updated"
    return InstallResult(loaded, action, version, tuple(added), tuple(changed), tuple(removed))


def update_problems(store: Store, existing: Framework, new: Framework) -> tuple[list[str], list[str]]:
    """What loading `new` over `existing` would lose, so it is refused: the indicators it drops that have
    evidence or history (described with their counts), and the status levels it drops that are in use."""
    assert existing.id is not None
    new_keys = {ind.key for ind in new.indicators}
    removed = [ind.key for ind in existing.indicators if ind.key not in new_keys]
    counts = store.evidence_counts(existing.id)
    kept = store.history_counts(existing.id)
    blocked = [
        f"{key} ({plural(counts[key], 'entry', 'entries')})"
        if counts.get(key)
        else f"{key} (history: {plural(kept[key], 'record')})"
        for key in removed
        if counts.get(key) or kept.get(key)
    ]
    dropped = sorted(store.levels_in_use(existing.id) - {level.name for level in new.scale})
    return blocked, dropped


def _record_file_targets(store: Store, from_file: Framework, loaded: Framework, now: str) -> None:
    """A target written in the file becomes a dated target, unless it is already the current one."""
    current = {t.indicator_key: t for t in targets(store, loaded)}
    for ind in from_file.indicators:
        goal = ind.target
        if goal is None:
            continue
        existing = current.get(ind.key)
        if (
            existing is not None
            and existing.level is not None
            and existing.level.name == goal.level
            and existing.due == goal.due
            and (goal.start is None or existing.start == goal.start)
        ):
            continue
        start = goal.start or date.fromisoformat(now[:10])
        set_target(
            store, loaded, ind.key, goal.level, goal.due, start, goal.note, f"framework {loaded.name}", now
        )


TEMPLATE = """\
# A policytrack framework: one paper's recommendations (or risks) as indicators.
# Load it with `policytrack framework add {name}.toml`; change it and load it again with --update.
# Text may be written over several lines between triple quotes; a trailing backslash joins lines.

[framework]
name = "{name}"                # lower-case letters, digits and hyphens; unique in a database
title = "Title of the framework"
description = "What the paper recommends, in your own words."
default_status = "no-action"   # the level every indicator starts at (optional: the first level)

[framework.source]             # the citation: title is required; do not guess a date you do not have
title = "Title of the paper or article"
author = "Author"
outlet = "Publisher or journal"
url = ""
note = ""

# The status scale, lowest first; percent rises from one level to the next.
[[scale]]
name = "no-action"
label = "No action"
percent = 0
description = "Nothing observable has been done."

[[scale]]
name = "in-progress"
label = "In progress"
percent = 50
description = "Concrete steps are under way."

[[scale]]
name = "implemented"
label = "Implemented"
percent = 100
description = "Carried out and sustained."

# One [[indicators]] table per recommendation.
[[indicators]]
key = "first"                  # typed at the terminal: lower-case letters, digits and hyphens
number = 1
kind = "recommendation"        # or "risk": a watch item where a higher level is bad news
title = "The first recommendation"
description = "What carrying it out would mean."
actors = ["Who must act"]
progress_signals = ["What you would observe if it advances"]
regression_signals = ["What you would observe if it goes backwards"]

[indicators.baseline]          # optional: where things stood when the paper was written
summary = "The situation the paper describes."
source = "Author, outlet"

# [indicators.target]          # optional: a dated target
# level = "in-progress"
# by = "2027-12"               # ISO: 2027, 2027-12 or 2027-12-31
# from = "2026-01-01"          # optional: where the straight line starts
"""


def template(name: str) -> str:
    if not KEY_PATTERN.match(name):
        raise FrameworkError(
            _("framework name {name!r} must be lower-case letters, digits and hyphens").format(name=name)
        )
    return TEMPLATE.format(name=name)
