"""A corpus of hostile text for every free-text field of NextRound.

Each payload tries to run script where user text is shown: in the HTML
widget, in Markdown (and so MathJax), in plotly hover text and titles, in
the summary page and in the exported Markdown. Whatever runs calls
``alert('<id>')``, so a browser test fails on the first dialog, and the
payload's id says which one got through. Where nothing runs, the text must
show literally.

Kinds, as the reliability issue lists them: script tags, ``img onerror``,
``svg onload``, a closing ``</script>`` (and other raw-text closers),
``javascript:`` links, MathJax ``\\href{javascript:...}``, entity-encoded and
broken HTML, RTL and other control characters, and very long strings.
Browser journeys use :func:`fitting` to pick those that fit a field's limit.

Example::

    from payloads import PAYLOADS, fitting
    for payload in fitting(200):          # a client name holds 200 characters
        page.get_by_label("Name").fill(payload.text)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    """One hostile string: ``id`` is what it passes to ``alert``."""

    id: str
    kind: str
    text: str

    def __len__(self) -> int:
        return len(self.text)


#: Every kind the corpus must cover (checked by ``test_payloads.py``).
KINDS = ("script", "img-onerror", "svg-onload", "close-tag", "javascript-link", "mathjax",
         "entity-encoded", "broken-html", "event-handler", "markdown", "template", "rtl",
         "control", "long")

_RAW = [
    # script tags
    ("script", "<script>alert('{id}')</script>"),
    ("script", "<SCRIPT SRC=data:text/javascript,alert('{id}')></SCRIPT>"),
    ("script", "\"><script>alert('{id}')</script>"),
    ("script", "'><ScRiPt>alert(`{id}`)</sCrIpT>"),
    ("script", "<scr<script>ipt>alert('{id}')</scr</script>ipt>"),
    # img onerror
    ("img-onerror", "<img src=x onerror=alert('{id}')>"),
    ("img-onerror", "<img src=\"x\" onerror=\"alert('{id}')\">"),
    ("img-onerror", "<IMG SRC=/ oNeRrOr=\"alert('{id}')\"></img>"),
    ("img-onerror", "<img src=x:x onerror=&#97;lert('{id}')>"),
    # svg onload
    ("svg-onload", "<svg onload=alert('{id}')>"),
    ("svg-onload", "<svg><script>alert('{id}')</script></svg>"),
    ("svg-onload", "<svg><animate onbegin=alert('{id}') attributeName=x dur=1s>"),
    ("svg-onload", "<math><mtext><table><mglyph><style><img src=x onerror=alert('{id}')>"),
    # closing raw-text elements the text might sit in
    ("close-tag", "</script><script>alert('{id}')</script>"),
    ("close-tag", "</textarea><script>alert('{id}')</script>"),
    ("close-tag", "</title><img src=x onerror=alert('{id}')>"),
    ("close-tag", "</style><img src=x onerror=alert('{id}')>"),
    # javascript: links
    ("javascript-link", "<a href=\"javascript:alert('{id}')\">click me</a>"),
    ("javascript-link", "javascript:alert('{id}')"),
    ("javascript-link", "[click me](javascript:alert('{id}'))"),
    ("javascript-link", "<a href=\"jav&#x09;ascript:alert('{id}')\">tab link</a>"),
    ("javascript-link", "<iframe src=\"javascript:alert('{id}')\"></iframe>"),
    ("javascript-link", "<a href=\"data:text/html,<script>alert('{id}')</script>\">data</a>"),
    # MathJax (Markdown output is typeset)
    ("mathjax", "$\\href{javascript:alert('{id}')}{x}$"),
    ("mathjax", "$$\\href{javascript:alert('{id}')}{click}$$"),
    ("mathjax", "\\(\\unicode{<img src=x onerror=alert('{id}')>}\\)"),
    ("mathjax", "$\\style{background:url(javascript:alert('{id}'))}{x}$"),
    ("mathjax", "$\\class{x}{\\href{javascript:alert('{id}')}{y}}$"),
    # entity-encoded and otherwise disguised markup: must show exactly as typed
    ("entity-encoded", "&lt;script&gt;alert('{id}')&lt;/script&gt;"),
    ("entity-encoded", "&#60;img src=x onerror=alert('{id}')&#62;"),
    ("entity-encoded", "%3Cscript%3Ealert('{id}')%3C/script%3E"),
    ("entity-encoded", "\\u003cscript\\u003ealert('{id}')\\u003c/script\\u003e"),
    ("entity-encoded", "\uff1cscript\uff1ealert('{id}')\uff1c/script\uff1e"),
    # broken HTML
    ("broken-html", "<img src=x onerror=alert('{id}')//"),
    ("broken-html", "<<script>alert('{id}');//<</script>"),
    ("broken-html", "<!--<img src=\"--><img src=x onerror=alert('{id}')//\">"),
    ("broken-html", "<div style=\"x:expression(alert('{id}'))\">unclosed"),
    # other event handlers and active elements
    ("event-handler", "<details open ontoggle=alert('{id}')>"),
    ("event-handler", "<input autofocus onfocus=alert('{id}')>"),
    ("event-handler", "<body onload=alert('{id}')>"),
    ("event-handler", "<object data=\"javascript:alert('{id}')\"></object>"),
    ("event-handler", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('{id}')\">"),
    ("event-handler", "\" onmouseover=\"alert('{id}')\" x=\""),
    ("event-handler", "' autofocus onfocus='alert(`{id}`)' x='"),
    ("event-handler", "<b onmouseover=alert('{id}')>hover me</b>"),
    # Markdown-only tricks
    ("markdown", "![pic](x\" onerror=\"alert('{id}'))"),
    ("markdown", "# Heading <span onclick=alert('{id}')>| a | b |</span> **bold** _it_"),
    ("markdown", "<style>@import 'javascript:alert(\"{id}\")';</style>"),
    # template syntax: Jinja and JavaScript template literals
    ("template", "{{ 7*7 }} ${alert('{id}')} {% raw %}{{ config }}"),
    # RTL and control characters
    ("rtl", "\u202eexe.txt\u202c <script>alert('{id}')</script>"),
    ("rtl", "\u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u200f\u200e <img src=x onerror=alert('{id}')>"),
    ("control", "tab\there\u200bzero\u2028line <svg onload=alert('{id}')>"),
    ("control", "\x1b[31mred\x1b[0m \x07 <img src=x onerror=alert('{id}')>"),
    # very long strings, sized for a short field, a name, and a long answer
    ("long", ("<img src=x onerror=alert('{id}')>" * 15)[:480]),
    ("long", ("<b>{id}</b>" * 30)[:195]),
    ("long", "A" * 10_000 + "<script>alert('{id}')</script>" + "B" * 10_000),
]


def _build() -> tuple[Payload, ...]:
    payloads = []
    for n, (kind, template) in enumerate(_RAW, 1):
        ident = f"nrx{n:02d}"
        payloads.append(Payload(id=ident, kind=kind, text=template.replace("{id}", ident)))
    return tuple(payloads)


PAYLOADS: tuple[Payload, ...] = _build()


def fitting(limit: int) -> list[Payload]:
    """The payloads no longer than ``limit`` characters (a field's maximum)."""
    return [p for p in PAYLOADS if len(p.text) <= limit]


def by_kind(kind: str) -> list[Payload]:
    return [p for p in PAYLOADS if p.kind == kind]
