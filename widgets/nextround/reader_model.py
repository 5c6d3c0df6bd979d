"""A small linear model that tells a form letter from a message giving a reason.

The cues (``nextround.readings``) read which specific reason a message gives
and quote the sentence and skill that show it; what they do worst on words
nobody here wrote is telling a plain form letter from a real reason. This
module scores that one question with a logistic regression over the message's
words, word pairs and the words left once courtesy is set aside, trained on
the real corpus (``benchmarks/reader_model_experiment.py``) and shipped as
plain weights (``reader_model.json`` beside this file). Scoring is pure
Python: no training library is imported at run time, and the weights are read
only when a message is first scored.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

WEIGHTS = Path(__file__).with_name("reader_model.json")
_TOKEN = re.compile(r"[a-z0-9']+")
_DIGITS = re.compile(r"\d+")


def _words(flat: str) -> list[str]:
    """The words of lower-cased text, digits folded to 0, edge apostrophes dropped."""
    words = (_DIGITS.sub("0", w.strip("'")) for w in _TOKEN.findall(flat))
    return [w for w in words if w]


def features(flat: str, kept: str) -> set[str]:
    """The features of one message.

    ``flat`` is the message lower-cased (``readings.flatten``); ``kept`` is the
    same text with courtesy, praise and form-letter wording blanked
    (``readings.courtesy_set_aside``). Words and word pairs of the whole text,
    and words and pairs of what is left outside courtesy, each once; and
    whether anything is left at all.
    """
    words = _words(flat)
    left = _words(kept)
    found = {f"w:{w}" for w in words}
    found |= {f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    found |= {f"k:{w}" for w in left}
    found |= {f"kb:{a} {b}" for a, b in zip(left, left[1:], strict=False)}
    if not left:
        found.add("x:nothing_outside_courtesy")
    elif len(left) < 6:
        found.add("x:little_outside_courtesy")
    return found


@lru_cache(maxsize=1)
def _model() -> dict:
    """The shipped weights, read once on first use."""
    return json.loads(WEIGHTS.read_text(encoding="utf-8"))


def form_letter_probability(flat: str, kept: str) -> float:
    """How likely the message is a form letter with no specific reason (0 to 1)."""
    model = _model()
    weights = model["weights"]
    logit = model["intercept"] + sum(weights.get(f, 0.0) for f in features(flat, kept))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit))))


def threshold() -> float:
    """Above this probability the message reads as a form letter whatever the cues found."""
    return float(_model()["threshold"])


def sentence_weight(flat: str, kept: str) -> float:
    """How strongly one sentence's own words point to a form letter (the sum of its weights).

    Used to show which sentence led to a form-letter reading.
    """
    weights = _model()["weights"]
    return sum(weights.get(f, 0.0) for f in features(flat, kept) if not f.startswith("x:"))


#: The second model: which specific reason a message gives when the cues find
#: none. Feedback told as a story ("he said I talked over him and seemed bored")
#: names no cue phrase, yet its words are those of one reason.
STORY_WEIGHTS = Path(__file__).with_name("story_model.json")


@lru_cache(maxsize=1)
def _story_model() -> dict:
    """The shipped story weights, read once on first use."""
    return json.loads(STORY_WEIGHTS.read_text(encoding="utf-8"))


def _story_logits(found: set[str]) -> dict[str, float]:
    model = _story_model()
    classes = model["classes"]
    logits = dict(zip(classes, model["intercepts"], strict=True))
    weights = model["weights"]
    for feature in found:
        row = weights.get(feature)
        if row:
            for name, weight in zip(classes, row, strict=True):
                logits[name] += weight
    return logits


def reason_probabilities(flat: str, kept: str) -> dict[str, float]:
    """How likely each scenario is the message's reason, by its words alone (sums to 1)."""
    logits = _story_logits(features(flat, kept))
    top = max(logits.values())
    exp = {name: math.exp(value - top) for name, value in logits.items()}
    total = sum(exp.values())
    return {name: value / total for name, value in exp.items()}


def story_settings() -> tuple[float, float, tuple[str, ...]]:
    """When the story model may name a reason the cues missed.

    Only when the form-letter probability is below the first figure, the
    named reason's probability is at least the second, and the reason is one
    of the listed scenarios (those the model was chosen for).
    """
    model = _story_model()
    return (float(model["form_below"]), float(model["min_probability"]),
            tuple(model["readings"]))


def sentence_story_weight(flat: str, kept: str, scenario_id: str) -> float:
    """How strongly one sentence's own words point to ``scenario_id`` over the rest.

    Used to show which sentence led to the story model's reading.
    """
    model = _story_model()
    classes = model["classes"]
    at = classes.index(scenario_id)
    weights = model["weights"]
    total = 0.0
    for feature in features(flat, kept):
        row = weights.get(feature)
        if row and not feature.startswith("x:"):
            total += row[at] - sum(row) / len(row)
    return total
