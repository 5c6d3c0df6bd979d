"""The public API is the recorded one, and the changelog says when it changed.

``tests/public_api.py`` renders the API as text; see there how to record a
deliberate change.
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from public_api import CHANGELOG, RECORD, fingerprint, public_api, render

import nextround
import nextround.components

STEPS = ["RejectionLog", "FeedbackRequest", "ScenarioAdvice", "SelfAssessment", "Wellbeing",
         "GraciousSteps", "ActionPlan", "Progress"]


def test_the_public_api_is_the_recorded_one():
    recorded = RECORD.read_text().splitlines()
    actual = public_api()
    added = sorted(set(actual) - set(recorded))
    removed = sorted(set(recorded) - set(actual))
    assert not added and not removed, (
        "the public API changed; if on purpose, run 'python tests/public_api.py --write' "
        f"and say so in CHANGELOG.md.\nadded: {added}\nremoved: {removed}")


def test_the_changelog_quotes_the_recorded_apis_fingerprint():
    quoted = re.findall(r"Public API fingerprint: ([0-9a-f]{12})", CHANGELOG.read_text())
    assert quoted, "CHANGELOG.md quotes no public API fingerprint"
    assert quoted[0] == fingerprint(RECORD.read_text()), (
        "the public API record changed but the newest CHANGELOG.md entry does not say so "
        "(its fingerprint is not the record's)")


def test_every_public_name_is_named_in_the_changelog():
    changelog = CHANGELOG.read_text()
    for module in (nextround, nextround.components):
        for name in module.__all__:
            if name != "__version__":
                assert f"`{name}`" in changelog, f"CHANGELOG.md never names `{name}`"


def test_components_export_the_steps_their_models_the_counsellor_view_and_the_bases():
    from nextround.components.saving import PendingSaves

    components = nextround.components
    assert set(components.__all__) == {
        *STEPS, *(f"{step}Model" for step in STEPS), "ActionRow",
        "CounsellorView", "CounsellorModel", "WorkbookFile",
        "Component", "StepModel", "labelled", "typed", "chosen", "saves"}
    for name in STEPS + ["CounsellorView"]:
        view = getattr(components, name)
        assert issubclass(view, components.Component)
        assert view.model_class is getattr(components, f"{name.removesuffix('View')}Model")
    for name in STEPS:
        assert issubclass(getattr(components, f"{name}Model"), components.StepModel)
    assert isinstance(components.saves, PendingSaves)


def test_the_entry_points_are_the_real_ones():
    from nextround.app import App
    from nextround.content import load_content
    from nextround.store import Store

    assert nextround.App is App
    assert nextround.Store is Store
    assert nextround.load_content is load_content


def test_an_unknown_name_is_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        nextround.Nothing  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        nextround.components.Nothing  # noqa: B018


def test_the_record_renders_the_same_way_twice():
    assert render() == render()


@pytest.mark.parametrize("module", ["nextround", "nextround.app", "nextround.components"])
def test_importing_stays_light(module):
    """The app's first import loads no pandas, plotly, PostgreSQL dialect or anywidget."""
    code = (f"import sys, {module}\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pandas', 'plotly', 'anywidget') or 'dialects.postgresql' in m)\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# -- whatever is not exported is private, and named so --

#: Names a module may hold that are neither public nor its own: the future import and
#: the flag that keeps type-checking imports out of run time.
ALLOWED_IMPORTS = {"annotations", "TYPE_CHECKING"}


@pytest.mark.parametrize("module", [nextround, nextround.components], ids=lambda m: m.__name__)
def test_a_public_package_holds_only_public_names_modules_and_private_names(module):
    for package in (nextround, nextround.components):  # load every lazy name, as a session would
        for name in package.__all__:
            getattr(package, name)
    for name, value in vars(module).items():
        if name in module.__all__ or name.startswith("_") or name in ALLOWED_IMPORTS:
            continue
        assert isinstance(value, types.ModuleType) and \
            value.__name__.startswith(f"{module.__name__}."), (
            f"{module.__name__}.{name} is neither in __all__, nor a submodule, nor _private")


def test_the_base_module_defines_only_public_or_underscored_names():
    """``components/base.py`` is where a step of your own starts; all it defines is public
    (exported from ``nextround.components``) or named as private. Imports are not
    definitions (PEP 8 counts imported names as implementation details)."""
    path = Path(inspect.getfile(nextround.components.base))
    public_names = set(nextround.components.__all__)
    for name in _defined_names(ast.parse(path.read_text(encoding="utf-8"))):
        assert name in public_names or name.startswith("_"), (
            f"base.py defines {name}: export it from nextround.components or call it _{name}")


def _defined_names(tree: ast.Module) -> list[str]:
    """Names bound at module level by a def, a class or an assignment (not an import)."""
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return names


def test_the_naming_check_sees_a_public_helper():
    tree = ast.parse("def helper():\n    pass\n_ok = 1\nx, (y, _z) = 1, (2, 3)\n"
                     "import os\nclass Thing:\n    inner = 1\n")
    assert _defined_names(tree) == ["helper", "_ok", "x", "y", "_z", "Thing"]
