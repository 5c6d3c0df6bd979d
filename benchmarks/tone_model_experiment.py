"""Would a linear model beside the tone rules catch rude follow-ups they miss?

Development only (scikit-learn; the package never imports it). A logistic
regression over an email's words and word pairs scores how rude it reads; an
email is flagged when the rules flag it or the score passes a threshold. The
threshold is set by cross-validation grouped by site over the seen parts
(``tests/data/real/followups/``, every part but held-out ones): it must sit
above every gracious email's out-of-fold score with a margin, since a gracious
email must never be flagged. Then, trained without fresh-5, the rules' one
clean part, it is measured there.

    .venv/bin/python benchmarks/tone_model_experiment.py
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "widgets"))

from nextround.content import load_content  # noqa: E402
from nextround.reader_model import features  # noqa: E402
from nextround.readings import flatten  # noqa: E402
from nextround.tone import check_tone  # noqa: E402

MARGIN = 0.1


def _tone_figures():
    spec = importlib.util.spec_from_file_location(
        "tone_figures", Path(__file__).with_name("tone_figures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> int:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    figures = _tone_figures()
    content = load_content()
    items = figures.load_followups("known")  # never a part added after the freeze
    for item in items:
        flat = flatten(item["text"])
        item["features"] = dict.fromkeys(features(flat, flat), 1)
        item["rules"] = bool(check_tone(item["text"], content))
        item["site"] = figures.source_host(item["source"])

    def fit(train):
        vectorizer = DictVectorizer()
        model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced")
        model.fit(vectorizer.fit_transform([i["features"] for i in train]),
                  [i["label"] == "rude" for i in train])
        return lambda rows: model.predict_proba(
            vectorizer.transform([i["features"] for i in rows]))[:, 1]

    seen = [i for i in items if i["part"] != "fresh5"]
    oof = [0.0] * len(seen)
    for train, held in GroupKFold(n_splits=5, shuffle=True, random_state=0).split(
            seen, groups=[i["site"] for i in seen]):
        for k, p in zip(held, fit([seen[k] for k in train])([seen[k] for k in held]),
                        strict=True):
            oof[k] = float(p)
    gracious = [p for p, i in zip(oof, seen, strict=True) if i["label"] == "gracious"]
    rude = [(p, i) for p, i in zip(oof, seen, strict=True) if i["label"] == "rude"]
    threshold = max(gracious) + MARGIN
    print(f"Seen parts, grouped CV: {len(rude)} rude, {len(gracious)} gracious; highest "
          f"gracious score {max(gracious):.3f}, threshold {threshold:.3f}")
    print(f"  rude flagged: rules {sum(i['rules'] for _p, i in rude)}, model alone at the "
          f"threshold {sum(p >= threshold for p, _i in rude)}, rules or model "
          f"{sum(i['rules'] or p >= threshold for p, i in rude)}")
    clean = [i for i in items if i["part"] == "fresh5"]
    scores = fit(seen)(clean)
    for p, i in zip(scores, clean, strict=True):
        print(f"  fresh5 {i['label']:<8} rules={'flag' if i['rules'] else 'pass'} "
              f"model={p:.3f}{' FLAG' if p >= threshold else ''} {i['id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
