"""Reading and validating framework files (TOML): the only way a framework reaches the database.

Every problem is reported with the file and the line it is on, and unknown keys are refused because
they are nearly always typos of known ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from policytrack.core.dates import PartialDate, parse_date
from policytrack.core.errors import DateError, FrameworkError
from policytrack.core.i18n import _, code_of, known_language
from policytrack.domain.frameworks.translations import (
    BASELINE,
    KEY,
    SIGNAL,
    TARGET_NOTE,
    merged,
    read_translations,
    renamed,
)
from policytrack.records.models import (
    DEFAULT_FRAMEWORK,
    SIGNAL_KINDS,
    Framework,
    FrameworkTarget,
    Indicator,
    Signal,
    Source,
    StatusLevel,
    numbered_signal,
)

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}\Z")
MAX_FRAMEWORK_BYTES = 1024 * 1024
MAX_INDICATOR_NUMBER = 9999

_TOP_KEYS = {"framework", "scale", "indicators"}
_FRAMEWORK_KEYS = {"name", "title", "description", "default_status", "source", "language", KEY}
_SOURCE_KEYS = {"title", "author", "outlet", "url", "note"}
_LEVEL_KEYS = {"name", "label", "percent", "description", KEY}
_INDICATOR_KEYS = {
    "key",
    "number",
    "title",
    "description",
    "kind",
    "actors",
    "progress_signals",
    "regression_signals",
    "baseline",
    "target",
    KEY,
}
_TARGET_KEYS = {"level", "by", "from", "note", KEY}
_SIGNAL_KEYS = {"key", "text", "kind", KEY}
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_BASELINE_KEYS = {"summary", "source", "status", KEY}
_KINDS = {"recommendation", "risk"}


def builtin_dir() -> Path:
    """The folder of the frameworks that ship with policytrack (inside the wheel, or data/ in a checkout)."""
    packaged = Path(str(resources.files("policytrack"))) / "domain" / "frameworks" / "builtin"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[4] / "data" / "frameworks"


def builtin_path(name: str = DEFAULT_FRAMEWORK) -> Path:
    return builtin_dir() / f"{name}.toml"


class _Lines:
    """Finds the line of a table or key in TOML text, so messages can point at it."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str) -> None:
        # (table path, array index) -> (header line, {key: line})
        self.tables: dict[tuple[str, int], tuple[int, dict[str, int]]] = {("", 0): (0, {})}
        counts: dict[str, int] = {}
        current: tuple[str, int] = ("", 0)
        last_array_index: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if m := self._HEADER.match(line):
                path = m.group(2).replace(" ", "")
                if m.group(1) == "[[":
                    index = counts.get(path, 0)
                    counts[path] = index + 1
                    last_array_index[path] = index
                else:
                    # a sub-table such as [indicators.baseline] or [indicators.translations.fr] belongs to
                    # the latest [[indicators]]
                    parent = path
                    while "." in parent and parent not in last_array_index:
                        parent = parent.rsplit(".", 1)[0]
                    index = last_array_index.get(parent, 0)
                current = (path, index)
                self.tables.setdefault(current, (number, {}))
            elif m := self._KEY.match(line):
                self.tables[current][1].setdefault(m.group(1), number)

    def line(self, table: str, index: int, key: str | None = None) -> int:
        header, keys = self.tables.get((table, index), (0, {}))
        if key is not None and key in keys:
            return keys[key]
        if key is not None and table and (table, index) not in self.tables:
            # an inline key such as `source = {...}` or `baseline.summary = ...`
            parent, _, last = table.rpartition(".")
            return self.line(parent, index, last)
        return header


# The texts `policytrack framework new` writes for the user to replace (frameworks/install.py TEMPLATE uses
# each of them; a test keeps the two in step): a file still holding one is refused, naming its line.
PLACEHOLDERS = frozenset(
    {
        "Title of the framework",
        "What the paper recommends, in your own words.",
        "Title of the paper or article",
        "Author",
        "Publisher or journal",
        "The first recommendation",
        "What carrying it out would mean.",
        "Who must act",
        "What you would observe if it advances",
        "What you would observe if it goes backwards",
        "The situation the paper describes.",
        "Author, outlet",
    }
)


class _Reader:
    def __init__(self, path: Path, text: str, *, placeholders: bool = True) -> None:
        self.path = path
        self.lines = _Lines(text)
        self.placeholders = placeholders  # refuse the template's placeholders (not in a stored version)

    def fail(self, problem: str, table: str = "", index: int = 0, key: str | None = None) -> NoReturn:
        line = self.lines.line(table, index, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        raise FrameworkError(_("{where}: {problem}").format(where=where, problem=problem))

    def table(self, data: Mapping[str, Any], allowed: set[str], table: str, index: int = 0) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                name = f"[{table}]" if table else "the top level"
                self.fail(
                    _("unknown key {key!r} in {name} (known keys: {known})").format(
                        key=key, name=name, known=known
                    ),
                    table,
                    index,
                    key,
                )

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        table: str,
        index: int = 0,
        *,
        required: bool = True,
    ) -> str:
        if key not in data:
            if required:
                self.fail(_("missing {key!r} in [{table}]").format(key=key, table=table), table, index)
            return ""
        value = data[key]
        if not isinstance(value, str):
            self.fail(
                _("{key!r} in [{table}] must be text, not {kind}").format(
                    key=key, table=table, kind=type(value).__name__
                ),
                table,
                index,
                key,
            )
        text = " ".join(value.split())
        if required and not text:
            self.fail(_("{key!r} in [{table}] is empty").format(key=key, table=table), table, index, key)
        self.not_placeholder(text, key, table, index)
        return text

    def not_placeholder(self, text: str, key: str, table: str, index: int) -> None:
        if self.placeholders and text in PLACEHOLDERS:
            self.fail(
                _(
                    "{key!r} in [{table}] is still the template's {text!r}: replace it with your own text"
                ).format(key=key, table=table, text=text),
                table,
                index,
                key,
            )

    def integer(self, data: Mapping[str, Any], key: str, table: str, index: int = 0) -> int:
        if key not in data:
            self.fail(_("missing {key!r} in [{table}]").format(key=key, table=table), table, index)
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(
                _("{key!r} in [{table}] must be a whole number, not {kind}").format(
                    key=key, table=table, kind=type(value).__name__
                ),
                table,
                index,
                key,
            )
        return int(value)

    def texts(self, data: Mapping[str, Any], key: str, table: str, index: int) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(
                _("{key!r} in [{table}] must be a list of text").format(key=key, table=table),
                table,
                index,
                key,
            )
        found = tuple(" ".join(v.split()) for v in value)
        for text in found:
            self.not_placeholder(text, key, table, index)
        return found

    def mapping(self, data: Mapping[str, Any], key: str, table: str, index: int) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(
                _("{key!r} in [{table}] must be a table").format(key=key, table=table), table, index, key
            )
        return dict(value)


def parse_framework(text: str, path: Path, *, stored: bool = False) -> Framework:
    """Validate the text of a framework file and build the Framework it describes. A `stored` version
    (loaded before the template's placeholders were refused) may still hold them."""
    import tomllib  # only when a framework file is read, not on every command

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(_("{path}: not valid TOML: {exc}").format(path=path, exc=exc)) from None
    except RecursionError:
        raise FrameworkError(
            _("{path}: not valid TOML: nested too deeply; check the file").format(path=path)
        ) from None
    except ValueError as exc:  # e.g. a number of thousands of digits
        raise FrameworkError(
            _("{path}: not valid TOML: {exc}; check the file").format(path=path, exc=exc)
        ) from None
    r = _Reader(path, text, placeholders=not stored)
    r.table(data, _TOP_KEYS, "")
    fw = data.get("framework")
    if not isinstance(fw, dict):
        r.fail(_("missing the [framework] table"))
    r.table(fw, _FRAMEWORK_KEYS, "framework")
    name = r.text(fw, "name", "framework")
    if not KEY_PATTERN.match(name):
        r.fail(
            _("framework name {name!r} must be lower-case letters, digits and hyphens").format(name=name),
            "framework",
            0,
            "name",
        )
    src = r.mapping(fw, "source", "framework", 0)
    if not src:
        r.fail(_("missing the [framework.source] table (the citation)"), "framework")
    r.table(src, _SOURCE_KEYS, "framework.source")
    source = Source(
        title=r.text(src, "title", "framework.source"),
        author=r.text(src, "author", "framework.source", required=False),
        outlet=r.text(src, "outlet", "framework.source", required=False),
        url=r.text(src, "url", "framework.source", required=False),
        note=r.text(src, "note", "framework.source", required=False),
    )

    scale = _read_scale(r, data.get("scale"))
    level_names = {level.name for level in scale}
    default_status = r.text(fw, "default_status", "framework", required=False) or scale[0].name
    if default_status not in level_names:
        r.fail(
            _("default_status {default_status!r} is not a level of [[scale]] ({items})").format(
                default_status=default_status, items=", ".join(level.name for level in scale)
            ),
            "framework",
            0,
            "default_status",
        )
    indicators = _read_indicators(r, data.get("indicators"), level_names)
    language = r.text(fw, "language", "framework", required=False) or "en"
    if code_of(language) != language or not known_language(language):
        r.fail(
            _(
                "language {language!r} of the framework's texts is not a language code such as en or fr"
            ).format(language=language),
            "framework",
            0,
            "language",
        )
    return Framework(
        language=language,
        translations=read_translations(r, fw, "framework"),
        name=name,
        title=r.text(fw, "title", "framework"),
        description=r.text(fw, "description", "framework", required=False),
        source=source,
        scale=scale,
        indicators=indicators,
        default_status=default_status,
    )


def _read_scale(r: _Reader, raw: object) -> tuple[StatusLevel, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        r.fail(_("a framework needs a [[scale]] of at least two status levels"))
    levels: list[StatusLevel] = []
    for i, item in enumerate(raw):
        r.table(item, _LEVEL_KEYS, "scale", i)
        name = r.text(item, "name", "scale", i)
        if not KEY_PATTERN.match(name):
            r.fail(
                _("status level {name!r} must be lower-case letters, digits, hyphens").format(name=name),
                "scale",
                i,
                "name",
            )
        if any(level.name == name for level in levels):
            r.fail(_("duplicate status level {name!r}").format(name=name), "scale", i, "name")
        percent = r.integer(item, "percent", "scale", i)
        if not 0 <= percent <= 100:
            r.fail(_("percent of {name!r} must be from 0 to 100").format(name=name), "scale", i, "percent")
        if levels and percent <= levels[-1].percent:
            r.fail(
                _("percent of {name!r} must be above the level before it (the scale is ordered)").format(
                    name=name
                ),
                "scale",
                i,
                "percent",
            )
        levels.append(
            StatusLevel(
                name=name,
                label=r.text(item, "label", "scale", i, required=False) or name,
                percent=percent,
                rank=i,
                description=r.text(item, "description", "scale", i, required=False),
                translations=read_translations(r, item, "scale", i),
            )
        )
    return tuple(levels)


def _read_indicators(r: _Reader, raw: object, levels: set[str]) -> tuple[Indicator, ...]:
    if not isinstance(raw, list) or not raw:
        r.fail(_("a framework needs at least one [[indicators]] table"))
    out: list[Indicator] = []
    for i, item in enumerate(raw):
        t = "indicators"
        r.table(item, _INDICATOR_KEYS, t, i)
        key = r.text(item, "key", t, i)
        if not KEY_PATTERN.match(key) or key.isdigit():
            r.fail(
                _(
                    "indicator key {key!r} must be lower-case letters, digits and hyphens (not only "
                    "digits), at most 40 characters"
                ).format(key=key),
                t,
                i,
                "key",
            )
        if any(ind.key == key for ind in out):
            r.fail(_("duplicate indicator key {key!r}").format(key=key), t, i, "key")
        number = r.integer(item, "number", t, i)
        if not 1 <= number <= MAX_INDICATOR_NUMBER or any(ind.number == number for ind in out):
            r.fail(
                _("indicator number {number} must be unique and from 1 to {max_indicator_number}").format(
                    number=number, max_indicator_number=MAX_INDICATOR_NUMBER
                ),
                t,
                i,
                "number",
            )
        kind = r.text(item, "kind", t, i, required=False) or "recommendation"
        if kind not in _KINDS:
            r.fail(
                _("kind {kind!r} must be one of {kinds}").format(kind=kind, kinds=", ".join(sorted(_KINDS))),
                t,
                i,
                "kind",
            )
        base = r.mapping(item, "baseline", t, i)
        r.table(base, _BASELINE_KEYS, f"{t}.baseline", i)
        baseline_status = r.text(base, "status", f"{t}.baseline", i, required=False)
        if baseline_status and baseline_status not in levels:
            r.fail(
                _("baseline status {baseline_status!r} is not a level of [[scale]]").format(
                    baseline_status=baseline_status
                ),
                f"{t}.baseline",
                i,
                "status",
            )
        target_raw = r.mapping(item, "target", t, i)
        target = _read_target(r, target_raw, i, levels)
        signals, signal_translations = _read_signals(r, item, i)
        own = read_translations(r, item, t, i)
        for texts in own.values():  # a list of text signals, translated as a list: each by its key
            for direction in ("progress", "regression"):
                for place, text in enumerate(texts.pop(f"{direction}_signals", ()), start=1):
                    texts[f"signals.{numbered_signal(direction, place, text).key}"] = text
        translations = merged(
            own,
            renamed(read_translations(r, base, f"{t}.baseline", i), {"summary": BASELINE}),
            renamed(read_translations(r, target_raw, f"{t}.target", i), {"note": TARGET_NOTE}),
            signal_translations,
        )
        out.append(
            Indicator(
                translations=translations,
                target=target,
                key=key,
                number=number,
                title=r.text(item, "title", t, i),
                description=r.text(item, "description", t, i),
                kind=kind,
                actors=r.texts(item, "actors", t, i),
                progress_signals=tuple(s.text for s in signals if s.direction == "progress"),
                regression_signals=tuple(s.text for s in signals if s.direction == "regression"),
                signals=signals,
                baseline=r.text(base, "summary", f"{t}.baseline", i, required=False),
                baseline_source=r.text(base, "source", f"{t}.baseline", i, required=False),
                baseline_status=baseline_status,
            )
        )
    return tuple(sorted(out, key=lambda ind: ind.number))


def _read_signals(
    r: _Reader, item: dict[str, Any], i: int
) -> tuple[tuple[Signal, ...], dict[str, dict[str, Any]]]:
    """progress_signals and regression_signals: each a list of text (keys p1, p2... and r1, r2... by
    place) or of tables with `key`, `text` and optionally `kind` (leading or confirming), or both mixed;
    and the translations of the tables' texts (language -> `signals.KEY` -> text)."""
    t = "indicators"
    out: list[Signal] = []
    translations: dict[str, dict[str, Any]] = {}
    for direction in ("progress", "regression"):
        name = f"{direction}_signals"
        raw = item.get(name, [])
        if not isinstance(raw, list):
            r.fail(
                _("{name!r} in [{t}] must be a list of text or of tables").format(name=name, t=t), t, i, name
            )
        for place, value in enumerate(raw, start=1):
            if isinstance(value, str):
                text = " ".join(value.split())
                r.not_placeholder(text, name, t, i)
                out.append(numbered_signal(direction, place, text))
                continue
            if not isinstance(value, dict):
                r.fail(
                    _("{name!r} in [{t}] must hold text or tables with key and text").format(name=name, t=t),
                    t,
                    i,
                    name,
                )
            r.table(value, _SIGNAL_KEYS, f"{t}.{name}", i)
            key = r.text(value, "key", f"{t}.{name}", i)
            if not KEY_PATTERN.match(key):
                r.fail(
                    _(
                        "signal key {key!r} must be lower-case letters, digits and hyphens, at most 40 "
                        "characters"
                    ).format(key=key),
                    t,
                    i,
                    name,
                )
            kind = r.text(value, "kind", f"{t}.{name}", i, required=False)
            if kind and kind not in SIGNAL_KINDS:
                r.fail(
                    _("signal kind {kind!r} must be one of {signal_kinds}").format(
                        kind=kind, signal_kinds=", ".join(SIGNAL_KINDS)
                    ),
                    t,
                    i,
                    name,
                )
            out.append(Signal(key, r.text(value, "text", f"{t}.{name}", i), direction, kind))
            found = read_translations(r, value, f"{t}.{name}", i)
            translations = merged(translations, renamed(found, {"text": SIGNAL.format(key=key)}))
    keys = [s.key for s in out]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        r.fail(
            _(
                "signal key {twice} appears twice in the indicator (text signals take p1, p2... and r1, "
                "r2... by place): give each signal its own key"
            ).format(twice=", ".join(twice)),
            t,
            i,
            "progress_signals",
        )
    return tuple(out), translations


def _read_target(r: _Reader, raw: dict[str, Any], i: int, levels: set[str]) -> FrameworkTarget | None:
    if not raw:
        return None
    t = "indicators.target"
    r.table(raw, _TARGET_KEYS, t, i)
    level = r.text(raw, "level", t, i)
    if level not in levels:
        r.fail(_("target level {level!r} is not a level of [[scale]]").format(level=level), t, i, "level")
    dates: dict[str, PartialDate] = {}
    for key in ("by", "from"):
        text = r.text(raw, key, t, i, required=key == "by")
        if not text:
            continue
        if not _ISO.match(text):
            problem = f"target {key!r} must be an ISO date (2027, 2027-12 or 2027-12-31), not {text!r}"
            r.fail(problem, t, i, key)
        try:
            dates[key] = parse_date(text, date.max, allow_future=True)
        except DateError as exc:
            r.fail(_("target {key!r}: {exc}").format(key=key, exc=exc), t, i, key)
    start = dates["from"].start if "from" in dates else None
    if start and dates["by"].end < start:
        r.fail(_("target 'by' is before its 'from'"), t, i, "by")
    return FrameworkTarget(level, dates["by"], start, r.text(raw, "note", t, i, required=False))


def load_framework_file(path: Path) -> Framework:
    """Read, decode and validate one framework file."""
    return read_framework_file(path)[0]


def read_framework_file(path: Path) -> tuple[Framework, str]:
    """Read, decode and validate one framework file; also return its text, to store as loaded."""
    import stat  # with the file read, only when a framework is loaded

    try:
        # a FIFO would block for ever and /dev/zero never end: only a regular file, of a bounded size
        if not stat.S_ISREG(path.stat().st_mode):
            raise FrameworkError(
                _("{path} is not a regular file; give the path of a framework file").format(path=path)
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FRAMEWORK_BYTES + 1)
    except OSError as exc:
        raise FrameworkError(
            _("cannot read framework file {path}: {strerror}").format(path=path, strerror=exc.strerror)
        ) from None
    if len(raw) > MAX_FRAMEWORK_BYTES:
        raise FrameworkError(
            _(
                "{path} is over {value} KiB, far more than a framework needs; check that it is the right file"
            ).format(path=path, value=MAX_FRAMEWORK_BYTES // 1024)
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameworkError(
            _("{path}: not UTF-8 text (byte {start})").format(path=path, start=exc.start)
        ) from None
    return parse_framework(text, path), text
