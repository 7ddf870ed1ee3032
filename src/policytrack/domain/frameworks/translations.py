"""The `translations.LANG` tables of a framework file: any text of a table may carry its translations in a
table beside it (TOML cannot hold `title` and `title.fr` together):

    [[indicators]]
    title = "Publish regular reports"
    [indicators.translations.fr]
    title = "Publier des rapports réguliers"

Each is checked like the rest of the file (an unknown field, an unknown language, a wrong type: file and
line). They travel inside the file's text, and so with every version of it (sync included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policytrack.core.i18n import _, code_of, known_language
from policytrack.records.models import Framework, Indicator, StatusLevel, in_language

if TYPE_CHECKING:
    from policytrack.domain.frameworks.parse import _Reader
    from policytrack.store import Store

KEY = "translations"
# Which fields of each table are text meant for people (names, keys, citations and URLs are not): "text"
# or "list" (a list of text, translated as a list of the same length).
TRANSLATABLE: dict[str, dict[str, str]] = {
    "framework": {"title": "text", "description": "text"},
    "scale": {"label": "text", "description": "text"},
    "indicators": {
        "title": "text",
        "description": "text",
        "actors": "list",
        "progress_signals": "list",
        "regression_signals": "list",
    },
    "indicators.baseline": {"summary": "text"},
    "indicators.target": {"note": "text"},
    "indicators.progress_signals": {"text": "text"},
    "indicators.regression_signals": {"text": "text"},
}


def read_translations(
    r: _Reader, data: Mapping[str, Any], table: str, index: int = 0
) -> dict[str, dict[str, Any]]:
    """The `translations` of one table: language -> field -> text (or tuple of texts), each checked."""
    raw = data.get(KEY, {})
    where = f"{table}.{KEY}"
    if not isinstance(raw, dict):
        r.fail(
            _("{key!r} in [{table}] must hold one table per language ([{where}.fr])").format(
                key=KEY, table=table, where=where
            ),
            table,
            index,
            KEY,
        )
    fields = TRANSLATABLE[table]
    out: dict[str, dict[str, Any]] = {}
    for language, texts in raw.items():
        here = f"{where}.{language}"
        if code_of(language) != language or not known_language(language):
            r.fail(
                _(
                    "unknown language {language!r} in [{where}]: use a language code such as fr, bm or en"
                ).format(language=language, where=where),
                here,
                index,
            )
        if not isinstance(texts, dict):
            r.fail(_("[{here}] must be a table of translated fields").format(here=here), table, index, KEY)
        found: dict[str, Any] = {}
        for name, value in texts.items():
            if name not in fields:
                r.fail(
                    _(
                        "{name!r} in [{here}] is not a text of [{table}] that can be translated (those "
                        "are: {fields})"
                    ).format(name=name, here=here, table=table, fields=", ".join(fields)),
                    here,
                    index,
                    name,
                )
            if fields[name] == "list":
                original = data.get(name, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    r.fail(
                        _("{name!r} in [{here}] must be a list of text, as in [{table}]").format(
                            name=name, here=here, table=table
                        ),
                        here,
                        index,
                        name,
                    )
                if not isinstance(original, list) or not all(isinstance(v, str) for v in original):
                    r.fail(
                        _(
                            "{name!r} in [{here}]: [{table}] lists tables; translate each in its own "
                            "`{key}.{language}.text`"
                        ).format(name=name, here=here, table=table, key=KEY, language=language),
                        here,
                        index,
                        name,
                    )
                if len(value) != len(original):
                    r.fail(
                        _("{name!r} in [{here}] has {count} texts for the {count2} of [{table}]").format(
                            name=name, here=here, count=len(value), count2=len(original), table=table
                        ),
                        here,
                        index,
                        name,
                    )
                found[name] = tuple(" ".join(v.split()) for v in value)
            else:
                found[name] = r.text(texts, name, here, index)
        out[language] = found
    return out


def merged(*parts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Several tables' translations as one: language -> field -> text."""
    out: dict[str, dict[str, Any]] = {}
    for part in parts:
        for language, texts in part.items():
            out.setdefault(language, {}).update(texts)
    return out


def renamed(found: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Translations with their fields renamed (a baseline's `summary` is the indicator's `baseline`)."""
    return {lang: {names.get(k, k): v for k, v in texts.items()} for lang, texts in found.items()}


# Where an indicator's translations name a text of another table (parse.py renames them on reading).
BASELINE, TARGET_NOTE, SIGNAL = "baseline", "target_note", "signals.{key}"


def shown_in(fw: Framework, language: str) -> Framework:
    """The framework as a person reads it in `language`: every text of TRANSLATABLE (the framework's, its
    levels', its indicators', their baselines', targets' and signals') its translation, else the original
    marked with its language (records.models.in_language); names, keys and numbers unchanged. Every output
    for people takes its framework from here; data (CSV, JSON, JSONL) never does. In the framework's own
    language, the framework itself."""
    if language == fw.language:
        return fw

    def tr(obj: Framework | Indicator | StatusLevel, name: str, original: Any) -> Any:
        return in_language(obj.translations, name, original, language, fw.language)

    def texts(obj: Framework | Indicator | StatusLevel, table: str) -> dict[str, Any]:
        return {name: tr(obj, name, getattr(obj, name)) for name in TRANSLATABLE[table]}

    def indicator(ind: Indicator) -> Indicator:
        target = ind.target
        if target is not None:
            target = replace(target, note=tr(ind, TARGET_NOTE, target.note))
        signals = tuple(replace(s, text=tr(ind, SIGNAL.format(key=s.key), s.text)) for s in ind.signals)
        baseline = tr(ind, BASELINE, ind.baseline)
        return replace(ind, **texts(ind, "indicators"), baseline=baseline, target=target, signals=signals)

    return replace(
        fw,
        **texts(fw, "framework"),
        scale=tuple(replace(level, **texts(level, "scale")) for level in fw.scale),
        indicators=tuple(indicator(ind) for ind in fw.indicators),
    )


def _may_name_language(text: str) -> bool:
    """Whether a framework file's text can name the language of its texts: only through a key spelled
    `language`, written out or escaped (\\u) in a quoted key. A text that cannot is in the default language,
    the one a framework read from the database has."""
    return any(word in text for word in ("language", "\\u", "\\U"))


def in_language_of(store: Store, fw: Framework, language: str) -> Framework:
    """The framework as people read it in `language` (shown_in), with the translations its current
    version's file holds: what every report, brief, workbook and site for people shows."""
    text = store.framework_definition(fw.name)
    if not text:  # loaded before versions kept the file's text
        return shown_in(fw, language)
    if language == fw.language and not _may_name_language(text):
        return fw  # read in its own language: nothing to translate, the file need not be parsed again
    # the parser (tomllib, the file's checks) loads only for a framework read in another language
    from policytrack.domain.frameworks.parse import parse_framework

    parsed = parse_framework(text, Path(fw.name), stored=True)
    levels = {level.name: level for level in parsed.scale}
    indicators = {ind.key: ind for ind in parsed.indicators}
    translated = replace(
        fw,
        language=parsed.language,
        translations=parsed.translations,
        scale=tuple(
            replace(lv, translations=levels[lv.name].translations) if lv.name in levels else lv
            for lv in fw.scale
        ),
        indicators=tuple(
            replace(ind, translations=indicators[ind.key].translations) if ind.key in indicators else ind
            for ind in fw.indicators
        ),
    )
    return shown_in(translated, language)
