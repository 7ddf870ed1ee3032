"""A signed team's trust, as each database keeps it (`policytrack sync init --signed`): the team's
`allowed_signers` file as this database pinned it, and the repository files held back because a commit
that changed them was not signed as the team's rules require."""

from __future__ import annotations

from policytrack.records.field import Column, Kind

_SINCE = "m018_signed_teams"

PINNED_SIGNERS = Kind(
    "pinned signers",
    "The team's allowed_signers file as this database pinned it (the first on joining, then each change "
    "signed by a key already pinned).",
    (
        Column("version", "integer", "The pin's number, from 1.", "version", stored=True, since=_SINCE),
        Column(
            "content",
            "text",
            "The file's text (one analyst a line: the analyst as principal, then their public key).",
            "content",
            stored=True,
            free_text=True,
            since=_SINCE,
        ),
        Column("sha256", "text", "The SHA-256 of the text.", "sha256", stored=True, since=_SINCE),
        Column(
            "commit_id",
            "text",
            "The repository commit whose file it is.",
            "commit_id",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "pinned_at",
            "datetime",
            "When this database pinned it (UTC).",
            "pinned_at",
            stored=True,
            since=_SINCE,
        ),
    ),
)

HELD_FILE = Kind(
    "held file",
    "A repository file whose content is not imported: a commit that changed it was not signed by the key "
    "of the analyst whose folder holds it.",
    (
        Column("file", "text", "The file, inside the repository.", "file", stored=True, since=_SINCE),
        Column(
            "commit_id", "text", "The commit refused (its full hash).", "commit_id", stored=True, since=_SINCE
        ),
        Column(
            "problem",
            "text",
            "The line that says what is wrong and what to do.",
            "problem",
            stored=True,
            free_text=True,
            since=_SINCE,
        ),
    ),
)
