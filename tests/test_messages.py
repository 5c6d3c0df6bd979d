"""Messages a person reads say one thing once: no sentence pasted into another."""

from __future__ import annotations

import ipywidgets as W


def texts(widget) -> list[str]:
    found = [widget.value] if isinstance(widget, W.HTML) else []
    for child in getattr(widget, "children", ()):
        found += texts(child)
    return found


def test_the_start_notebook_says_where_answers_are_kept_in_one_sentence(tmp_path,
                                                                        monkeypatch):
    from nextround.workbook import start

    db = tmp_path / "nextround.db"
    monkeypatch.setenv("NEXTROUND_DB", str(db))
    shown = " ".join(texts(start()))
    assert f"Data is kept in the SQLite file {db}" in shown
    assert ": Data is kept" not in shown
    assert shown.count("kept") == 1
