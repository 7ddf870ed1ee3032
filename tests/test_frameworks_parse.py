"""Framework files: the built-in ones load, and every problem is named with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from policytrack.core.errors import FrameworkError, UnknownIndicatorError
from policytrack.domain.frameworks.parse import builtin_path, load_framework_file
from policytrack.records.models import resolve_indicator

MINIMAL = """\
[framework]
name = "demo"
title = "Demo framework"

[framework.source]
title = "A paper"

[[scale]]
name = "none"
percent = 0

[[scale]]
name = "done"
percent = 100

[[indicators]]
key = "first"
number = 1
title = "First"
description = "The first one."

[[indicators]]
key = "second"
number = 2
title = "Second"
description = "The second one."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_mali_framework() -> None:
    fw = load_framework_file(builtin_path())
    assert fw.name == "mali-china-security"
    assert [i.key for i in fw.indicators] == [
        "civilian-led",
        "diversify",
        "guidelines",
        "civil-society",
        "regional",
    ]
    assert [i.number for i in fw.indicators] == [1, 2, 3, 4, 5]
    assert [lv.percent for lv in fw.scale] == [0, 25, 50, 75, 100]
    assert fw.source.author == "Paa Kwesi Wolseley Prah"
    assert fw.source.outlet == "The Conversation"
    for ind in fw.indicators:
        assert ind.description and ind.baseline and ind.baseline_source
        assert ind.progress_signals and ind.regression_signals and ind.actors
    assert "US$13 billion" in fw.indicators[2].baseline
    assert "1.48 billion" in fw.indicators[2].baseline


def test_minimal_framework(tmp_path: Path) -> None:
    fw = load_framework_file(write(tmp_path, MINIMAL))
    assert fw.default_status == "none"
    assert fw.indicators[1].title == "Second"


BROKEN = [
    # (replace this, with this, expected message, expected line)
    ('title = "Demo framework"\n', "", "missing 'title' in [framework]", 1),
    ('key = "second"\n', 'key = "first"\n', "duplicate indicator key 'first'", 23),
    ("number = 2\n", 'number = "two"\n', "'number' in [indicators] must be a whole number", 24),
    ('title = "Second"\n', 'titel = "Second"\n', "unknown key 'titel'", 25),
    ("percent = 100\n", "percent = 0\n", "must be above the level before it", 14),
    ('name = "demo"\n', 'name = "Demo Framework"\n', "lower-case", 2),
    ('[framework.source]\ntitle = "A paper"\n', "", "missing the [framework.source]", 1),
    ('description = "The first one."\n', "", "missing 'description' in [indicators]", 16),
    ("number = 1\n", 'number = 1\nkind = "hope"\n', "kind 'hope'", 19),
]


@pytest.mark.parametrize(("old", "new", "message", "line"), BROKEN)
def test_broken_frameworks_name_file_and_line(
    tmp_path: Path, old: str, new: str, message: str, line: int
) -> None:
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    text = str(info.value)
    assert message in text
    assert text.startswith(f"{path}:{line}:"), text


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[framework\nname=")
    with pytest.raises(FrameworkError, match=r"not valid TOML.*line 1"):
        load_framework_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="cannot read framework file"):
        load_framework_file(tmp_path / "absent.toml")


def test_resolve_indicator() -> None:
    fw = load_framework_file(builtin_path())
    assert resolve_indicator(fw, "regional").key == "regional"
    assert resolve_indicator(fw, "2").key == "diversify"
    assert resolve_indicator(fw, "civil-s").key == "civil-society"
    assert resolve_indicator(fw, "GUIDE").key == "guidelines"
    with pytest.raises(UnknownIndicatorError, match="ambiguous"):
        resolve_indicator(fw, "civ")
    with pytest.raises(UnknownIndicatorError, match="did you mean 'regional'"):
        resolve_indicator(fw, "regonal")
    with pytest.raises(UnknownIndicatorError, match="valid: 1=civilian-led"):
        resolve_indicator(fw, "9")
