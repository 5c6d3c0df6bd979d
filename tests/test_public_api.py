"""The public API is the recorded one, and the changelog says when it changed.

``tests/public_api.py`` renders the API as text; see there how to record a
deliberate change.
"""

from __future__ import annotations

import re
import subprocess
import sys

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
