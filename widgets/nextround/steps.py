"""The journey's steps, in order, and how to build each one lazily.

The app and the notebooks share this list. Each step names its component by
import path, so building the menu costs nothing: a step's module (and any
heavy library it needs, such as plotly for Progress) is imported only when
the step is first opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from .i18n import N_, _


@dataclass(frozen=True)
class Step:
    """One step of the journey; ``title`` and ``blurb`` are English, shown through ``_``."""

    key: str
    title: str
    target: str  # "module:Class", relative to nextround.components
    blurb: str

    def component_class(self) -> Any:
        module_name, class_name = self.target.split(":")
        module = import_module(f"nextround.components.{module_name}")
        return getattr(module, class_name)

    def build(self, *, content, store, client_id: str, application_id: str | None = None):
        """Build this step's component for one client.

        A component that lists the steps (Progress) is given their titles
        here, so it never imports this registry, which imports it.
        """
        component = self.component_class()
        options = ({"step_titles": {step.key: _(step.title) for step in STEPS}}
                   if getattr(component, "needs_step_titles", False) else {})
        return component.create(content=content, store=store, client_id=client_id,
                                application_id=application_id, **options)


STEPS: tuple[Step, ...] = (
    Step("log", N_("Log the rejection"), "rejection_log:RejectionLog",
         N_("Write down the job and how it ended.")),
    Step("feedback", N_("Ask for feedback"), "feedback_request:FeedbackRequest",
         N_("Who to ask, and a kind note to send them.")),
    Step("understand", N_("Make sense of it"), "scenario_advice:ScenarioAdvice",
         N_("What the feedback tells you, and what to do about it.")),
    Step("assess", N_("Look at yourself honestly"), "self_assessment:SelfAssessment",
         N_("How you came across, and what to show next time.")),
    Step("wellbeing", N_("Look after yourself"), "wellbeing:Wellbeing",
         N_("How you feel, and a check on unfair guesses.")),
    Step("gracious", N_("Stay gracious"), "gracious_steps:GraciousSteps",
         N_("Thank them, keep the door open, grow your network.")),
    Step("plan", N_("Your action plan"), "action_plan:ActionPlan",
         N_("Steps with dates, and keep applying.")),
    Step("progress", N_("Your progress"), "progress:Progress",
         N_("Charts of how far you have come.")),
)

BY_KEY = {step.key: step for step in STEPS}


def step_by_key(key: str) -> Step:
    """Look a step up by key; unknown keys fall back to the first step."""
    return BY_KEY.get(key, STEPS[0])
