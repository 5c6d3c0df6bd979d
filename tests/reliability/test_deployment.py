"""Deployment: the dependency floors sit at or above the fixes for known CVEs.

The rest of the deployment checks already live beside the code they test:

* ``nextround serve`` refuses execute requests sent over the kernel
  websocket: ``tests/browser/test_serve.py::test_code_sent_over_the_kernel_websocket_is_not_run``;
* it always needs a token, and on loopback accepts only loopback names:
  ``tests/browser/test_serve_security.py`` (against a real server) and the
  rules in ``tests/test_serve_cli.py``;
* tracebacks are off and the error shown is a plain message:
  ``tests/test_serve_cli.py::test_argv_turns_tracebacks_off_and_explains_errors_plainly``
  and ``tests/browser/test_serve.py::test_tracebacks_are_not_shown``;
* ``/voila/files`` serves neither the database nor the notebooks:
  ``tests/browser/test_serve.py::test_files_route_does_not_serve_the_database_or_notebooks``.

This module adds what was missing: the floors in ``pyproject.toml`` and the
installed versions against the fixed releases, and Voilà's file allowlist
(as ``nextround serve`` configures it) against the names of the database and
of every file NextRound exports, wherever they are put.
"""

from __future__ import annotations

import signal
import tomllib
from importlib.metadata import PackageNotFoundError, version

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from reliability_support import REPO

from nextround import paths, serve

#: (package, first fixed release, advisory, what it fixed). Add a row when an
#: advisory lands for a dependency; the tests below then hold both the floor
#: in pyproject.toml and the installed version to it.
ADVISORIES = [
    ("voila", "0.5.6", "CVE-2024-30265",
     "files outside the served folder could be read through the static file route"),
    ("jupyter-server", "2.18", "CVE-2026-40934 and the other fixes released in 2.18",
     "among them: the cookie secret was never rotated, so old sessions survived a password "
     "reset"),
]


def _dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return {canonicalize_name(r.name): r for r in requirements}


def lowest_allowed(specifier: SpecifierSet) -> Version | None:
    """The lowest version a specifier admits from below, or None when it has no floor."""
    floors = [Version(s.version) for s in specifier
              if s.operator in (">=", ">", "==", "~=", "===") and "*" not in s.version]
    return max(floors) if floors else None


@pytest.mark.parametrize(("package", "fixed", "advisory", "why"), ADVISORIES,
                         ids=[row[0] for row in ADVISORIES])
def test_pyproject_floor_is_at_or_above_the_fix(package, fixed, advisory, why):
    requirement = _dependencies().get(canonicalize_name(package))
    assert requirement is not None, f"{package} is not a declared dependency"
    floor = lowest_allowed(requirement.specifier)
    assert floor is not None, f"{requirement} has no lower bound ({advisory}: {why})"
    assert floor >= Version(fixed), f"{requirement} allows versions before {fixed} ({advisory})"
    below = Version(fixed).release
    just_below = ".".join(map(str, (*below[:-1], below[-1] - 1))) if below[-1] else None
    if just_below:
        assert not requirement.specifier.contains(just_below, prereleases=True)


@pytest.mark.parametrize(("package", "fixed", "advisory", "why"), ADVISORIES,
                         ids=[row[0] for row in ADVISORIES])
def test_installed_version_has_the_fix(package, fixed, advisory, why, figures):
    installed = Version(version(package))
    figures.setdefault("deployment.installed", {})[package] = str(installed)
    assert installed >= Version(fixed), f"{package} {installed} predates {fixed} ({advisory})"
    assert _dependencies()[canonicalize_name(package)].specifier.contains(installed,
                                                                          prereleases=True)


def test_every_installed_dependency_meets_pyproject():
    """A stale environment would make the tests above (and the app) lie."""
    wrong = []
    for name, requirement in _dependencies().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name}: not installed")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            wrong.append(f"{name} {installed} does not meet {requirement}")
    assert wrong == []


def test_the_floor_check_catches_a_low_floor():
    """The check above fails for the floors it exists to catch."""
    assert lowest_allowed(SpecifierSet(">=0.5.0,<0.6")) == Version("0.5.0")
    assert lowest_allowed(SpecifierSet("<0.6")) is None
    assert lowest_allowed(SpecifierSet(">=0.5.11,<0.6")) >= Version("0.5.6")
    assert lowest_allowed(SpecifierSet("~=2.17.1")) < Version("2.18")


@pytest.fixture(scope="module")
def voila_config():
    """Voilà's configuration exactly as ``nextround serve`` starts it."""
    from voila.app import Voila

    serve.use_template()
    previous = signal.getsignal(signal.SIGTERM)
    app = Voila()
    try:
        app.initialize(serve.voila_argv(serve.ServeOptions(
            notebook=paths.app_dir() / "app.ipynb", port=9125, open_browser=False)))
    finally:
        signal.signal(signal.SIGTERM, previous)
    return app.voila_configuration


@pytest.mark.parametrize("name", [
    "nextround.db", "nextround.db-wal", "nextround.db-shm", "data/nextround.db",
    "workbook.json", "nextround-workbook-2026-11-26.json", "ada/../ada.json",
    "nextround-plan.ics", "nextround-plan.md", "nextround-session-summary.html",
    "nextround-session-summary.md", ".workbook.json.abc123.tmp", "app.ipynb",
    "00-start.ipynb", "NEXTROUND.DB", "export.JSON",
])
def test_voila_file_route_refuses_the_database_and_every_export(voila_config, name):
    """``/voila/files/<name>`` serves only allowlisted, not denylisted names
    (Voilà's AllowListFileHandler, case-insensitive full matches)."""
    import re

    allowed = any(re.fullmatch(p, name, re.IGNORECASE) for p in voila_config.file_allowlist)
    denied = any(re.fullmatch(p, name, re.IGNORECASE) for p in voila_config.file_denylist)
    assert not allowed or denied, (name, voila_config.file_allowlist)
