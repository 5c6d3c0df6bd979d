"""Dependencies are declared exactly as the code uses them.

A package imported but not declared works here only because something else
happens to pull it in; a package declared but never imported costs every
install (and, for a lab extension, every page) for nothing. So each import
of a third-party module is matched against ``pyproject.toml``, and each
declared package against the imports, for the package, the tests and the
benchmarks.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "widgets" / "nextround"

#: Declared, used, and never imported: what they do instead.
USED_WITHOUT_IMPORT = {
    "pytest-timeout": "the tests' timeout marker",
    "ipykernel": "the kernel nbclient runs the notebooks in",
    "ruff": "the linter, run as a command",
    "build": "builds the sdist and wheel, run as 'python -m build'",
    "twine": "checks the built packages, run as 'twine check'",
    "psycopg": "the PostgreSQL driver SQLAlchemy loads for the store's postgresql:// tests",
    "jupyterhub-nativeauthenticator": "named by deploy/jupyterhub_config.py, which JupyterHub "
                                      "loads in tests/test_deploy_config.py",
    "jupyterhub-systemdspawner": "named by deploy/jupyterhub_config.py, which JupyterHub loads",
    "jupyterhub-idle-culler": "the idle-server service deploy/jupyterhub_config.py runs",
    "jsonschema": "declared only to keep it below 4.25, whose URI checks cost every server "
                  "process ~3 s of CPU on import",
}
#: Declared runtime packages that no module imports yet.
NOT_IMPORTED_YET: set[str] = set()


def _declared() -> dict[str, set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"runtime": project["dependencies"], **project["optional-dependencies"]}
    return {group: {canonicalize_name(Requirement(text).name) for text in texts}
            for group, texts in groups.items()}


def _own_modules(folders: list[Path]) -> set[str]:
    """Module names the checkout itself provides (test helpers, local packages).

    A package's inner files are imported through the package's name, so only
    that name counts: a configuration file inside it named like a library
    (``jupyter_config/voila.py``) must not hide the library.
    """
    names = {"nextround"}
    for folder in folders:
        if (folder / "__init__.py").exists():
            names.add(folder.name)
            continue
        names |= {path.stem for path in folder.rglob("*.py")}
        names |= {path.name for path in folder.rglob("*") if path.is_dir()}
    return names


def _imported(folders: list[Path], also_own: tuple[Path, ...] = ()) -> dict[str, set[str]]:
    """Third-party distributions imported under ``folders``, each with a file that does.

    ``also_own``: folders whose modules the code imports too (benchmarks reuse
    the tests' helpers).
    """
    own = _own_modules([*folders, *also_own])
    distributions = packages_distributions()
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in folder.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    tops = [alias.name.split(".")[0] for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    tops = [node.module.split(".")[0]]
                else:
                    continue
                for top in tops:
                    if top in sys.stdlib_module_names or top in own:
                        continue
                    for dist in distributions.get(top, [f"(not installed) {top}"]):
                        found.setdefault(canonicalize_name(dist), set()).add(
                            path.name)
    return found


def test_every_import_in_the_package_is_a_declared_runtime_dependency():
    declared = _declared()["runtime"]
    missing = {dist: files for dist, files in _imported([PACKAGE]).items()
               if dist not in declared}
    assert missing == {}


def test_every_runtime_dependency_is_imported_by_the_package():
    imported = set(_imported([PACKAGE]))
    unused = _declared()["runtime"] - imported - set(USED_WITHOUT_IMPORT)
    assert unused <= NOT_IMPORTED_YET, unused


def test_a_server_process_does_not_build_uri_grammars_on_import():
    """Every Voilà server and every person's server on a hub imports Jupyter's
    event schemas; with jsonschema 4.25+ that builds rfc3987-syntax's parser
    grammars (~3 s of CPU per process). The pin in pyproject.toml keeps them out."""
    probe = ("import sys, jupyter_server.serverapp, voila.app; "
             "print(sorted(m for m in sys.modules if m.startswith('rfc3987_syntax')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


def test_pandas_is_imported_by_the_service_report_alone():
    """pandas costs a quarter of a second and ~100 MB: the report needs it, nothing else."""
    assert _imported([PACKAGE])["pandas"] == {"report.py"}


def test_every_import_in_the_tests_is_declared_for_them():
    declared = _declared()
    allowed = declared["runtime"] | declared["test"]
    missing = {dist: files for dist, files in _imported([REPO / "tests"]).items()
               if dist not in allowed}
    assert missing == {}


def test_every_test_dependency_is_used():
    imported = set(_imported([REPO / "tests"]))
    unused = _declared()["test"] - imported - set(USED_WITHOUT_IMPORT)
    assert unused == set()


def test_benchmarks_and_scripts_need_nothing_undeclared():
    declared = _declared()
    allowed = declared["runtime"] | declared["test"] | declared["dev"]
    imported = _imported([REPO / "benchmarks", REPO / "scripts"], also_own=(REPO / "tests",))
    assert {dist: files for dist, files in imported.items() if dist not in allowed} == {}
    assert declared["dev"] - set(imported) - set(USED_WITHOUT_IMPORT) == set()


def test_the_check_finds_an_undeclared_import(tmp_path):
    (tmp_path / "module.py").write_text("import yaml\nfrom jinja2 import Template\n"
                                        "import json\nfrom . import sibling\n")
    found = _imported([tmp_path])
    assert set(found) == {"pyyaml", "jinja2"}


@pytest.mark.parametrize("heavy", ["pandas", "plotly", "anywidget",
                                   "sqlalchemy.dialects.postgresql"])
def test_opening_the_app_imports_nothing_heavy(heavy):
    code = f"import sys, nextround.app; print({heavy!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
