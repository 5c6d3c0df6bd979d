"""The tone check's sentence checks: one function per kind of rudeness.

Each check reads one sentence (as typed, and lower-cased with offsets kept)
with its rule's cue lists from ``content/tone.yaml``, whether the sentence is
aimed at the reader, and VADER's scores (:mod:`nextround.tone_words`), and
says whether the sentence reads that way. :mod:`nextround.tone` decides which
reading leads and what the client is told.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .tone_words import (
    _WORDS,
    _analyzer,
    _compound,
    _hostile,
    _lower,
    _negative_judgement,
    _straighten,
    _vader_valence,
)

if TYPE_CHECKING:
    from .content import ToneRule
    from .tone import _Compiled, _Cues

#: A question to the reader that scores this low (and asks for no help) is
#: rhetorical: "Why are you wasting my time?"
HOSTILE_QUESTION = -0.3
#: "You clearly …" at or above this score is praise ("you clearly care").
PRAISE_COMPOUND = 0.3
#: Exclamation marks or capitals in a sentence this warm (VADER compound) are
#: delight, not shouting.
WARM_COMPOUND = 0.5
#: Capitalised words this long are shouting unless listed as acronyms; shorter
#: ones only when they are everyday words ("NOT", "HATE"), not short forms.
SHOUT_LETTERS = 5

#: Everyday short words: written in capitals they are shouting, not acronyms.
_SHORT_WORDS = frozenset("""
    all am an and any are as at be best big but by can did do done dont even ever for get
    got had has have he her him his how i if in is it its just let me more most my need
    never no not now of off oh on one only or our out over real really she so stop sure
    than that the them then they this to too up us very want was way we well were what
    when who why will with yes you your
""".split())
_CAPS = re.compile(r"(?<![\w'])[A-Z][A-Z']*[A-Z](?![\w'])")
_REPEATED_MARKS = re.compile(r"[!?]{2,}")
#: "That is why I applied" explains; it does not ask.
#: "why" closely followed by the writer or a negation asks about them.
_WHY_ABOUT_ME = re.compile(r"(?:\s+[\w']+){0,3}?\s+(?:i|me|my|i'm|not|[\w]+n't)(?![\w'])")
#: "Thank you for explaining" thanks for an answer; it does not ask for one.
_THANKS_FOR = re.compile(r"thanks?\s+(?:you\s+)?(?:so\s+much\s+|very\s+much\s+)?for\s+$")
_NEGATIONS = frozenset({"not", "never", "no", "dont", "cannot", "cant"})
_NOT_ASKING_WHY = re.compile(r"(?:that|this|which|here|it)(?:'s|\s+is|\s+was)\s+why\b")
#: "I'd like to explain why I applied": the writer explains; nobody is asked.
_I_EXPLAIN_WHY = re.compile(r"(?:i'd\s+like|i\s+would\s+like|i\s+want|let\s+me|allow\s+me)\s+"
                            r"(?:to\s+)?(?:briefly\s+)?(?:explain|say|tell\s+you|share|mention|"
                            r"describe|outline|add)\s+$")
#: "I'm not looking for the reason why…", "I'm not asking why": the writer
#: says outright that they do not ask for the reason.
_DISCLAIMS_ASKING = re.compile(
    r"(?:not|n't|never)\s+(?:\w+\s+)?(?:looking\s+for|asking(?:\s+for)?|seeking|after|"
    r"wanting|need(?:ing)?(?:\s+to\s+know)?)\s+(?:to\s+know\s+)?(?:the\s+|a\s+|any\s+)?"
    r"(?:reasons?\s+)?$")
#: "I understand the decision" accepts it; only "help me understand the
#: decision" or "I'd like to understand the decision" asks.
_ACCEPTS = re.compile(r"(?<![\w'])(?:i|we)\s+(?:(?:fully|completely|totally|do|now|really|"
                      r"truly|certainly|can)\s+)?(?:understand|accept|respect)\s+(?:the|your)"
                      r"\s+(?:decision|choice)$")
#: "I would be lying if I said…": an idiom about the writer's own honesty, not
#: an accusation; it is blanked before the sentence checks read the words.
_HONESTY_IDIOM = re.compile(r"(?:would|'d)\s+be\s+lying\s+if\b")


# --- sentence checks ----------------------------------------------------------------


def _checks_that_fire(sentence: str, lower: str, compiled: _Compiled) -> list[ToneRule]:
    """The rules whose sentence check fires on this sentence, most hurtful first."""
    lower = _HONESTY_IDIOM.sub(lambda m: " " * len(m.group()), lower)
    reader = compiled.reader
    aimed = bool(reader and reader.search(lower))
    fired: list[ToneRule] = []
    for check, cues in compiled.checks:
        if cues.rule in fired:
            continue
        if CHECKS[check](sentence, lower, cues, aimed, compiled):
            fired.append(cues.rule)
    return fired


def _insult(sentence, lower, cues, aimed, compiled) -> bool:
    return bool(cues.find("words", lower)) or (aimed and _hostile(sentence, lower, compiled))


def _shouting(sentence, lower, cues, aimed, compiled) -> bool:
    """"!!", "??" or capitals, unless the sentence is plainly warm (see _warm).

    In a warm sentence that also turns on a "not" or a "but", one capitalised
    word still counts when it is a long word that is neither warm nor an
    intensifier: "I might not have the degrees you would PREFER, but I'm
    passionate" stresses the reader's words against the writer; "Thank you SO
    much", "I LOVED it" and "I hope to meet again in the FUTURE" are delight.
    """
    if not _warm(sentence):
        return bool(_REPEATED_MARKS.search(sentence) or _STRESSED.search(sentence)
                    or _has_shouted_word(sentence, cues))
    return bool(_TURN.search(lower)) and _has_shouted_word(sentence, cues, stressed_only=True)


#: A word stressed with asterisks or underscores: "you *really* don't want me".
_STRESSED = re.compile(r"(?<![\w*])\*[A-Za-z][A-Za-z']*\*(?![\w*])|(?<!\w)_[A-Za-z]+_(?!\w)")
#: A contrast in a sentence: "not", "never", "-n't", "but".
_TURN = re.compile(r"(?<![\w'])(?:not|never|but)(?![\w'])|n't(?![\w'])")


def _warm(sentence: str) -> bool:
    """"Thanks so much!!" is delight, not anger: VADER scores it plainly warm."""
    return _analyzer().polarity_scores(sentence)["compound"] >= WARM_COMPOUND


#: Sentences in which a check's own patterns do not count either.
VETOES = {"shouting": _warm}


def _vetoed(rule: ToneRule, sentence: str) -> bool:
    veto = VETOES.get(rule.check or "")
    return bool(veto and veto(sentence))


def _has_shouted_word(sentence: str, cues: _Cues, *, stressed_only: bool = False) -> bool:
    """A word in capitals that is not a listed short form. With ``stressed_only``
    (a warm sentence), only a long word that is neither warm nor an intensifier
    counts, and only among ordinary words: a run of capitals (a name, a heading,
    "THANK YOU SO MUCH") does not."""
    words = [m.group().replace("'", "") for m in _CAPS.finditer(sentence)]
    for word in words:
        if word in cues.acronyms:
            continue
        if stressed_only:
            if (len(word) >= SHOUT_LETTERS and len(words) == 1
                    and _vader_valence(word.lower()) <= 0 and not _intensifier(word.lower())):
                return True
            continue
        if len(word) >= SHOUT_LETTERS or word.lower() in _SHORT_WORDS \
                or _vader_valence(word.lower()) != 0:
            return True
    return False


def _intensifier(word: str) -> bool:
    """VADER's intensifiers ("really", "so", "extremely"): stress, not anger."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT

    return word in BOOSTER_DICT


def _sarcasm(sentence, lower, cues, aimed, compiled) -> bool:
    """Sarcastic turns of phrase, and the shapes sarcasm takes in polite words:

    * praise or thanks undercut in the same breath ("It was kind of you to
      write, given you had already decided"; "Thank you for replying, albeit
      a month late");
    * "How disappointing to realize …": a judging word, then what the writer
      found out (a listed adjective, or one VADER scores negative that is not
      the writer's own feeling);
    * scare quotes around the reader's own words, in a sentence aimed at the
      reader ("your "careful consideration"");
    * a good wish soured by the rejection ("I hope you thrive despite not
      having hired me");
    * a rhetorical question (see :func:`_rhetorical`).
    """
    if cues.find("phrases", lower):
        return True
    if cues.find("hedges", lower) and not _warm(sentence):
        return True
    praise = cues.find("praise", lower)
    if praise and cues.find("undercut", lower[praise.end():]):
        return True
    wish = cues.find("wishes", lower)
    if wish and cues.find("spite", lower[wish.end():]):
        return True
    if _rhetorical(sentence, lower, cues, compiled):
        return True
    if _how_adjective_to_realize(lower, cues, compiled):
        return True
    return aimed and any(cues.find("quoted", _lower(_straighten(quoted)))
                         for quoted in _scare_quoted(sentence))


#: A question that opens on a negated helper verb: "Doesn't that count …?",
#: "Isn't ten years enough?".
_NEGATED_OPENING = re.compile(
    r"^\W*(?:(?:and|but|so|well|then)[\s,]+)?(?:doesn't|don't|isn't|aren't|wasn't|weren't|"
    r"didn't|shouldn't|hasn't|haven't|does\s+\w+\s+not|do\s+\w+\s+not|is\s+\w+\s+not)\b")


def _rhetorical(sentence: str, lower: str, cues: _Cues, compiled: _Compiled) -> bool:
    """A question that answers itself, to score a point rather than to learn:

    * one holding a ``rhetorical`` phrase ("Is everyone you hire a genius?",
      "What more do you want?");
    * one about whether something counts (a ``values`` word: count, matter,
      enough …) that opens on a negated helper verb ("Doesn't loyalty count for
      anything?") or says "any more" (a ``lately`` word: "Does experience
      matter these days?").

    A question that asks for help (feedback, advice …) is sincere.
    """
    if "?" not in sentence or (compiled.help is not None and compiled.help.search(lower)):
        return False
    if cues.find("rhetorical", lower):
        return True
    if not cues.find("values", lower):
        return False
    return bool(_NEGATED_OPENING.match(lower) or cues.find("lately", lower))


#: "How disappointing to realize", "How convenient to find out".
_HOW_ADJECTIVE = re.compile(r"(?:^|[\s,;:(\-])(?:how|what\s+an?)\s+([a-z]+)\s+"
                            r"(?:it\s+(?:is|was)\s+)?(?:to|that)\s+")


def _how_adjective_to_realize(lower: str, cues: _Cues, compiled: _Compiled) -> bool:
    for match in _HOW_ADJECTIVE.finditer(lower):
        adjective = match.group(1)
        if not cues.find("realize", lower[match.end():match.end() + 40]):
            continue
        if cues.lists.get("adjectives") is not None and cues.lists["adjectives"].fullmatch(
                adjective):
            return True
        own_feeling = compiled.feelings is not None and compiled.feelings.fullmatch(adjective)
        if not own_feeling and _vader_valence(adjective) <= -1.0:
            return True
    return False


#: A short quoted span: "careful consideration", “fit”, 'professional' (single
#: quotes only around whole words, so that "don't … it's" is no quotation).
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]{2,40})[\"\u201d]"
                     r"|(?<![\w'\u2019])['\u2018]([^'\u2018\u2019\n]{2,40})['\u2019](?![\w'])")


def _scare_quoted(sentence: str) -> list[str]:
    """Quoted spans of at most four words: a longer quotation reports speech."""
    spans = [m.group(1) or m.group(2) for m in _QUOTED.finditer(sentence)]
    return [span for span in spans if len(span.split()) <= 4]


def _demand(sentence, lower, cues, aimed, compiled) -> bool:
    """Demand phrases; "I require / insist …"; a command ("Tell me why."); and
    a request with a deadline ("Send me the notes by Friday", "I want my
    feedback now"), unless it is softened ("please", "if you can")."""
    if cues.find("phrases", lower):
        return True
    verbs = cues.lists.get("verbs")
    if verbs is not None and _after_i(lower, verbs):
        return True
    commands = cues.lists.get("commands")
    words = _WORDS.findall(lower)
    if commands is not None and len(words) > 1 and commands.fullmatch(words[0]) \
            and words[1] in ("me", "us", "why", "what", "how", "your", "my"):
        return True
    return _with_deadline(lower, words, cues)


#: "now" at the end of a request: "I want my feedback now."
_NOW_AT_END = re.compile(r"(?<![\w'])(?:now|right\s+now)\W*$")
_SOFTENED = re.compile(r"(?<![\w'])(?:please|if\s+you\s+(?:can|could|have)|when\s+you\s+"
                       r"(?:can|have)|would\s+you|could\s+you|grateful|appreciate|"
                       r"if\s+(?:that|it|this)\s+(?:would\s+)?helps?|if\s+possible)\b")
_I_WANT = re.compile(r"(?<![\w'])i\s+(?:want|need|expect)\s+(?:my|the|an?|your|to\s+"
                     r"(?:get|have|hear|see|receive))\b")


def _with_deadline(lower: str, words: list[str], cues: _Cues) -> bool:
    """A curt request that sets the reader a deadline: a command or "I want / need"
    with a ``deadlines`` word or a closing "now"."""
    if _SOFTENED.search(lower):
        return False
    if not (cues.find("deadlines", lower) or _NOW_AT_END.search(lower)):
        return False
    requests = cues.lists.get("requests")
    return bool((requests is not None and words and requests.fullmatch(words[0]))
                or _I_WANT.search(lower))


def _accusation(sentence, lower, cues, aimed, compiled) -> bool:
    """Blame phrases; blame words aimed at the reader; "you" with "clearly"
    close behind in a sentence that is not praise ("you had clearly decided");
    and a hostile question put to the reader ("Why are you wasting my time?")
    that asks for no help. Blame denied is no blame: "it was no waste of
    time", "not a joke at all"."""
    blame = [m for m in _finditer(cues.lists.get("phrases"), lower) if not denied(lower, m.start())]
    if aimed:
        blame += [m for m in _finditer(cues.lists.get("words"), lower)
                  if not denied(lower, m.start())]
    if blame:
        return True
    if _YOU_CLEARLY.search(lower) and _compound(sentence) < PRAISE_COMPOUND:
        return True
    return (_hostile_question(sentence, lower, compiled) or _reproach(sentence, lower, cues)
            or _lecture(lower, cues))


# --- reproach: a rule of courtesy the reader broke ----------------------------------

#: "should have", "could have", "would of been", "ought to have": what someone
#: else ought to have done. Its subject is checked apart (see _others_ought).
_OUGHT = re.compile(r"(?<![\w'])(?:should|shouldn't|could|couldn't|would|wouldn't|ought\s+to|"
                    r"might)(?:\s+not)?\s+(?:(?:just|simply|at\s+least|even|really|surely|"
                    r"easily)\s+)?(?:have|of|'ve)(?![\w'])")
_OUGHT_SHORT = re.compile(r"(?<![\w'])(?:should|could|would)'ve(?![\w'])")
#: "I wish that had been mentioned", "I wish you had told me": a wish about
#: what someone else did (a wish about the writer's own doing is regret).
_WISH_OTHERS = re.compile(r"(?<![\w'])wish(?:ed)?\s+(?:that|you|they|he|she|it|someone|"
                          r"somebody|the\s+[a-z]+|your\s+[a-z]+)\s+(?:had|would|could|"
                          r"hadn't|wouldn't)(?![\w'])")
#: The writer (or the writer and others) as the one who ought to have acted:
#: "I should have prepared", "we could have talked longer" are regret, not reproach.
_FIRST_PERSON = frozenset({"i", "we", "i'd", "we'd", "me", "myself", "us"})
#: "You couldn't have been more helpful": a negated "could have been more" is praise.
_PRAISE_COMPARATIVE = re.compile(r"(?:couldn't|could\s+not|wouldn't|would\s+not)\s+have\s+"
                                 r"been\s+(?:any\s+)?more\b")
#: "should have told", "would have been", "should not have been invited": a
#: past participle after the frame (not "should have my CV", a possession).
_PARTICIPLE_NEXT = re.compile(
    r"\s+(?:(?:just|simply|at\s+least|even|really|already|probably|easily|not|never)\s+)*"
    r"(?:been|[a-z]+(?:ed|en|wn)|told|said|sent|made|let|thought|known|got|had|put|paid|"
    r"brought|heard|met|read|done|gone|kept|left|felt|taken|given|shown|spent|found|"
    r"written|replied|bothered)(?![\w'])")
#: Where the clause after "should have" ends: "You could have hired anyone, and
#: I am grateful you considered me" reproaches nobody.
_CLAUSE_END = re.compile(r"[,;:]|\s+(?:and|but|so)\s+")
#: Someone other than the writer who did not do a courtesy: "they did not say
#: thank you", "nobody bothered to reply", "he never apologised".
_OTHERS_FAILED = re.compile(
    r"(?<![\w'])(?:you|they|he|she|nobody|no\s+one|none\s+of\s+them|the\s+[a-z]+|your\s+[a-z]+"
    r"|hr|it)\s+(?:[a-z]+\s+)?(?:did\s+not|didn't|never|couldn't|could\s+not|failed\s+to|"
    r"refused\s+to|wouldn't|would\s+not|won't|will\s+not)\s+(?:even\s+)?(?:bother\s+to\s+)?"
    r"(?:have\s+the\s+(?:decency|courtesy)\s+to\s+)?")


def _reproach(sentence: str, lower: str, cues: _Cues) -> bool:
    """A complaint about how the reader or their firm treated the writer, told
    as a rule of courtesy they broke (``reproaches``, ``norms``, ``duties``,
    ``courtesies`` and ``accepting`` in the accusation rule's cues):

    * a reproach phrase ("the least they could do", "made me wait", "not how
      you treat people");
    * what someone else ought to have done, about a courtesy or a duty of the
      process: "It would have been more polite to tell me sooner", "they should
      have just cancelled the interview", "I wish that had been mentioned
      earlier";
    * a courtesy someone else failed to show: "They did not say thank you",
      "nobody bothered to reply".

    The writer's own regret ("I should have prepared better"), praise ("you
    couldn't have been more helpful") and acceptance ("I understand you
    couldn't reply to everyone") are not reproach.
    """
    if cues.find("reproaches", lower):
        return True
    if cues.find("accepting", lower):
        return False
    frames = [(m, True) for m in [*_OUGHT.finditer(lower), *_OUGHT_SHORT.finditer(lower)]]
    frames += [(m, False) for m in _WISH_OTHERS.finditer(lower)]  # "I wish" names the wisher
    for match, subject_before in frames:
        before = _WORDS.findall(lower[max(0, match.start() - 24):match.start()])
        if subject_before and before and before[-1] in _FIRST_PERSON:
            continue
        if _PRAISE_COMPARATIVE.match(lower, match.start()):
            continue
        if not _PARTICIPLE_NEXT.match(lower, match.end()):
            continue  # "You should have my CV by now": a possession, not a past duty
        after = _CLAUSE_END.split(lower[match.end():match.end() + 70], maxsplit=1)[0]
        if cues.find("norms", after) or cues.find("duties", after):
            return True
    courtesies = cues.lists.get("courtesies")
    if courtesies is not None:
        for match in _OTHERS_FAILED.finditer(lower):
            if courtesies.match(lower, match.end()):
                return True
    return False


# --- lecture: telling the reader how to run their hiring ------------------------------

#: What may come before the advice: "And", "But", "So", "Also".
_LEAD_IN = re.compile(r"^\W*(?:(?:and|but|so|also|frankly|honestly|finally)[\s,]+)*")
#: The advice asks something of the writer ("please keep me in mind", "please
#: pass on my thanks"): a request, not a lecture.
_ABOUT_ME_NEXT = re.compile(r"\W*(?:[a-z']+\s+){0,2}?(?:me|my|us|our|myself)(?![\w'])")


#: "You should be proud of how your team treats candidates" is praise.
_PRAISE_NEXT = re.compile(r"\s+(?:(?:really|all)\s+)?(?:be\s+(?:so\s+|very\s+|really\s+)?"
                          r"(?:proud|pleased|glad|delighted|happy|thrilled)|feel\s+(?:proud|"
                          r"good)|know\s+(?:how|that)\s+(?:much|grateful|thankful))\b")


def _lecture(lower: str, cues: _Cues) -> bool:
    """Advice to the reader on how they treat candidates: a sentence that opens
    as advice or an order (``openers``: "Please consider…", "May I suggest…",
    "Have some…", "You should…") and is about their conduct towards people
    who apply (``conduct``: candidates, applicants, courtesy, respect,
    improving the process). "Please keep me in mind" asks for the writer and is
    no lecture; neither is advice about anything but their hiring.
    """
    openers = cues.lists.get("openers")
    if openers is None or cues.lists.get("conduct") is None:
        return False
    start = _LEAD_IN.match(lower).end()
    opener = openers.match(lower, start)
    if opener is None or _ABOUT_ME_NEXT.match(lower, opener.end()) \
            or _PRAISE_NEXT.match(lower, opener.end()):
        return False
    return bool(cues.find("conduct", lower[opener.end():]))


#: A denial just before a blame phrase: "no waste of time", "by no means a
#: joke", "wasn't a waste of time".
_DENIAL_BEFORE = re.compile(
    r"(?:(?<![\w'])(?:no|not|never|hardly|scarcely)|n't|(?<![\w'])by\s+no\s+means|"
    r"(?<![\w'])far\s+from)(?:\s+(?:a|an|at\s+all|really|even))?\s+$")


def denied(lower: str, start: int) -> bool:
    """True when the words just before ``start`` deny what follows ("no waste of
    time"). Used for blame, where a denial turns the phrase into reassurance."""
    return bool(_DENIAL_BEFORE.search(lower, max(0, start - 30), start))


#: "you clearly", "you had obviously", "you were evidently": a claim about the
#: reader's mind.
_YOU_CLEARLY = re.compile(r"(?<![\w'])you(?:\s+[\w']+){0,2}?\s+(?:clearly|obviously|evidently)\b")
_SECOND_PERSON = re.compile(
    r"(?<![\w'])(?:you|your|you're|you've|you'd|you'll|yourselves)(?![\w'])")


def _hostile_question(sentence: str, lower: str, compiled: _Compiled) -> bool:
    """A question to "you" that scores hostile and asks for no help: rhetorical."""
    if "?" not in sentence or not _SECOND_PERSON.search(lower):
        return False
    return _negative_judgement(lower, compiled) and _compound(sentence) <= HOSTILE_QUESTION


#: A sentence about roles still to come: "a position will turn up … for which I
#: am a perfect fit" hopes; it does not argue with the decision made.
_LOOKS_AHEAD = re.compile(
    r"\b(?:future|(?:turn|turns|come|comes|open|opens)\s+up|next\s+(?:time|opening|role|"
    r"vacancy)|down\s+the\s+road|(?:another|other|new)\s+(?:openings?|roles?|positions?|"
    r"vacanc\w+|opportunit\w+))\b")


def _arguing(sentence, lower, cues, aimed, compiled) -> bool:
    """Arguing phrases; a fit claim counts only about the decision made, not in a
    sentence that looks ahead to other roles."""
    ahead = bool(_LOOKS_AHEAD.search(lower))
    for match in _finditer(cues.lists.get("phrases"), lower):
        if not (ahead and cues.find("fit", match.group())):
            return True
    beliefs = cues.lists.get("beliefs")
    if beliefs is None or not cues.find("fit", lower):
        return False
    return _after_i(lower, beliefs) or _believed_of_myself(lower, beliefs)


#: Someone other than the writer who believed it: "you thought I was a strong
#: candidate" is praise the writer passes on, not an argument.
_OTHER_BELIEVERS = frozenset({"you", "they", "he", "she", "we", "everyone", "everybody",
                              "someone", "people", "panel", "team", "interviewer", "manager",
                              "recruiter", "others", "all"})
_OF_MYSELF = re.compile(r"\s+(?:that\s+)?(?:i|i'd|i'm|my|myself)(?![\w'])")


def _believed_of_myself(lower: str, beliefs: re.Pattern[str]) -> bool:
    """"…and thought I was a prime candidate": a belief about the writer whose
    subject is the writer, even when "I" came earlier in the sentence."""
    for match in beliefs.finditer(lower):
        before = _WORDS.findall(lower[max(0, match.start() - 20):match.start()])
        if before and before[-1] in _OTHER_BELIEVERS:
            continue
        if _OF_MYSELF.match(lower, match.end()):
            return True
    return False


def _after_i(lower: str, regex: re.Pattern[str], *, within: int = 2) -> bool:
    """True when ``regex`` matches a word soon after "I", with no "not" between:
    "I require", "I really thought", but not "I don't require"."""
    for i_word in re.finditer(r"(?<![\w'])i(?![\w'])", lower):
        at = i_word.end()
        for _ in range(within + 1):
            gap = re.match(r"\s+", lower[at:])
            if not gap:
                break
            at += gap.end()
            if regex.match(lower, at):
                return True
            word = re.match(r"[\w']+", lower[at:])
            if not word or word.group() in _NEGATIONS or word.group().endswith("n't"):
                break
            at += word.end()
    return False


#: "why" as it is typed in a hurry: "whyyy", and "y" where only "why" fits
#: (opening the sentence before "tho", "not", "u" …, or alone with "?").
_WHY_STRETCHED = re.compile(r"(?<![\w'])wh+y{2,}(?![\w'])")
_Y_FOR_WHY = re.compile(r"^(\W*)y(?=\s+(?:tho|though|not|u|you|me|would|did|didn't|was|"
                        r"wasn't|were|weren't|r|are|then)\b|\s*\?+\W*$)")
#: A sentence that is only the question: "But why", "y tho", "How come?",
#: "Why not me?". It asks even with no question mark.
_BARE_WHY = re.compile(
    r"^\W*(?:(?:but|so|ok|okay|and|well|seriously|honestly)[\s,]+)*(?:why|how\s+come|"
    r"what\s+gives)(?:[\s,]+(?:tho|though|then|exactly|really|not|me|not\s+me|so|"
    r"was\s+that|is\s+that))*\W*$")
#: Words that may follow "why" at the end of a question without changing it:
#: "Why though?", "why exactly?".
_WHY_FILLERS = frozenset({"tho", "though", "then", "exactly", "really", "so", "is that",
                          "was that", "not", "me", "not me"})


def _spelled_out(lower: str) -> str:
    """The sentence with text-speak for "why" written out (for reading only)."""
    lower = _WHY_STRETCHED.sub("why", lower)
    return _Y_FOR_WHY.sub(lambda m: m.group(1) + "why", lower)


def _asking_why(sentence, lower, cues, aimed, compiled) -> bool:
    """A request or question for the reason one was not chosen.

    "why" (also "how come", "what gives", and text-speak such as "y tho")
    counts when the decision or the writer ("I", "me", "not") follows it
    closely, or when it ends the question ("understand why?", "why though?");
    a sentence that is only the question ("But why") asks with no question
    mark. Other reason words ("the reason", "the deciding factor") need a
    decision word, or an explicit request ("explain the reason"). Thanks for
    an explanation already given is not a request.
    """
    lower = _spelled_out(lower)
    if _BARE_WHY.match(lower):
        return True
    requested = any(not _THANKS_FOR.search(lower, max(0, m.start() - 24), m.start())
                    for m in _finditer(cues.lists.get("asking"), lower))
    if not (requested or "?" in sentence):
        return False
    if "?" in sentence and (cues.find("guesses", lower) or _SHORT_GUESS.search(lower)) \
            and not _help_asked(lower, compiled):
        return True  # "Was it my age?": a guess at the reason asks for it
    decision = cues.find("decision", lower)
    for match in _finditer(cues.lists.get("reasons"), lower):
        if _NOT_ASKING_WHY.search(lower, max(0, match.start() - 12), match.end()):
            continue
        if _I_EXPLAIN_WHY.search(lower[max(0, match.start() - 40):match.start()]):
            continue
        if _DISCLAIMS_ASKING.search(lower[max(0, match.start() - 40):match.start()]):
            continue
        if _ACCEPTS.search(lower[max(0, match.start() - 30):match.end()]):
            continue
        if _WHY_WORD.fullmatch(match.group()):
            after = lower[match.end():]
            rest = " ".join(after.strip(" ?!.\"')").split())
            if _WHY_ABOUT_ME.match(after) or not rest or rest in _WHY_FILLERS:
                return True
            if decision and decision.start() > match.start():
                return True
        elif decision or requested:
            return True  # "explain the reason" asks for it even with no decision word
    return False


#: A short guess at the reason: "Was it my age?", "Was it my accent, then?".
_SHORT_GUESS = re.compile(r"(?<![\w'])was\s+it\s+(?:my|me|the\s+fact)(?:[\s,]+[\w'-]+){0,3}"
                          r"\s*\?")


def _help_asked(lower: str, compiled: _Compiled) -> bool:
    return compiled.help is not None and bool(compiled.help.search(lower))


_WHY_WORD = re.compile(r"why|how\s+come|what\s+gives")


def _finditer(regex: re.Pattern[str] | None, text: str) -> Iterator[re.Match[str]]:
    return regex.finditer(text) if regex is not None else iter(())


CHECKS = {"insult": _insult, "shouting": _shouting, "sarcasm": _sarcasm, "demand": _demand,
          "accusation": _accusation, "arguing": _arguing, "asking_why": _asking_why}
