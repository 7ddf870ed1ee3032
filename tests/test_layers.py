"""The folders are the layers: every import goes down (or stays in its own layer), never up.

The order, top to bottom, is the one ARCHITECTURE.md states; a module imports only its own layer and the
ones below it. Function-local imports count too: they exist for start-up time, never to hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import parsed

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "policytrack"
# Top to bottom. The package's face (__init__, __main__) stands above everything.
LAYERS = ("cli", "sync", "exchange", "render", "domain", "store", "records", "core")


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "policytrack" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = parsed(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from policytrack.x import y` where y is a module
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_lives_in_a_layer_folder() -> None:
    loose = [
        p.relative_to(PACKAGE).as_posix()
        for p in modules()
        if p.parent == PACKAGE and p.name not in {"__init__.py", "__main__.py"}
    ]
    assert loose == [], f"top-level modules outside a layer folder: {loose}"
    folders = {p.relative_to(PACKAGE).parts[0] for p in modules() if p.parent != PACKAGE}
    assert folders <= set(LAYERS), folders - set(LAYERS)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_go_down(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) == 1:
        return  # the package's face may import anything
    own = LAYERS.index(rel.parts[0])
    upward = [
        f"line {line}: {module}"
        for line, module in imports_of(path)
        if (layer := layer_of(module)) is not None and LAYERS.index(layer) < own
    ]
    assert upward == [], f"{rel} imports a layer above its own ({rel.parts[0]}): {upward}"


def test_no_two_modules_share_a_name_without_sharing_a_meaning() -> None:
    """A name used in several layers means the same thing in each (the source registry is `sources` in
    cli/, render/, domain/, store/ and exchange/); these names once meant something else and must not
    come back."""
    names = {p.relative_to(PACKAGE).as_posix() for p in modules()}
    for gone in ("store/source.py", "exchange/sync.py", "exchange/synckinds.py", "models.py", "columns.py"):
        assert gone not in names
