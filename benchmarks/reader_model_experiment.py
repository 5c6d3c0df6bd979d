"""Would a small linear model beside the cues read real feedback better? The experiment.

A multinomial logistic regression over the message's words and word pairs,
alone or together with the cues' verdict, against the cues alone. Development
only: needs scikit-learn (``pip install -e ".[dev]"``); nothing here is
shipped or imported by the package. The result (in ``docs/judgement.md``)
decided against shipping the model. Data, all of it outside the reported
(fresh) part:

* the real tuning messages, ``tests/data/real/rejections_tuning.yaml`` and the
  first test part, ``rejections_test.yaml`` (seen, used for tuning since
  2026-11-28);
* messages written for ``tests/test_readings.py``;
* messages written in the style of real ones, ``benchmarks/reader_training/written.yaml``.

Two comparisons, both reporting the issue's figures:

1. 5-fold cross-validation over all real tuning messages, grouped by site so a
   site is never in both the training and the held-out fold (written messages
   are always in training). The cues were written on these messages, so their
   figure here, and any variant that leans on them, is flattering.
2. Trained on the first tuning part and the written messages only, measured on
   the first test part, which no cue was written from: the fair comparison.

    .venv/bin/python benchmarks/reader_model_experiment.py [--json FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "widgets"))

from nextround.advice import NO_FEEDBACK, flatten, read_feedback  # noqa: E402
from nextround.content import load_content  # noqa: E402

REAL = ROOT / "tests" / "data" / "real"
WRITTEN = Path(__file__).resolve().parent / "reader_training" / "written.yaml"
READINGS_TESTS = ROOT / "tests" / "test_readings.py"
#: Sites that publish under several hosts count as one.
SAME_SITE = {"askamanager.blogspot.com": "askamanager.org", "c.o0bg.com": "bostonglobe",
             "ere.net": "ere.net", "staging.ere.net": "ere.net"}


def site(url: str) -> str:
    host = urlparse(url).hostname or url
    host = host[4:] if host.startswith("www.") else host
    if "glassdoor" in host:
        return "glassdoor"
    return SAME_SITE.get(host, host)


def real_items() -> list[tuple[str, str, str]]:
    items = []
    for part in ("tuning", "test"):
        data = yaml.safe_load((REAL / f"rejections_{part}.yaml").read_text(encoding="utf-8"))
        items += [(m["text"], m["label"], site(m["source"])) for m in data["messages"]]
    return items


def written_items() -> list[tuple[str, str, str]]:
    spec = importlib.util.spec_from_file_location("test_readings", READINGS_TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    items = [(t, "no_feedback") for t in module.COURTESY_ONLY + module.FORM_LETTERS]
    items += [(t, "skill_gap") for t, _skill in module.SKILL_GAPS]
    items += [(t, "presentation") for t in module.PRESENTATION]
    items += [(t, "internal_candidate") for t in module.INTERNAL]
    items += [(t, "different_direction") for t in module.DIFFERENT_DIRECTION]
    items += [(t, "better_qualified") for t in module.BETTER_QUALIFIED]
    items += [(t, label) for label, t in module.MESSAGES]
    if WRITTEN.is_file():
        data = yaml.safe_load(WRITTEN.read_text(encoding="utf-8")) or {}
        for label, texts in (data.get("messages") or {}).items():
            items += [(t, label) for t in texts]
    return [(text, label, "written") for text, label in items]


_TOKEN = re.compile(r"[a-z0-9']+")


def text_features(flat: str) -> set[str]:
    """Each word and each pair of neighbouring words (digits folded to 0)."""
    words = [re.sub(r"\d+", "0", w.strip("'")) for w in _TOKEN.findall(flat) if w.strip("'")]
    pairs = zip(words, words[1:], strict=False)
    return {f"w:{w}" for w in words} | {f"b:{a} {b}" for a, b in pairs}


def rule_features(top: str, found, form_letter: bool, skill: bool) -> set[str]:
    """What the cues concluded, as features the model can weigh."""
    features = {f"r:top={top}"} | {f"r:has={scenario}" for scenario in found}
    if form_letter:
        features.add("r:form_letter")
    if skill:
        features.add("r:skill")
    return features


def featurise(text: str, content, variant: str) -> dict[str, int]:
    rules = read_feedback(text, content)
    top = rules.top.scenario_id if rules.top else NO_FEEDBACK
    features: set[str] = set()
    if variant in ("words", "words+cues"):
        features |= text_features(flatten(text))
    if variant in ("cues", "words+cues"):
        features |= rule_features(top, [s.scenario_id for s in rules.suggestions],
                                  rules.form_letter, any(s.skill for s in rules.suggestions))
    return dict.fromkeys(features, 1)


def scores(labels: list[str], predicted: list[str]) -> dict:
    """The issue's figures: top-1, form letters read as specific, precision of each reading."""
    right = sum(a == b for a, b in zip(labels, predicted, strict=True))
    forms = [p for a, p in zip(labels, predicted, strict=True) if a == NO_FEEDBACK]
    given = Counter(predicted)
    given_right = Counter(p for a, p in zip(labels, predicted, strict=True) if a == p)
    precision = {c: round(given_right[c] / given[c], 3) for c in given if c != NO_FEEDBACK}
    return {"top1": round(right / len(labels), 3),
            "form_specific": round(sum(p != NO_FEEDBACK for p in forms) / max(len(forms), 1), 3),
            "min_precision": min(precision.values()) if precision else None,
            "precision": precision}


def fit(rows, labels, C: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(matrix, labels)
    return vectorizer, model


def predict(vectorizer, model, rows, nf_bias: float) -> list[str]:
    import numpy as np

    logits = model.decision_function(vectorizer.transform(rows))
    classes = list(model.classes_)
    logits[:, classes.index(NO_FEEDBACK)] += nf_bias
    return [classes[i] for i in np.argmax(logits, axis=1)]


def cross_validate(content, variants, Cs, biases) -> list[dict]:
    from sklearn.model_selection import GroupKFold

    real, written = real_items(), written_items()
    results = []
    for variant in variants:
        real_rows = [featurise(t, content, variant) for t, _l, _g in real]
        written_rows = [featurise(t, content, variant) for t, _l, _g in written]
        labels = [label for _t, label, _g in real]
        groups = [g for _t, _l, g in real]
        for C in Cs:
            predicted: dict[float, list[str]] = {b: [""] * len(real) for b in biases}
            for train, held in GroupKFold(n_splits=5).split(real_rows, labels, groups):
                rows = written_rows + [real_rows[i] for i in train]
                ys = [label for _t, label, _g in written] + [labels[i] for i in train]
                vectorizer, model = fit(rows, ys, C)
                for bias in biases:
                    for i, p in zip(held, predict(vectorizer, model,
                                                  [real_rows[i] for i in held], bias),
                                    strict=True):
                        predicted[bias][i] = p
            for bias in biases:
                results.append({"variant": variant, "C": C, "nf_bias": bias,
                                **scores(labels, predicted[bias])})
    cue_only = [(read_feedback(t, content).top or None) for t, _l, _g in real]
    results.append({"variant": "cues alone", "C": None, "nf_bias": None,
                    **scores([label for _t, label, _g in real],
                             [s.scenario_id if s else NO_FEEDBACK for s in cue_only])})
    return results


def holdout(content, variants, Cs, biases) -> list[dict]:
    """Train on the first tuning part and the written messages; measure on the first test part."""
    def load(part):
        data = yaml.safe_load((REAL / f"rejections_{part}.yaml").read_text(encoding="utf-8"))
        return [(m["text"], m["label"]) for m in data["messages"]]

    train = load("tuning") + [(t, label) for t, label, _g in written_items()]
    held = load("test")
    labels = [label for _t, label in held]
    results = []
    for variant in variants:
        rows = [featurise(t, content, variant) for t, _l in train]
        held_rows = [featurise(t, content, variant) for t, _l in held]
        for C in Cs:
            vectorizer, model = fit(rows, [label for _t, label in train], C)
            for bias in biases:
                results.append({"variant": variant, "C": C, "nf_bias": bias,
                                **scores(labels, predict(vectorizer, model, held_rows, bias))})
    tops = [read_feedback(t, content).top for t, _l in held]
    results.append({"variant": "cues alone", "C": None, "nf_bias": None,
                    **scores(labels, [s.scenario_id if s else NO_FEEDBACK for s in tops])})
    return results


def _print(title: str, results: list[dict]) -> None:
    print(title)
    for row in results:
        precision = {str(k): v for k, v in row["precision"].items()}
        print(f"  {row['variant']:<11} C={row['C']!s:<5} nf_bias={row['nf_bias']!s:<4} "
              f"top1={row['top1']:.3f} form_specific={row['form_specific']:.3f} "
              f"min_precision={row['min_precision']} {precision}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write both tables as JSON")
    args = parser.parse_args(argv)
    content = load_content()
    variants, Cs, biases = ["words", "words+cues"], [0.3, 1.0, 3.0], [0.0, 0.5, 1.0]
    cv = cross_validate(content, variants, Cs, biases)
    _print("Cross-validation by site over all real tuning messages:", cv)
    fair = holdout(content, variants, Cs, biases)
    _print("Trained without the first test part, measured on it:", fair)
    if args.json:
        Path(args.json).write_text(json.dumps({"cross_validation": cv, "first_test_part": fair},
                                              indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
