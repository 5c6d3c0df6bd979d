"""The judgement, measured on real messages no one here wrote (tests/data/real/).

The figures are computed from the corpus on every run, with the same code as
``benchmarks/judgement.py``; nothing is stored. The reported part is fresh-5:
gathered from sites used nowhere else, by reading only, and measured once
with the cues frozen (the figures of that one measurement are in
docs/judgement.md). Every part here, fresh-5 included, has been training or
tuning data since its measurement, so what it reads now is fitted, not clean;
a part gathered after the reader was frozen is measured with
``benchmarks/judgement.py --part <name>``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlparse

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "judgement.py"


@pytest.fixture(scope="module")
def judgement():
    spec = importlib.util.spec_from_file_location("judgement", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reported_part(judgement):
    items = judgement.load_corpus(judgement.REPORTED)
    return items, judgement.evaluate_readings(items)


def _site(url: str) -> str:
    host = urlparse(url).hostname or url
    host = host.removeprefix("www.")
    return "glassdoor" if "glassdoor" in host else host


def _followup_sites(exclude: str = "") -> set[str]:
    """Sites of the follow-up corpus; ``exclude``: a part gathered with the same sites."""
    import yaml
    folder = BENCH.parent.parent / "tests" / "data" / "real" / "followups"
    return {_site(item["source"]) for path in folder.glob("*.yaml") if path.name != exclude
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]}


def test_tuning2_is_tuning_data_from_sites_no_other_part_uses(judgement):
    """The tuning-2 part is listed as tuning data (never taken for a part added
    later, which is the held-out one) and shares no site with any other part."""
    assert "tuning2" in judgement.KNOWN_PARTS and "tuning2" in judgement.TUNING_PARTS
    assert set(judgement.TUNING_PARTS) | {judgement.REPORTED} == set(judgement.KNOWN_PARTS)
    assert judgement.REPORTED not in judgement.TUNING_PARTS
    later = [p for p in judgement.corpus_parts() if p not in judgement.KNOWN_PARTS]
    assert "tuning2" not in later
    mine = {_site(item["source"]) for item in judgement.load_corpus("tuning2")}
    others = {_site(item["source"]) for part in judgement.KNOWN_PARTS if part != "tuning2"
              for item in judgement.load_corpus(part)}
    assert len(judgement.load_corpus("tuning2")) >= 60
    assert not mine & others
    assert not mine & _followup_sites()


def test_the_reported_part_is_fresh7_and_shares_no_site(judgement):
    assert judgement.REPORTED == "fresh7"
    reported = {_site(item["source"]) for item in judgement.load_corpus("fresh7")}
    seen = {_site(item["source"]) for part in judgement.TUNING_PARTS
            for item in judgement.load_corpus(part)}
    assert len(judgement.load_corpus("fresh7")) == 42
    assert not reported & seen
    assert not reported & _followup_sites(exclude="fresh7.yaml")
    fresh = {_site(item["source"]) for item in judgement.load_corpus("fresh")}
    assert not fresh & {_site(item["source"]) for part in ("tuning", "test")
                        for item in judgement.load_corpus(part)}
    tuning = {item["source"] for item in judgement.load_corpus("tuning")}
    test = {item["source"] for item in judgement.load_corpus("test")}
    assert not tuning & test
    labels = {item["label"] for item in judgement.load_corpus("fresh7")}
    assert labels == {"internal_candidate", "different_direction", "better_qualified",
                      "skill_gap", "presentation", "no_feedback"}


#: BELOW TARGET. The one clean measurement on fresh-7 (2026-11-28, 42
#: messages, with the reader frozen at 027d36f: cues, the form-letter model
#: and the story model trained on every tuning part; docs/judgement.md) read
#: top-1 71.4% (30 of 42), form letters as a reason 9.5% (2 of 21, met) and
#: presentation right 7 of 8 (met); it missed three precisions: different
#: direction 0/1, better qualified 2/3, skill gap 1/3 (internal 1/1 met).
#: These floors hold those figures, rounded down, so a change that reads
#: fresh-7 worse fails here. The issue's targets stay the aim.
BELOW_TARGET_FLOORS: dict[str, float] = {
    "top1": 0.71,
    "precision:different_direction": 0.0,
    "precision:better_qualified": 0.66,
    "precision:skill_gap": 0.33,
}


def _floor(judgement, name: str) -> float:
    """The floor for one figure: the issue's target unless it is named below target."""
    target = judgement.TARGETS["precision" if name.startswith("precision:") else name]
    floor = BELOW_TARGET_FLOORS.get(name, target)
    # A share of form letters is a ceiling: lower is better.
    assert floor >= target if name == "form_letters_read_specific" else floor <= target
    return floor


def test_readings_meet_the_targets_or_their_measured_floors_on_the_reported_part(
        judgement, reported_part):
    _items, readings = reported_part
    assert readings["n"] >= 40
    assert readings["top1"] >= _floor(judgement, "top1"), readings["misses"]
    assert readings["form_letters_read_specific"] <= \
        _floor(judgement, "form_letters_read_specific"), readings["misses"]
    for scenario_id, row in readings["precision"].items():
        if row["given"]:
            floor = _floor(judgement, f"precision:{scenario_id}")
            assert row["precision"] >= floor, (scenario_id, row)


@pytest.mark.parametrize(("part", "floor"), [("fresh6", 0.82), ("tuning2", 0.80),
                                             ("fresh5", 0.78), ("fresh4", 0.98),
                                             ("fresh2", 0.96),
                                             ("fresh", 0.98), ("test", 0.95),
                                             ("tuning", 0.97)])
def test_the_seen_parts_keep_their_readings(judgement, part, floor):
    """Figures on messages the reader was fitted to (fresh-5 80% since the
    form-letter model was trained on it, fresh-4 100%, fresh-2 98%,
    fresh 100%, test 96%, tuning 98% once fresh-4's misses became tuning data;
    fresh-6 84% and tuning-2 82% once the models were trained on them):
    no evidence of how the reading generalises, only a guard against a later
    change breaking what already reads right. Each floor allows at most one
    message fewer than measured."""
    readings = judgement.evaluate_readings(judgement.load_corpus(part))
    assert readings["top1"] >= floor, readings["misses"]


def test_fresh4_keeps_its_form_letters_and_precision(judgement):
    """Fresh-4 as tuning data: no form letter read as a specific reason and
    every specific reading right each time it was given (fitted figures)."""
    readings = judgement.evaluate_readings(judgement.load_corpus("fresh4"))
    assert readings["form_letters_read_specific"] == 0, readings["misses"]
    for scenario_id, row in readings["precision"].items():
        assert row["precision"] in (None, 1.0), (scenario_id, row, readings["misses"])


def test_field_extraction_finds_what_whole_emails_hold(judgement):
    # Whole emails with their fields are in the first test part; the fresh
    # parts keep key sentences only.
    items = judgement.load_corpus("test")
    fields = judgement.evaluate_fields(items)
    assert fields["emails"] >= 4
    held = sum(fields[name]["held"] for name in judgement.FIELDS)
    right = sum(round(fields[name]["right"] * fields[name]["held"])
                for name in judgement.FIELDS if fields[name]["held"])
    spurious = sum(fields[name]["spurious"] for name in judgement.FIELDS)
    assert right / held >= 0.6, fields["wrong"]
    assert spurious == 0, fields["wrong"]


def test_benchmark_prints_every_section(judgement, tmp_path, capsys):
    out = tmp_path / "figures.json"
    assert judgement.main(["--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for words in ("top-1", "form letters read as a specific reason", "precision",
                  "Field extraction", "misses"):
        assert words in printed
    assert '"targets_met"' in out.read_text()
