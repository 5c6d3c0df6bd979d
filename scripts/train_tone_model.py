"""Cross-validate a small linear model for the tone check, by site.

The model scores one sentence: how likely a counsellor would ask for it to be
reworded. It is a logistic regression over word unigrams and bigrams and a few
marks (``!!``, ``??``, words in capitals, a question), trained with plain
gradient descent so that no training library is needed; its weights would
ship as JSON and be applied in pure Python.

It is not used by the check: held out by site, it could not tell hostile
sentences from fine ones well enough to flag any sentence the rules miss
without also flagging gracious ones (figures in docs/judgement.md ("Tone check")).
This script keeps that measurement reproducible.

Training data: ``tests/data/tone_training/sentences.yaml`` (the real tuning
sentences, labelled one by one, and sentences written in their style) plus
every sentence of the real gracious emails in the tuning, test and fresh
parts. The fresh-2 part is never read here.

    .venv/bin/python scripts/train_tone_model.py                    # thresholds 0.5-0.9
    .venv/bin/python scripts/train_tone_model.py --threshold 0.7
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "widgets"))

from nextround.tone import sentences  # noqa: E402

DATA = ROOT / "tests" / "data"
PARTS = ("tuning", "test", "fresh")  # fresh2 stays held out
MIN_COUNT = 2       # a feature seen fewer times is dropped
L2 = 0.02           # weight decay
EPOCHS = 400
RATE = 0.5
_WORDS = re.compile(r"[a-z0-9]+(?:['!*@#$][a-z0-9*]+)*")
_CAPS = re.compile(r"(?<![\w'])[A-Z][A-Z']*[A-Z](?![\w'])")


def model_features(sentence: str) -> list[str]:
    """What the model reads: words, pairs of words, and marks of tone."""
    words = _WORDS.findall(sentence.lower().replace("\u2019", "'"))
    features = [f"w:{w}" for w in words]
    features += [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    if re.search(r"[!?]{2,}", sentence):
        features.append("m:!!")
    if any(len(m.group()) >= 4 for m in _CAPS.finditer(sentence)):
        features.append("m:CAPS")
    if sentence.rstrip(" \"')\u201d").endswith("?"):
        features.append("m:question")
    return features


def labelled_sentences() -> list[tuple[str, int, str]]:
    """(sentence, label, source site); written sentences have site "written"."""
    spec = yaml.safe_load((DATA / "tone_training" / "sentences.yaml").read_text())
    out: list[tuple[str, int, str]] = []
    for part in PARTS:
        items = yaml.safe_load((DATA / "real" / "followups" / f"{part}.yaml").read_text())
        for item in items["items"]:
            site = (urlsplit(item["source"]).hostname or "").removeprefix("www.")
            found = sentences(item["text"])
            if item["label"] == "gracious":
                labels = [0] * len(found)
            else:
                labels = spec["real"][item["id"]]
                if len(labels) != len(found):
                    raise SystemExit(f"{item['id']}: {len(found)} sentences, "
                                     f"{len(labels)} labels")
            out += [(s, y, site) for s, y in zip(found, labels, strict=True)]
    for label, key in ((1, "rude"), (0, "gracious")):
        out += [(s, label, "written") for s in spec["written"][key]]
    return out


def train(rows: list[tuple[str, int, str]]) -> dict:
    counts = Counter(f for s, _, _ in rows for f in set(model_features(s)))
    vocab = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocab)}
    xs = [[index[f] for f in set(model_features(s)) if f in index] for s, _, _ in rows]
    ys = [y for _, y, _ in rows]
    # balance the classes so the written sentences do not tip the prior
    pos = sum(ys) or 1
    neg = (len(ys) - pos) or 1
    weight = [len(ys) / (2 * pos) if y else len(ys) / (2 * neg) for y in ys]
    w = [0.0] * len(vocab)
    b = 0.0
    n = len(rows)
    for _ in range(EPOCHS):
        grad = [0.0] * len(vocab)
        gb = 0.0
        for x, y, c in zip(xs, ys, weight, strict=True):
            z = b + sum(w[i] for i in x)
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = c * (p - y)
            gb += g
            for i in x:
                grad[i] += g
        b -= RATE * gb / n
        for i in range(len(w)):
            w[i] -= RATE * (grad[i] / n + L2 * w[i])
    weights = {f: round(w[i], 4) for f, i in index.items() if abs(w[i]) >= 1e-3}
    return {"bias": round(b, 4), "weights": weights}


def score(model: dict, sentence: str) -> float:
    z = model["bias"] + sum(model["weights"].get(f, 0.0) for f in set(model_features(sentence)))
    return 1 / (1 + math.exp(-z))


def cross_validate(rows, threshold: float) -> None:
    """Leave one real site out: train on the rest, score that site's emails."""
    sites = sorted({site for _, _, site in rows if site != "written"})
    tp = fn = fp = tn = 0
    for site in sites:
        model = train([r for r in rows if r[2] != site])
        for s, y, _ in (r for r in rows if r[2] == site):
            flagged = score(model, s) >= threshold
            tp += flagged and y
            fn += (not flagged) and y
            fp += flagged and not y
            tn += (not flagged) and not y
    print(f"cross-validation by site, model alone, threshold {threshold}: "
          f"rude sentences flagged {tp}/{tp + fn}, fine sentences flagged {fp}/{fp + tn}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, action="append",
                        help="score at or above which a sentence is flagged (repeatable)")
    args = parser.parse_args(argv)
    rows = labelled_sentences()
    print(f"{len(rows)} sentences ({sum(y for _, y, _ in rows)} to reword)")
    for threshold in args.threshold or (0.5, 0.7, 0.8, 0.9):
        cross_validate(rows, threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
