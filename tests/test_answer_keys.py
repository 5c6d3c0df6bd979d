"""The answer key registry: every family builds, parses and owns its keys alone."""

from __future__ import annotations

import pytest

from nextround import answer_keys as keys


def test_each_family_builds_and_parses_its_own_keys():
    assert keys.DRAFT.key(source="recruiter") == "draft.recruiter"
    assert keys.REFLECTION.key(scenario="skill_gap", question="why") == "reflect.skill_gap.why"
    assert keys.REFLECTION.parse("reflect.skill_gap.why") == {"scenario": "skill_gap",
                                                             "question": "why"}
    assert keys.GRACIOUS_DRAFT.key(step="thank") == "gracious.thank.draft"
    assert keys.CONTACT_DRAFT.key(field="name") == "contact_draft.name"
    assert keys.SCENARIO.key() == "scenario"


def test_families_do_not_overlap():
    assert keys.is_gracious_done("gracious.thank")
    assert not keys.is_gracious_done("gracious.thank.draft")
    assert keys.family_of("draft.current") is keys.CURRENT_DRAFT
    assert keys.family_of("draft.recruiter") is keys.DRAFT
    assert keys.family_of("log.pasted_email") is keys.PASTED_EMAIL
    assert keys.family_of("checkin.note_draft") is keys.NOTE_DRAFT
    assert keys.family_of("confidence") is keys.ASSESSMENT
    assert keys.family_of("scenario") is keys.SCENARIO


@pytest.mark.parametrize("bad", [{"source": ""}, {"source": "a.b"}, {"person": "x"}])
def test_a_key_part_that_would_break_the_pattern_is_refused(bad):
    with pytest.raises(ValueError):
        keys.DRAFT.key(**bad)


def test_question_ids_that_would_collide_are_reserved(content):
    for word in ("scenario", "draft", "reflect", "gracious", "contact_draft", "log",
                 "checkin", "state"):
        assert keys.is_reserved(word)
    assert not any(keys.is_reserved(q.id) for q in content.questions)
