"""How well the workbook's judgement holds on real messages no one here wrote.

Reads the real corpus in ``tests/data/real/`` (see its README) and prints, for
the reported part (``REPORTED``) unless ``--part`` says otherwise:

* scenario readings: top-1 and top-2 accuracy, overall and per scenario; how
  often a form letter (labelled ``no_feedback``) is read as a specific
  reason; the precision of each specific reading (of the times it is ranked
  first, how often it is right); every miss;
* the tone check, from ``benchmarks/tone_figures.py`` when that file exists
  (follow-ups have their own parts: their reported one, unless
  ``--part`` names a seen rejection part, when the seen follow-ups are read);
* field extraction from pasted emails: for company, role, contact and date,
  how often a field that the email holds is found, and found right.

Run from the repository root::

    .venv/bin/python benchmarks/judgement.py                # the reported part
    .venv/bin/python benchmarks/judgement.py --json out.json
    .venv/bin/python benchmarks/judgement.py --part tuning  # while working on cues
    .venv/bin/python benchmarks/judgement.py --part fresh   # an earlier held-out part (now seen)
    .venv/bin/python benchmarks/judgement.py --part fresh8  # a part added later, found by name
    .venv/bin/python benchmarks/judgement.py --lang es      # Spanish: its test part (prueba)
    .venv/bin/python benchmarks/judgement.py --lang es --part ajuste  # Spanish tuning part
    .venv/bin/python benchmarks/judgement.py --lang es --part ajuste2  # its second tuning part

``--lang es`` reads the Spanish corpus in ``tests/data/real/es/`` (see its
README) with the Spanish content, and prints the same figures.

Nothing here is stored: every figure is computed from the corpus each run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "real"
TONE_FIGURES = Path(__file__).resolve().parent / "tone_figures.py"
FIELDS = ("company", "role", "contact", "date")

#: The part figures are reported on: the part gathered last (fresh-7), gathered
#: blind, held out while the reader was built and measured once with it frozen
#: (027d36f). Fresh-6 was reported before it and is tuning data since.
REPORTED = "fresh7"
#: The parts known today: the reported one and the tuning parts. ``tuning2``
#: was gathered as tuning data from the start (stories of how the client came
#: across, named skills). A part gathered after this list is found by its file
#: name and is the held-out one.
KNOWN_PARTS = ("fresh7", "fresh6", "fresh5", "fresh4", "fresh2", "fresh", "test", "tuning",
               "tuning2")
#: Parts that may be used to write cues, rules, weights and training sentences.
TUNING_PARTS = ("tuning", "tuning2", "test", "fresh", "fresh2", "fresh4", "fresh5", "fresh6")


def corpus_parts() -> tuple[str, ...]:
    """Every part present: the known ones, and any later part found by its file name
    (``rejections_<part>.yaml``, e.g. a held-out fresh-6 gathered after the freeze)."""
    later = sorted(path.name.removeprefix("rejections_").removesuffix(".yaml")
                   for path in CORPUS.glob("rejections_*.yaml"))
    return (*[p for p in later if p not in KNOWN_PARTS], *KNOWN_PARTS)


PARTS = corpus_parts()
#: Spanish: the corpus parts, and the one reported (held out). ``prueba`` and
#: ``ajuste`` are split by site; ``ajuste2`` is tuning gathered after ``prueba``
#: was measured, from sites in no other Spanish part.
SPANISH_KNOWN_PARTS = ("prueba", "ajuste", "ajuste2")


def spanish_parts() -> tuple[str, ...]:
    """The known Spanish parts, and any later one found by its file name
    (``es/rechazos_<part>.yaml``, e.g. a held-out part gathered later)."""
    later = sorted(path.name.removeprefix("rechazos_").removesuffix(".yaml")
                   for path in (CORPUS / "es").glob("rechazos_*.yaml"))
    return (*[p for p in later if p not in SPANISH_KNOWN_PARTS], *SPANISH_KNOWN_PARTS)


SPANISH_PARTS = spanish_parts()
SPANISH_REPORTED = "prueba"
#: The issue's targets on the reported part.
TARGETS = {"top1": 0.85, "form_letters_read_specific": 0.10, "precision": 0.85}

if str(ROOT / "widgets") not in sys.path:  # a checkout without an installed package
    sys.path.insert(0, str(ROOT / "widgets"))


def load_corpus(part: str = REPORTED, lang: str = "en") -> list[dict[str, Any]]:
    """The messages of one part of the real corpus (of ``lang``), as stored."""
    if lang == "es":
        path = CORPUS / "es" / f"rechazos_{part}.yaml"
        parts = spanish_parts()
    else:
        path = CORPUS / f"rejections_{part}.yaml"
        parts = PARTS
    if not path.is_file():
        raise SystemExit(f"{path}: no such corpus part (use one of {', '.join(parts)})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("messages") or [])


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def evaluate_readings(items: list[dict[str, Any]], content=None) -> dict[str, Any]:
    """Accuracy, form-letter misreadings and precision of the scenario readings."""
    from nextround.advice import NO_FEEDBACK, read_feedback
    from nextround.content import load_content

    content = content or load_content()
    scenario_ids = [s.id for s in content.scenarios]
    per: dict[str, Counter] = {sid: Counter() for sid in scenario_ids}
    given: Counter = Counter()
    given_right: Counter = Counter()
    misses = []
    top1 = top2 = 0
    for item in items:
        reading = read_feedback(item["text"], content)
        ranked = [s.scenario_id for s in reading.suggestions]
        first = ranked[0] if ranked else NO_FEEDBACK
        label = item["label"]
        per[label]["n"] += 1
        given[first] += 1
        if first == label:
            top1 += 1
            per[label]["top1"] += 1
            given_right[first] += 1
        if label in ranked[:2] or (not ranked and label == NO_FEEDBACK):
            top2 += 1
            per[label]["top2"] += 1
        if first != label:
            misses.append({"id": item["id"], "label": label, "read_as": ranked[:2],
                           "text": item["text"], "source": item["source"]})
    form_letters = per[NO_FEEDBACK]["n"]
    form_misread = form_letters - per[NO_FEEDBACK]["top1"]
    return {
        "n": len(items),
        "top1": _ratio(top1, len(items)),
        "top2": _ratio(top2, len(items)),
        "per_scenario": {sid: {"n": c["n"], "top1": _ratio(c["top1"], c["n"]),
                               "top2": _ratio(c["top2"], c["n"])}
                         for sid, c in per.items()},
        "form_letters": form_letters,
        "form_letters_read_specific": _ratio(form_misread, form_letters),
        "precision": {sid: {"given": given[sid], "right": given_right[sid],
                            "precision": _ratio(given_right[sid], given[sid])}
                      for sid in scenario_ids if sid != NO_FEEDBACK},
        "misses": misses,
    }


def _same(found: str | None, truth: str) -> bool:
    def fold(value: str) -> str:
        return " ".join(value.casefold().replace(".", "").split())
    return found is not None and fold(found) == fold(truth)


def evaluate_fields(items: list[dict[str, Any]]) -> dict[str, Any]:
    """For each field an email holds (per the corpus), how often it is found and right.

    Only whole emails carry ``fields``; a field recorded as null means the
    email does not say it, and finding something there counts as spurious.
    """
    from nextround.email_fields import extract_fields

    emails = [item for item in items if "fields" in item]
    figures: dict[str, Any] = {"emails": len(emails)}
    wrong = []
    for name in FIELDS:
        held = found = right = spurious = 0
        for item in emails:
            truth = item["fields"].get(name)
            value = getattr(extract_fields(item["text"]), name)
            value = value.value if value is not None else None
            if truth is None:
                spurious += value is not None
                if value is not None:
                    wrong.append({"id": item["id"], "field": name, "found": str(value),
                                  "truth": None})
                continue
            held += 1
            found += value is not None
            if _same(str(value) if value is not None else None, str(truth)):
                right += 1
            else:
                wrong.append({"id": item["id"], "field": name,
                              "found": None if value is None else str(value), "truth": truth})
        figures[name] = {"held": held, "found": _ratio(found, held),
                         "right": _ratio(right, held), "spurious": spurious}
    figures["wrong"] = wrong
    return figures


def tone_section(part: str, lang: str = "en") -> tuple[dict[str, Any] | None, str]:
    """Figures and text from ``tone_figures.py`` beside this file, when it exists.

    In Spanish the follow-ups are split like the rejections, so the same part
    name is read."""
    if not TONE_FIGURES.is_file():
        return None, "Tone check: benchmarks/tone_figures.py is not present; no figures."
    spec = importlib.util.spec_from_file_location("tone_figures", TONE_FIGURES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    if lang == "es":
        figures = module.measure(split=part, lang="es")
    elif part in module.parts() and part not in module.SEEN:
        figures = module.measure(split=part)  # follow-ups of a held-out part share its name
    else:
        figures = module.measure(split=module.REPORTED if part == REPORTED else "seen")
    return figures, module.render(figures)


def meets_targets(readings: dict[str, Any]) -> dict[str, bool]:
    """Which of the issue's targets the scenario readings meet."""
    precisions = [p["precision"] for p in readings["precision"].values()
                  if p["precision"] is not None]
    return {
        "top1": (readings["top1"] or 0) >= TARGETS["top1"],
        "form_letters_read_specific":
            (readings["form_letters_read_specific"] or 0) <= TARGETS["form_letters_read_specific"],
        "precision": all(p >= TARGETS["precision"] for p in precisions),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def render(part: str, readings: dict[str, Any], fields: dict[str, Any], tone_text: str) -> str:
    lines = [f"Scenario readings on the {part} part: {readings['n']} messages",
             f"  top-1 {_pct(readings['top1'])}   top-2 {_pct(readings['top2'])}",
             "  per scenario (n, top-1, top-2):"]
    for sid, row in readings["per_scenario"].items():
        lines.append(f"    {sid:<20} {row['n']:>3}  {_pct(row['top1']):>5}  {_pct(row['top2']):>5}")
    lines.append(f"  form letters read as a specific reason: "
                 f"{_pct(readings['form_letters_read_specific'])} of {readings['form_letters']}")
    lines.append("  precision of each specific reading (right / given):")
    for sid, row in readings["precision"].items():
        share = _pct(row["precision"])
        lines.append(f"    {sid:<20} {row['right']:>3} / {row['given']:<3} {share}")
    met = meets_targets(readings)
    lines.append("  targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}"
                                          for k, v in met.items()))
    lines.append(f"  misses ({len(readings['misses'])}):")
    for miss in readings["misses"]:
        text = " ".join(miss["text"].split())
        lines.append(f"    {miss['id']} {miss['label']} read as {', '.join(miss['read_as'])}: "
                     f"{text[:110]}")
    lines.append("")
    lines.append(tone_text)
    lines.append("")
    lines.append(f"Field extraction on the {part} part: {fields['emails']} whole emails")
    for name in FIELDS:
        row = fields[name]
        lines.append(f"  {name:<8} held by {row['held']:>2}: found {_pct(row['found']):>5}, "
                     f"right {_pct(row['right']):>5}; spurious {row['spurious']}")
    for wrong in fields["wrong"]:
        lines.append(f"    {wrong['id']} {wrong['field']}: found {wrong['found']!r}, "
                     f"truth {wrong['truth']!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--part", choices=corpus_parts() + spanish_parts(),
                        help=f"the corpus part (default: {REPORTED}; "
                             f"{SPANISH_REPORTED} in Spanish)")
    parser.add_argument("--lang", default="en", choices=("en", "es"),
                        help="the corpus and content language (default: en)")
    args = parser.parse_args(argv)
    part = args.part or (SPANISH_REPORTED if args.lang == "es" else REPORTED)
    if part not in (spanish_parts() if args.lang == "es" else corpus_parts()):
        parser.error(f"--part {part} is not a part of the {args.lang} corpus")
    args.part = part
    items = load_corpus(part, args.lang)
    content = None
    if args.lang != "en":
        from nextround.content import load_content

        content = load_content(lang=args.lang)
    readings = evaluate_readings(items, content)
    fields = evaluate_fields(items)
    tone, tone_text = tone_section(part, args.lang)
    print(render(args.part, readings, fields, tone_text))
    if args.json:
        figures = {"part": args.part, "lang": args.lang, "readings": readings,
                   "targets_met": meets_targets(readings), "tone": tone, "fields": fields}
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
