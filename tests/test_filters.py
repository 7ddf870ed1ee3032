"""Finding entries: list and export entries filter by actor, analyst, status level, grade, effect and across
frameworks, in every format, and mark deleted entries."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Invoke, InvokeJson, SeededDb

# (summary, indicator, date, effect, grade, status, actors, analyst); ids follow this order
ROWS = [
    (
        "AES treaty signed in Niamey",
        "regional",
        "2024-07-06",
        "1",
        "A1",
        "commitment",
        ["Mali", "Niger"],
        "ann",
    ),
    (
        "Barkhane and Takuba withdrawal announced",
        "diversify",
        "2022-02-17",
        "-1",
        "B2",
        "",
        ["France"],
        "bob",
    ),
    ("Withdrawal from ECOWAS announced", "regional", "2024-01-28", "-2", "C3", "", ["Mali"], "ann"),
    ("synthetic test entry: context", "guidelines", "2023", "0", "", "", [], "cy"),
]


@pytest.fixture
def logged(cli: Invoke, seeded_db: SeededDb) -> None:
    def build() -> None:
        for summary, indicator, date, effect, grade, status, actors, analyst in ROWS:
            args = ["log", indicator, summary, "--date", date, "--effect", effect, "--analyst", analyst]
            args += ["--grade", grade] if grade else []
            args += ["--status", status] if status else []
            for actor in actors:
                args += ["--actor", actor]
            assert cli(*args).exit_code == 0

    seeded_db("test_filters.logged", build)


def ids_in(cli: Invoke, *args: str) -> dict[str, list[int]]:
    """The ids each format lists for the same filter, read back from the format itself."""
    found = {"json": [e["id"] for e in json.loads(cli("list", *args, "--json").stdout)]}
    found["jsonl"] = [
        json.loads(line)["id"] for line in cli("list", *args, "-f", "jsonl").stdout.splitlines()
    ]
    found["csv"] = [int(r["id"]) for r in csv.DictReader(io.StringIO(cli("list", *args, "--csv").stdout))]
    exported = cli("export", "entries", *args).stdout
    found["export"] = sorted(int(r["id"]) for r in csv.DictReader(io.StringIO(exported)))
    table = cli("list", *args)
    found["table"] = sorted(
        int(line.split()[0]) for line in table.stdout.splitlines() if line.strip()[:1].isdigit()
    )
    return found


CASES = [
    (["--actor", "Mali"], [1, 3]),
    (["--actor", "Mali", "--actor", "Niger"], [1]),
    (["--analyst", "ann"], [1, 3]),
    (["--analyst", "bob", "--analyst", "cy"], [2, 4]),
    (["--status", "commitment"], [1]),
    (["--grade", "B2"], [2]),
    (["--grade", "A", "--grade", "3"], [1, 3]),
    (["--min-grade", "B2"], [1, 2]),
    (["--effect", "-2..-1"], [2, 3]),
    (["--effect", "0"], [4]),
    (["--effect", "+1"], [1]),
    (["--advancing"], [1]),
    (["--hindering"], [2, 3]),
    (["--hindering", "--actor", "Mali", "--since", "2024"], [3]),
]


@pytest.mark.parametrize(("args", "expected"), CASES)
def test_each_filter_in_every_format(cli: Invoke, logged: None, args: list[str], expected: list[int]) -> None:
    for fmt, ids in ids_in(cli, *args).items():
        assert sorted(ids) == expected, (fmt, args)


def test_deleted_entries_are_marked(cli: Invoke, logged: None) -> None:
    assert cli("delete", "3", "--force").exit_code == 0
    assert [e["id"] for e in json.loads(cli("list", "--actor", "Mali", "--json").stdout)] == [1]
    listed = json.loads(cli("list", "--actor", "Mali", "--deleted", "--json").stdout)
    assert [(e["id"], e["deleted"]) for e in listed] == [(3, True), (1, False)]
    table = cli("list", "--actor", "Mali", "--deleted").stdout
    assert "3 deleted" in table and "1 deleted" not in table


def test_all_frameworks(cli: Invoke, logged: None) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    assert cli("log", "-F", "mali-china-risks", "1", "risk entry", "--date", "2024", "-e", "1").exit_code == 0
    everything = json.loads(cli("list", "--all-frameworks", "--json").stdout)
    assert {e["framework"] for e in everything} == {"mali-china-security", "mali-china-risks"}
    assert len(everything) == 5
    advancing = json.loads(cli("list", "--all-frameworks", "--advancing", "--json").stdout)
    assert sorted(e["id"] for e in advancing) == [1, 5]
    table = cli("list", "--all-frameworks").stdout
    assert "Framework" in table and "mali-china-risks" in table
    newest = json.loads(cli("list", "--all-frameworks", "--limit", "2", "--json").stdout)
    assert [e["id"] for e in newest] == [3, 1]  # the newest two by date (2024 is 1 January), oldest first


BAD = [
    (["--status", "nope"], "unknown status level 'nope'"),
    (["--effect", "5"], "invalid --effect '5'"),
    (["--effect", "-1..-2"], "the lower first"),
    (["--effect", "x"], "invalid --effect 'x'"),
    (["--effect", "9" * 5001], "invalid --effect"),
    (["--advancing", "--hindering"], "cannot be used together"),
    (["--effect", "1", "--advancing"], "cannot be used together"),
    (["--grade", "Z"], "invalid --grade 'Z'"),
    (["--grade", "7"], "invalid --grade '7'"),
    (["--min-grade", "B"], "invalid --min-grade 'B'"),
    (["--all-frameworks", "-i", "regional"], "--indicator needs one framework"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_filters_are_one_line(cli: Invoke, logged: None, args: list[str], message: str) -> None:
    for command in (["list"], ["export", "entries"]) if "--all-frameworks" not in args else (["list"],):
        result = cli(*command, *args)
        assert result.exit_code == 1, (command, args, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
        assert result.stdout == ""


def test_all_frameworks_and_framework_together_is_a_usage_error(cli: Invoke, logged: None) -> None:
    result = cli("list", "--all-frameworks", "-F", "mali-china-security")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1


# -- small everyday fixes of the same issue ------------------------------------------------------------


def test_edit_adds_and_removes_tags_and_actors(cli: Invoke, logged: None) -> None:
    assert (
        cli(
            "edit", "1", "--add-tag", "aes", "--add-actor", "Burkina Faso", "--remove-actor", "Niger"
        ).exit_code
        == 0
    )
    entry = json.loads(cli("show", "1", "--json").stdout)
    assert entry["tags"] == ["aes"] and entry["actors"] == ["Mali", "Burkina Faso"]
    assert cli("edit", "1", "--remove-tag", "aes", "--add-tag", "treaty").exit_code == 0
    assert json.loads(cli("show", "1", "--json").stdout)["tags"] == ["treaty"]
    before = cli("history", "1", "--json").stdout
    for args, message in (
        (["--remove-tag", "nope"], "has no tag 'nope' to remove; it has: treaty"),
        (["--tag", "x", "--add-tag", "y"], "--tag replaces them all"),
    ):
        result = cli("edit", "1", *args)
        assert result.exit_code == 1 and message in result.stderr and len(result.stderr.splitlines()) == 1
    assert cli("history", "1", "--json").stdout == before


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--as-of", ""],
        ["list", "--since", ""],
        ["list", "--until", ""],
        ["edit", "1", "--date", ""],
        ["target", "regional", "implemented", "--by", "2030", "--from", ""],
    ],
)
def test_empty_dates_are_refused_not_taken_as_the_default(cli: Invoke, logged: None, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 1 and "empty date" in result.stderr


def test_messages_end_with_the_fix(cli: Invoke, logged: None) -> None:
    unloaded = cli("list", "-F", "mali-china-risks")
    assert unloaded.exit_code == 1
    assert unloaded.stderr.strip().endswith("load it with `policytrack framework add mali-china-risks`")
    late = cli("target", "regional", "implemented", "--by", "2020")
    assert late.exit_code == 1 and "an earlier --from" in late.stderr
    assert cli("list", "--actor", "France").stdout.count("1 entry") == 1
    assert "(1 indicator)" not in cli("framework", "add", "mali-china-risks").stdout


@pytest.mark.slow
def test_completion_knows_the_framework_and_its_levels(cli: Invoke, db_path: Path) -> None:
    """Through the shell completion protocol, as bash asks it."""
    assert cli("framework", "add", "mali-china-risks").exit_code == 0

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "POLICYTRACK_DB": str(db_path),
            "_POLICYTRACK_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "policytrack"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return proc.stdout.split()

    assert complete("policytrack log -F mali-china-risks ")[0] == "unconditional"
    assert complete("policytrack log regional x --status ") == [
        "no-action",
        "commitment",
        "in-progress",
        "substantial",
        "implemented",
    ]
    assert complete("policytrack target -F mali-china-risks debt ") == [
        "latent",
        "emerging",
        "evident",
        "entrenched",
        "acute",
    ]
    assert complete("policytrack list -F ") == ["mali-china-security", "mali-china-risks"]
    # tags and actors already used (a deleted entry's are not offered)
    for args in (
        ("regional", "AES treaty", "--date", "2024-07-06", "--tag", "treaty", "--actor", "Mali"),
        ("regional", "Summit", "--date", "2024-07-07", "--tag", "summit", "--actor", "Niger"),
        ("regional", "Wrong", "--date", "2024-07-08", "--tag", "typo-tag", "--actor", "Mauritania"),
    ):
        assert cli("log", *args).exit_code == 0
    assert cli("delete", "3", "--force").exit_code == 0
    assert complete("policytrack log regional x --tag ") == ["summit", "treaty"]
    assert complete("policytrack list --tag t") == ["treaty"]
    assert complete("policytrack edit 1 --add-actor M") == ["Mali"]
    assert complete("policytrack list --actor ") == ["Mali", "Niger"]
    # labels a shell would split or run are not offered
    assert (
        cli("log", "regional", "Odd", "--date", "2024", "--tag", "$(touch x)", "--tag", "two words").exit_code
        == 0
    )
    assert complete("policytrack list --tag ") == ["summit", "treaty"]


def test_text_starting_with_a_dash_says_where_it_goes(cli: Invoke, db_path: Path) -> None:
    result = cli("log", "regional", "-2 soldiers killed in Kidal", "--date", "2024")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "after `--`" in result.stderr
    logged = cli("log", "regional", "--date", "2024", "--", "-2 soldiers killed in Kidal")
    assert logged.exit_code == 0, logged.output
    assert (
        cli("log", "regional", "x", "--effect", "-2", "--date", "2024").exit_code == 0
    )  # a number is a value


@pytest.mark.parametrize(
    "written",
    [
        ["--note=-2 reading would overstate it"],
        ["--note", "- see the 2014 agreement"],
        ["-n", "- see the 2014 agreement"],
        ["-n- see the 2014 agreement"],
        ["--source=- a ministry's statement", "--note", "-- not an option"],
    ],
    ids=["equals", "space", "short", "short-attached", "two-options"],
)
def test_an_option_value_may_start_with_a_dash(
    cli_json: InvokeJson, cli: Invoke, db_path: Path, written: list[str]
) -> None:
    logged = cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", *written)
    assert logged.exit_code == 0, logged.stderr
    (entry,) = cli_json("list", "--format", "json")
    for arg in written:
        option, equals, value = arg.partition("=")
        if option == "-n- see the 2014 agreement":
            assert entry["note"] == "- see the 2014 agreement"
        elif equals:
            assert entry[option.lstrip("-")] == value
    stored = [entry["note"], entry["source"]]
    assert all(v in stored for v in written if v.startswith("- ") or v.startswith("-- "))


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["log", "regional", "-2 soldiers killed in Kidal", "--date", "2024"], "policytrack log"),
        (["--lang", "en", "log", "--note", "x", "regional", "-2 soldiers killed"], "policytrack log"),
        (["source", "add", "- a key", "--name", "X"], "policytrack source add"),
    ],
)
def test_the_hint_for_text_read_as_an_option_works(
    cli: Invoke, db_path: Path, args: list[str], command: str
) -> None:
    """Text that is no option's value gets the hint, naming its command; the hint's form is accepted."""
    result = cli(*args)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert f"`{command} ... -- " in result.stderr
    text = next(a for a in args if a.startswith("-") and " " in a)
    hinted = [a for a in args if a != text] + ["--", text]
    again = cli(*hinted)
    assert "starts with '-'" not in again.stderr
