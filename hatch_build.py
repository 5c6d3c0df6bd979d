"""Compile the interface catalogues (``.po`` to ``.mo``) into the wheel.

The ``.mo`` files are build products, not kept in git: the wheel gets one per
language, compiled here from ``widgets/nextround/locale/*/LC_MESSAGES/*.po``.
An editable install skips this; :mod:`nextround.i18n` compiles a missing or
stale ``.mo`` on first use instead.
"""

from __future__ import annotations

import io
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out_dir = Path(self.directory) / "catalogues"
        for po_path in sorted(Path(self.root, "widgets/nextround/locale").glob(
                "*/LC_MESSAGES/*.po")):
            lang = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=lang)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            mo_path = out_dir / lang / po_path.with_suffix(".mo").name
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            mo_path.write_bytes(buffer.getvalue())
            build_data["force_include"][str(mo_path)] = (
                f"nextround/locale/{lang}/LC_MESSAGES/{mo_path.name}")
