"""Find the company, role, sender and date in a pasted rejection email.

Pure functions over the text: nothing here touches widgets or the store. The
log step offers what it finds for the client to check, never saving it
unseen, so a guess that is wrong costs a correction, not a silent error.
Each field carries the words it came from, so the client sees why.

>>> found = extract_fields("Dear Sam,\\nThank you for applying for the Data Analyst "
...                        "position at Acme Ltd.\\n\\nBest regards,\\nJo Park")
>>> found.role.value, found.company.value, found.contact.value
('Data Analyst', 'Acme Ltd', 'Jo Park')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

#: Read at most this much of a paste: a rejection email is far shorter.
MAX_READ = 20_000

_UPPER = "A-ZÁÉÍÓÚÑÜ"
_LOWER = "a-záéíóúñü"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}A-Z'\-]+"
#: Spanish surnames may hold "de", "del", "de la" ("María de la Fuente").
_PARTICLE = r"(?:de(?:\s+la|\s+los)?|del|y)"
_PERSON = re.compile(
    rf"^\s*((?:{_NAME_WORD}|[A-Z]\.|(?:Sra?|Dña?|D)\.)"
    rf"(?:\s+(?:{_PARTICLE}\s+)?(?:{_NAME_WORD}|[A-Z]\.)){{1,4}})\s*$")
_SIGN_OFF = re.compile(
    r"^\s*(?:best(?:\s+wishes|\s+regards)?|kind(?:est)?\s+regards|warm(?:est)?\s+regards|"
    r"regards|sincerely(?:\s+yours)?|yours(?:\s+sincerely|\s+faithfully|\s+truly)?|"
    r"many\s+thanks|thanks(?:\s+again)?|thank\s+you|cheers|all\s+the\s+best|respectfully|"
    r"with\s+(?:best\s+)?wishes|"
    # Spanish letters: "Atentamente,", "Un cordial saludo,", "Reciba un cordial saludo."
    r"atentamente|cordialmente|saludos(?:\s+cordiales)?|un\s+saludo(?:\s+cordial)?|"
    r"(?:reciba|recibe|le\s+envío|le\s+enviamos)?\s*un\s+(?:cordial|afectuoso|atento)\s+saludo|"
    r"(?:muchas\s+)?gracias(?:\s+de\s+nuevo)?(?:\s+y\s+un\s+(?:saludo|abrazo))?|un\s+abrazo|"
    r"sin\s+otro\s+particular)\s*[,.!]?\s*$", re.IGNORECASE)
_HEADER = re.compile(r"^\s*(from|sent|date|subject|to|de|enviado|enviado\s+el|fecha|asunto|para)"
                     r"\s*:\s*(.*)$", re.IGNORECASE)
#: A Spanish mail client's header names, as the English ones they stand for.
_HEADER_NAMES = {"de": "from", "enviado": "sent", "enviado el": "sent", "fecha": "date",
                 "asunto": "subject", "para": "to"}
#: Words that end a company or role name when read from running text.
_STOP = (r"(?=\s*(?:[.,;:!?()\n]|\s(?:and|but|for|has|have|had|is|was|we|who|which|that|as"
         r"|in|on|to|at|with|after|this)\b|$))")
_ROLE_WORDS = r"(?:position|role|post|job|vacancy|opening|opportunity)"
#: Lower-case words that never name a role ("the time to apply for a position").
_NOT_ROLE = (r"(?:to|for|a|an|the|of|apply|applying|time|open|above|same|other|this|that|new"
             r"|current|specific|advertised|recent|exciting|particular|available|right|next)")
_ROLE_PATTERNS = (
    re.compile(rf"\b(?:position|role|post|vacancy)\s+of\s+(?:an?\s+|the\s+)?"
               rf"([A-Za-z][\w/&+\- ]{{1,60}}?){_STOP}", re.IGNORECASE),
    re.compile(rf"\b(?:the|our|your|this|an?|open)\s+((?:[A-Z][\w/&+\-]*\s+){{0,5}}[A-Z][\w/&+\-]*)\s+"
               rf"(?:{_ROLE_WORDS})\b"),
    re.compile(rf"\b(?:the|our|your|this)\s+((?:(?!{_NOT_ROLE}\b)[a-z][\w/&+\-]*\s+){{0,3}}"
               rf"(?!{_NOT_ROLE}\b)[a-z][\w/&+\-]*)\s+(?:{_ROLE_WORDS})\b(?!\s+description)"),
    re.compile(r"\b(?:applying|applied|application|interviewing|interview)\s+for\s+(?:the\s+|our\s+|an?\s+)?"
               r"((?:[A-Z][\w/&+\-]*\s+){0,5}[A-Z][\w/&+\-]*)\b"),
)
_COMPANY_NAME = r"((?:[A-Z][\w&'\-]*|&)(?:\s+(?:[A-Z][\w&'\-]*|&|of|and|for|the)){0,5})"
_COMPANY_PATTERNS = (
    re.compile(rf"\b(?:position|role|post|job|vacancy|opportunity|career|opportunities|employment)\s+"
               rf"(?:at|with)\s+{_COMPANY_NAME}"),
    re.compile(rf"\b(?:interest\s+in|applying\s+to|applied\s+to|join(?:ing)?|team\s+at|here\s+at|"
               rf"working\s+(?:at|for)\s+us\s+at|on\s+behalf\s+of)\s+{_COMPANY_NAME}"),
    re.compile(rf"\b{_COMPANY_NAME}\s+(?:is\s+an\s+equal\s+opportunit|hiring\s+(?:team|department)|"
               rf"(?:human\s+resources|HR|recruitment|talent)\s+(?:team|department))"),
)
#: Spanish: what ends a role or company read from running text ("el puesto de
#: Analista de Datos en Acme" ends the role at "en").
_STOP_ES = (r"(?=\s*(?:[.,;:!?()«»\"\n]|\s(?:en|y|e|que|con|para|por|a|al|ha|han|hemos|le|les"
            r"|nos|os|se|te|lo|dentro|durante|desde|tras|aunque|pero|sin|según|donde|cuyo|cuya"
            r"|ofertad[oa]|publicad[oa]|anunciad[oa])\b|$))")
_ROLE_WORDS_ES = r"(?:puesto|posición|posicion|vacante|plaza|cargo|oferta|rol)"
#: Words after "el puesto de" that say what kind of post, not which one.
_NOT_ROLE_ES = frozenset("""
    trabajo empleo selección seleccion prácticas practicas este esta ese esa nuestro nuestra
    su tu un una el la los las otro otra mismo misma referencia interés interes
    estimado estimada hola gracias lamentablemente
""".split())
_ROLE_PATTERNS_ES = (
    re.compile(rf"\b{_ROLE_WORDS_ES}\s+(?:de\s+trabajo\s+)?(?:de|como)\s+(?:una?\s+|el\s+|la\s+)?"
               rf"([\w/&+\- ]{{1,60}}?){_STOP_ES}", re.IGNORECASE),
    re.compile(rf"\b(?:el|la|al|del)\s+{_ROLE_WORDS_ES}\s+((?:[{_UPPER}][\w/&+\-]*\s*){{1,5}}?)"
               rf"{_STOP_ES}"),
    re.compile(rf"\b(?:candidatura|solicitud|entrevista|seleccionad[oa]s?|preseleccionad[oa]s?|"
               rf"contratar(?:te|le)?|incorporar(?:te|se)?)\s+(?:personal\s+)?como\s+"
               rf"(?:una?\s+)?([\w/&+\- ]{{1,60}}?){_STOP_ES}", re.IGNORECASE),
)
#: A capitalised word of a company's name; a dot only inside it ("S.A", "Cía.").
_COMPANY_WORD_ES = rf"[{_UPPER}][\w&'\-]*(?:\.(?=\w)[\w&'\-]*)*"
_COMPANY_NAME_ES = (rf"((?:{_COMPANY_WORD_ES}|&)"
                    rf"(?:\s+(?:{_COMPANY_WORD_ES}|&|del|de|y|las|los|la)\b){{0,5}})")
_COMPANY_PATTERNS_ES = (
    re.compile(rf"\b{_ROLE_WORDS_ES}\b[^.\n]{{0,80}}?\b(?:en|para)\s+(?:la\s+empresa\s+)?"
               rf"{_COMPANY_NAME_ES}"),
    re.compile(rf"\b(?:inter[eé]s\s+(?:en|por)|formar\s+parte\s+de|unirte\s+a|unirse\s+a|"
               rf"incorporarte\s+a|trabajar\s+(?:con\s+nosotros\s+)?en|en\s+nombre\s+de|"
               rf"(?:equipo|departamento)\s+de\s+(?:selecci[oó]n|recursos\s+humanos|RR\.?\s*HH\.?|"
               rf"personas|talento)\s+de|equipo\s+de|aqu[ií]\s+en|candidatura\s+(?:a|en))\s+"
               rf"{_COMPANY_NAME_ES}"),
)
#: Spanish words that begin a sentence, greet or name a department, never a company.
_NOT_COMPANY_ES = frozenset("""
    Estimado Estimada Estimados Estimadas Hola Buenos Buenas Querido Querida Gracias
    Lamentablemente Desafortunadamente Sin Le Te Les Nos Nuestro Nuestra Su Tu Usted El La Los
    Las Un Una Por Tras Después Despues Atentamente Saludos Cordial Reciba Recibe Muchas Equipo
    Departamento Recursos Humanos Selección Seleccion RR HH RRHH Talento Personas Puesto Oferta
    Sr Sra Sres Don Doña Dña Dpto Responsable Director Directora Gerente Técnico Técnica
    Reclutador Reclutadora Jefe Jefa Coordinador Coordinadora Analista Madrid Barcelona
    Valencia Sevilla España México Argentina Chile Colombia Perú Lima Bogotá
""".split())
_SPANISH_MONTHS = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre "
                   "noviembre diciembre").split()
_MONTH_ES = (r"(?:ene|feb|mar|abr|may|jun|jul|ago|sep|sept|set|oct|nov|dic)"
             r"[a-zñ]*\.?")

#: Capitalised words that begin sentences or name roles, never a company.
_NOT_COMPANY = frozenset("""
    I We You Our Your The This That Thank Thanks Dear Unfortunately However After Please
    Best Regards Sincerely Kind Hi Hello Position Role Team
    Human Resources HR Hiring Recruiting Recruitment Department Manager Director Recruiter
    Mr Mrs Ms Dr Senior Junior Chief Head Lead Officer
""".split())
_NOT_COMPANY = _NOT_COMPANY | _NOT_COMPANY_ES
#: Capitalised words a signature's name line never holds.
_NOT_PERSON = frozenset(_NOT_COMPANY - {"Mr", "Mrs", "Ms", "Dr", "Sr", "Sra", "Don", "Doña",
                                        "Dña"})
#: Capitalised words that may begin a job title.
_TITLE_START = frozenset({"Senior", "Junior", "Chief", "Head", "Lead"})
_TITLE_WORDS = re.compile(
    r"\b(?:manager|director|recruiter|officer|head|lead|partner|coordinator|specialist|"
    r"assistant|chief|president|vp|hr|talent|people|staff|resources|acquisition|team|"
    r"responsable|director[a]?|gerente|t[eé]cnic[oa]|reclutador[a]?|selecci[oó]n|"
    r"departamento|dpto|coordinador[a]?|jef[ea]|equipo|recursos|humanos|rr\.?\s*hh|rrhh|"
    r"talento|personas|analista)\b",
    re.IGNORECASE)
_MONTHS = ("january february march april may june july august september october november "
           "december").split()
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS = (
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\s*,?\s+(\d{{4}})\b",
               re.IGNORECASE),
    re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
    # "12 de marzo de 2026", "lunes, 12 de marzo de 2026", "12 mar 2026"
    re.compile(rf"\b(\d{{1,2}})\s+(?:de\s+)?({_MONTH_ES})\s*(?:de\s+|del\s+|,\s*)?(\d{{4}})\b",
               re.IGNORECASE),
)


@dataclass(frozen=True)
class Found:
    """A value read from the email and the words it was read from."""

    value: str | date
    evidence: str

    def __str__(self) -> str:
        return self.value.isoformat() if isinstance(self.value, date) else str(self.value)


@dataclass(frozen=True)
class EmailFields:
    """What a pasted email says about the rejection; ``None`` where it says nothing."""

    company: Found | None = None
    role: Found | None = None
    contact: Found | None = None
    date: Found | None = None

    def found(self) -> dict[str, Found]:
        """The fields that were found, by name, in a fixed order."""
        return {name: value for name in ("company", "role", "contact", "date")
                if (value := getattr(self, name)) is not None}


def extract_fields(text: str) -> EmailFields:
    """Read company, role, sender's name and the date sent from a pasted email."""
    text = (text or "")[:MAX_READ].replace("\r\n", "\n").replace("\u2019", "'")
    lines = text.split("\n")
    headers = _headers(lines)
    return EmailFields(
        company=_company(text, lines),
        role=_role(text, headers.get("subject", "")),
        contact=_contact(lines, headers.get("from", "")),
        date=_date(headers.get("date") or headers.get("sent") or _date_line(lines)),
    )


def _date_line(lines: list[str]) -> str:
    """A line near the top that is only a date, as mail clients and letters show it."""
    for line in lines[:12]:
        stripped = line.strip(" .,")
        if stripped and len(stripped) <= 40 and any(
                pattern.search(stripped) for pattern in _DATE_PATTERNS) and not re.search(
                r"\b(?:dear|hi|hello|thank|we|you|your|estimad[oa]s?|hola|gracias|hemos|le|te"
                r"|su|tu|usted|nos)\b", stripped, re.IGNORECASE):
            return stripped
    return ""


def _headers(lines: list[str]) -> dict[str, str]:
    """``From:``, ``Sent:``, ``Date:``, ``Subject:`` lines a mail client copies along."""
    found: dict[str, str] = {}
    for line in lines[:40]:
        match = _HEADER.match(line)
        if not match:
            continue
        name = " ".join(match.group(1).lower().split())
        name = _HEADER_NAMES.get(name, name)
        if name not in found:
            found[name] = match.group(2).strip()
    return found


def _clean(value: str) -> str:
    return " ".join(value.strip(" .,;:'\"").split())


def _role(text: str, subject: str) -> Found | None:
    for source in (text, subject):
        for pattern in _ROLE_PATTERNS:
            for match in pattern.finditer(source):
                value = _clean(match.group(1))
                value = re.sub(r"^(?:open|current|advertised|recent|exciting)\s+", "", value,
                               flags=re.IGNORECASE)
                first = value.split()[0] if value else ""
                if not value or first in _NOT_COMPANY - _TITLE_START:
                    continue
                return Found(value, match.group(0).strip())
    for source in (text, subject):
        for pattern in _ROLE_PATTERNS_ES:
            for match in pattern.finditer(source):
                value = _clean(match.group(1))
                first = value.split()[0] if value else ""
                if not value or first.lower() in _NOT_ROLE_ES:
                    continue
                return Found(value, match.group(0).strip())
    return None


#: Words a company name read from running text does not end with.
_TRAILING = frozenset({"of", "and", "for", "the", "&", "de", "del", "y", "la", "las", "los"})


def _company(text: str, lines: list[str]) -> Found | None:
    for pattern in _COMPANY_PATTERNS + _COMPANY_PATTERNS_ES:
        for match in pattern.finditer(text):
            value = _clean(match.group(1))
            words = value.split()
            while words and words[0].rstrip(".") in _NOT_COMPANY:
                words.pop(0)
            while words and words[-1] in _TRAILING:
                words.pop()
            value = " ".join(words)
            if value and value not in _NOT_COMPANY and not _PERSON_NAME_ONLY.match(value):
                said = match.group(0)
                if pattern in _COMPANY_PATTERNS_ES:  # end with the name, not a joining "y"
                    said = said[:said.rfind(words[-1]) + len(words[-1])]
                return Found(value, said.strip())
    return _company_from_signature(lines)


#: A company name read as two capitalised words could be a person; only the
#: signature tells them apart, so running text never yields a bare first name.
_PERSON_NAME_ONLY = re.compile(r"^(?:Dear|Hi|Hello)\b")


def _signature(lines: list[str]) -> list[str]:
    """The lines after the last sign-off ("Best regards,"), if any."""
    for i in range(len(lines) - 1, -1, -1):
        if _SIGN_OFF.match(lines[i]):
            return [line.strip() for line in lines[i + 1:] if line.strip()][:5]
    return []


def _company_from_signature(lines: list[str]) -> Found | None:
    """The signature's last line, when it is neither the name nor a job title."""
    block = _signature(lines)
    if len(block) < 2:
        return None
    for line in block[1:][::-1]:
        if _TITLE_WORDS.search(line) or "@" in line or re.search(r"\d{3}", line):
            continue
        if re.match(rf"^[{_UPPER}][\w&'.\-]*(?:\s+[\w&'.\-]+){{0,5}}$", line):
            return Found(_clean(line), line)
    return None


def _contact(lines: list[str], from_header: str) -> Found | None:
    block = _signature(lines)
    if block:
        first = block[0].rstrip(" .,")
        match = _PERSON.match(first)
        if match and not _TITLE_WORDS.search(first) and not _NOT_PERSON.intersection(
                first.split()):
            return Found(_clean(match.group(1)), block[0])
    if from_header:
        name = re.sub(r"<[^>]*>|\S+@\S+|\"", " ", from_header)
        match = _PERSON.match(name)
        if match:
            return Found(_clean(match.group(1)), f"From: {from_header}")
    return None


def _date(header: str) -> Found | None:
    """The date the email was sent, from a copied ``Date:`` or ``Sent:`` line."""
    if not header:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(header)
        if not match:
            continue
        parts = match.groups()
        try:
            if pattern is _DATE_PATTERNS[2]:
                day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            elif pattern is _DATE_PATTERNS[0]:
                day = date(int(parts[2]), _month(parts[1]), int(parts[0]))
            elif pattern is _DATE_PATTERNS[3]:
                day = date(int(parts[2]), _month(parts[1], _SPANISH_MONTHS), int(parts[0]))
            else:
                day = date(int(parts[2]), _month(parts[0]), int(parts[1]))
        except ValueError:
            continue
        return Found(day, header)
    for fmt in ("%a, %d %b %Y %H:%M:%S %z", "%d/%m/%Y", "%m/%d/%Y"):
        try:
            return Found(datetime.strptime(header.strip()[:31], fmt).date(), header)
        except ValueError:
            continue
    return None


def _month(word: str, names: list[str] = _MONTHS) -> int:
    word = word.lower().rstrip(".")
    if names is _SPANISH_MONTHS and word.startswith("set"):
        word = "sep"  # "setiembre", as written in several countries
    for i, name in enumerate(names, start=1):
        if name.startswith(word[:3]):
            return i
    raise ValueError(word)


__all__ = ["EmailFields", "Found", "extract_fields"]
