"""The Store's rows of a signed team (records.signing): the allowed_signers files this database pinned,
and the repository files held back because a commit that changed them was refused."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from policytrack.store.entries import StoreBase, marks


@cache
def _columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stored columns of a pinned signers file and of a held file (read on first use: `log` never
    loads the declarations)."""
    from policytrack.records.signing import HELD_FILE, PINNED_SIGNERS

    return PINNED_SIGNERS.stored(), HELD_FILE.stored()


class SigningRows(StoreBase):
    """What a signed team's sync reads and writes, inside sync's own transactions."""

    def pinned_signers(self) -> tuple[str, str] | None:
        """The pinned allowed_signers file (its text, the commit it is from); None: the team is unsigned."""
        row = self.conn.execute(
            "SELECT content, commit_id FROM sync_signers ORDER BY version DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def pin_signers(self, content: str, sha256: str, commit: str, at: str) -> None:
        (last,) = self.conn.execute("SELECT coalesce(max(version), 0) FROM sync_signers").fetchone()
        values = {"version": int(last) + 1, "content": content, "sha256": sha256, "commit_id": commit}
        values["pinned_at"] = at
        pinned, _ = _columns()
        self.conn.execute(
            f"INSERT INTO sync_signers ({', '.join(pinned)}) VALUES ({marks(pinned)})",
            [values[c] for c in pinned],
        )

    def held_files(self) -> dict[str, str]:
        """Each held file's path and the line that says why."""
        return {str(r[0]): str(r[1]) for r in self.conn.execute("SELECT file, problem FROM sync_held")}

    def hold_files(self, held: Iterable[tuple[str, str, str]]) -> None:
        """(path, commit, problem) of files held back: the first refusal of a file is the one it keeps."""
        _, columns = _columns()
        self.conn.executemany(
            f"INSERT OR IGNORE INTO sync_held ({', '.join(columns)}) VALUES ({marks(columns)})",
            held,
        )

    def release_files(self, paths: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM sync_held WHERE file = ?", ((p,) for p in paths))
