"""The judgement in Spanish: scenario readings and the tone check.

The same two readings as in English (:mod:`nextround.readings`,
:mod:`nextround.tone`), with the same results (:class:`FeedbackReading`,
:class:`ToneFlag`), read with the cue data of ``content/es/`` and with the
little Spanish grammar that is code here: where a clause ends, what negates a
cue ("no ha sido por tu experiencia"), what keeps a courteous clause a reason
("falta", "necesitamos", "más"), what softens a request ("por favor"). Text
and cues are read lower-cased and without accents (:func:`fold_accents`), one
character for one, so every offset points into the client's own text.

Courtesy is set aside first ("agradecemos tu interés", "hemos recibido muchas
candidaturas", "guardaremos tu CV"), so a form letter reads as no specific
feedback; a named missing area is quoted as a skill gap; split evidence shows
two readings.

>>> from nextround.content import load_content
>>> es = load_content(lang="es")
>>> read_feedback("Buscábamos a alguien con más experiencia en logística.", es).top.skill
'logistica'
>>> [f.rule_id for f in check_tone("Gracias por nada.", es)]
['sarcasm']
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .content import Content, ToneRule
from .judgement_languages import fold_accents
from .readings import (
    BETTER_QUALIFIED,
    NO_FEEDBACK,
    SKILL_GAP,
    SPLIT_SHARE,
    FeedbackReading,
    ScenarioSuggestion,
    flatten,
    sentence_spans,
)
from .tone import CHECK_ORDER, MAX_READ, ToneFlag
from .tone_words import cue_regex

#: A named area is as strong a sign as a long phrase (as in English).
SKILL_STRENGTH = 1.75
#: The cue shown when nothing specific was said; the reading card knows it.
NO_REASON = "no specific reason was given"


def _fold(text: str) -> str:
    """Lower-case, straight quotes, no accents: offsets kept."""
    return fold_accents(flatten(text))


# --- scenario readings ---------------------------------------------------------------

#: Where a clause ends, for setting courtesy aside.
_CLAUSE_EDGE = re.compile(
    r"[.;:!?¡¿,\n()]|\bpero\b|\bsin\s+embargo\b|\baunque\b|\bno\s+obstante\b|\bmientras\s+que\b"
    r"|\bya\s+que\b|\bporque\b|\bdebido\s+a\b|\bpor\s+lo\s+que\b|\bpor\s+(?:eso|ello|tanto)\b"
    r"|\by\s+(?=(?:hemos|nos|he|finalmente|lamentablemente|desafortunadamente|decidimos|el\s+otro"
    r"|la\s+otra|otr[oa]s?|alguien|se\s+ha|se\s+han|esta\s+vez|en\s+esta)\b)")
#: Words that keep a courteous clause a reason: "tu perfil es bueno, pero
#: necesitamos más experiencia en ventas" keeps its second clause anyway, and
#: "muy buena entrevista, aunque te faltó inglés" is cut at "aunque".
_REASON_WORDS = re.compile(
    r"\b(?:falt\w*|carec\w*|necesit\w*|requer\w*|requier\w*|requisit\w*|buscab\w*|mas|menos"
    r"|mayor|menor|no(?!\s+(?:dude\w*|dejes|deje|olvide\w*|pierda\w*|pierdas))|sin|nunca"
    r"|insuficient\w*|limitad\w*|escas\w*|debil\w*|mejorar|preferi\w*|solo|solamente"
    r"|unicamente|demasiad\w*|poc[oa]s?|tampoco|lamentablemente\s+no)\b")
#: A cue after "no es / no fue / no ha sido (por)…" or "nada que ver con" is
#: denied: "no ha sido por tu experiencia" is no reading of experience. So is
#: one in a concession, "por más nervioso que estés…": it is not the reason.
_DENIED_BEFORE = re.compile(
    r"(?:\b(?:no|ni|nunca)\s+(?:\w+\s+){0,2}?(?:es|fue|era|ha\s+sido|han\s+sido|se\s+deb\w*"
    r"|tiene\s+(?:nada\s+)?que\s+ver|tuvo\s+(?:nada\s+)?que\s+ver|se\s+trata|por)"
    r"|\bnada\s+que\s+ver|\ben\s+ningun\s+caso|\bno\s+por)\s+(?:\w+\s+){0,4}$"
    r"|\bpor\s+(?:mas|mucho|muy)\s+(?:\w+\s+){0,2}$")
_CLAUSE_START = re.compile(r"[.;:!?\n]|\bpero\b|\bsino\b|\baunque\b|\bsin\s+embargo\b")
#: Where a quoted skill stops: "experiencia en logística para este puesto".
_SKILL_TAIL = re.compile(
    r"\s+(?:para|como|que|pero|porque|ya|aunque|mientras|cuando|lo\s+cual|sino|dado|y\s+(?:que"
    r"|no|por|nos|hemos|se|eso|esto|el|la|los|las|lo|tu|su|creemos|consideramos|pensamos|por\s+eso"
    r"))\b.*$|[\s,]+$")
#: A form-letter "closer match" clause that says what matched better is kept:
#: culture, values or the way of working are how the client came across.
_HOW_THEY_FIT = re.compile(r"\b(?:cultura\w*|valores|forma\s+de\s+trabajar|manera\s+de\s+trabajar"
                           r"|personalidad|actitud|filosofia)\b")


def _negated(folded: str, start: int) -> bool:
    """True when the clause before ``start`` denies the cue there."""
    begin = max(0, start - 300)
    before = folded[begin:start]
    breaks = list(_CLAUSE_START.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    return bool(_DENIED_BEFORE.search(clause))


def _phrase(phrase: str) -> tuple[re.Pattern[str], float]:
    """A phrase cue: words joined by any space or hyphen; the last word may
    change number and gender ("seleccionado" finds "seleccionadas")."""
    words = re.findall(r"[a-z0-9]+", _fold(phrase))
    if not words:
        return re.compile(r"(?!x)x"), 1.0
    last = re.escape(words[-1])
    if words[-1][-1:] in "oa" and len(words[-1]) > 2:
        last = re.escape(words[-1][:-1]) + r"[oa]s?"
    elif words[-1][-1:].isalpha():
        last += r"(?:s|es)?"
    body = r"[\s\-/]+".join([re.escape(w) for w in words[:-1]] + [last])
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])"), 1.0 + 0.25 * (len(words) - 1)


@dataclass(frozen=True)
class _Matcher:
    item_id: str
    weight: float
    cues: tuple[tuple[re.Pattern[str], float], ...]
    fallback: tuple[tuple[re.Pattern[str], float], ...]

    def find(self, folded: str, *, fallback: bool = False) -> list[tuple[int, int, float]]:
        """Un-negated spans with strengths; overlapping spans count once."""
        spans = [(m.start(), m.end(), strength)
                 for regex, strength in (self.fallback if fallback else self.cues)
                 for m in regex.finditer(folded)
                 if m.end() > m.start() and not _negated(folded, m.start())]
        return _disjoint(spans)


def _disjoint(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    kept: list[tuple[int, int, float]] = []
    for span in sorted(spans, key=lambda s: (-s[2], -(s[1] - s[0]), s[0])):
        if not any(_overlaps(span, other) for other in kept):
            kept.append(span)
    return sorted(kept)


def _overlaps(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class _Readings:
    content: Content
    scenarios: tuple[_Matcher, ...]
    not_reasons: tuple[re.Pattern[str], ...]
    form_match: tuple[re.Pattern[str], ...]
    skill: tuple[re.Pattern[str], ...]
    not_skill: tuple[re.Pattern[str], ...]


_READINGS: dict[int, _Readings] = {}


def _patterns(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(fold_accents(p)) for p in patterns)


def _compiled_readings(content: Content) -> _Readings:
    """A content object's Spanish cues, compiled once (content is immutable)."""
    cached = _READINGS.get(id(content))
    if cached is not None and cached.content is content:
        return cached
    readings = content.readings
    compiled = _Readings(
        content=content,
        scenarios=tuple(_Matcher(
            s.id, s.cues.weight,
            tuple(_phrase(p) for p in s.cues.phrases)
            + tuple((re.compile(fold_accents(p)), 1.25) for p in s.cues.patterns),
            tuple(_phrase(p) for p in s.cues.fallback)) for s in content.scenarios),
        not_reasons=_patterns(readings.not_reasons.patterns),
        form_match=_patterns(readings.form_match.patterns),
        skill=_patterns(readings.skill.patterns),
        not_skill=_patterns(readings.not_skill.patterns),
    )
    if len(_READINGS) > 16:
        _READINGS.clear()
    _READINGS[id(content)] = compiled
    return compiled


def read_feedback(text: str, content: Content) -> FeedbackReading:
    """Read Spanish feedback: rank the scenarios, say how sure, show why.

    As in English: courtesy set aside, each scenario's cues read on what
    remains, a named area quoted as a skill gap (and general "más
    experiencia" in the same sentence dropped), two readings side by side when
    the runner-up is close, and "no specific feedback" when nothing remains.
    """
    text = (text or "")[:MAX_READ]
    folded = _fold(text)
    compiled = _compiled_readings(content)
    order = {scenario.id: i for i, scenario in enumerate(content.scenarios)}
    sentences = sentence_spans(text)
    masked = _set_aside(folded, compiled.not_reasons)
    skills = _skills(masked, compiled)
    masked = _set_aside_form_match(masked, compiled.form_match, skills)
    found: dict[str, list[tuple[int, int, float]]] = {}
    for matcher in compiled.scenarios:
        spans = matcher.find(masked)
        if spans:
            found[matcher.item_id] = spans
    _resolve_overlaps(found)
    if skills:
        named = [s for s in sentences if any(_overlaps(s, skill) for skill in skills)]
        found[BETTER_QUALIFIED] = [span for span in found.get(BETTER_QUALIFIED, [])
                                   if not any(_overlaps(span, s) for s in named)]
        found[SKILL_GAP] = _disjoint(found.get(SKILL_GAP, [])
                                     + [(s, e, SKILL_STRENGTH) for s, e in skills])
    ranked = [_suggestion(sid, spans, content, text, sentences, skills)
              for sid, spans in found.items() if spans and sid != NO_FEEDBACK]
    ranked.sort(key=lambda s: (-s.score, order.get(s.scenario_id, 99)))
    if ranked:
        split = len(ranked) > 1 and ranked[1].score >= SPLIT_SHARE * ranked[0].score
        if NO_FEEDBACK in found:
            ranked.append(_suggestion(NO_FEEDBACK, found[NO_FEEDBACK], content, text,
                                      sentences, ()))
        return FeedbackReading(text, ranked, split=split)
    return _no_specific_reason(text, folded, found, compiled, content, sentences)


def _no_specific_reason(text, folded, found, compiled, content, sentences) -> FeedbackReading:
    """Nothing specific was said: "no feedback", plainly; form-letter wording
    about someone fitting better puts "better qualified" beside it."""
    spans = found.get(NO_FEEDBACK) or []
    matcher = next((m for m in compiled.scenarios if m.item_id == NO_FEEDBACK), None)
    if matcher is not None and not spans:
        spans = matcher.find(folded) or matcher.find(folded, fallback=True)
    first = (_suggestion(NO_FEEDBACK, spans, content, text, sentences, ()) if spans
             else ScenarioSuggestion(NO_FEEDBACK, 0.0, (NO_REASON,)))
    suggestions = [first]
    form = [(m.start(), m.end(), 1.0) for regex in compiled.form_match
            for m in regex.finditer(folded) if m.end() > m.start()]
    if form and any(s.id == BETTER_QUALIFIED for s in content.scenarios):
        hint = _suggestion(BETTER_QUALIFIED, _disjoint(form), content, text, sentences, ())
        suggestions.append(ScenarioSuggestion(hint.scenario_id, round(first.score / 2, 3),
                                              hint.cues, hint.evidence))
    return FeedbackReading(text, suggestions, split=len(suggestions) > 1, form_letter=True)


def _clause_edges(folded: str, edge: re.Pattern[str]) -> list[int]:
    return [0] + [m.start() for m in edge.finditer(folded)] + [len(folded)]


def _blank(chars: list[str], folded: str, start: int, end: int) -> None:
    chars[start:end] = [" " if c != "\n" else c for c in folded[start:end]]


def _clause_of(edges: list[int], match: re.Match[str], size: int) -> tuple[int, int]:
    start = edges[bisect.bisect_right(edges, match.start()) - 1]
    end = edges[min(bisect.bisect_left(edges, match.end()), len(edges) - 1)] \
        if match.end() < size else size
    return start, end


def _set_aside(folded: str, not_reasons: tuple[re.Pattern[str], ...]) -> str:
    """Blank out each clause that only thanks, praises or speaks of the field,
    unless it also carries a reason word. Offsets are kept."""
    chars = list(folded)
    edges = _clause_edges(folded, _CLAUSE_EDGE)
    for regex in not_reasons:
        for match in regex.finditer(folded):
            if match.end() == match.start():
                continue
            start, end = _clause_of(edges, match, len(folded))
            rest = folded[start:match.start()] + " " * (match.end() - match.start()) \
                + folded[match.end():end]
            if not _REASON_WORDS.search(rest):
                _blank(chars, folded, start, end)
    return "".join(chars)


def _set_aside_form_match(masked: str, form_match: tuple[re.Pattern[str], ...],
                          skills: list[tuple[int, int]]) -> str:
    """Blank out "su perfil se ajusta más" clauses that name nothing: boilerplate."""
    chars = list(masked)
    edges = _clause_edges(masked, _CLAUSE_EDGE)
    for regex in form_match:
        for match in regex.finditer(masked):
            start, end = _clause_of(edges, match, len(masked))
            if any(_overlaps((start, end), skill) for skill in skills) \
                    or _HOW_THEY_FIT.search(masked, start, end):
                continue
            _blank(chars, masked, start, end)
    return "".join(chars)


def _skills(masked: str, compiled: _Readings) -> list[tuple[int, int]]:
    """Spans of named areas the feedback says were missing (group ``skill``)."""
    spans: list[tuple[int, int]] = []
    for regex in compiled.skill:
        for match in regex.finditer(masked):
            if "skill" in regex.groupindex and match.group("skill"):
                start, end = match.span("skill")
            else:
                start, end = match.span()
            value = _SKILL_TAIL.sub("", masked[start:end])
            end = start + len(value.rstrip(" .,;:'\"»"))
            if end - start < 2 or _negated(masked, match.start()):
                continue
            if any(bad.fullmatch(masked[start:end].strip()) for bad in compiled.not_skill):
                continue
            if not any(_overlaps((start, end), other) for other in spans):
                spans.append((start, end))
    return sorted(spans)


def _resolve_overlaps(found: dict[str, list[tuple[int, int, float]]]) -> None:
    """Where two readings' cues cover the same words, the stronger (then the
    longer) keeps them."""
    spans = [(sid, span) for sid, items in found.items() if sid != NO_FEEDBACK
             for span in items]
    beaten = {(sid, span) for sid, span in spans for other_sid, other in spans
              if other_sid != sid and _overlaps(span, other)
              and (other[2], other[1] - other[0]) > (span[2], span[1] - span[0])}
    for sid, span in beaten:
        found[sid].remove(span)


def _suggestion(scenario_id: str, spans: list[tuple[int, int, float]], content: Content,
                text: str, sentences: list[tuple[int, int]], skills) -> ScenarioSuggestion:
    weight = next((s.cues.weight for s in content.scenarios if s.id == scenario_id), 1.0)
    score = weight * sum(strength for _s, _e, strength in spans)
    cues = tuple(dict.fromkeys(" ".join(text[s:e].lower().split()) for s, e, _ in spans))
    evidence = tuple(dict.fromkeys(sentence for s, _e, _w in spans for sentence in sentences
                                   if sentence[0] <= s < sentence[1]))
    skill = ""
    if scenario_id == SKILL_GAP and skills:
        start, end = skills[0]
        skill = " ".join(text[start:end].split())
    return ScenarioSuggestion(scenario_id, round(score, 3), cues, evidence, skill)


# --- tone check -----------------------------------------------------------------------

#: Sentences end at ., !, ? (and their runs) before a space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]»\u201d\u2019]*(?=\s)|\n+")
#: Words that soften a request: "por favor", "si es posible", "le agradecería".
_SOFTENED = re.compile(
    r"\b(?:por\s+favor|si\s+(?:es\s+posible|fuera\s+posible|puede\w*|pudiera\w*|le\s+es\s+posible"
    r"|tiene\w*\s+un\s+momento|dispone\w*)|cuando\s+(?:pueda\w*|tenga\w*)|agradec\w*|agradeceria"
    r"|le\s+importaria|os\s+importaria|te\s+importaria|seria\s+(?:tan\s+)?amable|gustaria)\b")
#: Warm words: "¡¡Muchísimas gracias!!" is delight, not shouting.
_WARM = re.compile(r"\b(?:gracias|agradec\w*|encant\w*|genial\w*|maravill\w*|estupend\w*"
                   r"|fantastic\w*|feliz|felices|ilusion\w*|enhorabuena|felicidades|un\s+abrazo"
                   r"|suerte|exito\w*)\b")
_REPEATED_MARKS = re.compile(r"[!?¡¿]{2,}|[!?][¡¿]|[¡¿][!?]")
_CAPS = re.compile(r"(?<![\w'])[A-ZÁÉÍÓÚÑÜ][A-ZÁÉÍÓÚÑÜ']*[A-ZÁÉÍÓÚÑÜ](?![\w'])")
#: Short words that, in capitals, are shouting rather than acronyms.
_SHORT_WORDS = frozenset("""
    no ya yo que por mas es son sus los las del con sin mi me te se lo la el un una ni
    muy tan hoy asi eso esto esa ese cual como fue era nada pues todo toda hay voy van
""".split())
#: "¿Por qué?" and its bare forms: "¿Y por qué?", "¿Por qué yo no?".
_BARE_WHY = re.compile(r"^\W*(?:(?:y|pero|bueno|entonces|en\s+serio)[\s,]+)*(?:por\s*que|como\s+es"
                       r"\s+que)(?:[\s,]+(?:no|yo|yo\s+no|a\s+mi\s+no|entonces|exactamente))*\W*$")
#: "por qué" (or "porqué", "porque" in a question) closely followed by the
#: writer or a negation: it asks about them.
_WHY_ABOUT_ME = re.compile(r"\bpor\s*que\b(?:\s+[\w]+){0,3}?\s+(?:no|me|mi|yo|nos)\b")
#: A denial just before a blame word: "no es ninguna vergüenza".
_DENIAL_BEFORE = re.compile(r"\b(?:no|ni|nunca|nada\s+de|para\s+nada)\s+(?:\w+\s+){0,2}$")
#: A sentence about the future: "cuando haya otra vacante para la que encaje".
_LOOKS_AHEAD = re.compile(r"\b(?:futur\w*|proxim\w*|otras?\s+(?:vacantes?|ofertas?|oportunidad\w*"
                          r"|posicion\w*|puestos?)|nuevas?\s+(?:vacantes?|oportunidad\w*))\b")
#: A short quoted span, in any quotation marks: «cuidadosa valoración».
_QUOTED = re.compile(r"[\"\u201c«]([^\"\u201c\u201d«»\n]{2,40})[\"\u201d»]")


@dataclass(frozen=True)
class _ToneCues:
    rule: ToneRule
    lists: dict[str, re.Pattern[str] | None]
    acronyms: frozenset[str]

    def find(self, name: str, text: str, start: int = 0) -> re.Match[str] | None:
        regex = self.lists.get(name)
        return regex.search(text, start) if regex is not None else None

    def finditer(self, name: str, text: str):
        regex = self.lists.get(name)
        return regex.finditer(text) if regex is not None else iter(())


@dataclass(frozen=True)
class _Tone:
    content: Content
    patterns: tuple[tuple[ToneRule, tuple[re.Pattern[str], ...]], ...]
    checks: tuple[tuple[str, _ToneCues], ...]
    reader: re.Pattern[str] | None
    feelings: re.Pattern[str] | None
    help: re.Pattern[str] | None


_TONE: dict[int, _Tone] = {}


def _folded_regex(entries, **kwargs) -> re.Pattern[str] | None:
    return cue_regex([fold_accents(e.lower()) for e in entries], **kwargs)


def _compiled_tone(content: Content) -> _Tone:
    cached = _TONE.get(id(content))
    if cached is not None and cached.content is content:
        return cached
    rules = content.tone_rules
    checks = sorted(
        ((rule.check, _ToneCues(rule, {name: _folded_regex(words)
                                       for name, words in rule.cues.items()},
                                frozenset(w.upper() for w in rule.cues.get("acronyms", ()))))
         for rule in rules if rule.check),
        key=lambda pair: CHECK_ORDER.index(pair[0]))
    words = content.tone_words
    compiled = _Tone(
        content=content,
        patterns=tuple((rule, tuple(re.compile(fold_accents(p), re.IGNORECASE)
                                    for p in rule.patterns)) for rule in rules),
        checks=tuple(checks),
        reader=_folded_regex(words.reader),
        feelings=_folded_regex(words.feelings),
        help=_folded_regex(words.help),
    )
    if len(_TONE) > 16:
        _TONE.clear()
    _TONE[id(content)] = compiled
    return compiled


def check_tone(text: str, content: Content) -> list[ToneFlag]:
    """Flag what may read as rude in a Spanish draft, sentence by sentence.

    Each sentence gets at most one flag, for its most hurtful reading: the
    words a rule's pattern matched, or the whole sentence when a check read
    worse; the other rules it trips are named in ``also`` and in ``why``.
    """
    text = (text or "")[:MAX_READ]
    folded = fold_accents(text.replace("\u2019", "'").replace("\u2018", "'"))
    lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    compiled = _compiled_tone(content)
    rules = {rule.id: rule for rule in content.tone_rules}
    order = {rule.id: i for i, rule in enumerate(content.tone_rules)}
    flags: list[ToneFlag] = []
    for start, end in _sentences(text):
        sentence, low = text[start:end], lower[start:end]
        here = [(rule, m) for rule, patterns in compiled.patterns for regex in patterns
                for m in regex.finditer(low)
                if m.end() > m.start() and not _pattern_vetoed(rule, sentence, low, m)]
        fired: list[ToneRule] = []
        for check, cues in compiled.checks:
            if all(r is not cues.rule for r in fired) and \
                    _CHECKS[check](sentence, low, cues, compiled):
                fired.append(cues.rule)
        if here:
            rule, match = min(here, key=lambda p: (_severity(p[0]), order[p[0].id],
                                                   p[1].start()))
            if not fired or _severity(fired[0]) >= _severity(rule):
                also = tuple(sorted({r.id for r, _m in here} | {r.id for r in fired}
                                    - {rule.id}, key=order.__getitem__))
                a, b = start + match.start(), start + match.end()
                flags.append(ToneFlag(rule.id, text[a:b], a, b, rule.alternative,
                                      _why(rule.why, also, rules), sentence, also))
                continue
        if fired:
            rule, also = fired[0], tuple(r.id for r in fired[1:])
            flags.append(ToneFlag(rule.id, sentence, start, end, rule.alternative,
                                  _why(rule.why, also, rules), sentence, also))
    return flags


def _severity(rule: ToneRule) -> int:
    return CHECK_ORDER.index(rule.check or "asking_why")


def _why(why: str, also: tuple[str, ...], rules: dict[str, ToneRule]) -> str:
    """The rule's reason, plus what else the same sentence reads as, in Spanish."""
    labels = [rules[rule_id].label or rule_id.replace("_", " ") for rule_id in also]
    if not labels:
        return why
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " y " + labels[-1]
    return f"{why} También se lee como {listed}."


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for match in list(_SENTENCE_END.finditer(text)) + [None]:
        end = match.end() if match else len(text)
        a, b = at, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
        at = end
    return spans


def _pattern_vetoed(rule: ToneRule, sentence: str, low: str, match: re.Match[str]) -> bool:
    """Shouting patterns do not count in a warm sentence; blame denied is no blame."""
    if rule.check == "shouting":
        return bool(_WARM.search(low))
    if rule.check == "accusation":
        return _denied(low, match.start())
    return False


def _denied(low: str, start: int) -> bool:
    return bool(_DENIAL_BEFORE.search(low, max(0, start - 30), start))


def _aimed(low: str, compiled: _Tone) -> bool:
    return bool(compiled.reader is not None and compiled.reader.search(low))


def _asks_help(low: str, compiled: _Tone) -> bool:
    return bool(compiled.help is not None and compiled.help.search(low))


def _insult(sentence, low, cues, compiled) -> bool:
    return any(not _denied(low, m.start()) for m in cues.finditer("words", low))


def _shouting(sentence, low, cues, compiled) -> bool:
    """"!!", "¡¡", "??" or words in capitals, unless the sentence is warm.

    One long word in capitals alone is a name more often than a shout
    ("Estimado equipo de MERCADONA"): it counts with "!" or "?" beside it;
    two such words, or an everyday short word ("NO", "YA"), count anyway.
    """
    if _WARM.search(low):
        return False
    if _REPEATED_MARKS.search(sentence):
        return True
    shouted = 0
    for match in _CAPS.finditer(sentence):
        word = match.group().replace("'", "")
        if word in cues.acronyms:
            continue
        if fold_accents(word.lower()) in _SHORT_WORDS:
            return True
        shouted += len(word) >= 5
    return shouted >= 2 or (shouted == 1 and bool(re.search(r"[!?¡¿]", sentence)))


def _sarcasm(sentence, low, cues, compiled) -> bool:
    """Sarcastic phrases; praise or thanks undercut in the same breath; a good
    wish soured by the rejection; a rhetorical question; scare quotes around
    the reader's own words."""
    if cues.find("phrases", low):
        return True
    praise = cues.find("praise", low)
    if praise and cues.find("undercut", low, praise.end()):
        return True
    wish = cues.find("wishes", low)
    if wish and cues.find("spite", low, wish.end()):
        return True
    if "?" in sentence and not _asks_help(low, compiled) and cues.find("rhetorical", low):
        return True
    return _aimed(low, compiled) and any(
        cues.find("quoted", fold_accents(q.lower())) for q in _scare_quoted(sentence))


def _scare_quoted(sentence: str) -> list[str]:
    return [m.group(1) for m in _QUOTED.finditer(sentence) if len(m.group(1).split()) <= 4]


def _demand(sentence, low, cues, compiled) -> bool:
    """Demand phrases; "exijo", "requiero" (not after "no"); a command that opens
    the sentence ("Explíquenme…"); a request with a deadline, unsoftened."""
    if cues.find("phrases", low):
        return True
    if any(not re.search(r"\bno\s+$", low[max(0, m.start() - 4):m.start()])
           for m in cues.finditer("verbs", low)):
        return True
    if cues.find("commands", low) and (m := cues.lists["commands"].match(
            low.lstrip(" ¡¿\"'«"))) is not None and m.start() == 0 \
            and not _SOFTENED.search(low):
        return True
    if _SOFTENED.search(low):
        return False
    return bool(cues.find("deadlines", low) and cues.find("requests", low))


def _accusation(sentence, low, cues, compiled) -> bool:
    """Blame phrases, and blame words in a sentence aimed at the reader, unless
    denied ("no es ninguna pérdida de tiempo")."""
    if any(not _denied(low, m.start()) for m in cues.finditer("phrases", low)):
        return True
    return _aimed(low, compiled) and any(not _denied(low, m.start())
                                         for m in cues.finditer("words", low))


def _arguing(sentence, low, cues, compiled) -> bool:
    """Arguing phrases; a belief ("creo", "estoy seguro") with a fit claim, about
    the decision made rather than roles to come."""
    ahead = bool(_LOOKS_AHEAD.search(low))
    for match in cues.finditer("phrases", low):
        if not (ahead and cues.find("fit", match.group())):
            return True
    return bool(not ahead and cues.find("beliefs", low) and cues.find("fit", low))


def _asking_why(sentence, low, cues, compiled) -> bool:
    """A request or question for the reason one was not chosen, in any wording:
    a bare "¿Por qué?"; "por qué" about the writer ("¿por qué no me…?"); a
    guess at the reason put as a question ("¿Fue por mi edad?"); a reason word
    ("el motivo", "qué hice mal") with the decision or a request to be told.
    A question that asks for advice or feedback (``help``) is not asking why."""
    if _BARE_WHY.match(low):
        return True
    question = "?" in sentence or "¿" in sentence
    requested = bool(cues.find("asking", low))
    if question and _WHY_ABOUT_ME.search(low):
        return True
    if not (question or requested):
        return False
    if _asks_help(low, compiled) and not cues.find("reasons", low):
        return False
    if question and cues.find("guesses", low):
        return True
    reason = cues.find("reasons", low)
    return bool(reason and (cues.find("decision", low) or requested))


_CHECKS = {"insult": _insult, "shouting": _shouting, "sarcasm": _sarcasm, "demand": _demand,
           "accusation": _accusation, "arguing": _arguing, "asking_why": _asking_why}


__all__ = ["check_tone", "read_feedback"]
