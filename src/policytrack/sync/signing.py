"""A signed team (`policytrack sync init --signed`): git's SSH commit signing, the team's `allowed_signers`
file pinned in each database on first use, and the commits new since the last sync verified against the
pinned copy (never the working tree's): a commit that touches `analysts/NAME/` must be signed by NAME's
key, a change to `allowed_signers` by a key already pinned, and a merge commit may add nothing of its own.
A file a refused commit changed is held back (its content not imported) until its owner rewrites it in a
signed commit; every other file still syncs."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from policytrack.core.errors import SyncError
from policytrack.core.i18n import _
from policytrack.store import Store
from policytrack.sync.git import Clone, git

SIGNERS = "allowed_signers"
ANALYSTS = "analysts"
# the clone's copy of the pinned file, written from the database before each verification
PINNED_COPY = "policytrack-allowed-signers"
VERIFIED = "verified"  # sync_settings: the remote commit verified last (the next range starts there)
_CHUNK = 200  # commits per `git log` of the signature pass (run side by side)
# what a principal in allowed_signers may be here: a plain analyst name (no pattern, list or quoting)
_PRINCIPAL = re.compile(r"^[^\s,\"'*?!#]+$")


def principals(content: str) -> set[str]:
    """The principals an allowed_signers text names (the first field of each line)."""
    found: set[str] = set()
    for line in content.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            found.update(p for p in line.split()[0].split(",") if p)
    return found


def signable(analyst: str) -> str:
    """An analyst name usable as a principal in allowed_signers (refused otherwise, with the fix)."""
    if not _PRINCIPAL.match(analyst):
        raise SyncError(
            _(
                "analyst name {name!r} cannot be a principal in {signers} (it holds a space, a comma, a "
                "quote or one of * ? ! #); set a plain one with POLICYTRACK_ANALYST or `policytrack config "
                "set analyst NAME`"
            ).format(name=analyst, signers=SIGNERS)
        )
    return analyst


# -- setting up --------------------------------------------------------------------------------------


def _git_version() -> tuple[int, int]:
    found = re.search(r"(\d+)\.(\d+)", git(["--version"]))
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def require_ssh_signing() -> None:
    """git and ssh-keygen can sign and verify commits with SSH keys (git 2.34 or later)."""
    if _git_version() < (2, 34):
        raise SyncError(
            _("a signed team needs git 2.34 or later (SSH commit signing); upgrade git, then run again")
        )
    if shutil.which("ssh-keygen") is None:
        raise SyncError(
            _(
                "a signed team needs ssh-keygen (OpenSSH), which is not on PATH; install OpenSSH's client "
                "(openssh-client), then run again"
            )
        )


def configure(clone: Clone, signing_key: str | None) -> str:
    """Make the clone sign every commit it makes with the analyst's SSH key (the key given, else git's
    user.signingkey); returns the public key, as allowed_signers holds it."""
    key = signing_key or clone.run("config", "user.signingkey", check=False).strip()
    if not key:
        raise SyncError(
            _(
                "a signed team needs your SSH key: give it with --signing-key ~/.ssh/id_ed25519 (make one "
                "with `ssh-keygen -t ed25519`), or set git's user.signingkey"
            )
        )
    public = public_key(key)
    if signing_key:
        clone.run("config", "user.signingkey", str(Path(signing_key).expanduser().resolve()))
    clone.run("config", "gpg.format", "ssh")
    clone.run("config", "commit.gpgsign", "true")
    return public


def public_key(key: str) -> str:
    """The public key of git's user.signingkey: a literal key, a .pub file, or a private key file."""
    literal = key.removeprefix("key::").strip()
    if literal.startswith(("ssh-", "ecdsa-", "sk-")):
        return " ".join(literal.split()[:2])
    path = Path(key).expanduser()
    pub = path if path.suffix == ".pub" else path.with_name(path.name + ".pub")
    try:
        text = pub.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise SyncError(
            _(
                "cannot read the public key {path} of the signing key {key}; give the key file with "
                "--signing-key (its .pub beside it), made by `ssh-keygen -t ed25519`"
            ).format(path=pub, key=key)
        ) from None
    parts = text.split()
    if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
        raise SyncError(
            _("{path} is not an SSH public key; give a key made by `ssh-keygen -t ed25519`").format(path=pub)
        )
    return " ".join(parts[:2])


def signers_line(analyst: str, public: str) -> str:
    return f'{analyst} namespaces="git" {public}\n'


def check_listed(content: str, analyst: str, public: str, remote: str) -> None:
    """The analyst's key is in the team's allowed_signers under their name (else everyone refuses their
    commits): refused with the line a teammate adds."""
    for line in content.splitlines():
        fields = line.split()
        if fields and analyst in fields[0].split(",") and " ".join(fields[-2:]) == public:
            return
    raise SyncError(
        _(
            "{remote}'s {signers} does not list your key as {analyst}; ask a teammate already in it to add "
            "the line `{line}` and push, then run the command again"
        ).format(remote=remote, signers=SIGNERS, analyst=analyst, line=signers_line(analyst, public).strip())
    )


def pin_first(store: Store, clone: Clone, at: str) -> None:
    """Pin the team's allowed_signers as the clone's last commit holds it (trust on first use)."""
    content = clone.run("show", f"HEAD:{SIGNERS}")
    commit = clone.run("rev-parse", "HEAD").strip()
    with store.transaction():
        store.pin_signers(content, _sha(content), commit, at)


def _sha(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


# -- verifying ---------------------------------------------------------------------------------------


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    paths: list[str]  # changed from its parent; of a merge, those that differ from every parent
    status: str = "N"  # git's %G?: G a good signature by a key of the pinned file
    signer: str = ""  # the principal the key is listed under
    key: str = ""


@dataclass
class Verdict:
    """What a verification found: files to hold back (path: commit, line) and to release, the lines of
    refused commits that changed no record file, the allowed_signers to pin, the commit verified up to."""

    held: dict[str, tuple[str, str]] = field(default_factory=dict)
    released: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    pins: list[tuple[str, str]] = field(default_factory=list)  # (content, commit)
    head: str | None = None


def verify(store: Store, clone: Clone, own: str) -> Verdict:
    """Verify the commits of the remote branch that are new since the last verification (the range from
    the last verified commit; the whole history on first use) against the pinned allowed_signers.
    `own` ends this database's own file names (never held: its sync restores them)."""
    verdict = Verdict()
    pinned = store.pinned_signers()
    head = clone.remote_head()
    if pinned is None or head is None:
        return verdict
    content, pin_commit = pinned
    last = store.sync_setting(VERIFIED)
    if last == head:
        verdict.head = head
        return verdict
    known = bool(last and clone.run("rev-parse", "-q", "--verify", f"{last}^{{commit}}", check=False).strip())
    span = [f"{last}..{head}"] if known and last else [head]
    # on first use, the history the pin came from is checked against it but never re-pins an older file
    before_pin = set(clone.run("rev-list", pin_commit).split()) if not known else set()
    commits = _commits(clone, span)
    held = dict(store.held_files())
    index = 0
    while index < len(commits):
        _sign(clone, content, commits[index:])
        for position in range(index, len(commits)):
            commit = commits[position]
            index = position + 1
            problem = _problem(commit, principals(content))
            if problem is None and SIGNERS in commit.paths and not _holds_signers(clone, commit.sha):
                problem = _("a commit that removes {signers}").format(signers=SIGNERS)
            if problem is None:
                touched = {p for p in commit.paths if p in held}
                verdict.released |= touched
                for path in touched:
                    del held[path]
                if SIGNERS in commit.paths and len(commit.parents) < 2 and commit.sha not in before_pin:
                    content = clone.run("show", f"{commit.sha}:{SIGNERS}", check=False)
                    verdict.pins.append((content, commit.sha))
                    break  # the commits after it are verified against the new pin
                continue
            # this database's own files are restored by its sync (engine._merge), never held
            others = [p for p in commit.paths if not (p.startswith(ANALYSTS + "/") and p.endswith(own))]
            records = [p for p in others if p.startswith(ANALYSTS + "/")]
            for path in records:
                line = _held_line(commit.sha, path, problem)
                verdict.held.setdefault(path, (commit.sha, line))
                verdict.released.discard(path)
                held.setdefault(path, line)
            if (others and not records) or not commit.paths:
                verdict.refused.append(_refused_line(commit.sha, commit.paths, problem))
    verdict.head = head
    return verdict


def _holds_signers(clone: Clone, sha: str) -> bool:
    return bool(clone.run("ls-tree", sha, "--", SIGNERS).strip())


def save(store: Store, verdict: Verdict, at: str) -> None:
    """Record a verification: the new pins, the files held and released, the commit verified up to."""
    if verdict.head is None:
        return
    with store.transaction():
        for content, commit in verdict.pins:
            store.pin_signers(content, _sha(content), commit, at)
        store.release_files(verdict.released)
        store.hold_files((path, commit, line) for path, (commit, line) in verdict.held.items())
        store.set_sync_setting(VERIFIED, verdict.head)


def _commits(clone: Clone, span: list[str]) -> list[_Commit]:
    """The commits of the range, oldest first (parents before children), each with the paths it
    changed; a merge with the paths that differ from every parent (what it added of its own)."""
    out = clone.run(
        "log", "-z", "--reverse", "--topo-order", "--name-only", "-c", "--format=%x01%H %P", *span, "--"
    )
    commits = []
    for chunk in out.split("\x01")[1:]:
        header, _sep, rest = chunk.partition("\0")
        if rest[:1] in ("\n", "\0"):
            rest = rest[1:]
        sha, *parents = header.split()
        commits.append(_Commit(sha, parents, [p for p in rest.split("\0") if p]))
    return commits


def _sign(clone: Clone, content: str, commits: list[_Commit]) -> None:
    """Each commit's signature as git verifies it against `content` (the pinned file, copied into the
    clone's .git): one `git log` per chunk of commits, side by side. A merge that adds nothing of its
    own is not asked (its content is its parents')."""
    copy = clone.path / ".git" / PINNED_COPY
    copy.write_text(content, encoding="utf-8")
    wanted = [c for c in commits if len(c.parents) < 2 or c.paths]
    by_sha = {c.sha: c for c in wanted}
    # as many chunks as cores (ssh-keygen runs twice a commit), none longer than _CHUNK
    workers = max(1, os.cpu_count() or 1)
    size = max(1, min(_CHUNK, -(-len(wanted) // workers)))
    chunks = [wanted[i : i + size] for i in range(0, len(wanted), size)]

    def run(chunk: list[_Commit]) -> str:
        return clone.run(
            "-c",
            f"gpg.ssh.allowedSignersFile={copy}",
            "log",
            "-z",
            "--no-walk=unsorted",
            "--format=%H%x01%G?%x01%GS%x01%GK",
            *(c.sha for c in chunk),
            "--",
        )

    with ThreadPoolExecutor(max_workers=max(1, min(len(chunks), workers))) as pool:
        for out in pool.map(run, chunks):
            for record in out.split("\0"):
                if record.strip():
                    sha, status, signer, key = record.strip().split("\x01")
                    found = by_sha[sha]
                    found.status, found.signer, found.key = status, signer, key


def _problem(commit: _Commit, allowed: set[str]) -> str | None:
    """Why a commit is refused (None: it is not)."""
    if len(commit.parents) > 1:
        if commit.paths:
            return _("a merge commit that adds content of its own")
        return None
    if commit.status == "N":
        return _("not signed")  # messages read "commit X is ..."
    # a good signature by an SSH key (SHA256 fingerprint) listed in the pinned file
    if commit.status != "G" or not commit.key.startswith("SHA256:") or commit.signer not in allowed:
        return _("signed by a key the pinned {signers} does not list (key {key})").format(
            signers=SIGNERS, key=commit.key or "?"
        )
    owners = sorted(
        {p.split("/")[1] for p in commit.paths if p.startswith(ANALYSTS + "/") and p.count("/") > 1}
    )
    others = [o for o in owners if o != commit.signer]
    if others:
        return _("signed by {signer}'s key, not {owner}'s").format(signer=commit.signer, owner=others[0])
    return None


def _held_line(sha: str, path: str, problem: str) -> str:
    analyst = path.split("/")[1]
    return _(
        "{path}: commit {commit} is {problem}; its content is not imported (analyst {analyst}), everything "
        "else was synced: ask {analyst} to run `policytrack sync` (it rewrites their own files in a signed "
        "commit), and the next sync takes it"
    ).format(path=path, commit=sha[:10], problem=problem, analyst=analyst)


def _refused_line(sha: str, paths: list[str], problem: str) -> str:
    where = ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "") if paths else _("no file")
    return _(
        "commit {commit} ({where}) is {problem}; refused (a change to {signers} it makes is not pinned), "
        "everything else was synced: ask a teammate whose key is pinned to commit the file again, signed"
    ).format(commit=sha[:10], where=where, problem=problem, signers=SIGNERS)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
