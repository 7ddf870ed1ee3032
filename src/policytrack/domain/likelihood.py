"""Likelihood as ICD 203 states it, once: its seven bands, the phrases an analyst may type, and the Brier
score that checks forecasts against what happened.

Kept free of heavy imports: the command line reads BANDS at start-up (the --likelihood help).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, _, pgettext

MIN_LIKELIHOOD, MAX_LIKELIHOOD = 1, 99


@dataclass(frozen=True)
class Band:
    name: str
    low: int  # percent, inclusive
    high: int  # percent, inclusive
    percent: int  # what the phrase stands for when typed instead of a number: the band's middle


# ICD 203's bands (1-5, 5-20, 20-45, 45-55, 55-80, 80-95, 95-99), made disjoint and symmetric about 50 so
# that every whole percentage falls in exactly one, and "unlikely" mirrors "likely". The names are keys (data
# keeps them in English); `band_label` is a name as people read it.
BANDS = (
    Band(N_("almost no chance"), 1, 5, 3),
    Band(N_("very unlikely"), 6, 20, 13),
    Band(N_("unlikely"), 21, 44, 33),
    Band(N_("roughly even chance"), 45, 55, 50),
    Band(N_("likely"), 56, 79, 67),
    Band(N_("very likely"), 80, 94, 87),
    Band(N_("almost certain"), 95, 99, 97),
)
# ICD 203's paired words for each band, and a few short forms.
_SYNONYMS = {
    "remote": "almost no chance",
    "highly improbable": "very unlikely",
    "improbable": "unlikely",
    "roughly even": "roughly even chance",
    "roughly even odds": "roughly even chance",
    "even chance": "roughly even chance",
    "probable": "likely",
    "highly probable": "very likely",
    "nearly certain": "almost certain",
}
_BY_NAME = {band.name: band for band in BANDS}
CONFIDENCE = ("low", "moderate", "high")


def labelled(key: str, label: str) -> str:
    """A key (kept in data) as people read it: its label, with the key beside it where they differ
    ("probable (likely)"), as `targets` shows a level; the key alone in English."""
    return key if label == key else _("{label} ({name})").format(label=label, name=key)


def band_label(band: Band) -> str:
    """An ICD 203 band's name in the command's language, beside its key."""
    return labelled(band.name, _(band.name))


def likelihood_label(percent: int) -> str:
    """A likelihood with its band, for people: "70% (likely)", in French "70 % : probable (likely)"."""
    return _("{percent}% ({band})").format(percent=percent, band=band_label(band_of(percent)))


def confidence_label(confidence: str) -> str:
    """An analyst's confidence (one of CONFIDENCE, the key data keeps) as people read it."""
    words = {
        "low": pgettext("confidence", "low"),
        "moderate": pgettext("confidence", "moderate"),
        "high": pgettext("confidence", "high"),
    }
    return labelled(confidence, words.get(confidence, confidence))


def band_of(percent: int) -> Band:
    for band in BANDS:
        if band.low <= percent <= band.high:
            return band
    raise InputError(
        _("likelihood {percent} is outside {low}-{high}%").format(
            percent=f"{percent}%", low=MIN_LIKELIHOOD, high=MAX_LIKELIHOOD
        )
    )


def parse_likelihood(raw: str) -> int:
    """A likelihood in whole percent: `70`, `70%`, or a phrase (`likely`, `very unlikely`, `probable`)."""
    number = raw.strip().removesuffix("%").strip()
    text = " ".join(raw.lower().replace("-", " ").split())
    if number.isascii() and number.isdigit() and len(number) <= 3:
        value = int(number)
        if MIN_LIKELIHOOD <= value <= MAX_LIKELIHOOD:
            return value
        raise InputError(
            _(
                "invalid likelihood {raw!r}: give a percentage from {min_likelihood} to {max_likelihood} "
                "(nothing is certain either way), or a phrase such as 'likely'"
            ).format(raw=raw, min_likelihood=MIN_LIKELIHOOD, max_likelihood=MAX_LIKELIHOOD)
        )
    name = _SYNONYMS.get(text, text)
    if name in _BY_NAME:
        return _BY_NAME[name].percent
    phrases = ", ".join(b.name for b in BANDS)
    raise InputError(
        _(
            "invalid likelihood {raw!r}: give a percentage from {min_likelihood} to {max_likelihood} "
            "(such as 70 or 70%) or an ICD 203 phrase: {phrases}"
        ).format(raw=raw, min_likelihood=MIN_LIKELIHOOD, max_likelihood=MAX_LIKELIHOOD, phrases=phrases)
    )


def brier(pairs: Iterable[tuple[int, bool]]) -> float | None:
    """The Brier score of (likelihood in percent, outcome) pairs: the mean of (p - o)^2, with p the
    likelihood as a probability and o 1 if it happened, else 0. 0 is perfect; always saying 50% scores
    0.25; 1 is always certain and always wrong. None for no pairs."""
    squares = [(p / 100 - (1.0 if happened else 0.0)) ** 2 for p, happened in pairs]
    return sum(squares) / len(squares) if squares else None
