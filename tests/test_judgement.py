"""The judgement, measured on real messages no one here wrote (tests/data/real/).

The figures are computed from the corpus on every run, with the same code as
``benchmarks/judgement.py``; nothing is stored. Only the test part counts:
nothing in it was used to write the cues.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "judgement.py"


@pytest.fixture(scope="module")
def judgement():
    spec = importlib.util.spec_from_file_location("judgement", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def test_part(judgement):
    items = judgement.load_corpus("test")
    return items, judgement.evaluate_readings(items)


def test_corpus_parts_are_split_by_source(judgement):
    tuning = {item["source"] for item in judgement.load_corpus("tuning")}
    test = {item["source"] for item in judgement.load_corpus("test")}
    assert not tuning & test
    labels = {item["label"] for item in judgement.load_corpus("test")}
    assert labels == {"internal_candidate", "different_direction", "better_qualified",
                      "skill_gap", "presentation", "no_feedback"}


def test_readings_meet_the_targets_on_the_test_part(judgement, test_part):
    _items, readings = test_part
    assert readings["n"] >= 60
    assert readings["top1"] >= judgement.TARGETS["top1"], readings["misses"]
    assert readings["form_letters_read_specific"] <= \
        judgement.TARGETS["form_letters_read_specific"], readings["misses"]
    for scenario_id, row in readings["precision"].items():
        if row["given"]:
            assert row["precision"] >= judgement.TARGETS["precision"], (scenario_id, row)


def test_field_extraction_finds_what_whole_emails_hold(judgement, test_part):
    items, _readings = test_part
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
