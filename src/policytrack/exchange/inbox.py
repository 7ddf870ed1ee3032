"""What `inbox add` and `feed pull` read: a file or an http(s) address (through the safe fetcher), read
as its kind into a Batch of records (domain/inbox.py writes them). The fetcher (http.client, ssl) is
imported only for an address: a file's read, and its second read, do not pay for it at start-up."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.exchange import datasets
from policytrack.records.candidate import LAYOUTS


def is_url(text: str) -> bool:
    """Whether `inbox add` reads this location through the fetcher (else it is a file's path)."""
    return text.lower().startswith(("http://", "https://"))


def read_batch(
    location: str,
    kind: str,
    *,
    map_path: Path | None = None,
    allow_private: bool = False,
) -> datasets.Batch:
    """The records of a file or an http(s) address, read as `kind` (exchange/), not yet written."""
    name = location
    if is_url(location):
        from policytrack.exchange.fetch import fetch

        data: Any = fetch(location, allow_private=allow_private)
    else:
        path = Path(location)
        try:
            data = path.open("rb") if kind in ("acled", "ucdp", "csv") else path.read_bytes()
        except OSError as exc:
            raise InputError(
                _("cannot read {name} ({problem}); check the path").format(name=name, problem=exc.strerror)
            ) from None
    digest = hashlib.sha256(f"{kind}\n".encode())
    if isinstance(data, bytes):
        digest.update(data)
    else:  # a CSV file, read twice: hashed whole (no Python per row), then parsed as a stream
        digest = hashlib.file_digest(data, lambda: digest)
        data.seek(0)
    batch = _read(data, name, kind, map_path, digest)
    batch.digest = digest.hexdigest()
    return batch


def _read(data: Any, name: str, kind: str, map_path: Path | None, digest: Any) -> datasets.Batch:
    if kind in LAYOUTS:
        return datasets.read_layout(data, name, kind)
    if kind == "csv":
        if map_path is None:
            raise InputError(_("--kind csv needs --map FILE: which column gives which field"))
        try:
            map_bytes = map_path.read_bytes()
            digest.update(b"\nmap\n" + map_bytes)  # another map reads the same bytes as other records
            mapping = datasets.read_map(map_bytes, str(map_path))
        except OSError as exc:
            raise InputError(
                _("cannot read {name} ({problem}); check the path").format(
                    name=map_path, problem=exc.strerror
                )
            ) from None
        return datasets.read_mapped(data, name, mapping, Path(name).stem)
    if kind in ("rss", "atom"):
        from policytrack.exchange.feeds import read_feed

        return read_feed(data, name, kind)
    if kind == "gdelt":
        return datasets.read_gdelt(data, name)
    return datasets.read_reliefweb(data, name)
