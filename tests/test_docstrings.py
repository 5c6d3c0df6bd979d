"""Every public name's docstring is a reference, and every example in it runs.

A notebook author reads ``help(RejectionLog)`` or the API page, so each
public class and function says what it takes (Parameters), what state it
holds (Traits, made from each trait's ``help=``), what can be observed
(Events), what it writes (Saves: answer keys from ``answer_keys.py`` and
records from ``nextround.model``), and shows it in an Example that is run
here as a doctest. The same checks run on broken docstrings, to show they fail.
"""

from __future__ import annotations

import doctest
import inspect
import re
import sys

import pytest
from traitlets import HasTraits, Unicode

import nextround
import nextround.components
from nextround import answer_keys, model
from nextround.components import Component, StepModel
from nextround.components.base import _own_traits

PUBLIC_MODULES = (nextround, nextround.components)
#: Public names with where they live, ``__version__`` aside (a string needs no reference).
PUBLIC = [(module.__name__, name) for module in PUBLIC_MODULES for name in module.__all__
          if name != "__version__"]
IDS = [f"{module}.{name}" for module, name in PUBLIC]
#: What doctest tolerates: ``...`` for a temporary path or an id; wrapped output.
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
KEY_PATTERNS = {family.pattern for family in answer_keys.FAMILIES}
RECORDS = {name for name, value in vars(model).items()
           if inspect.isclass(value) and issubclass(value, model.Record)}


def public(module: str, name: str):
    return getattr(sys.modules[module], name)


def documented(obj):
    """What carries the docstring: the object itself, or the class of an instance (``saves``)."""
    return obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)


def sections(doc: str) -> dict[str, list[str]]:
    """A numpy-style docstring's sections: heading -> its lines."""
    lines = inspect.cleandoc(doc or "").splitlines()
    found: dict[str, list[str]] = {}
    current = None
    for index, line in enumerate(lines):
        underline = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and re.fullmatch(r"-{3,}", underline.strip()) \
                and len(underline.strip()) == len(line.strip()):
            current = line.strip()
            found[current] = []
        elif current is not None and not re.fullmatch(r"-{3,}", line.strip()):
            found[current].append(line)
    return found


def entries(lines: list[str]) -> list[str]:
    """The terms of a ``term\\n    description`` section."""
    return [line.strip() for line in lines if line.strip() and not line.startswith(" ")]


def traits_of(obj) -> dict:
    """The traits a class's reference must list: its own, and its model's as ``model.<name>``."""
    cls = documented(obj)
    if not (inspect.isclass(cls) and issubclass(cls, HasTraits)):
        return {}
    traits = dict(_own_traits(cls))
    model_class = getattr(cls, "model_class", None)
    if model_class is not None:
        traits.update({f"model.{name}": trait for name, trait in _own_traits(model_class).items()})
    return traits


def required_sections(obj) -> set[str]:
    """The sections a public name's reference needs, by its kind."""
    cls = documented(obj)
    if inspect.isfunction(obj):
        return {"Parameters", "Returns", "Example"}
    if issubclass(cls, Exception):
        return {"Parameters", "Example"}
    needed = {"Parameters", "Saves", "Example"}
    if cls is not nextround.Store:  # the store is written to, it raises no events
        needed.add("Events")
    if traits_of(obj):
        needed.add("Traits")
    return needed


def reference_problems(obj) -> list[str]:
    """What a public name's docstring lacks or gets wrong, in plain words."""
    doc = inspect.getdoc(documented(obj)) or ""
    found = sections(doc)
    problems = [f"no {name} section" for name in sorted(required_sections(obj) - set(found))]
    if not doc.split("\n\n")[0].strip():
        problems.append("no summary line")
    if "Example" in found and not any(line.lstrip().startswith(">>>")
                                      for line in found["Example"]):
        problems.append("the Example has no >>> lines to run")
    listed = set(entries(found.get("Traits", [])))
    for name, trait in traits_of(obj).items():
        if not trait.help:
            problems.append(f"trait {name} has no help=")
        if not any(term.split(" :")[0] == name for term in listed):
            problems.append(f"trait {name} is not in the Traits section")
    for term in entries(found.get("Saves", [])):
        key = re.fullmatch(r"``(.+)``", term)
        record = re.fullmatch(r":class:`~nextround\.model\.(\w+)`", term)
        if key and key.group(1) not in KEY_PATTERNS:
            problems.append(f"Saves names {term}, which is no answer key in answer_keys.py")
        if record and record.group(1) not in RECORDS:
            problems.append(f"Saves names {term}, which is no record in nextround.model")
        if ("`" in term or "~" in term) and not (key or record):
            problems.append(f"Saves names {term}: neither an answer key nor a record")
    for term in entries(found.get("Events", [])):
        if re.fullmatch(r"(model\.)?\w+", term) and term not in _observable(obj):
            problems.append(f"Events names {term}, which is no trait or callback of it")
    return problems


def _observable(obj) -> set[str]:
    """What an Events entry may name: traits (the view's, its model's) and parameters."""
    cls = documented(obj)
    names = set(cls.class_trait_names()) if issubclass(cls, HasTraits) else set()
    model_class = getattr(cls, "model_class", None) or _annotated_model(cls)
    if model_class is not None:
        names |= {f"model.{name}" for name in model_class.class_trait_names()}
    return names | set(inspect.signature(cls).parameters)


def _annotated_model(cls) -> type | None:
    """The class of a ``model`` parameter (the app's model, which is not exported)."""
    parameter = inspect.signature(cls).parameters.get("model")
    if parameter is None:
        return None
    annotation = parameter.annotation
    if isinstance(annotation, str):
        annotation = vars(sys.modules[cls.__module__]).get(annotation)
    return annotation if inspect.isclass(annotation) else None


def run_examples(obj, name: str, globs: dict | None = None) -> doctest.TestResults:
    """Run the docstring's examples as doctests, printing any failure.

    Each example starts from nothing (``globs``, empty by default): it imports
    what it uses, as a reader copying it into a notebook would.
    """
    tests = doctest.DocTestFinder(recurse=False).find(documented(obj), name,
                                                      globs=dict(globs or {}))
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in tests:
        runner.run(test, out=sys.stdout.write)
    return runner.summarize(verbose=False)


# -- every public name --


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=IDS)
def test_the_docstring_is_a_reference(module, name):
    problems = reference_problems(public(module, name))
    assert not problems, f"{module}.{name}: " + "; ".join(problems)


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=IDS)
def test_the_example_runs(module, name):
    result = run_examples(public(module, name), f"{module}.{name}")
    assert result.attempted > 0, f"{module}.{name} has no example"
    assert result.failed == 0, f"{result.failed} line(s) of {name}'s example failed (above)"


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=IDS)
def test_every_public_method_says_what_it_does(module, name):
    """Methods and properties NextRound gives a public class each have a docstring
    (their own, or the one of the method they override)."""
    cls = documented(public(module, name))
    if not inspect.isclass(cls) or inspect.isfunction(public(module, name)):
        return
    undocumented = []
    for member in dir(cls):
        owner = next((base for base in cls.__mro__ if member in vars(base)), None)
        if member.startswith("_") or owner is None or not owner.__module__.startswith("nextround"):
            continue
        value = inspect.getattr_static(cls, member)
        if isinstance(value, classmethod | staticmethod):
            value = value.__func__
        if (inspect.isfunction(value) or isinstance(value, property)) \
                and not inspect.getdoc(getattr(cls, member)):
            undocumented.append(member)
    assert not undocumented, f"{name}: no docstring on {', '.join(sorted(undocumented))}"


def test_every_component_is_covered():
    """The eight steps, the counsellor view and the workbook file box all have examples."""
    components = {name for _module, name in PUBLIC
                  if inspect.isclass(public(_module, name))
                  and issubclass(public(_module, name), Component)}
    assert {"RejectionLog", "FeedbackRequest", "ScenarioAdvice", "SelfAssessment", "Wellbeing",
            "GraciousSteps", "ActionPlan", "Progress", "CounsellorView"} <= components
    assert ("nextround.components", "WorkbookFile") in PUBLIC


def test_a_components_traits_section_is_made_from_its_models_help():
    from nextround.components import Wellbeing, WellbeingModel

    traits = sections(Wellbeing.__doc__)["Traits"]
    assert "model.mood : Int, saved when chosen" in traits
    assert f"    {WellbeingModel.class_traits()['mood'].help}" in traits
    assert "note : Unicode, saved as typed" in sections(WellbeingModel.__doc__)["Traits"]


def test_a_model_with_a_trait_per_question_lists_them_in_its_help(tmp_path):
    """``help(model)`` of a model built on the content lists the traits added for it."""
    from nextround import Store, load_content
    from nextround.components import SelfAssessmentModel

    content, store = load_content(), Store(tmp_path / "notes.db")
    client = store.create_client("Sam")
    model = SelfAssessmentModel(content=content, store=store, client_id=client.id)
    doc = inspect.getdoc(model)
    traits = entries(sections(doc)["Traits"])
    for question in content.questions:
        assert f"answer_{question.id} : Any, saved " in " ".join(traits)
    assert doc.startswith("The answers given so far") and doc.count("Traits\n------") == 1
    store.close()


# -- the checks themselves fail on a poor reference --


def _poor(x):
    """Add one.

    Parameters
    ----------
    x : int
        A number.

    Example
    -------
    >>> _poor(1)
    3
    """
    return x + 1


class _PoorModel(StepModel):
    """A model whose reference was not kept up.

    Parameters
    ----------
    content, store, client_id
        As for StepModel.

    Events
    ------
    colour
        Not a trait here.

    Saves
    -----
    ``nowhere.{thing}``
        No such key.
    :class:`~nextround.model.Nothing`
        No such record.

    Example
    -------
    >>> 1 + 1
    2
    """

    note = Unicode()


def test_a_missing_section_a_trait_without_help_and_made_up_keys_are_caught():
    assert reference_problems(_poor) == ["no Returns section"]
    problems = reference_problems(_PoorModel)
    assert "trait note has no help=" in problems
    assert "Saves names ``nowhere.{thing}``, which is no answer key in answer_keys.py" in problems
    assert ("Saves names :class:`~nextround.model.Nothing`, which is no record in "
            "nextround.model") in problems
    assert "Events names colour, which is no trait or callback of it" in problems


def test_a_failing_example_is_caught():
    result = run_examples(_poor, "_poor", globs={"_poor": _poor})
    assert (result.attempted, result.failed) == (1, 1)
