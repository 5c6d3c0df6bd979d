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
version policy): the steps and their models, the counsellor view, the
workbook file box, and what a step of your own is built with (the bases,
:func:`labelled`, :func:`typed`, :func:`chosen` and the queue :data:`saves`).
The modules inside this package are not: anything reached through them
rather than through these names may change without notice.
They are imported on first use, so importing one step does not load the
others (the progress step brings plotly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports as _lazy_exports

#: Public name -> the module (inside this package) that defines it.
_WHERE = {
    # the bases, and what a step of your own is built with
    "Component": "base",
    "StepModel": "base",
    "labelled": "base",
    "typed": "base",
    "chosen": "base",
    "saves": "saving",
    # the eight steps, each a view over its model
    "RejectionLog": "rejection_log",
    "RejectionLogModel": "rejection_log_model",
    "FeedbackRequest": "feedback_request",
    "FeedbackRequestModel": "feedback_request_model",
    "ScenarioAdvice": "scenario_advice",
    "ScenarioAdviceModel": "scenario_advice",
    "SelfAssessment": "self_assessment",
    "SelfAssessmentModel": "self_assessment",
    "Wellbeing": "wellbeing",
    "WellbeingModel": "wellbeing",
    "GraciousSteps": "gracious_steps",
    "GraciousStepsModel": "gracious_steps",
    "ActionPlan": "action_plan",
    "ActionPlanModel": "action_plan",
    "ActionRow": "action_plan",
    "Progress": "progress",
    "ProgressModel": "progress",
    # the counsellor's view and the workbook file box
    "CounsellorView": "counsellor",
    "CounsellorModel": "counsellor",
    "WorkbookFile": "workbook_file",
}

__all__ = [
    "Component",
    "StepModel",
    "labelled",
    "typed",
    "chosen",
    "saves",
    "RejectionLog",
    "RejectionLogModel",
    "FeedbackRequest",
    "FeedbackRequestModel",
    "ScenarioAdvice",
    "ScenarioAdviceModel",
    "SelfAssessment",
    "SelfAssessmentModel",
    "Wellbeing",
    "WellbeingModel",
    "GraciousSteps",
    "GraciousStepsModel",
    "ActionPlan",
    "ActionPlanModel",
    "ActionRow",
    "Progress",
    "ProgressModel",
    "CounsellorView",
    "CounsellorModel",
    "WorkbookFile",
]
assert set(__all__) == set(_WHERE)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .action_plan import ActionPlan, ActionPlanModel, ActionRow
    from .base import Component, StepModel, chosen, labelled, typed
    from .counsellor import CounsellorModel, CounsellorView
    from .feedback_request import FeedbackRequest
    from .feedback_request_model import FeedbackRequestModel
    from .gracious_steps import GraciousSteps, GraciousStepsModel
    from .progress import Progress, ProgressModel
    from .rejection_log import RejectionLog
    from .rejection_log_model import RejectionLogModel
    from .saving import saves
    from .scenario_advice import ScenarioAdvice, ScenarioAdviceModel
    from .self_assessment import SelfAssessment, SelfAssessmentModel
    from .wellbeing import Wellbeing, WellbeingModel
    from .workbook_file import WorkbookFile


__getattr__, __dir__ = _lazy_exports(__name__, _WHERE, globals(), __all__)
