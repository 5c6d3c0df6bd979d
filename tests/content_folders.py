"""Test helpers that change a copy of a content folder."""

from __future__ import annotations

from pathlib import Path

import yaml


def drop_judgement_data(language_folder: Path) -> None:
    """Remove a language folder's own judgement data (scenario cues and readings,
    tone patterns, checks, cues and words), so it must inherit the English."""
    for name, key in (("scenarios.yaml", "scenarios"), ("tone.yaml", "rules")):
        path = language_folder / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data[key]:
            for field in ("cues", "patterns", "check"):
                item.pop(field, None)
        data.pop("readings", None)
        data.pop("words", None)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
