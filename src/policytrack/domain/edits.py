"""What an edit of an entry sets (`edit`, the editor form): apart from entries.py so that `log`, which
never edits, does not build it at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policytrack.core.dates import PartialDate


@dataclass
class EntryChanges:
    """The fields an edit sets; None leaves a field unchanged, "" clears status, grade and text."""

    indicator: str | None = None
    summary: str | None = None
    date: PartialDate | None = None
    source: str | None = None
    effect: int | None = None
    status: str | None = None
    grade: str | None = None
    tags: list[str] | None = None
    actors: list[str] | None = None
    note: str | None = None
    analyst: str | None = None
    add_tags: Sequence[str] = ()
    remove_tags: Sequence[str] = ()
    add_actors: Sequence[str] = ()
    remove_actors: Sequence[str] = ()
    add_signals: Sequence[str] = ()
    remove_signals: Sequence[str] = ()
    via: str | None = None  # a registered outlet's key; "" clears it
    source_key: str | None = None  # a registered source's key (the source text stays); "" clears it
    language: str | None = None
    summary_translation: str | None = None  # "" removes the translation (and its language)
    summary_translation_language: str | None = None
    summary_translation_checked: bool | None = None
