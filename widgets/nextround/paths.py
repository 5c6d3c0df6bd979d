"""Where the shipped folders live, in a checkout and in an installed wheel.

In a checkout (or an editable install) the repository's own ``content/``,
``workbook/`` and ``app/`` are used, so an edit takes effect with no
reinstall. A wheel carries copies inside the package as ``_content``,
``_workbook`` and ``_app``.

The app's notebook has a folder of its own so that the workbook folder a
client opens in JupyterLab holds only their step notebooks.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent.parent


def _shipped(name: str, marker: str) -> Path:
    checkout = CHECKOUT_DIR / name
    if (checkout / marker).is_file():
        return checkout
    return PACKAGE_DIR / f"_{name}"


def content_dir() -> Path:
    """The folder of coaching content YAML files."""
    return _shipped("content", "scenarios.yaml")


def workbook_dir() -> Path:
    """The folder of the client's workbook notebooks, one per step."""
    return _shipped("workbook", "00-start.ipynb")


def app_dir() -> Path:
    """The folder of ``app.ipynb``, the notebook Voilà serves as the app."""
    return _shipped("app", "app.ipynb")
