"""NextRound: a coaching workbook for handling job-search rejection.

The entry points a notebook author needs are importable from here:

* :func:`load_content` — the advice, questions and email templates, validated;
* :class:`Store` — open (or create) the database that holds every client's work;
* :class:`App` — the whole app (client picker, steps, counsellor view);
* :class:`NextRoundError` and :class:`ContentError` — the problems they raise.

The step components themselves are in :mod:`nextround.components`. Every name
here is imported on first use (PEP 562), so ``import nextround`` and the
plain modules (content, store, exports) stay usable without Jupyter and load
no widgets, pandas or plotly until asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports as _lazy_exports

__version__ = "0.1.0"

#: Public name -> the module (inside this package) that defines it.
_WHERE = {
    "load_content": "content",
    "Store": "store",
    "App": "app",
    "NextRoundError": "errors",
    "ContentError": "errors",
}

__all__ = ["__version__", "load_content", "Store", "App", "NextRoundError", "ContentError"]
assert set(__all__) == {"__version__", *_WHERE}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .app import App
    from .content import load_content
    from .errors import ContentError, NextRoundError
    from .store import Store


__getattr__, __dir__ = _lazy_exports(__name__, _WHERE, globals(), __all__)
