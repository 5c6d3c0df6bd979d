"""Demo clients with a believable few weeks of history.

The demo lets a counsellor try the app, and gives the browser tests and the
screenshots in the README a realistic caseload: several applications,
rejections of different kinds, feedback heard and not heard, mood going up
and down, and a plan with some steps done and some overdue.

All dates are relative to ``today``, so the demo never looks stale. Every
record also carries the time it was entered, weeks ago where the story says
so, so the caseload's "last activity" tells the demo's own history rather
than the moment the demo was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from . import answer_keys as keys
from .model import (
    Action,
    Answer,
    Application,
    CheckIn,
    Client,
    Contact,
    Feedback,
    Note,
    ThoughtRecord,
)
from .settings import LAST_CLIENT
from .store import Store


@dataclass(frozen=True)
class DemoApplication:
    company: str
    role: str
    stage: str
    applied_days_ago: int
    outcome: str = "pending"
    outcome_days_ago: int | None = None
    feedback: tuple[tuple[str, str, str], ...] = ()  # (source id, person, heard or "")
    scenario: str = ""  # the reading the client confirmed, if they have
    interview_days_ago: int | None = None  # the day they met, when they did


@dataclass(frozen=True)
class DemoClient:
    name: str
    applications: tuple[DemoApplication, ...]
    moods: tuple[tuple[int, int, str], ...]  # (days ago, mood, note)
    actions: tuple[tuple[str, str, int, bool], ...]  # (library id, title, due in days, done)
    answers: dict[str, object] = field(default_factory=dict)
    thought: tuple[str, str, str, str] | None = None
    contacts: tuple[tuple[str, str, str, int], ...] = ()
    notes: tuple[tuple[int, str], ...] = ()


DEMO_CLIENTS = (
    DemoClient(
        name="Amira Haddad",
        applications=(
            DemoApplication("Northwind Analytics", "Data Analyst", "final interview", 40,
                            "rejected", 26, (
                                ("recruiter", "Jo Patel",
                                 "We went with an internal candidate who already knows "
                                 "our reporting stack."),
                                ("hiring_manager", "Sam Ortiz", ""),
                            ), scenario="internal_candidate", interview_days_ago=30),
            DemoApplication("Bluebird Health", "Reporting Analyst", "interview", 30,
                            "rejected", 12, (
                                ("hiring_manager", "Dana Kim",
                                 "You came across as a little guarded, and you cut in "
                                 "before some questions were finished."),
                            ), interview_days_ago=17),
            DemoApplication("Lumen Retail", "Insights Analyst", "applied", 8),
            DemoApplication("Harbor Council", "Data Officer", "screening", 4),
        ),
        moods=((38, 2, "Gutted about Northwind."), (30, 3, ""), (24, 2, "Another no."),
               (17, 3, "Talked it through."), (10, 4, "Feeling more prepared."),
               (3, 3, "")),
        actions=(
            ("practise_interview", "Practise answers with a friend and let them finish "
             "each question", -5, True),
            ("craft_stories", "Write three success stories that match analyst roles", -2,
             False),
            ("keep_applications_active", "Keep three applications going", 7, False),
        ),
        answers={"interrupting": "yes", "qualifications_shown": 2},
        thought=("Turned down after the final round at Northwind.",
                 "They only wanted an insider anyway, it's all who you know.",
                 "The recruiter said the other person already knew their tools.",
                 "I can show my value as directly as an insider does."),
        contacts=(("Jo Patel", "Northwind Analytics", "Recruiter for the analyst role", 14),),
        notes=((17, "Amira interrupts when nervous. Practised pausing before answering."),),
    ),
    DemoClient(
        name="Ben Okafor",
        applications=(
            DemoApplication("Cedar Logistics", "Operations Lead", "interview", 35,
                            "rejected", 21, (
                                ("hiring_manager", "Priya Shah",
                                 "We need someone with hands-on experience of warehouse "
                                 "management software, which we didn't see."),
                            ), scenario="skill_gap", interview_days_ago=27),
            DemoApplication("Atlas Freight", "Shift Manager", "phone interview", 20,
                            "rejected", 9, (("recruiter", "", ""),), interview_days_ago=13),
        ),
        moods=((33, 3, ""), (20, 2, "No reply from Atlas."), (9, 1, "Hard week."),
               (2, 2, "")),
        actions=(
            ("learn_skill", "Take a short course on warehouse software", -3, False),
            ("follow_up", "Send a follow-up note to Atlas Freight", -1, False),
        ),
        answers={"skill_lacking": "I have it but did not show it"},
        notes=((9, "Ben is low this week. Start next session with the reminders."),),
    ),
    DemoClient(
        name="Carla Mendes",
        applications=(
            DemoApplication("Riverside Schools", "Program Coordinator", "final interview", 25,
                            "rejected", 14, (
                                ("network_contact", "Lena Fischer",
                                 "They decided to go in a different direction and "
                                 "restructure the team."),
                            ), scenario="different_direction", interview_days_ago=18),
            DemoApplication("Green Path Trust", "Project Officer", "interview", 10),
            DemoApplication("City Library", "Events Coordinator", "applied", 6),
            DemoApplication("Open Doors", "Volunteer Manager", "applied", 2),
        ),
        moods=((24, 3, ""), (14, 2, "Disappointed."), (5, 4, "Two interviews lined up!")),
        actions=(
            ("list_job_needs", "List what Green Path needs before the interview", 2, False),
            ("follow_up", "Thank Lena for the inside view", -8, True),
        ),
    ),
)


def _at(today: date, days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=UTC)


def create_demo(store: Store, today: date | None = None) -> list[Client]:
    """Add the demo clients to ``store`` and return them."""
    today = today or date.today()
    clients = [_create_client(store, spec, today) for spec in DEMO_CLIENTS]
    if store.get_setting(LAST_CLIENT) is None:
        store.set_setting(LAST_CLIENT, clients[0].id)  # the app opens on a client, not blank
    return clients


def _create_client(store: Store, spec: DemoClient, today: date) -> Client:
    client = store.create_client(spec.name)
    last_rejection = ""
    # The plan, answers and contacts were written at the client's last session:
    # the day of their latest check-in.
    session = _at(today, min(days for days, _mood, _note in spec.moods), 11)
    for app in spec.applications:
        entered = app.outcome_days_ago if app.outcome_days_ago is not None else \
            app.applied_days_ago
        record = store.add(Application(
            client_id=client.id, company=app.company, role=app.role, stage=app.stage,
            applied_on=today - timedelta(days=app.applied_days_ago), outcome=app.outcome,
            outcome_on=(today - timedelta(days=app.outcome_days_ago)
                        if app.outcome_days_ago is not None else None),
            interview_on=(today - timedelta(days=app.interview_days_ago)
                          if app.interview_days_ago is not None else None),
            how_heard="email" if app.outcome == "rejected" else "",
            updated_at=_at(today, entered),
        ))
        if app.outcome == "rejected":
            last_rejection = record.id
        for source_id, person, heard in app.feedback:
            asked = today - timedelta(days=(app.outcome_days_ago or 0) - 1)
            store.add(Feedback(
                client_id=client.id, application_id=record.id, source_id=source_id,
                person=person, asked_on=asked, heard=heard, no_reply=not heard,
                heard_on=asked + timedelta(days=3) if heard else None,
                scenario_id=app.scenario,
                updated_at=_at(today, max(0, (today - asked).days - (3 if heard else 0))),
            ))
        if app.scenario:
            store.add(Answer(client_id=client.id, application_id=record.id, key=keys.SCENARIO.key(),
                             value=app.scenario, updated_at=session))
    for days_ago, mood, note in spec.moods:
        store.add(CheckIn(client_id=client.id, at=_at(today, days_ago), mood=mood, note=note))
    for library_id, title, due_in, done in spec.actions:
        store.add(Action(client_id=client.id, title=title, library_id=library_id,
                         due_on=today + timedelta(days=due_in), done=done,
                         application_id=last_rejection, created_at=session,
                         updated_at=session))
    for key, value in spec.answers.items():
        store.add(Answer(client_id=client.id, application_id=last_rejection, key=key,
                         value=value, updated_at=session))
    if spec.thought:
        situation, assumption, evidence, reframe = spec.thought
        store.add(ThoughtRecord(client_id=client.id, at=_at(today, 20), situation=situation,
                                assumption=assumption, evidence=evidence, reframe=reframe,
                                updated_at=_at(today, 20)))
    for name, company, how_met, follow_up_in in spec.contacts:
        store.add(Contact(client_id=client.id, name=name, company=company, how_met=how_met,
                          follow_up_on=today + timedelta(days=follow_up_in),
                          updated_at=session))
    for days_ago, text in spec.notes:
        store.add(Note(client_id=client.id, at=_at(today, days_ago, 15), text=text))
    if last_rejection:
        store.set_state(client.id, application_id=last_rejection)
    return client
