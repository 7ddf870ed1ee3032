"""Plain data: frameworks, indicators, status scales, evidence entries, and the validation of their fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError, UnknownIndicatorError
from policytrack.core.i18n import _, ngettext, number
from policytrack.records import check
from policytrack.records.entry import ENTRY

# The bounds of an entry's effect, as declared (records.entry).
EFFECT_MIN, EFFECT_MAX = ENTRY["effect"].minimum or 0, ENTRY["effect"].maximum or 0
# Ids and revisions run from 1 to 2**53: exact in every JSON reader (JavaScript's numbers included) and
# far from SQLite's 2**63, past which it hands out random ids and stores sums as REAL.
MAX_ID = 2**53
DEFAULT_FRAMEWORK = "mali-china-security"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 entry`, `2 entries`: a count with its noun, by the language's plural rule (babel.cfg extracts
    the two forms of each call)."""
    return f"{number(count)} {ngettext(singular, plural_form or singular + 's', count)}"


def check_effect(effect: int) -> int:
    return check.integer(
        ENTRY["effect"], effect, _(" (-2 strongly hinders, +2 strongly advances; 0 is context)")
    )


def clean_summary(raw: str) -> str:
    """The summary is kept exactly as given, but must say something."""
    if not raw.strip():
        raise InputError(_("empty summary: say in a sentence what happened"))
    return check.text(ENTRY["summary"], raw)


def clean_labels(values: list[str], what: str) -> list[str]:
    """A list field's items (`tags`, `actors`): trimmed, duplicates dropped, order kept; records.check
    refuses an empty one, a separator, a line break or a control character, and a list over a cell."""
    return check.labels(ENTRY[what], values)


# A framework text's translations: language -> field -> text (a list field: a tuple of texts). They come
# from the framework file's `translations.LANG` tables (domain/frameworks/parse.py), not from the database's
# rows, and never make two frameworks or indicators differ (compare=False): they travel in the file's text.
Translations = Mapping[str, Mapping[str, Any]]
MISSING_TRANSLATION = "[{language}] "  # before a text shown in its own language, where a translation lacks


def marked_language(text: str) -> str | None:
    """The language a text shown by `in_language` is in where its translation lacked (the code in its
    marker, `[en] Commitment` -> `en`); None for a translated or untouched text."""
    import re

    found = re.match(r"\[([a-z]{2,3})\] ", text)
    return found.group(1) if found else None


def _no_translations() -> Translations:
    return {}


def in_language(translations: Translations, name: str, original: Any, language: str, base: str) -> Any:
    """A field in `language`: its translation, else the original (in `base`, the framework's own
    language) marked with that language, `[en] Commitment`, so nobody takes it for a translation."""
    if language == base or not original:
        return original
    found = translations.get(language, {}).get(name)
    if found:
        return found
    mark = MISSING_TRANSLATION.format(language=base)
    return tuple(mark + t for t in original) if isinstance(original, tuple) else mark + original


@dataclass(frozen=True)
class StatusLevel:
    """A level of a framework's status scale."""

    name: str
    label: str
    percent: int
    rank: int
    description: str = ""
    translations: Translations = field(default_factory=_no_translations, compare=False, repr=False)


@dataclass(frozen=True)
class Source:
    """The publication a framework comes from."""

    title: str
    author: str = ""
    outlet: str = ""
    url: str = ""
    note: str = ""

    def citation(self) -> str:
        parts = [p for p in (self.author, f"'{self.title}'", self.outlet) if p]
        text = ", ".join(parts)
        return f"{text}, {self.url}" if self.url else text


SIGNAL_KINDS = ("leading", "confirming")
SIGNAL_PREFIX = {"progress": "p", "regression": "r"}


@dataclass(frozen=True)
class Signal:
    """A signpost: something that, observed, says an indicator is moving (`progress` or `regression`);
    `leading` ones come before the change, `confirming` ones show it has happened ("" if not said)."""

    key: str
    text: str
    direction: str
    kind: str = ""


def numbered_signal(direction: str, place: int, text: str) -> Signal:
    """A signal written as plain text (the list form that predates keys) gets its key by its place in
    its list: p1, p2... for progress, r1, r2... for regression."""
    return Signal(f"{SIGNAL_PREFIX[direction]}{place}", text, direction)


@dataclass(frozen=True)
class Indicator:
    """One recommendation or indicator of a framework, with its signals and target."""

    key: str
    number: int
    title: str
    description: str
    actors: tuple[str, ...] = ()
    progress_signals: tuple[str, ...] = ()
    regression_signals: tuple[str, ...] = ()
    baseline: str = ""
    baseline_source: str = ""
    baseline_status: str = ""
    kind: str = "recommendation"
    target: FrameworkTarget | None = None
    id: int | None = None
    signals: tuple[Signal, ...] = ()
    # title, description, actors, baseline, target_note, and signals.KEY for each signal's text
    translations: Translations = field(default_factory=_no_translations, compare=False, repr=False)

    def signal(self, key: str) -> Signal:
        """The indicator's signal called `key`; one error naming the ones it has otherwise."""
        wanted = key.strip().lower()
        for sig in self.signals:
            if sig.key == wanted:
                return sig
        have = ", ".join(s.key for s in self.signals) or "none"
        raise InputError(
            _(
                "indicator {key!r} has no signal {signal!r}; its signals: {have} (`policytrack signposts "
                "{key}` lists them)"
            ).format(key=self.key, signal=key, have=have)
        )


@dataclass(frozen=True)
class Framework:
    """A framework: its scale of statuses and its indicators."""

    name: str
    title: str
    description: str
    source: Source
    scale: tuple[StatusLevel, ...]
    indicators: tuple[Indicator, ...]
    default_status: str
    id: int | None = None
    language: str = field(default="en", compare=False)  # of the file's own texts ([framework] language)
    translations: Translations = field(default_factory=_no_translations, compare=False, repr=False)

    def level(self, name: str) -> StatusLevel:
        for level in self.scale:
            if level.name == name:
                return level
        names = ", ".join(level.name for level in self.scale)
        raise InputError(
            _("unknown status level {name!r}: use one of {names}").format(name=name, names=names)
        )


# How many hex digits of a uuid name a record to a teammate in tables, `show`, conflicts and the brief:
# the same in every database (the local id is not).
REF_DIGITS = 8


def short_ref(uuid: str) -> str:
    """A record's team-wide short reference: @ and its uuid's first hex digits (every command that takes
    an id takes it)."""
    return "@" + uuid.replace("-", "")[:REF_DIGITS]


@dataclass
class EntryInput:
    """What an analyst gives for one piece of evidence (entries.validated_values checks it before storing)."""

    indicator: str
    summary: str
    date: PartialDate
    source: str = ""
    effect: int = 0
    status: str | None = None
    grade: str | None = None
    tags: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    note: str = ""
    analyst: str = ""
    # Evidence links (issue 13), resolved by the domain (policytrack.domain.sources) before validation.
    source_id: int | None = None
    via_id: int | None = None
    event: str | None = None
    signals: list[str] = field(default_factory=list)
    # The summary's language (None: the config's `language`, else und) and its translation (issue 23).
    language: str | None = None
    summary_translation: str = ""
    summary_translation_language: str = ""
    summary_translation_checked: bool = False


@dataclass(frozen=True)
class Entry:
    """One piece of evidence as stored, at its current revision."""

    id: int
    uuid: str
    framework: str
    indicator: str
    indicator_title: str
    date: PartialDate
    summary: str
    note: str
    source: str
    effect: int
    status: str | None
    grade: str | None
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    analyst: str
    revision: int
    recorded_at: str
    deleted: bool = False
    deleted_at: str | None = None  # when it was deleted (UTC), for `list --deleted`
    source_key: str | None = None  # the registered originator's key
    via: str | None = None  # the registered outlet it came through
    event: str | None = None  # shared by the entries logged together as one event
    signals: tuple[str, ...] = ()
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    returned_by: str | None = None  # returned to its author for changes (review --request-changes)
    returned_at: str | None = None
    return_comment: str | None = None
    # what tables and the brief show of the registered source and outlet (records.entry.SOURCE_SHOWN)
    source_name: str | None = None
    via_name: str | None = None
    source_url: str | None = None
    language: str = "und"  # of the summary (a BCP 47 tag; und: not said)
    summary_translation: str = ""
    summary_translation_language: str = ""
    summary_translation_checked: bool = False

    @property
    def ref(self) -> str:
        """The team-wide short reference (short_ref)."""
        return short_ref(self.uuid)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "uuid": self.uuid,
            "framework": self.framework,
            "indicator": self.indicator,
            "indicator_title": self.indicator_title,
            "date": str(self.date),
            "date_precision": self.date.precision,
            "summary": self.summary,
            "language": self.language,
            "summary_translation": self.summary_translation,
            "summary_translation_language": self.summary_translation_language,
            "summary_translation_checked": self.summary_translation_checked,
            "note": self.note,
            "source": self.source,
            "source_key": self.source_key,
            "via": self.via,
            "event": self.event,
            "effect": self.effect,
            "status": self.status,
            "grade": self.grade,
            "tags": list(self.tags),
            "actors": list(self.actors),
            "signals": list(self.signals),
            "analyst": self.analyst,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
            "returned_by": self.returned_by,
            "returned_at": self.returned_at,
            "return_comment": self.return_comment,
            "revision": self.revision,
            "recorded_at": self.recorded_at,
            "deleted": self.deleted,
        }


def resolve_indicator(framework: Framework, text: str) -> Indicator:
    """Find an indicator by key, number or unambiguous key prefix; suggest the closest on a miss."""
    wanted = text.strip().lower()
    by_key = {ind.key: ind for ind in framework.indicators}
    if wanted in by_key:
        return by_key[wanted]
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 9:
        for ind in framework.indicators:
            if ind.number == int(wanted):
                return ind
    matches = [ind for ind in framework.indicators if ind.key.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    keys = ", ".join(f"{ind.number}={ind.key}" for ind in framework.indicators)
    if len(matches) > 1:
        several = ", ".join(ind.key for ind in matches)
        raise UnknownIndicatorError(
            _("indicator {text!r} is ambiguous ({several}); valid: {keys}").format(
                text=text, several=several, keys=keys
            )
        )
    import difflib  # only to suggest a key after a typo

    close = difflib.get_close_matches(wanted, list(by_key), n=1, cutoff=0.5)
    hint = _("did you mean {key!r}? ").format(key=close[0]) if close else ""
    raise UnknownIndicatorError(
        _("unknown indicator {text!r} in framework {name!r}; {hint}valid: {keys}").format(
            text=text, name=framework.name, hint=hint, keys=keys
        )
    )


class NotJSON:
    """A list column of another database that does not hold a JSON list: the row check refuses it."""

    def __init__(self, text: object) -> None:
        self.text = text


# EntryFilter, Revision, SourceRecord and FrameworkTarget live in records/listed.py: what a listing, a
# history, the source registry or a framework file's parse reads back, which `log` never builds. Named here
# as they always were, they load on first use.
_LISTED = ("EntryFilter", "Revision", "SourceRecord", "FrameworkTarget")

if TYPE_CHECKING:
    from policytrack.records.listed import EntryFilter as EntryFilter
    from policytrack.records.listed import FrameworkTarget as FrameworkTarget
    from policytrack.records.listed import Revision as Revision
    from policytrack.records.listed import SourceRecord as SourceRecord


def __getattr__(name: str) -> Any:
    if name in _LISTED:
        from policytrack.records import listed

        return getattr(listed, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
