"""The coaching logic, judged on phrasings written here rather than in content/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nextround.advice import (
    assessment_signals,
    check_assumptions,
    check_tone,
    draft_plan,
    is_negated,
    normalise,
    phrase_pattern,
    render_email,
    suggest_scenarios,
)
from nextround.errors import NextRoundError

PHRASINGS = {
    "internal_candidate": [
        "Thank you for your time. We have decided to offer the position to an internal "
        "candidate.",
        "In the end the role was filled internally by someone already on the team.",
        "We chose to promote from within for this position.",
        "The manager went with a current employee who had been covering the role.",
        "We've offered the job to an existing member of staff.",
    ],
    "different_direction": [
        "After careful consideration we have decided to go in a different direction.",
        "The team is being restructured, so the position has been put on hold.",
        "Our priorities have changed and we are rethinking the scope of the role.",
        "Unfortunately there is now a hiring freeze and the vacancy has been cancelled.",
    ],
    "better_qualified": [
        "In the end we chose a candidate with several more years of experience.",
        "It was a very strong field and we chose a more experienced candidate.",
        "Another applicant was better qualified for this particular role.",
        "We selected someone with more relevant experience for the position.",
    ],
    "skill_gap": [
        "We were looking for someone with more hands-on experience in SQL.",
        "Your background lacks the project management certification we require.",
        "You didn't demonstrate enough proficiency in Python during the technical "
        "assessment.",
        "We need someone familiar with Salesforce, and that skill was missing.",
    ],
    "presentation": [
        "The panel felt you interrupted them several times.",
        "You came across as nervous and we struggled to build rapport.",
        "Your answers rambled and we found your communication hard to follow.",
        "There were some concerns about your body language and eye contact.",
        "We didn't feel you showed much enthusiasm for the role.",
    ],
    "no_feedback": [
        "",
        "Due to the high volume of applications we are unable to provide individual "
        "feedback.",
        "I never heard back from them.",
        "We will keep your CV on file and wish you every success.",
        "no reply",
    ],
}


@pytest.mark.parametrize(
    ("expected", "text"),
    [(scenario, text) for scenario, texts in PHRASINGS.items() for text in texts],
)
def test_suggest_ranks_the_right_scenario_first(expected, text, content):
    ranked = suggest_scenarios(text, content)
    assert ranked, f"nothing suggested for {text!r}"
    assert ranked[0].scenario_id == expected, [(s.scenario_id, s.cues) for s in ranked]
    assert ranked[0].cues, "a suggestion must show the words that led to it"


def test_suggest_uses_shipped_content_by_default():
    assert suggest_scenarios("It went to an internal candidate.")[0].id == "internal_candidate"


def test_negated_cue_is_not_suggested(content):
    text = ("It wasn't about your skills at all; we simply went with an internal "
            "candidate.")
    ids = [s.scenario_id for s in suggest_scenarios(text, content)]
    assert ids[0] == "internal_candidate"
    assert "skill_gap" not in ids


def test_negation_does_not_cross_a_clause(content):
    text = ("We had no concerns about your communication, but another candidate was "
            "simply more experienced.")
    ids = [s.scenario_id for s in suggest_scenarios(text, content)]
    assert ids[0] == "better_qualified"
    assert "presentation" not in ids


def test_negation_carried_by_a_verb_keeps_the_cue():
    text = normalise("we did not feel you had enough experience")
    assert not is_negated(text, text.index("enough"))
    text = normalise("this was not about your experience")
    assert is_negated(text, text.index("experience"))


def test_specific_reason_outranks_form_letter_wording(content):
    text = ("Thank you for applying. Unfortunately we have decided not to move forward. "
            "The successful candidate had more relevant experience. We wish you every "
            "success.")
    assert suggest_scenarios(text, content)[0].scenario_id == "better_qualified"


def test_phrase_pattern_tolerates_variation():
    import re

    regex = re.compile(phrase_pattern("internal candidate"))
    assert regex.search("two internal-candidates applied")
    assert regex.search("an internal  candidate")
    assert not regex.search("internalcandidate")
    assert not regex.search("international candidate")


def _variants(phrase: str) -> list[str]:
    plain = phrase.rstrip("?!.")
    return [
        phrase,
        phrase.upper(),
        phrase.lower(),
        plain + "!!",
        phrase.replace("'", "\u2019"),
        f"Hi Sam, thanks for the call. {plain}? Best, Ana",
    ]


def test_tone_flags_every_rule_in_varied_case_and_punctuation(content):
    for rule in content.tone_rules:
        for variant in _variants(rule.avoid):
            flags = check_tone(variant, content)
            assert any(f.rule_id == rule.id for f in flags), (rule.id, variant, flags)


@pytest.mark.parametrize("draft", [
    "Could you tell me what I did wrong in the interview?",
    "why did you not hire me",
    "Why wasn't I selected for the role?",
    "I really don't understand why you didn't hire me.",
])
def test_tone_catches_variants_not_written_in_content(draft, content):
    assert check_tone(draft, content), draft


def test_tone_positions_point_at_the_typed_text(content):
    draft = "Dear Sam,\nWhat did I do wrong?\nBest, Ana"
    flags = check_tone(draft, content)
    assert flags
    flag = flags[0]
    assert draft[flag.start:flag.end] == flag.phrase
    assert "wrong" in flag.phrase.lower()
    assert flag.alternative


def test_gracious_email_raises_no_flag(content):
    draft = (
        "Dear Ms Ortiz,\n\nThank you for letting me know, and for the time you and the "
        "team gave me. I enjoyed learning about Northwind. If you have a moment, I would "
        "be grateful for any thoughts on how I could make a stronger case next time. "
        "I would welcome the chance to be considered for future roles.\n\nKind regards,\n"
        "Amira"
    )
    assert check_tone(draft, content) == []


def test_every_shipped_template_reads_as_gracious(content):
    context = {"client_name": "Amira", "contact_name": "Sam Ortiz", "company": "Northwind",
               "role": "Data Analyst", "interview_date": "12 May", "source_name": "Jo"}
    for template in content.emails:
        email = render_email(template.id, context, content)
        assert check_tone(email.subject + "\n" + email.body, content) == [], template.id


@pytest.mark.parametrize(("thought", "expected"), [
    ("They probably wanted someone younger.", "younger_candidate"),
    ("I'm just too old for them now", "younger_candidate"),
    ("It was who you know, they hired an insider's friend.", "insider_connections"),
    ("They just didn't like me.", "didnt_like_me"),
    ("The interviewer didn't like me from the start", "didnt_like_me"),
])
def test_assumption_check_notices_unhelpful_guesses(thought, expected, content):
    flags = check_assumptions(thought, content)
    assert [f.assumption_id for f in flags][:1] == [expected], flags
    assert flags[0].reframe and flags[0].control


def test_assumption_check_stays_quiet_on_a_fair_thought(content):
    assert check_assumptions("I could have prepared better stories about my projects.",
                             content) == []


def test_draft_plan_from_scenario_has_due_dates(content):
    today = date(2026, 3, 2)
    plan = draft_plan("skill_gap", {}, content=content, today=today)
    scenario = content.scenario("skill_gap")
    assert [p.library_id for p in plan] == list(scenario.actions)
    for proposal in plan:
        action = content.action(proposal.library_id)
        assert proposal.due_on == today + timedelta(days=action.due_days)
        assert (proposal.title, proposal.detail) == (action.title, action.detail)


def test_draft_plan_adds_gap_actions_and_keep_searching(content):
    gap_question = next(q for q in content.questions if q.gap_when and q.gap_actions)
    answer = _answer_meeting(gap_question.gap_when, gap_question)
    plan = draft_plan(None, {gap_question.id: answer}, content=content, today=date(2026, 1, 1),
                      active_applications=0)
    ids = [p.library_id for p in plan]
    for action_id in gap_question.gap_actions:
        assert action_id in ids
    keep = [a.id for a in content.actions if a.source == content.keep_searching.source]
    assert keep and all(k in ids for k in keep)
    assert len(ids) == len(set(ids)), "no action is proposed twice"


def test_draft_plan_excludes_actions_already_planned(content):
    scenario = content.scenario("presentation")
    plan = draft_plan("presentation", content=content, exclude=[scenario.actions[0]])
    assert scenario.actions[0] not in [p.library_id for p in plan]


def test_draft_plan_refuses_an_unknown_scenario(content):
    with pytest.raises(NextRoundError, match="unknown scenario 'nope'"):
        draft_plan("nope", content=content)


def _answer_meeting(condition, question):
    if condition.equals is not None:
        return condition.equals
    if condition.one_of:
        return condition.one_of[0]
    if condition.at_most is not None:
        return condition.at_most
    return condition.at_least


def test_assessment_signals_split_strengths_and_gaps(content):
    question = next(q for q in content.questions if q.strength_when and q.gap_when)
    strong = assessment_signals({question.id: _answer_meeting(question.strength_when,
                                                                question)}, content)
    weak = assessment_signals({question.id: _answer_meeting(question.gap_when, question)},
                              content)
    assert question.strength in strong[0] and question.gap not in strong[1]
    assert question.gap in weak[1] and question.strength not in weak[0]


def test_render_email_fills_context_and_leaves_out_blanks(content):
    template = content.emails[0]
    email = render_email(template.id, {"company": "Northwind", "role": "Analyst",
                                       "contact_name": "Sam", "client_name": "Amira"},
                         content)
    assert "Northwind" in email.subject + email.body
    blank = render_email(template.id, {}, content)
    assert "[" not in blank.subject + blank.body and blank.body.startswith("Hello,\n")
    with pytest.raises(NextRoundError):
        render_email("no_such_template", {}, content)
