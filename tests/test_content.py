"""The shipped coaching content, and the validator's messages for broken content.

Each fault test copies the shipped ``content/`` folder, breaks one thing, and
checks the exact ``file:LINE: field.path: message`` line that a counsellor
would see. Line numbers are found by searching the file's text, so the tests
keep working when the content is edited.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from nextround.advice import check_assumptions, suggest_scenarios
from nextround.content import Condition, default_content_dir, validate_directory
from nextround.emails import render

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "handling-rejection.txt"

SCENARIO_IDS = [
    "internal_candidate",
    "different_direction",
    "better_qualified",
    "skill_gap",
    "presentation",
    "no_feedback",
]
PART_IDS = [
    "rejection_is_normal",
    "who_to_ask",
    "internal_candidate",
    "different_direction",
    "better_qualified",
    "skill_gap",
    "presentation",
    "no_feedback",
    "avoid_assumptions",
    "be_gracious",
    "follow_up_email",
    "emotional_side",
    "keep_searching",
]
SAMPLE_CONTEXT = {
    "client_name": "Sam Lee",
    "contact_name": "Ms Patel",
    "company": "Acme Ltd",
    "role": "Data Analyst",
    "interview_date": "12 May",
    "source_name": "the hiring manager",
}


@pytest.fixture(scope="module")
def content():
    loaded, problems = validate_directory(default_content_dir())
    assert problems == []
    assert loaded is not None
    return loaded


# --- the shipped content -------------------------------------------------------


def test_shipped_content_is_valid_with_expected_counts(content):
    assert [part.id for part in content.parts] == PART_IDS
    assert [s.id for s in content.scenarios] == SCENARIO_IDS
    assert [s.id for s in content.sources] == [
        "hiring_manager", "recruiter", "insider", "network_contact"]
    assert [s.candour for s in content.sources] == ["low", "low", "high", "high"]
    assert [s.template for s in content.sources] == [
        "ask_feedback", "ask_feedback", "ask_insider", "ask_insider"]
    assert len(content.reminders) == 4
    assert [a.id for a in content.assumptions] == [
        "younger_candidate", "insider_connections", "didnt_like_me"]
    assert [s.id for s in content.gracious_steps] == ["thank", "ask_feedback", "keep_in_mind",
                                             "add_contacts"]
    assert {"thank_you", "ask_feedback", "ask_insider", "keep_in_mind", "add_contact",
            "follow_up_feedback"} <= {e.id for e in content.emails}
    assert {"learn_skill", "craft_stories", "list_job_needs", "practise_interview",
            "ask_insider", "follow_up", "keep_applications_active", "record_mock_interview",
            "strengthen_insider_support", "show_external_value", "research_direction",
            "troubleshoot_process", "reflect_on_presentation",
            "add_contacts"} <= {a.id for a in content.actions}
    assert content.keep_searching.min_active == 3
    assert content.mood.min == 1 and content.mood.max == 5
    assert sorted(content.mood.labels) == [1, 2, 3, 4, 5]


def test_items_name_the_right_part_of_the_article(content):
    for scenario in content.scenarios:
        assert scenario.source == scenario.id
    assert {s.source for s in content.sources} == {"who_to_ask"}
    assert {r.source for r in content.reminders} == {"emotional_side"}
    assert content.mood.source == "emotional_side"
    assert {a.source for a in content.assumptions} == {"avoid_assumptions"}
    assert {s.source for s in content.gracious_steps} == {"be_gracious"}
    assert {r.source for r in content.tone_rules} == {"follow_up_email"}
    assert content.keep_searching.source == "keep_searching"
    topics = {q.topic for q in content.questions}
    assert topics == {"qualifications", "stories", "skills", "interpersonal", "next_time"}


def test_scenarios_have_questions_actions_and_cues(content):
    for scenario in content.scenarios:
        ids = [q.id for q in scenario.questions]
        assert 3 <= len(ids) <= 5, scenario.id
        assert len(set(ids)) == len(ids), f"{scenario.id}: question ids repeat"
        assert len(scenario.actions) >= 3, scenario.id
        assert len(scenario.cues.phrases) >= 15, scenario.id
        assert len(scenario.cues.patterns) >= 3, scenario.id
    weights = {s.id: s.cues.weight for s in content.scenarios}
    assert weights.pop("no_feedback") < 1
    assert set(weights.values()) == {1.0}


def test_assessment_conditions_fit_their_question_kind(content):
    for q in content.questions:
        conditions = [c for c in (q.strength_when, q.gap_when) if c is not None]
        if q.kind == "scale":
            assert q.scale is not None and (q.scale.min, q.scale.max) == (1, 5), q.id
        for cond in conditions:
            if q.kind == "yesno":
                assert cond.equals in ("yes", "no"), q.id
            if q.kind == "choice":
                named = ([cond.equals] if cond.equals is not None else []) + (cond.one_of or [])
                assert named and set(named) <= set(q.choices), q.id
        if q.gap_when is not None:
            assert q.gap and q.gap_actions, q.id
    skill = content.question("skill_status")
    assert skill.kind == "choice"
    assert skill.choices == ["I truly lack it", "I have it but did not show it", "Not sure"]
    assert skill.gap_when.holds("I truly lack it")
    assert skill.strength_when.holds("I have it but did not show it")
    needs = content.question("needs_list")
    assert needs.gap_when.holds("no") and not needs.gap_when.holds("yes")


def test_yes_no_condition_accepts_yaml_booleans():
    # A bare `equals: yes` in YAML arrives as True; answers are the strings.
    assert Condition.model_validate({"equals": True}).holds("yes")
    assert not Condition.model_validate({"equals": True}).holds("no")
    assert Condition.model_validate({"equals": False}).holds("no")
    assert not Condition.model_validate({"equals": "yes"}).holds(1)


# --- one test per kind of content error ---------------------------------------------


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(default_content_dir(), target)
    return target


def edit(path: Path, old: str, new: str, after: str = "") -> None:
    """Replace the first ``old`` that follows ``after`` (which must be present)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def line_of(path: Path, needle: str, after: str = "") -> int:
    """The 1-based line of the first ``needle`` that follows ``after``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(needle, start)) + 1


def only_problem(directory: Path) -> str:
    content, problems = validate_directory(directory)
    assert content is None
    assert len(problems) == 1, problems
    return problems[0]


def test_malformed_yaml(copy):
    path = copy / "sources.yaml"
    edit(path, "name: The recruiter or HR contact", "name: The recruiter: or HR contact")
    line = line_of(path, "The recruiter: or HR")
    assert only_problem(copy) == (
        f"{path}:{line}: (top): not valid YAML: mapping values are not allowed here")


def test_wrong_type(copy, content):
    path = copy / "actions.yaml"
    edit(path, "due_days: 30", "due_days: soon", after="- id: learn_skill")
    line = line_of(path, "due_days: soon")
    index = [a.id for a in content.actions].index("learn_skill")
    assert only_problem(copy) == (
        f"{path}:{line}: actions[{index}].due_days: "
        "Input should be a valid integer, unable to parse string as an integer")


def test_missing_field(copy):
    path = copy / "scenarios.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: skill_gap")
    heard = text.index("    heard:", start)
    path.write_text(text[:heard] + text[text.index("\n", heard) + 1:], encoding="utf-8")
    line = line_of(path, "- id: skill_gap")
    assert only_problem(copy) == f"{path}:{line}: scenarios[3].heard: Field required"


def test_unknown_key(copy):
    path = copy / "gracious.yaml"
    edit(path, "    title: Ask for feedback\n",
         "    title: Ask for feedback\n    advise: Be kind.\n")
    line = line_of(path, "advise: Be kind.")
    assert only_problem(copy) == (
        f"{path}:{line}: steps[1].advise: unknown key (check the spelling)")


def test_duplicate_id(copy):
    path = copy / "wellbeing.yaml"
    edit(path, "- id: you_will_learn", "- id: not_personal")
    line = line_of(path, "- id: not_personal", after="- id: not_your_worth")
    assert only_problem(copy) == (
        f"{path}:{line}: reminders[2].id: duplicate id 'not_personal' "
        "(first used at reminders[0])")


@pytest.mark.parametrize("reserved", ["scenario", "draft", "reflect", "gracious"])
def test_a_question_id_that_is_another_answers_key_is_refused(copy, content, reserved):
    path = copy / "assessment.yaml"
    first = content.questions[0].id
    edit(path, f"- id: {first}\n", f"- id: {reserved}\n")
    line = line_of(path, f"- id: {reserved}")
    assert only_problem(copy) == (
        f"{path}:{line}: questions[0].id: the id '{reserved}' is reserved for another "
        "saved answer; choose another id")


def test_reference_to_a_missing_action(copy):
    path = copy / "scenarios.yaml"
    edit(path, "      - learn_skill\n", "      - learn_skil\n", after="- id: skill_gap")
    line = line_of(path, "- learn_skil\n")
    assert only_problem(copy) == (
        f"{path}:{line}: scenarios[3].actions[1]: unknown action id 'learn_skil'")


def test_reference_to_a_missing_email_template(copy):
    path = copy / "sources.yaml"
    edit(path, "template: ask_insider", "template: ask_inside", after="- id: network_contact")
    line = line_of(path, "template: ask_inside\n")
    assert only_problem(copy) == (
        f"{path}:{line}: sources[3].template: unknown email template id 'ask_inside'")


def test_template_that_does_not_compile_points_at_its_line(copy):
    path = copy / "emails.yaml"
    edit(path, "I am always looking to grow.", "I am always looking to {{ grow }.")
    line = line_of(path, "{{ grow }.")
    assert only_problem(copy) == (
        f"{path}:{line}: templates[1].body: template does not compile: unexpected '}}'")


def test_bad_regex_pattern(copy):
    path = copy / "scenarios.yaml"
    edit(path, "      patterns:\n", "      patterns:\n        - '(unclosed'\n")
    line = line_of(path, "- '(unclosed'")
    assert only_problem(copy) == (
        f"{path}:{line}: scenarios[0].cues.patterns[0]: pattern does not compile: "
        "missing ), unterminated subpattern at position 0")


def test_dangling_source(copy):
    path = copy / "tone.yaml"
    edit(path, "source: follow_up_email", "source: follow_up")
    line = line_of(path, "source: follow_up\n")
    assert only_problem(copy) == (
        f"{path}:{line}: rules[0].source: unknown article part id 'follow_up'")


@pytest.mark.parametrize(("name", "old", "loc"), [
    ("wellbeing.yaml", "  source: emotional_side\n\nreminders:", "mood.source"),
    ("actions.yaml", "  source: keep_searching\n\nactions:", "keep_searching.source"),
])
def test_dangling_source_outside_a_list(copy, name, old, loc):
    path = copy / name
    edit(path, old, old.replace("source: ", "source: gone_"))
    line = line_of(path, "source: gone_")
    expected_ref = old.split("source: ")[1].split("\n")[0]
    assert only_problem(copy) == (
        f"{path}:{line}: {loc}: unknown article part id 'gone_{expected_ref}'")


def test_a_list_of_the_wrong_type_is_reported_not_raised(copy):
    path = copy / "scenarios.yaml"
    edit(path, "scenarios:\n", "scenarios: 5\nlater:\n")
    line = line_of(path, "scenarios: 5")
    content, problems = validate_directory(copy)
    assert content is None
    assert problems == [
        f"{path}:{line}: scenarios: Input should be a valid list",
        f"{path}:{line + 1}: later: unknown key (check the spelling)",
    ]


# --- words borrowed from the article ---------------------------------------------------

RUN = 9


def _words(text: str) -> list[str]:
    text = text.replace("\u2019", "'")
    return re.findall(r"[a-z0-9']+", text.lower())


def copied_runs(seed_text: str, text: str) -> list[str]:
    """Runs of RUN or more words in ``text`` that also stand in ``seed_text``."""
    seed_words = _words(seed_text)
    seed = {tuple(seed_words[i:i + RUN]) for i in range(len(seed_words) - RUN + 1)}
    words = _words(text)
    return [" ".join(words[i:i + RUN]) for i in range(len(words) - RUN + 1)
            if tuple(words[i:i + RUN]) in seed]


def test_copied_runs_are_found():
    seed = "one two three four five six seven eight nine ten"
    assert copied_runs(seed, "Zero one two three four five six seven eight nine!") == [
        "one two three four five six seven eight nine"]
    assert copied_runs(seed, "one two three four five six seven eight ten") == []


def test_content_paraphrases_the_article():
    if not SEED.is_file():
        pytest.skip(f"the source article is not beside this checkout ({SEED})")
    seed_text = SEED.read_text(encoding="utf-8")
    folder = default_content_dir()
    found = {str(path.relative_to(folder)): copied_runs(seed_text, path.read_text(encoding="utf-8"))
             for path in sorted(folder.rglob("*.yaml"))}
    assert {name: runs for name, runs in found.items() if runs} == {}


# --- email templates and tone ------------------------------------------------------


def tone_flags(content, text: str) -> list[str]:
    return [rule.id for rule in content.tone_rules
            if any(re.search(p, text, re.IGNORECASE) for p in rule.patterns)]


def every_missing_combination():
    """Each way some of the template values can be unknown: 2**6 contexts."""
    names = sorted(SAMPLE_CONTEXT)
    for size in range(len(names) + 1):
        for missing in itertools.combinations(names, size):
            yield missing, {k: v for k, v in SAMPLE_CONTEXT.items() if k not in missing}


#: How a sentence built around a missing value gives itself away.
BADLY_BUILT = {
    "placeholder": r"\[\w*\]|\{\{|\{%|None",
    "doubled space": r"\S  +\S",
    "space before punctuation": r" [,.;:!?]",
    "doubled punctuation": r"[,;:.][,;:!?]|,\.|(?<!\.)\.\.(?!\.)",
    "dangling word": r"\b(?:(?:on|at|about|from|with|to|of|in)(?:[.;:!?]|$)"
                     r"|(?:the|a|an|Dear)(?:[.,;:!?]|$))",
    "line starting with punctuation": r"(?m)^\s*[,.;:!?]",
}


def test_every_email_reads_well_with_any_value_unknown(content):
    """Rendered as the client sees them, for all 64 combinations of missing values."""
    for email in content.emails:
        for missing, context in every_missing_combination():
            subject, body = render(email.subject, email.body, context)
            for name, pattern in BADLY_BUILT.items():
                for text in (subject, body):
                    found = re.search(pattern, text, re.MULTILINE)
                    assert found is None, (email.id, missing, name, text)
            greeting = body.splitlines()[0]
            if "contact_name" in missing:
                assert greeting in {"Hello,", "Hi,"}, (email.id, greeting)
            else:
                assert greeting in {"Dear Ms Patel,", "Hi Ms Patel,"}, (email.id, greeting)
            assert subject and subject[0].isupper(), (email.id, missing, subject)
            for name, value in SAMPLE_CONTEXT.items():
                if name not in missing and name in email.subject + email.body:
                    assert value in subject + body, (email.id, name, missing)


def test_subjects_read_naturally(content):
    """Subjects name the job as a job, never as if it were the person written to."""
    full = {e.id: render(e.subject, e.body, SAMPLE_CONTEXT).subject for e in content.emails}
    assert full == {
        "thank_you": "Thank you for letting me know about the Data Analyst role",
        "ask_feedback": "A quick request about the Data Analyst role",
        "ask_insider": "Could I ask your advice?",
        "keep_in_mind": "Staying in touch with Acme Ltd",
        "add_contact": "Good to meet you",
        "follow_up_feedback": "Following up on the Data Analyst role",
    }
    bare = {e.id: render(e.subject, e.body, {"client_name": "Sam Lee"}).subject
            for e in content.emails}
    assert bare == {
        "thank_you": "Thank you for letting me know",
        "ask_feedback": "A quick request about my application",
        "ask_insider": "Could I ask your advice?",
        "keep_in_mind": "Staying in touch",
        "add_contact": "Good to meet you",
        "follow_up_feedback": "Following up on my application",
    }


def test_the_meeting_date_appears_only_where_a_meeting_is_meant(content):
    for email in content.emails:
        with_date = render(email.subject, email.body, SAMPLE_CONTEXT).body
        for sentence in re.split(r"(?<=[.?!])\s+", with_date):
            if "12 May" in sentence:
                assert re.search(r"\b(met|conversation|interview)\b", sentence), sentence


def test_a_template_that_would_show_a_placeholder_is_refused(copy):
    path = copy / "emails.yaml"
    edit(path, "{% if contact_name %}Dear {{ contact_name }},{% else %}Hello,{% endif %}",
         "Dear {{ contact_name }},")
    line = line_of(path, "body: |", after="- id: thank_you")
    assert only_problem(copy) == (
        f"{path}:{line}: templates[0].body: with contact_name unknown, the draft shows a "
        "placeholder: “Dear [contact_name], Thank y”")


def test_a_template_that_leaves_a_dangling_on_is_refused(copy):
    path = copy / "emails.yaml"
    edit(path, "I enjoyed our conversation{% if interview_date %} on {{ interview_date }}"
               "{% endif %}.",
         "I enjoyed our conversation on {% if interview_date %}{{ interview_date }}"
         "{% endif %}.")
    problem = only_problem(copy)
    assert "templates[1].body: with interview_date unknown, the draft has a space before " \
           "punctuation" in problem, problem


def test_no_shipped_email_trips_a_tone_rule(content):
    for email in content.emails:
        for context in (SAMPLE_CONTEXT, {}):
            subject, body = render(email.subject, email.body, context)
            assert tone_flags(content, subject + "\n" + body) == [], email.id


@pytest.mark.parametrize(("text", "rule"), [
    ("What did I do wrong?", "what_did_i_do_wrong"),
    ("could you tell me what I did wrong", "what_did_i_do_wrong"),
    ("I'd like to know what I've done wrong", "what_did_i_do_wrong"),
    ("What went wrong with me?", "what_did_i_do_wrong"),
    ("Where did I go wrong?", "what_did_i_do_wrong"),
    ("WHY DIDN'T YOU HIRE ME?", "why_not_hired"),
    ("Why didnt you hire me", "why_not_hired"),
    ("Why didn\u2019t you pick me?", "why_not_hired"),
    ("Why did you not hire me?", "why_not_hired"),
    ("Why wasn't I hired?", "why_not_hired"),
    ("Why was I not chosen?", "why_not_hired"),
    ("why wasnt i selected", "why_not_hired"),
    ("Why was I rejected?", "why_not_hired"),
    ("I want to understand why I wasn't chosen.", "why_not_hired"),
    ("You made a mistake.", "accusing"),
    ("You've made a huge mistake", "accusing"),
    ("The whole process was unfair.", "accusing"),
    ("You should have hired me.", "accusing"),
    ("you should've hired me", "accusing"),
    ("Your loss.", "accusing"),
    ("You didn't even give me a chance.", "accusing"),
    ("I don't understand how you chose someone else.", "defensive"),
    ("I was clearly the best candidate.", "defensive"),
    ("I'm obviously the most qualified", "defensive"),
    ("I deserved this job.", "defensive"),
    ("I demand an explanation.", "demanding"),
    ("You owe me a reason.", "demanding"),
])
def test_tone_rules_catch_variants(content, text, rule):
    assert rule in tone_flags(content, text)


def test_tone_rules_leave_gracious_text_alone(content):
    gracious = [rule.alternative for rule in content.tone_rules] + [
        "Thank you for letting me know.",
        "I would be grateful for any thoughts you can share.",
        "I understand how busy you are, so a few lines would be plenty.",
        "Thank you for a fair and friendly process.",
        "Please keep me in mind for future roles.",
    ]
    for text in gracious:
        assert tone_flags(content, text) == [], text
    for rule in content.tone_rules:
        assert rule.id in tone_flags(content, rule.avoid), rule.id


# --- cues ---------------------------------------------------------------------

SAMPLES = {
    "internal_candidate": [
        "We have decided to offer the position to an internal candidate.",
        "The role has been filled by an existing member of our team.",
    ],
    "different_direction": [
        "After further discussion the team has decided to go in a different direction.",
        "Due to a restructure, the position has been put on hold.",
    ],
    "better_qualified": [
        "We have chosen a candidate with considerably more experience.",
        "It was a highly competitive process and the person we hired was more qualified.",
    ],
    "skill_gap": [
        "The panel felt you lacked hands-on experience with Salesforce.",
        "Your technical assessment did not meet the standard we require.",
    ],
    "presentation": [
        "You came across as nervous and we struggled to build rapport.",
        "The recruiter said I interrupted the interviewer and avoided eye contact.",
    ],
    "no_feedback": [
        "Due to the high volume of applications we are unable to provide individual "
        "feedback. We will keep your CV on file and wish you every success.",
        "I never heard back after the second interview.",
    ],
}
FORM_LETTER = (
    "Dear Candidate, thank you for your interest in working with us. After careful "
    "consideration we will not be moving forward with your application. We encourage you "
    "to apply for other roles within our organisation and wish you every success. "
    "Registered in England and Wales. This communication is confidential."
)


@pytest.mark.parametrize("expected", SCENARIO_IDS)
def test_scenario_cues_pick_out_their_own_messages(content, expected):
    for message in SAMPLES[expected] + [content.scenario(expected).heard]:
        ranked = suggest_scenarios(message, content)
        assert ranked[0].scenario_id == expected, (message, ranked)
        assert len(ranked) == 1 or ranked[0].score > ranked[1].score, (message, ranked)


def test_a_specific_reason_outranks_form_letter_wording(content):
    text = FORM_LETTER + " We offered the role to an internal candidate."
    assert suggest_scenarios(text, content)[0].scenario_id == "internal_candidate"


def test_a_form_letter_suggests_only_no_feedback(content):
    ranked = suggest_scenarios(FORM_LETTER, content)
    assert [s.scenario_id for s in ranked] == ["no_feedback"]
    assert "after careful consideration" in ranked[0].cues


def test_no_cue_pattern_matches_empty_or_neutral_text(content):
    neutral = "thank you for coming in today, it was good to meet you."
    for cues in [s.cues for s in content.scenarios] + [a.cues for a in content.assumptions]:
        for pattern in cues.patterns:
            assert not re.search(pattern, ""), pattern
            assert not re.search(pattern, neutral), pattern


@pytest.mark.parametrize(("thought", "expected"), [
    ("They probably wanted someone younger.", "younger_candidate"),
    ("I'm too old for this.", "younger_candidate"),
    ("They hired someone's friend.", "insider_connections"),
    ("It was all about who you know.", "insider_connections"),
    ("They just didn't like me.", "didnt_like_me"),
    ("The interviewer hated me.", "didnt_like_me"),
])
def test_assumption_cues_notice_the_thought(content, thought, expected):
    assert [flag.assumption_id for flag in check_assumptions(thought, content)] == [expected]
    assumption = next(a for a in content.assumptions if a.id == expected)
    assert 2 <= len(assumption.control) <= 3


def test_assumption_cues_stay_quiet_on_ordinary_notes(content):
    notes = "We got on well. It took ages to hear back, and I will prepare better stories."
    assert check_assumptions(notes, content) == []


def test_a_subject_that_greets_the_job_as_a_person_is_refused(copy):
    path = copy / "emails.yaml"
    edit(path, "subject: Thank you for letting me know{% if role %} about the {{ role }} "
               "role{% endif %}",
         "subject: Thank you{% if role %}, {{ role }}{% endif %}{% if company %} at "
         "{{ company }}{% endif %}")
    problem = only_problem(copy)
    assert "templates[0].subject: with every value known, the draft greets the role as if " \
           "it were a person: “Thank you, Data Analyst at Acme Ltd”" in problem, problem


@pytest.mark.parametrize(("event", "expected"), [
    (" We have decided to fill the role internally.", "internal_candidate"),
    (" The position has been put on hold while we restructure the team.",
     "different_direction"),
])
def test_a_stated_event_inside_a_form_letter_is_not_overruled(content, event, expected):
    """The form-letter model may turn a soft reading into "no specific feedback",
    but not an event the letter states: a form letter does not invent an
    internal hire or a change of plan."""
    assert suggest_scenarios(FORM_LETTER + event, content)[0].scenario_id == expected
