"""`policytrack sync`: a team's databases kept in step through a shared git repository.

Each database appends the records the repository lacks (exchange.synckinds) to a file only it writes,
`analysts/<analyst>/<yyyy-mm>-<database>.jsonl`, commits, fetches and merges what others wrote (their
files never touch its own, so git merges cleanly), imports it, and pushes, again if the push raced
another. The database is the truth and the clone beside it (`DB.sync`) is rebuilt from it: a sync killed
at any step leaves both consistent, and the next one finishes the work.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid as uuidlib
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError, SyncError
from policytrack.core.i18n import _, ngettext
from policytrack.core.storable import storable
from policytrack.store import Store
from policytrack.sync import signing
from policytrack.sync.conflicts import all_conflicts, conflict_keys
from policytrack.sync.git import SHARED_SETTINGS, Clone, GitFailed, git
from policytrack.sync.kinds import BY_KIND, RECORD_KINDS, Received, event_id, line_text
from policytrack.sync.receive import (
    _LINK_MODES,
    ANALYSTS,
    BATCH,
    MARKER,
    STREAMED,
    Reading,
    _aside,
    _check_marker,
    _head,
    _link_mode,
    parse,
    receive,
)
from policytrack.sync.record import Built, LineProblem, RecordKind, Sender, bound_sql, unbound
from policytrack.sync.redactions import REWRITTEN, rewrite_own_files, rewritten_for

MARKER_TEXT = json.dumps({"format": "policytrack-sync", "version": 1}, indent=2) + "\n"
PUSH_ATTEMPTS = 5


@dataclass
class SyncResult:
    sent: int = 0
    received: int = 0
    new: int = 0
    updated: int = 0
    conflicts: int = 0  # the conflicts this sync brought
    open_conflicts: int = 0  # every conflict open after it, as `conflicts` lists them
    # one line per file set aside, per analyst named by records of this database kept back, per unbound
    # line accepted
    set_aside: list[str] = field(default_factory=list)
    unbound: list[str] = field(default_factory=list)

    def summary(self) -> str:
        # "C conflicts" when what this sync brought is all that is open; else both, so that a sync that
        # brought none never reads as if none were open
        n, total = self.conflicts, self.open_conflicts
        conflicts = (
            ngettext("{n} conflict", "{n} conflicts", n).format(n=n)
            if n == total
            else ngettext("{n} new conflict ({open} open)", "{n} new conflicts ({open} open)", n).format(
                n=n, open=total
            )
        )
        return _("sent {sent}, received {received} ({new} new, {updated} updated), {conflicts}").format(
            sent=self.sent, received=self.received, new=self.new, updated=self.updated, conflicts=conflicts
        )


@dataclass
class SyncStatus:
    remote: str
    to_send: int
    to_receive: int
    conflicts: int
    unreachable: str | None = None  # why the remote could not be asked (then to_receive is as last fetched)
    set_aside: list[str] = field(default_factory=list)  # the files a sync would set aside, one line each


def clone_path(db: Path) -> Path:
    return db.with_name(db.name + ".sync")


def check_analyst(name: str) -> str:
    """The analyst's folder name in the repository: refused if it could name anything but one folder
    inside analysts/."""
    plain = (
        name
        and name == name.strip()
        and not name.startswith(".")
        and storable(name)
        and not any(c in name for c in "/\\:")
        and all(c.isprintable() for c in name)
        and len(name) <= 100
    )
    if not plain:
        raise InputError(
            _(
                "analyst name {name!r} cannot be a folder in the repository's {folder}/ (it is empty, starts "
                "with '.', or holds '/', '\\', ':' or control characters); set a plain one with "
                "POLICYTRACK_ANALYST or `policytrack config set analyst NAME`"
            ).format(name=name, folder=ANALYSTS)
        )
    return name


def _database_id(store: Store) -> str:
    found = store.sync_setting("database")
    if found is None:
        found = uuidlib.uuid4().hex[:8]
        store.set_sync_setting("database", found)
    return found


def _opened_clone(store: Store) -> Clone:
    clone = Clone(clone_path(store.path))
    if not clone.exists:
        raise SyncError(
            _(
                "this database does not sync with a repository yet (no {path}); run "
                "`policytrack sync init REMOTE` first"
            ).format(path=clone.path)
        )
    return clone


# -- init --------------------------------------------------------------------------------------------


def _local_remote(remote: str) -> Path | None:
    """A remote that is a folder on this machine (not a URL, not user@host:path)."""
    if "://" in remote or re.match(r"^[^/]+:", remote):
        return None
    return Path(remote).expanduser()


def init(
    store: Store, remote: str, analyst: str, *, signed: bool = False, signing_key: str | None = None
) -> str:
    """Clone the shared repository beside the database (an empty one, or a missing local folder, is made
    a policytrack repository first). Signed (sync.signing): the clone signs every commit with the
    analyst's SSH key, a new repository lists that key in its allowed_signers, and the team's
    allowed_signers is pinned in the database. Returns what was done, for the confirmation."""
    check_analyst(analyst)
    if signed:
        signing.signable(analyst)
        signing.require_ssh_signing()
    if remote.startswith("-"):
        raise InputError(
            _(
                "remote {remote!r} starts with '-', which git would read as an option; give a folder of "
                "that name as ./{remote}"
            ).format(remote=remote)
        )
    clone = Clone(clone_path(store.path))
    if clone.exists:
        current = clone.remote_url()
        if current == remote:
            return _("already syncing with {remote}").format(remote=remote)
        raise SyncError(
            _(
                "this database already syncs with {current}; remove {path} to sync with another repository"
            ).format(current=current, path=clone.path)
        )
    if store.read_only_reason:
        raise SyncError(store.read_only_reason)
    local = _local_remote(remote)
    if local is not None and (not local.exists() or (local.is_dir() and not any(local.iterdir()))):
        git(["init", "-q", "--bare", "-b", "main", "--", str(local)])
        for key, value in SHARED_SETTINGS:
            git(["config", key, value], local)
    temporary = clone.path.with_name(clone.path.name + ".new")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        try:
            git(["clone", "-q", "--", remote, str(temporary)])
        except GitFailed as exc:
            raise SyncError(
                _("cannot clone {remote}: {detail}; check the address and your access to it").format(
                    remote=remote, detail=exc.detail
                )
            ) from None
        new = Clone(temporary)
        public = signing.configure(new, signing_key) if signed else ""
        heads = [
            line.split("refs/heads/", 1)[1] for line in new.run("ls-remote", "--heads", "origin").splitlines()
        ]
        if not new.has_commits() and heads:  # the remote's HEAD names a branch it does not have
            branch = "main" if "main" in heads else heads[0]
            new.run("checkout", "-q", "-b", branch, f"origin/{branch}")
        if not new.has_commits():
            # the branch an empty remote's HEAD names (git reads it when it clones), so that a plain
            # `git clone` of the repository checks out the records
            branch = new.branch()
            (temporary / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            new.run("add", MARKER)
            if signed:
                (temporary / signing.SIGNERS).write_text(
                    signing.signers_line(analyst, public), encoding="utf-8"
                )
                new.run("add", signing.SIGNERS)
            new.run("commit", "-q", "-m", "policytrack: a shared repository for `policytrack sync`")
            _push(new, branch, 0)
            if local is not None:
                _point_head(local, branch)
            done = _("made {remote} a policytrack repository").format(remote=remote)
        else:
            _check_marker(temporary, remote)
            _check_signed(new, remote, analyst, public if signed else None)
            done = _("joined {remote}").format(remote=remote)
        _database_id(store)
        store.set_sync_setting(REWRITTEN, "")  # a new clone: its own files rewritten afresh if need be
        if signed:
            signing.pin_first(store, new, signing.now())
            done = _("{done} as a signed team (allowed_signers pinned)").format(done=done)
        temporary.rename(clone.path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return done + f"; the sync clone is {clone.path}. Run `policytrack sync` to send and receive"


def _check_signed(clone: Clone, remote: str, analyst: str, public: str | None) -> None:
    """A signed team is joined signed, an unsigned one unsigned; a signed member's key is listed."""
    listed = bool(clone.run("ls-tree", "HEAD", "--", signing.SIGNERS).strip())
    if listed and public is None:
        raise SyncError(
            _(
                "{remote} is a signed team (it holds {signers}); join it with `policytrack sync init "
                "--signed {remote}`"
            ).format(remote=remote, signers=signing.SIGNERS)
        )
    if public is None:
        return
    if not listed:
        raise SyncError(
            _(
                "{remote} is not a signed team (it has no {signers}) and its history is unsigned; start a "
                "signed team in a new repository, or join this one without --signed"
            ).format(remote=remote, signers=signing.SIGNERS)
        )
    signing.check_listed(clone.run("show", f"HEAD:{signing.SIGNERS}"), analyst, public, remote)


def _point_head(bare: Path, branch: str) -> None:
    """A local bare repository whose HEAD names a branch it lacks (a git too old to tell the clone which
    branch that is) is pointed at the branch sync pushed: a plain `git clone` of it checks that out."""
    if not (bare / "HEAD").is_file():
        return  # not a bare repository: its HEAD is its own checkout's business
    head = git(["--git-dir", str(bare), "symbolic-ref", "-q", "HEAD"], check=False).strip()
    if not head or not git(["--git-dir", str(bare), "rev-parse", "-q", "--verify", head], check=False):
        git(["--git-dir", str(bare), "symbolic-ref", "HEAD", f"refs/heads/{branch}"])


# -- sending ---------------------------------------------------------------------------------------


# One batch of lines to send: (line, event id, ref, record), as the kind's `sent` takes them (a line SQLite
# built comes without its record, {}: its kind's `sent` reads what it needs from its ref).
Batch = list[tuple[str, str, Any, dict[str, Any]]]


def outgoing(
    store: Store, sender: Sender, kept: Counter[tuple[str, str, str]] | None = None, *, streamed: bool = True
) -> Iterator[tuple[RecordKind, Batch]]:
    """Every record this database holds that the repository lacks, kind by kind in RECORD_KINDS' order:
    those that name the sender as who made them (a teammate's record held here is theirs to send; a change
    made here in another's name, which every teammate would refuse, stays here and is counted in `kept`).
    The streamed kind (entries) comes BATCH at a time in the order SQLite reads it (the one order); the
    others, few, whole and sorted by their line. Whether a record is known is asked per batch, when the
    batch is asked for: a caller that records a batch as sent before the next never gets it twice."""
    for kind in RECORD_KINDS:
        if kind.name == STREAMED and not streamed:
            continue
        batch: Batch = []
        for made, ref in kind.outgoing(store, sender):
            if isinstance(made, Built):  # a line SQLite built, its binding asked there: read if unbound
                text, record = made.text, ({} if made.bound else json.loads(made.text))
                named = None if made.bound else unbound(kind.declared, record, sender.analyst)
            else:
                text, record = "", made
                named = unbound(kind.declared, record, sender.analyst)
            if named is None:
                text = text or line_text(record)
                batch.append((text, event_id(text), ref, record))
            elif kind.own_only and kept is not None:
                kept[(kind.name, str(record[named.name]), named.name)] += 1
            if kind.name == STREAMED and len(batch) >= BATCH:
                yield kind, _fresh(store, batch)
                batch = []
        if batch:
            yield kind, _fresh(store, batch if kind.name == STREAMED else sorted(batch, key=_line))


def _kept_lines(kept: Counter[tuple[str, str, str]], analyst: str) -> list[str]:
    """One line per kind, analyst named and field of the changes made here in another's name that stay
    here (a database that imported a desk's history holds thousands: one line each buried the summary)."""
    return [
        ngettext(
            "{n} change of this database ({kind}) names {named!r} as its {field}, not {analyst}: only "
            "{named}'s own database sends their changes; it stays here, unsent (revert it, or ask {named} "
            "to make the change)",
            "{n} changes of this database ({kind}) name {named!r} as their {field}, not {analyst}: only "
            "{named}'s own database sends their changes; they stay here, unsent (revert them, or ask "
            "{named} to make the changes)",
            n,
        ).format(n=n, kind=kind, named=named, field=field, analyst=analyst)
        for (kind, named, field), n in kept.items()
    ]


def _line(item: tuple[str, str, Any, dict[str, Any]]) -> str:
    return item[0]


def _fresh(store: Store, batch: Batch) -> Batch:
    """The records of a batch the repository lacks, each once."""
    known = store.known_events([event for _, event, _, _ in batch])
    fresh: Batch = []
    for item in batch:
        if item[1] not in known:
            known.add(item[1])
            fresh.append(item)
    return fresh


def _own_file(store: Store, analyst: str, now: str) -> str:
    return f"{ANALYSTS}/{analyst}/{now[:7]}-{_database_id(store)}.jsonl"


def _check_own_folder(clone: Clone, path: Path) -> None:
    """The folders between the clone and this database's file are real folders inside the clone (a link
    committed in place of one would send records outside the repository)."""
    folder = clone.path
    for part in path.relative_to(clone.path).parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            relative = folder.relative_to(clone.path).as_posix()
            raise SyncError(
                _(
                    "the repository holds {where} as a link or a file, not a folder; nothing was sent: "
                    "remove it from the repository (git rm {where}), then run `policytrack sync` again"
                ).format(where=relative)
            )


def _send(store: Store, clone: Clone, sender: Sender, kept: Counter[tuple[str, str, str]]) -> int:
    """Append the unsent records to this database's own file, a batch at a time as they are read, and
    commit. They are read in one read transaction, which takes no write lock: the entries' marks are
    staged (Store.staged) and the few other records kept, then all of them are remembered as sent in one
    short transaction after the commit (cut short before it, nothing is remembered and the clone's
    uncommitted lines are reset by the next sync's recovery; cut short after, the next sync reads them
    back from the file)."""
    analyst = sender.analyst
    relative = _own_file(store, analyst, sender.now)
    path = clone.path / relative
    sent = written = 0
    few: list[tuple[RecordKind, list[tuple[Any, str, dict[str, Any]]]]] = []
    # the entries are read in the one order, not in the b-trees' order: with SQLite's default 2 MB cache
    # most page reads went to the file (1.7 s of the 100,000-revision send, 0.9 s with it); receiving
    # takes the same cache, so a sync's peak memory is the same
    store.large_cache()
    try:
        with ExitStack() as stack:
            stack.enter_context(store.snapshot())
            stack.enter_context(store.staged())
            handle = None
            for kind, batch in outgoing(store, sender, kept):
                if not batch:
                    continue
                if handle is None:
                    _check_own_folder(clone, path)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    handle = stack.enter_context(path.open("a", encoding="utf-8", newline="\n"))
                handle.writelines(text + "\n" for text, _, _, _ in batch)
                written += sum(len(text.encode("utf-8")) + 1 for text, _, _, _ in batch)
                items = [(ref, event, record) for _, event, ref, record in batch]
                if kind.name == STREAMED and kind.sent is not None:
                    kind.sent(store, items)  # staged: a batch at a time, at flat memory
                elif kind.sent is not None:
                    few.append((kind, items))
                store.add_events(event for _, event, _, _ in batch)
                sent += len(batch)
            if handle is None:
                return 0
            handle.close()
            clone.run("add", relative)
            clone.run("commit", "-q", "-m", f"policytrack: {analyst} records {sent} change(s)")
        with store.transaction():
            store.commit_staged()
            for kind, items in few:
                assert kind.sent is not None
                kind.sent(store, items)
            size = path.stat().st_size
            if store.sync_file_sizes().get(relative, 0) == size - written:
                store.set_sync_file_sizes({relative: size})  # else read back next time
    finally:
        store.drop_staged()
    return sent


def _redact_own(store: Store, clone: Clone, sender: Sender, own: str) -> None:
    """Take the text of every redaction this database holds out of its own files (sync.redactions), as
    one commit on top of what the remote holds: the commits not pushed yet, which only ever change this
    database's files, are folded into it, so no pushed commit holds text redacted before the push."""
    redactions = rewritten_for(store)
    rewritten = rewrite_own_files(store, clone, clone.path / ANALYSTS / sender.analyst, own, redactions)
    if rewritten:
        if clone.remote_head() is not None:
            clone.run("reset", "-q", "--soft", f"refs/remotes/origin/{clone.branch()}")
        clone.run("commit", "-q", "-m", f"policytrack: {sender.analyst} records, redacted text taken out")
    if redactions and store.sync_setting(REWRITTEN) != redactions:
        # once committed (cut short before, the clone's recovery undoes the rewrite: done again)
        store.set_sync_setting(REWRITTEN, redactions)


def _push(clone: Clone, branch: str, sent: int) -> bool:
    """Push; False when another push got there first (fetch, merge and try again)."""
    try:
        clone.run("push", "-q", "origin", f"HEAD:refs/heads/{branch}")
    except GitFailed as exc:
        if "[rejected]" in exc.stderr or "non-fast-forward" in exc.stderr or "fetch first" in exc.stderr:
            return False
        kept = (
            ngettext(
                "; the {n} record sent is committed in {path} and the next `policytrack sync` sends it",
                "; the {n} records sent are committed in {path} and the next `policytrack sync` sends them",
                sent,
            ).format(n=sent, path=clone.path)
            if sent
            else ""
        )
        raise SyncError(
            _("the shared repository refused the push ({detail}){kept}; check your access to it").format(
                detail=exc.detail, kept=kept
            )
        ) from None
    return True


def _fetch(clone: Clone) -> None:
    try:
        clone.run("fetch", "-q", "origin")
    except GitFailed as exc:
        raise SyncError(
            _(
                "cannot reach the shared repository {remote} ({detail}); what this database holds is "
                "committed in its sync clone, and the next `policytrack sync` sends and receives it"
            ).format(remote=clone.remote_url(), detail=exc.detail)
        ) from None


def _merge(clone: Clone, branch: str, own: str) -> list[str]:
    """Merge what others pushed. A commit of theirs that changed or removed this database's own files is
    undone for those files (their owner's copy is the record): restored and committed, to be pushed.
    Returns one line per file restored."""
    if clone.remote_head() is None:
        return []
    before = clone.run("rev-parse", "HEAD").strip() if clone.has_commits() else None
    try:
        # on a line both sides changed, this database's side: only its own files can meet its changes
        clone.run("merge", "-q", "--no-edit", "-X", "ours", f"refs/remotes/origin/{branch}")
    except GitFailed as exc:
        clone.run("merge", "--abort", check=False)
        raise SyncError(
            _(
                "the shared repository's history cannot be merged ({detail}): someone changed a file "
                "another database writes; nothing was imported"
            ).format(detail=exc.detail)
        ) from None
    if before is None:
        return []
    changed = clone.run("diff", "--name-only", "-z", before, "HEAD", "--", ANALYSTS).split("\0")
    mine = sorted(p for p in changed if p.endswith(own))
    if not mine:
        return []
    clone.run("checkout", before, "--", *mine)
    clone.run("commit", "-q", "-m", "policytrack: restore this database's file(s) another commit changed")
    return [
        _(
            "{where} was changed or removed by another commit; restored from this database (the next push "
            "sends it back)"
        ).format(where=p)
        for p in mine
    ]


def sync(store: Store, sender: Sender, email: str | None = None) -> SyncResult:
    """Send what the repository lacks, receive what others sent, and push: one step at a time, each
    leaving the database and the clone consistent. Commits carry the sender's name and `email` (else
    git's own)."""
    clone = _opened_clone(store)
    check_analyst(sender.analyst)
    if store.read_only_reason:
        raise SyncError(store.read_only_reason)
    clone.author = (sender.display_name, email)
    with clone.locked():
        return _sync(store, clone, sender)


def _sync(store: Store, clone: Clone, sender: Sender) -> SyncResult:
    clone.recover()
    own = f"-{_database_id(store)}.jsonl"
    before: set[str] = set()
    counted: list[bool] = []

    def count_conflicts() -> None:
        """The conflicts open before anything is received (worked out only when something is)."""
        if not counted:
            before.update(conflict_keys(store))
            counted.append(True)

    result = SyncResult()
    received = Received(store)
    reading = Reading()
    kept: Counter[tuple[str, str, str]] = Counter()
    restored: list[str] = []
    refused: list[str] = []
    signed = store.pinned_signers() is not None
    # 1. what the clone already holds (an earlier sync may have stopped before importing it)
    result.received += receive(store, clone, own, sender, reading, received, count_conflicts)
    # 2. this database's new records, committed in its own file (its redacted text taken out first)
    _redact_own(store, clone, sender, own)
    result.sent = _send(store, clone, sender, kept)
    # 3. others' records, and the push (again if another push got there first)
    branch = clone.branch()
    for _attempt in range(PUSH_ATTEMPTS):
        _fetch(clone)
        if signed:  # before the merge: what it brings in is verified and held back as need be
            verdict = signing.verify(store, clone, own)
            signing.save(store, verdict, signing.now())
            refused += verdict.refused
        remote = clone.run(
            "rev-parse", "--verify", "-q", f"refs/remotes/origin/{branch}", check=False
        ).strip()
        if not remote or remote != _head(clone):  # only then is there anything to merge
            restored += _merge(clone, branch, own)
        result.received += receive(store, clone, own, sender, reading, received, count_conflicts)
        _redact_own(store, clone, sender, own)  # a redaction just received: its text is never pushed
        # nothing to push when the remote holds this clone's commit (a sync with nothing new)
        if (remote and remote == _head(clone)) or _push(clone, branch, result.sent):
            break
    else:
        raise SyncError(
            _(
                "the push lost the race to other pushes {attempts} times; everything is committed locally: "
                "run `policytrack sync` again"
            ).format(attempts=PUSH_ATTEMPTS)
        )
    result.new, result.updated = received.counts()
    open_now = conflict_keys(store)
    result.conflicts = len(open_now - before) if counted else 0
    result.open_conflicts = len(open_now)
    result.set_aside = [*reading.set_aside.values(), *refused, *_kept_lines(kept, sender.analyst)]
    result.unbound = [*reading.unbound, *restored]
    return result


# -- status ----------------------------------------------------------------------------------------


def status(store: Store, sender: Sender) -> SyncStatus:
    """What a sync would send and receive; only the clone's record of the remote is refreshed (fetch).
    To send: what the database holds that no commit has, and the lines of commits not pushed yet (a sync
    cut short between its commit and its push)."""
    clone = _opened_clone(store)
    unreachable = None
    try:
        _fetch(clone)
    except SyncError as exc:
        unreachable = str(exc).split(";")[0]
    sizes = store.sync_file_sizes()
    incoming: set[str] = set()
    set_aside: dict[str, str] = {}
    own = f"-{store.sync_setting('database')}.jsonl"
    remote = f"refs/remotes/origin/{clone.branch()}" if clone.remote_head() else None
    refs = (["HEAD"] if clone.has_commits() else []) + ([remote] if remote else [])
    now = datetime.now(UTC)
    # a signed team: what is held back, and what the commits new since the last sync would hold
    verdict = signing.verify(store, clone, own)
    held = {**store.held_files(), **{path: line for path, (_c, line) in verdict.held.items()}}
    held = {path: line for path, line in held.items() if path not in verdict.released or path in verdict.held}
    set_aside.update(held)
    for ref in refs:
        listing = clone.run("ls-tree", "-r", "-l", "-z", ref, "--", ANALYSTS)
        for line in listing.split("\0"):
            if not line:
                continue
            meta, relative = line.split("\t", 1)
            mode, size_text = meta.split()[0], meta.split()[3]
            if mode in _LINK_MODES or not size_text.isdigit():
                what = _link_mode(mode) if mode in _LINK_MODES else _("not a file")
                set_aside[relative] = _aside(relative, _("it is {what}").format(what=what))
                continue
            start = sizes.get(relative, 0)
            if int(size_text) <= start or relative.endswith(own) or relative in held:
                continue
            data = clone.run("show", f"{ref}:{relative}").encode("utf-8")
            try:
                records, _unbound = parse(relative, data, start, data[:start].count(b"\n"), now)
            except LineProblem as exc:
                set_aside[relative] = _aside(exc.where, exc.problem, newer=exc.newer)
                continue
            events = [item.event for _kind, item in records]
            incoming.update(set(events) - store.known_events(events))
    # the many (entries' revisions) counted by SQLite; the few records of other kinds by their lines.
    # A line committed and not pushed is one to send, counted once: marked sent, it is not counted
    # among the unsent; not marked (a sync cut short after its commit), it is (as a revision or a line).
    unpushed = _unpushed_events(clone, remote, own)
    others = {event for _, batch in outgoing(store, sender, streamed=False) for _, event, _, _ in batch}
    unsent = store.unsent_revision_count(bound_sql(BY_KIND[STREAMED].declared), sender.analyst)
    return SyncStatus(
        clone.remote_url(),
        unsent + len(others | store.known_events(sorted(unpushed))),
        len(incoming),
        len(all_conflicts(store)),
        unreachable,
        [*set_aside.values(), *verdict.refused],
    )


def _unpushed_events(clone: Clone, remote: str | None, own: str) -> set[str]:
    """The records of the lines this database's commits hold that the remote (as last fetched) lacks.
    By event id: a sync killed after its commit and before it marked the records sent has them both
    committed and unsent, and they are one record each to send. Line by line, not from the pushed
    file's length: an owner's redaction rewrite changes the length of lines already pushed."""
    if not clone.has_commits():
        return set()
    found: set[str] = set()
    listing = clone.run("ls-tree", "-r", "-l", "-z", "HEAD", "--", ANALYSTS)
    for line in listing.split("\0"):
        if not line:
            continue
        meta, relative = line.split("\t", 1)
        if not relative.endswith(own):
            continue
        pushed = _size_at(clone, remote, relative) if remote else 0
        if pushed and _blob_at(clone, remote, relative) == meta.split()[2]:
            continue  # the same file as pushed
        # by "\n" alone (str.splitlines would also split inside a line, at U+2028 and the like)
        ours = clone.run("show", f"HEAD:{relative}").split("\n")
        theirs = set(clone.run("show", f"{remote}:{relative}").split("\n")) if pushed else set()
        found.update(event_id(line) for line in ours if line and line not in theirs)
    return found


def _blob_at(clone: Clone, ref: str | None, relative: str) -> str:
    """The id of a file's content at a commit."""
    return clone.run("rev-parse", "-q", "--verify", f"{ref}:{relative}", check=False).strip()


def _size_at(clone: Clone, ref: str, relative: str) -> int:
    """The size of a file at a commit (0: not there)."""
    found = clone.run("cat-file", "-s", f"{ref}:{relative}", check=False).strip()
    return int(found) if found.isdigit() else 0


def conflicts(store: Store) -> list[dict[str, Any]]:
    """Every open conflict: entries, targets and sources changed apart (sync.conflicts)."""
    return all_conflicts(store)
