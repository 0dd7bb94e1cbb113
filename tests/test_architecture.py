"""The layout's own rules that the import contracts (pyproject, import-linter) cannot express."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("orders", "customers", "ordersite")
CHANNELS = ("ordersite/console", "ordersite/selfservice", "ordersite/tmf")
# Views that still chain commands in a transaction of their own: each is to become one command.
# The list only shrinks.
CHAINED_IN_A_CHANNEL: set[str] = set()


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def test_no_module_uses_another_modules_underscore_names():
    offences = []
    for path in modules():
        tree = ast.parse(path.read_text())
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and ours(node.module):
                for name in node.names:
                    if name.name.startswith("_") and not name.name.startswith("__"):
                        offences.append(f"{path.relative_to(ROOT)}: from {node.module} import {name.name}")
                    aliases.add(name.asname or name.name)
            elif isinstance(node, ast.Import):
                aliases |= {name.asname or name.name for name in node.names if ours(name.name)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr != "_meta"  # Django's documented model metadata
            ):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not offences, "\n".join(offences)


def test_no_new_channel_module_opens_its_own_transaction():
    opening = {
        str(path.relative_to(ROOT))
        for channel in CHANNELS
        for path in sorted((ROOT / channel).rglob("*.py"))
        if "transaction.atomic" in path.read_text()
    }
    assert opening <= CHAINED_IN_A_CHANNEL, f"A command should open the transaction: {opening - CHAINED_IN_A_CHANNEL}"
    assert opening == CHAINED_IN_A_CHANNEL, f"Done, take them off the list: {CHAINED_IN_A_CHANNEL - opening}"


def test_no_module_passes_six_hundred_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules()
        if (lines := len(path.read_text().splitlines())) > 600 and path.name != "demo.py"
    }
    assert not long, long
