"""The fields `source add` and `source edit` set (and a source read from a file or a teammate's line):
apart from sources.py, which `log` loads to link a source, so that `log` does not build it at start-up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SourceFields:
    """The fields `source add` and `source edit` set; None leaves one unchanged."""

    name: str | None = None
    url: str | None = None
    type: str | None = None
    origin: str | None = None
    reliability: str | None = None
    note: str | None = None
    language: str | None = None
