"""Which reader holds best on real feedback: the cues alone, a linear model, or both?

Development only: needs scikit-learn (``pip install -e ".[dev]"``); the
package never imports it. Data: every seen real part
(``tests/data/real/rejections_{tuning,tuning2,test,fresh,fresh2,fresh4,fresh5,fresh6}.yaml``),
and, always on the training side only, the messages written for
``tests/test_readings.py`` and ``benchmarks/reader_training/written.yaml``.
A part gathered after these (held out) is never read here.

Readers compared, each with the issue's figures (top-1, form letters read as
a specific reason, the precision of each specific reading):

* ``cues``: the cues alone (``read_with_cues``). Its figures on the parts the cues
  were written on are flattering; on fresh-5 (measured once, never tuned on)
  they are clean.
* ``model6``: a six-way logistic regression over words, word pairs and the
  words left outside courtesy (``nextround.reader_model.features``).
* ``gate``: a two-way model (form letter or not). Where it is sure the message
  is a form letter, the reading is "no specific feedback"; otherwise the cues
  decide. ``gate+up`` also lets the six-way model name a specific reason where
  the cues found none and the gate is sure there is one.
* ``model6+cues``: the six-way model with the cues' verdict as features.

Two comparisons:

1. Cross-validation grouped by site (a site is never on both sides) over every
   seen real message, five folds, repeated with three shuffles of the sites
   (three fold-sets).
2. Trained on every part but fresh-5, measured on fresh-5: the one part the
   cues were not written on, so the only comparison where neither side is
   fitted.

``--write-weights`` trains the gate on everything and writes the shipped
weights (``widgets/nextround/reader_model.json``).

    .venv/bin/python benchmarks/reader_model_experiment.py [--json FILE] [--write-weights]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "widgets"))

from nextround.advice import NO_FEEDBACK  # noqa: E402
from nextround.content import load_content  # noqa: E402
from nextround.reader_model import WEIGHTS, features  # noqa: E402
from nextround.readings import courtesy_set_aside, read_with_cues, says_no_feedback  # noqa: E402

REAL = ROOT / "tests" / "data" / "real"
WRITTEN = Path(__file__).resolve().parent / "reader_training" / "written.yaml"
READINGS_TESTS = ROOT / "tests" / "test_readings.py"
SEEN_PARTS = ("tuning", "tuning2", "test", "fresh", "fresh2", "fresh4", "fresh5", "fresh6")
#: The part no cue was written from: measured once with the reader frozen, then
#: used only as training data for the model, so the clean comparison trains
#: without it and measures on it.
CLEAN_PART = "fresh6"
#: Sites that publish under several hosts count as one.
SAME_SITE = {"askamanager.blogspot.com": "askamanager.org", "c.o0bg.com": "bostonglobe",
             "ere.net": "ere.net", "staging.ere.net": "ere.net"}


def site(url: str) -> str:
    host = urlparse(url).hostname or url
    host = host[4:] if host.startswith("www.") else host
    if "glassdoor" in host:
        return "glassdoor"
    return SAME_SITE.get(host, host)


def real_items() -> list[dict]:
    items = []
    for part in SEEN_PARTS:
        data = yaml.safe_load((REAL / f"rejections_{part}.yaml").read_text(encoding="utf-8"))
        items += [{"text": m["text"], "label": m["label"], "site": site(m["source"]),
                   "part": part, "id": m["id"]} for m in data["messages"]]
    return items


def written_items() -> list[dict]:
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
    return [{"text": t, "label": label, "site": "written", "part": "written", "id": ""}
            for t, label in items]


def prepare(items: list[dict], content) -> None:
    """Add each item's features and the cues' verdict."""
    for item in items:
        flat, kept = courtesy_set_aside(item["text"], content)
        item["features"] = features(flat, kept)
        reading = read_with_cues(item["text"], content)
        item["cues_top"] = reading.top.scenario_id if reading.top else NO_FEEDBACK
        item["cues_found"] = [s.scenario_id for s in reading.suggestions]
        item["says_none"] = says_no_feedback(item["text"], content)


def scores(labels: list[str], predicted: list[str]) -> dict:
    """The issue's figures: top-1, form letters read as specific, precision of each reading."""
    right = sum(a == b for a, b in zip(labels, predicted, strict=True))
    forms = [p for a, p in zip(labels, predicted, strict=True) if a == NO_FEEDBACK]
    given = Counter(predicted)
    given_right = Counter(p for a, p in zip(labels, predicted, strict=True) if a == p)
    precision = {c: round(given_right[c] / given[c], 3) for c in sorted(given)
                 if c != NO_FEEDBACK}
    return {"n": len(labels), "top1": round(right / len(labels), 3),
            "form_specific": round(sum(p != NO_FEEDBACK for p in forms) / max(len(forms), 1), 3),
            "min_precision": min(precision.values()) if precision else None,
            "precision": precision}


def _fit(rows: list[set[str]], labels: list[str], C: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([dict.fromkeys(r, 1) for r in rows])
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit(matrix, labels)
    return vectorizer, model


def _proba(fitted, rows: list[set[str]]):
    vectorizer, model = fitted
    return list(model.classes_), model.predict_proba(
        vectorizer.transform([dict.fromkeys(r, 1) for r in rows]))


def _cue_features(item: dict) -> set[str]:
    return {f"r:top={item['cues_top']}"} | {f"r:has={s}" for s in item["cues_found"]}


GATE_THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)
UP_THRESHOLDS = (0.1, 0.2)
#: The shipped gate's threshold; the story readers build on its readings.
SHIPPED_GATE = 0.85
#: Story readers: where the gated cues read "no feedback" and the cues found no
#: reason at all, a reasons-only model (trained on messages that give a reason)
#: may name one when the gate puts the form-letter probability below ``below``
#: and the reason's probability is at least ``least``.
STORY_BELOW = (0.2, 0.35)
STORY_LEAST = (0.4, 0.5, 0.6)
STORY_READINGS = {"any": None, "pres+skill": ("presentation", "skill_gap"),
                  "pres": ("presentation",)}


def predictions(train: list[dict], held: list[dict], C: float,
                quick: bool = False) -> dict[str, list[str]]:
    """Every reader's first reading for the held messages, trained on ``train``.

    ``quick``: the cues and the gate alone.
    """
    out: dict[str, list[str]] = {"cues": [i["cues_top"] for i in held]}
    rows = [i["features"] for i in train]
    held_rows = [i["features"] for i in held]
    six = _fit(rows, [i["label"] for i in train], C)
    classes, p6 = _proba(six, held_rows)
    out["model6"] = [classes[max(range(len(classes)), key=lambda k: p[k])] for p in p6]
    gate = _fit(rows, ["form" if i["label"] == NO_FEEDBACK else "reason" for i in train], C)
    gclasses, pg = _proba(gate, held_rows)
    form_p = [p[gclasses.index("form")] for p in pg]
    specific = [k for k, c in enumerate(classes) if c != NO_FEEDBACK]
    for t in GATE_THRESHOLDS:
        out[f"gate@{t}"] = [NO_FEEDBACK if f >= t else i["cues_top"]
                            for f, i in zip(form_p, held, strict=True)]
        if quick:
            continue
        for up in UP_THRESHOLDS:
            out[f"gate@{t}+up@{up}"] = [
                NO_FEEDBACK if f >= t
                else classes[max(specific, key=lambda k: p[k])]
                if i["cues_top"] == NO_FEEDBACK and f < up else i["cues_top"]
                for f, p, i in zip(form_p, p6, held, strict=True)]
    reasons = [i for i in train if i["label"] != NO_FEEDBACK]
    story = _fit([i["features"] for i in reasons], [i["label"] for i in reasons], C)
    sclasses, pstory = _proba(story, held_rows)
    base = out[f"gate@{SHIPPED_GATE}"]
    six_top = [classes[max(range(len(classes)), key=lambda k: p[k])] for p in p6]
    for below in STORY_BELOW:
        for least in STORY_LEAST:
            for name, allowed in STORY_READINGS.items():
                for agree in (False, True):
                    got = []
                    for b, f, p, i, t in zip(base, form_p, pstory, held, six_top, strict=True):
                        k = max(range(len(sclasses)), key=lambda j: p[j])
                        if (b == NO_FEEDBACK and i["cues_top"] == NO_FEEDBACK
                                and not i["says_none"] and f < below
                                and p[k] >= least
                                and (allowed is None or sclasses[k] in allowed)
                                and (not agree or t == sclasses[k])):
                            got.append(sclasses[k])
                        else:
                            got.append(b)
                    tag = "+agree" if agree else ""
                    out[f"story[{name}{tag}]@{below}/{least}"] = got
    if quick:
        return out
    stacked = _fit([r | _cue_features(i) for r, i in zip(rows, train, strict=True)],
                   [i["label"] for i in train], C)
    sclasses, ps = _proba(stacked, [r | _cue_features(i)
                                    for r, i in zip(held_rows, held, strict=True)])
    out["model6+cues"] = [sclasses[max(range(len(sclasses)), key=lambda k: p[k])] for p in ps]
    return out


def cross_validate(real: list[dict], written: list[dict], C: float, seeds=(0, 1, 2),
                   quick: bool = False) -> dict:
    from sklearn.model_selection import GroupKFold

    labels = [i["label"] for i in real]
    table: dict[str, list[dict]] = {}
    for seed in seeds:
        predicted: dict[str, list[str]] = {}
        splitter = GroupKFold(n_splits=5, shuffle=True, random_state=seed)
        for train, held in splitter.split(real, labels, [i["site"] for i in real]):
            got = predictions(written + [real[k] for k in train], [real[k] for k in held], C,
                              quick)
            for name, values in got.items():
                slot = predicted.setdefault(name, [""] * len(real))
                for k, value in zip(held, values, strict=True):
                    slot[k] = value
        for name, values in predicted.items():
            table.setdefault(name, []).append({"seed": seed, **scores(labels, values)})
    return table


def clean_part(real: list[dict], written: list[dict], C: float, quick: bool = False) -> dict:
    train = written + [i for i in real if i["part"] != CLEAN_PART]
    held = [i for i in real if i["part"] == CLEAN_PART]
    labels = [i["label"] for i in held]
    return {name: scores(labels, values)
            for name, values in predictions(train, held, C, quick).items()}


def write_weights(real: list[dict], written: list[dict], C: float, threshold: float,
                  min_weight: float) -> None:
    """Train the gate on every seen message and write the weights the package ships."""
    items = written + real
    vectorizer, model = _fit([i["features"] for i in items],
                             ["form" if i["label"] == NO_FEEDBACK else "reason" for i in items], C)
    sign = 1.0 if list(model.classes_).index("form") == 1 else -1.0
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(sign * float(w), 4) for n, w in zip(names, model.coef_[0], strict=True)
               if abs(w) >= min_weight}
    WEIGHTS.write_text(json.dumps({
        "about": "Form letter or specific reason: logistic regression weights, trained by "
                 "benchmarks/reader_model_experiment.py --write-weights on every seen real "
                 "message and the written ones.",
        "C": C, "threshold": threshold, "min_weight": min_weight,
        "intercept": round(sign * float(model.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
    }, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {WEIGHTS} ({len(weights)} weights, {WEIGHTS.stat().st_size} bytes)")


def write_story_weights(real: list[dict], written: list[dict], C: float, below: float,
                        least: float, readings: tuple[str, ...], min_weight: float) -> None:
    """Train the reasons-only story model on every seen message that gives a reason."""
    from nextround.reader_model import STORY_WEIGHTS

    items = [i for i in written + real if i["label"] != NO_FEEDBACK]
    vectorizer, model = _fit([i["features"] for i in items], [i["label"] for i in items], C)
    classes = [str(c) for c in model.classes_]
    names = vectorizer.get_feature_names_out()
    weights = {}
    for k, name in enumerate(names):
        row = [round(float(model.coef_[c][k]), 3) for c in range(len(classes))]
        if max(abs(w) for w in row) >= min_weight:
            weights[str(name)] = row
    STORY_WEIGHTS.write_text(json.dumps({
        "about": "Which reason a message gives, when it gives one: multinomial logistic regression "
                 "weights, trained by benchmarks/reader_model_experiment.py --write-story-weights "
                 "on every seen real message that gives a reason and the written ones.",
        "C": C, "form_below": below, "min_probability": least, "readings": list(readings),
        "min_weight": min_weight, "classes": classes,
        "intercepts": [round(float(v), 4) for v in model.intercept_],
        "weights": dict(sorted(weights.items())),
    }, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {STORY_WEIGHTS} ({len(weights)} features, {STORY_WEIGHTS.stat().st_size} bytes)")


def _line(name: str, row: dict) -> str:
    precision = " ".join(f"{k[:8]}={v:.2f}" for k, v in row["precision"].items())
    return (f"  {name:<18} top1={row['top1']:.3f} form_specific={row['form_specific']:.3f} "
            f"min_prec={row['min_precision']} {precision}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write the tables as JSON")
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--write-weights", action="store_true")
    parser.add_argument("--threshold", type=float, default=0.85,
                        help="form-letter probability above which the gate overrides the cues")
    parser.add_argument("--min-weight", type=float, default=0.02,
                        help="weights smaller than this are left out of the shipped file")
    parser.add_argument("--write-story-weights", action="store_true")
    parser.add_argument("--story", default="0.35/0.5/presentation,skill_gap",
                        help="BELOW/LEAST/READINGS of the shipped story reader")
    parser.add_argument("--no-written", action="store_true",
                        help="train on real messages only")
    parser.add_argument("--quick", action="store_true",
                        help="the cues and the gate only")
    parser.add_argument("--fold-sets", type=int, default=3,
                        help="how many shuffles of the sites to cross-validate over")
    args = parser.parse_args(argv)
    content = load_content()
    real = real_items()
    written = [] if args.no_written else written_items()
    prepare(real, content)
    prepare(written, content)
    if args.write_weights:
        write_weights(real, written, args.C, args.threshold, args.min_weight)
        return 0
    if args.write_story_weights:
        below, least, readings = args.story.split("/")
        write_story_weights(real, written, args.C, float(below), float(least),
                            tuple(readings.split(",")), args.min_weight)
        return 0
    cv = cross_validate(real, written, args.C, seeds=tuple(range(args.fold_sets)),
                        quick=args.quick)
    print(f"Cross-validation grouped by site over {len(real)} seen real messages "
          f"(5 folds x {len(next(iter(cv.values())))} fold-sets), C={args.C}:")
    for name, rows in cv.items():
        for row in rows:
            print(_line(f"{name} s{row['seed']}", row))
    clean = clean_part(real, written, args.C, args.quick)
    print(f"Trained without {CLEAN_PART}, measured on it ({clean['cues']['n']} messages):")
    for name, row in clean.items():
        print(_line(name, row))
    if args.json:
        Path(args.json).write_text(json.dumps({"cross_validation": cv, CLEAN_PART: clean},
                                              indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
