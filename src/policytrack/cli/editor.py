"""Writing an entry in `$VISUAL`/`$EDITOR`: `log INDICATOR` with no summary, and `edit ID --editor`.

The editor opens a small form, one `field: value` line each, the note last (everything below `note:` is the
note). On save the form is checked by the same code as the options are; a mistake reopens the editor with
the message at the top. A form saved empty, unchanged, or again with the same mistake writes nothing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import MAX_FIELD
from policytrack.records.columns import LIST_SEPARATOR
from policytrack.records.entry import FORM, LANGUAGE_FIELDS

T = TypeVar("T")

# The form's fields, in order (records.entry.FORM); the note is last, so that it may run over several lines.
FIELDS = FORM.names()


def _help() -> tuple[str, ...]:
    """The form's comment lines, in this command's language."""
    return (
        "# " + _("Lines starting with # are ignored, except below 'note:': everything there is the note."),
        "# " + _("date: 2024-07-06, 2024-07 or 2024; effect: -2 to +2; grade: A1 to F6 (or empty);"),
        "# "
        + _("tags and actors: separated by '{separator}'. Save and close the editor to finish;").format(
            separator=LIST_SEPARATOR.strip()
        ),
        "# " + _("a form saved empty or unchanged writes nothing."),
        "# "
        + _(
            "{language} and {translation_language}: a language tag such as fr or en; {checked}: true once "
            "a person checked the translation."
        ).format(
            language=LANGUAGE_FIELDS.names()[0],
            translation_language=LANGUAGE_FIELDS.names()[2],
            checked=LANGUAGE_FIELDS.names()[3],
        ),
    )


# A form holds at most every field at its longest, in UTF-8.
_MAX_FORM_BYTES = 4 * MAX_FIELD * len(FIELDS) + 65536


class FormAbandoned(InputError):
    """The form was saved empty or unchanged, or the editor failed: nothing is written."""


def form_text(values: dict[str, str], heading: str, error: str | None = None) -> str:
    lines = [f"# {heading}"]
    if error:
        lines += [
            "#",
            "# " + _("error: {error}").format(error=error),
            "# " + _("Correct the form and save it again."),
        ]
    lines += [*_help(), ""]
    lines += [f"{name}: {values.get(name, '')}".rstrip(" ") for name in FIELDS[:-1]]
    lines.append(f"note: {values.get('note', '')}".rstrip(" "))
    return "\n".join(lines) + "\n"


def parse_form(text: str) -> dict[str, str]:
    """The fields of a saved form; '' for a field left empty. Refuses unknown or repeated fields."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if line.startswith("#") or not line.strip():
            continue
        name, sep, value = line.partition(":")
        name = name.strip().lower()
        if not sep or name not in FIELDS:
            raise InputError(
                _(
                    "line {number}: {line!r} is not a field; write 'name: value' with a name from {names}"
                ).format(number=number, line=line[:40], names=", ".join(FIELDS))
            )
        if name in values:
            raise InputError(
                _("line {number}: {name} is given twice; keep one").format(number=number, name=name)
            )
        if name == "note":
            rest = "\n".join(lines[number:]).rstrip("\n")
            values[name] = (value.strip() + ("\n" + rest if rest else "")).strip("\n")
            break
        values[name] = value.strip()
    missing = [name for name in FIELDS if name not in values]
    if missing:
        raise InputError(
            _("the form has no '{name}:' line; put it back (its value may be empty)").format(name=missing[0])
        )
    return values


def labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR.strip()) if part.strip()]


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else vi at a terminal (never where nobody could use it), as an argument list."""
    from policytrack.domain.context import env_text

    for name in ("VISUAL", "EDITOR"):
        raw = env_text(name).strip()
        if raw:
            try:
                command = shlex.split(raw)
            except ValueError:
                raise InputError(
                    _("${name} ({value!r}) cannot be read as a command; set it again").format(
                        name=name, value=raw
                    )
                ) from None
            if command:
                return command
    if sys.stdin.isatty() and shutil.which("vi"):
        return ["vi"]
    raise InputError(
        _(
            "no editor to write the entry in: give the summary as an argument ('-' reads it from stdin), "
            "or set $EDITOR (for example `export EDITOR=nano`)"
        )
    )


def run_editor(text: str, command: list[str]) -> str:
    """Open `text` in the editor and return what was saved."""
    handle, name = tempfile.mkstemp(prefix="policytrack-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            code = subprocess.run([*command, str(path)], check=False).returncode
        except OSError as exc:
            raise InputError(
                _("cannot start the editor {editor!r} ({reason}); set $EDITOR to one you have").format(
                    editor=command[0], reason=exc.strerror
                )
            ) from None
        if code != 0:
            typed = _typed(path, text)
            raise FormAbandoned(
                _(
                    "the editor {editor!r} exited with status {code}: nothing was written{typed}; "
                    "save and quit normally, or set $EDITOR to another editor"
                ).format(editor=command[0], code=code, typed=typed)
            )
        try:
            with path.open("rb") as saved:
                data = saved.read(_MAX_FORM_BYTES + 1)
        except FileNotFoundError:
            raise FormAbandoned(
                _(
                    "the editor {editor!r} removed the form instead of saving it: nothing was written; "
                    "save the file and quit the editor"
                ).format(editor=command[0])
            ) from None
        if len(data) > _MAX_FORM_BYTES:
            raise FormAbandoned(_("the saved form is too large: nothing was written; shorten the text"))
        try:
            # a byte order mark (as Notepad saves) is dropped, and Windows or old Mac line ends read as \n
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _NOT_UTF8
        return text.replace("\r\n", "\n").replace("\r", "\n")
    finally:
        path.unlink(missing_ok=True)


def _typed(path: Path, shown: str) -> str:
    """If the form at `path` holds more than was shown, keep a copy and say where (or '')."""
    try:
        data = path.read_bytes()[: _MAX_FORM_BYTES + 1]
    except OSError:
        return ""
    return _kept(data.decode("utf-8", errors="replace")) if data.decode("utf-8", "replace") != shown else ""


def _kept(text: str) -> str:
    """Keep what someone typed in a form that is being abandoned; say where (for the error message)."""
    handle, name = tempfile.mkstemp(prefix="policytrack-form-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    return _(" (what you typed is kept in {path})").format(path=name)


_NOT_UTF8 = "\x00not UTF-8"  # what run_editor returns for a form that is not UTF-8 (no form holds a NUL)
# A person fixes a form in a try or two; a script that keeps saving new mistakes is stopped here.
MAX_TRIES = 10


def _empty() -> str:
    return _("the form was saved empty: nothing was written; run the command again and fill in the form")


def fill_in(values: dict[str, str], heading: str, save: Callable[[dict[str, str]], T]) -> T:
    """Let the user fill in the form until `save` accepts it (a mistake reopens the form with the message).
    A form saved empty, unchanged, or unchanged after a mistake writes nothing and is an error."""
    command = editor_command()
    shown = form_text(values, heading)
    error: str | None = None
    previous: str | None = None
    for _try in range(MAX_TRIES):
        saved = run_editor(shown, command)
        if saved in (shown, previous):
            if error:
                typed = _kept(saved) if saved is not _NOT_UTF8 else ""
                raise FormAbandoned(
                    _("{error} (the form was saved again unchanged: nothing was written{typed})").format(
                        error=error, typed=typed
                    )
                )
            raise FormAbandoned(
                _(
                    "the form was saved unchanged: nothing was written; run the command again and fill in "
                    "the form"
                )
            )
        if not any(line.strip() and not line.startswith("#") for line in saved.split("\n")):
            raise FormAbandoned(_empty())
        previous = saved
        if saved is _NOT_UTF8:
            error = _("the form is not UTF-8 text; save it as UTF-8")
        else:
            try:
                fields = parse_form(saved)
                if not any(fields.values()):
                    raise FormAbandoned(_empty())
                return save(fields)
            except FormAbandoned:
                raise
            except InputError as exc:
                error = str(exc)
        shown = _with_error(saved, heading, error)
    typed = _kept(previous) if previous and previous is not _NOT_UTF8 else ""
    raise FormAbandoned(
        _("{error} (still wrong after {tries} tries: nothing was written{typed})").format(
            error=error, tries=MAX_TRIES, typed=typed
        )
    )


def _with_error(saved: str, heading: str, error: str) -> str:
    """The form as saved, with the mistake said at the top: the comment lines above the first field are
    replaced; the fields (and the note, whatever it holds) are kept as typed."""
    lines = saved.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    top = [
        f"# {heading}",
        "#",
        "# " + _("error: {error}").format(error=error),
        "# " + _("Correct the form and save it again."),
        *_help(),
        "",
    ]
    return "\n".join(top + lines[first:])
