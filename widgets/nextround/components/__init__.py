"""The workbook's ipywidget components: the public names a notebook author builds on.

Each step is a view (:class:`Component`, an ipywidgets box) over a model
(:class:`StepModel`, a traitlets object that owns the state and talks to the
store). Build one for a client with ``create``::

    from nextround import Store, load_content
    from nextround.components import RejectionLog

    store = Store("my-notes.db")
    client = store.create_client("Sam")
    RejectionLog.create(content=load_content(), store=store, client_id=client.id)

The names in ``__all__`` are the public API (see ``CHANGELOG.md`` for the
version policy); anything else in this package may change without notice.
They are imported on first use, so importing one step does not load the
others (the progress step brings plotly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

#: Public name -> the module (inside this package) that defines it.
_WHERE = {
    "Component": "base",
    "StepModel": "base",
    "RejectionLog": "rejection_log",
    "FeedbackRequest": "feedback_request",
    "ScenarioAdvice": "scenario_advice",
    "SelfAssessment": "self_assessment",
    "Wellbeing": "wellbeing",
    "GraciousSteps": "gracious_steps",
    "ActionPlan": "action_plan",
    "Progress": "progress",
    "CounsellorView": "counsellor",
    "WorkbookFile": "workbook_file",
}

__all__ = [
    "Component",
    "StepModel",
    "RejectionLog",
    "FeedbackRequest",
    "ScenarioAdvice",
    "SelfAssessment",
    "Wellbeing",
    "GraciousSteps",
    "ActionPlan",
    "Progress",
    "CounsellorView",
    "WorkbookFile",
]
assert set(__all__) == set(_WHERE)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .action_plan import ActionPlan
    from .base import Component, StepModel
    from .counsellor import CounsellorView
    from .feedback_request import FeedbackRequest
    from .gracious_steps import GraciousSteps
    from .progress import Progress
    from .rejection_log import RejectionLog
    from .scenario_advice import ScenarioAdvice
    from .self_assessment import SelfAssessment
    from .wellbeing import Wellbeing
    from .workbook_file import WorkbookFile


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals(), __all__)
