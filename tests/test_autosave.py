"""Typing is saved as it happens: every text box, in one place, with nothing lost.

Inside a kernel the saves run on its event loop a moment after the last key
press; these tests run the components inside an asyncio loop to see that
timing, and a child process to see the saves that wait when the kernel stops.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import ipywidgets as W
import pytest

from nextround.components.base import SAVE_DELAY, PendingSaves, saves
from nextround.components.rejection_log import RejectionLog
from nextround.model import Action, Application, Feedback
from nextround.steps import STEPS

REPO = Path(__file__).resolve().parents[1]


def walk(widget: W.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


@pytest.fixture
def worked_client(store):
    """A client with a chosen rejection, a reply, a plan step and a contact draft."""
    client = store.create_client("Kim")
    app = store.add(Application(client_id=client.id, company="Acme", role="Analyst",
                                outcome="rejected"))
    store.set_state(client.id, application_id=app.id)
    store.add(Feedback(client_id=client.id, application_id=app.id, heard="An insider got it"))
    store.add(Action(client_id=client.id, title="Practise"))
    store.set_answer(client.id, "draft.current", "recruiter", app.id)
    return client


def test_every_text_box_on_every_step_sends_each_key_press(store, content, worked_client):
    """No text box waits for the person to leave it: each one updates as they type."""
    checked = 0
    for step in STEPS:
        view = step.build(content=content, store=store, client_id=worked_client.id)
        boxes = [w for w in walk(view) if isinstance(w, W.Text | W.Textarea)]
        for box in boxes:
            assert box.continuous_update is True, (step.key, box.description)
        checked += len(boxes)
    assert checked >= 20


def run_in_loop(coroutine_function):
    """Run an async test body on a fresh event loop, as a kernel's comm handler would."""
    return asyncio.run(coroutine_function())


def test_typing_is_saved_a_moment_after_the_last_key_and_only_once(store, content):
    client = store.create_client("Kim")
    writes: list[str] = []

    async def body() -> None:
        view = RejectionLog.create(content=content, store=store, client_id=client.id)
        original = view.model.save_field

        def counting(field, value):
            writes.append(value)
            return original(field, value)

        view.model.save_field = counting
        company = view.inputs["company"]
        for text in ("N", "No", "Nor", "North", "Northwind"):
            company.value = text
            await asyncio.sleep(SAVE_DELAY / 4)
        assert writes == []  # still typing: nothing written yet
        assert saves.waiting == 1
        started = time.monotonic()
        while not writes and time.monotonic() - started < 5:
            await asyncio.sleep(0.02)
        assert time.monotonic() - started < 1.0
        assert writes == ["Northwind"]
        [app] = store.list(Application, client.id)
        assert app.company == "Northwind"

    run_in_loop(body)
    assert saves.waiting == 0


def test_a_click_saves_what_is_waiting_first(store, content):
    """Typing then at once pressing a button keeps the typing, in order."""
    client = store.create_client("Kim")

    async def body() -> None:
        view = RejectionLog.create(content=content, store=store, client_id=client.id)
        view.inputs["company"].value = "Globex"
        assert store.list(Application, client.id) == []
        view.add_button.click()  # "Add an application": the typed one is kept first
        apps = store.list(Application, client.id)
        assert [a.company for a in apps] == ["Globex", ""]

    run_in_loop(body)


def test_a_choice_saves_waiting_typing_before_itself(store, content):
    client = store.create_client("Kim")

    async def body() -> None:
        view = RejectionLog.create(content=content, store=store, client_id=client.id)
        view.inputs["role"].value = "Analyst"
        view.inputs["outcome"].value = "rejected"
        [app] = store.list(Application, client.id)
        assert (app.role, app.outcome) == ("Analyst", "rejected")

    run_in_loop(body)


def test_values_the_view_sets_itself_are_not_saved_as_typing(store, content):
    client = store.create_client("Kim")
    first = store.add(Application(client_id=client.id, company="First"))
    store.add(Application(client_id=client.id, company="Second"))

    async def body() -> None:
        view = RejectionLog.create(content=content, store=store, client_id=client.id)
        view.editing.value = first.id  # the form is refilled with the first one
        assert view.inputs["company"].value == "First"
        assert saves.waiting == 0

    run_in_loop(body)


def test_pending_saves_flush_in_order_and_replace_older_ones():
    done: list[str] = []
    pending = PendingSaves(delay=60)

    async def body() -> None:
        pending.later("a", lambda: done.append("a1"))
        pending.later("b", lambda: done.append("b1"))
        pending.later("a", lambda: done.append("a2"))
        assert pending.waiting == 2
        pending.flush()

    asyncio.run(body())
    assert done == ["b1", "a2"]
    assert pending.waiting == 0


def test_typing_still_waiting_is_saved_when_the_kernel_stops(tmp_path):
    """The kernel stops (a closed tab, culling) before the save's moment: it is saved anyway."""
    db = tmp_path / "nextround.db"
    script = textwrap.dedent(f"""
        import asyncio
        from nextround.content import load_content
        from nextround.store import Store
        from nextround.components.base import saves
        from nextround.components.wellbeing import Wellbeing

        store = Store({str(db)!r})
        client = store.create_client("Kim")

        async def main():
            view = Wellbeing.create(content=load_content(), store=store, client_id=client.id)
            view.thought_inputs["situation"].value = "They said no by email"
            assert saves.waiting == 1, saves.waiting

        asyncio.run(main())
        # The loop is gone with the save still waiting, as when a kernel shuts down.
        assert saves.waiting == 1
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120,
                            env={"PYTHONPATH": str(REPO / "widgets"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    from nextround.model import ThoughtRecord
    from nextround.store import Store

    reopened = Store(db)
    try:
        [client] = reopened.list_clients()
        [thought] = reopened.list(ThoughtRecord, client.id)
        assert thought.situation == "They said no by email"
    finally:
        reopened.close()
