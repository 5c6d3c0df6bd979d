"""The public API as text: every public name, and the members of every public class.

``tests/data/public_api.txt`` records it; ``tests/test_public_api.py`` fails
when the two differ, or when ``CHANGELOG.md`` does not carry the record's
fingerprint. After a deliberate change, write the record again with::

    python tests/public_api.py --write

and say what changed in ``CHANGELOG.md`` with the new fingerprint it prints.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from pathlib import Path

RECORD = Path(__file__).parent / "data" / "public_api.txt"
CHANGELOG = Path(__file__).parent.parent / "CHANGELOG.md"
#: The modules whose ``__all__`` is the public API.
PUBLIC_MODULES = ("nextround", "nextround.components")


def _signature(obj: object) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""


def _own_members(cls: type) -> list[str]:
    """Public members a class gets from NextRound itself (not from ipywidgets or traitlets)."""
    lines = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((base for base in cls.__mro__ if name in vars(base)), None)
        if owner is None or not owner.__module__.startswith("nextround"):
            continue
        value = vars(owner)[name]
        if isinstance(value, classmethod | staticmethod):
            value = value.__func__
        if inspect.isfunction(value):
            lines.append(f"{name}{_signature(value)}")
        elif isinstance(value, property):
            lines.append(f"{name} (property)")
        else:
            lines.append(f"{name} ({type(value).__name__})")
    return lines


def public_api() -> list[str]:
    """One line per public name, and one per member of each public class."""
    lines = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in sorted(module.__all__):
            value = getattr(module, name)
            if inspect.isclass(value):
                lines.append(f"{module_name}.{name} (class)")
                lines += [f"{module_name}.{name}.{member}" for member in _own_members(value)]
            elif callable(value):
                lines.append(f"{module_name}.{name}{_signature(value)}")
            else:
                lines.append(f"{module_name}.{name} ({type(value).__name__})")
                if type(value).__module__.startswith("nextround"):  # an instance, such as saves
                    lines += [f"{module_name}.{name}.{member}"
                              for member in _own_members(type(value))]
    return lines


def fingerprint(text: str) -> str:
    """A short hash of the record, quoted in CHANGELOG.md."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def render() -> str:
    return "\n".join(public_api()) + "\n"


if __name__ == "__main__":
    text = render()
    if "--write" in sys.argv:
        RECORD.write_text(text)
    print(f"public API fingerprint: {fingerprint(text)}")
