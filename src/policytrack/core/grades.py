"""What an Admiralty (NATO) grade means, stated once: its two scales, the codes, how a grade is read from
what an analyst types, and how much graded evidence counts in weighted momentum (each entry stores
its grade_weight).

Kept free of heavy imports: the command line reads WEIGHTS_HELP at start-up. (The database's CHECK on the
grade column, in the shipped migration m001, says the same A-F then 1-6 and cannot be edited.)
"""

from __future__ import annotations

import re

from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, _

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
_GRADE = re.compile(r"^([A-Fa-f])\s*([1-6])$")
GRADES = frozenset(r + c for r in RELIABILITY for c in CREDIBILITY)  # parse_grade's results: A1 .. F6


def parse_grade(raw: str, what: str = "--grade") -> str:
    """Validate an Admiralty (NATO) grade: source reliability A-F then information credibility 1-6."""
    m = _GRADE.match(raw.strip())
    if not m:
        raise InputError(
            _(
                "invalid {what} {raw!r}: use the Admiralty code, source reliability A-F then information "
                "credibility 1-6, e.g. B2"
            ).format(what=what, raw=raw)
        )
    return m.group(1).upper() + m.group(2)


def describe_grade(grade: str) -> str:
    """`B2` -> `B2 (usually reliable; probably true)`."""
    return f"{grade} ({RELIABILITY[grade[0]]}; {CREDIBILITY[grade[1]]})"


# Grade weights for weighted momentum: reliability (A-F) times credibility (1-6); ungraded evidence 0.5.
RELIABILITY_WEIGHT = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.2}
CREDIBILITY_WEIGHT = {"1": 1.0, "2": 0.8, "3": 0.6, "4": 0.4, "5": 0.2, "6": 0.2}
UNGRADED_WEIGHT = 0.5
WEIGHTS_HELP = N_(
    "Weighted momentum multiplies each effect by reliability (A 1, B .8, C .6, D .4, E-F .2) times "
    "credibility (1 1, 2 .8, 3 .6, 4 .4, 5-6 .2); ungraded evidence counts .5."
)


def grade_weight(grade: str | None) -> float:
    """How much one entry of this grade counts in weighted momentum (stored with the entry)."""
    if grade is None:
        return UNGRADED_WEIGHT
    return RELIABILITY_WEIGHT[grade[0]] * CREDIBILITY_WEIGHT[grade[1]]


DIAGONAL = frozenset({"A1", "B2", "C3"})  # grades on it suggest the two axes were not judged apart


def grade_selector(raw: str) -> str:
    """A grade to select entries by: a code (`B2`), a reliability letter (`B`) or a credibility digit (`2`),
    in its stored form."""
    text = raw.strip().upper()
    if len(text) == 1 and (text in RELIABILITY or text in CREDIBILITY):
        return text
    try:
        return parse_grade(text)
    except InputError:
        raise InputError(
            _(
                "invalid --grade {raw!r}: give a code such as B2, a reliability A-F, or a credibility 1-6"
            ).format(raw=raw)
        ) from None
