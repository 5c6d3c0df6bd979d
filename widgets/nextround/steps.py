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


@dataclass(frozen=True)
class Step:
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
        options = ({"step_titles": {step.key: step.title for step in STEPS}}
                   if getattr(component, "needs_step_titles", False) else {})
        return component.create(content=content, store=store, client_id=client_id,
                                application_id=application_id, **options)


STEPS: tuple[Step, ...] = (
    Step("log", "Log the rejection", "rejection_log:RejectionLog",
         "Write down the job and how it ended."),
    Step("feedback", "Ask for feedback", "feedback_request:FeedbackRequest",
         "Who to ask, and a kind note to send them."),
    Step("understand", "Make sense of it", "scenario_advice:ScenarioAdvice",
         "What the feedback tells you, and what to do about it."),
    Step("assess", "Look at yourself honestly", "self_assessment:SelfAssessment",
         "How you came across, and what to show next time."),
    Step("wellbeing", "Look after yourself", "wellbeing:Wellbeing",
         "How you feel, and a check on unfair guesses."),
    Step("gracious", "Stay gracious", "gracious_steps:GraciousSteps",
         "Thank them, keep the door open, grow your network."),
    Step("plan", "Your action plan", "action_plan:ActionPlan",
         "Steps with dates, and keep applying."),
    Step("progress", "Your progress", "progress:Progress",
         "Charts of how far you have come."),
)

BY_KEY = {step.key: step for step in STEPS}


def step_by_key(key: str) -> Step:
    """Look a step up by key; unknown keys fall back to the first step."""
    return BY_KEY.get(key, STEPS[0])
