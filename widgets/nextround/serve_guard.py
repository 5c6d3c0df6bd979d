"""Who may use ``nextround serve``, and what its log and its pages may show.

Standalone Voilà is extended here, in this process, rather than configured
from outside, because what it lacks is behaviour, not settings:

* **A token always** (:func:`resolve_token`): from ``--token-file``,
  ``NEXTROUND_TOKEN`` or ``--token``, else a fresh one. Tokens are compared in
  constant time, and an address that keeps offering wrong ones is refused
  for a while (:class:`FailedLogins`).
* **Only this machine's names on loopback** (:func:`host_allowed`,
  :func:`origin_allowed`): a page elsewhere that resolves its own name to
  127.0.0.1 (DNS rebinding) gets 403, even with a valid token.
* **The token leaves the address bar at once**: a page opened with
  ``?token=`` sets the login cookie and is redirected to the same address
  without it, so the token reaches neither the kernel nor the history.
* **No token in any log line** (:class:`RedactingFilter`, :func:`log_request`).
* **``/voila/query`` answers only the kernel it names** (:class:`KernelQueryHandler`):
  the kernel proves itself with its own connection key.
* **A bounded number of pages** (:class:`PageLimit`): a visitor over
  ``--max-sessions`` gets a plain "busy" page at once.
* **No traceback reaches the browser** (:class:`QuietKernelConnection`).
* **Closing a tab frees its kernel**: the page sets the ``_xsrf`` cookie that
  Voilà's shutdown beacon sends back.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import html
import ipaddress
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from .errors import NextRoundError
from .i18n import _, ngettext

#: Jupyter's own tokens are 48 hex characters; 32 URL-safe bytes are more.
GENERATED_TOKEN_BYTES = 32
MIN_TOKEN_LENGTH = 16
TOKEN_ENV = "NEXTROUND_TOKEN"
#: Wrong tokens one address may offer within :data:`FAILURE_WINDOW` seconds
#: before every further attempt is refused until the window has passed.
MAX_FAILURES = 10
FAILURE_WINDOW = 60.0
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
#: The header a kernel sends to ``/voila/query`` to prove who it is.
KERNEL_PROOF_HEADER = "X-NextRound-Kernel-Proof"
REDACTED = "[redacted]"

_log = logging.getLogger("nextround.serve")


# --- the token -------------------------------------------------------------------


def generate_token() -> str:
    return secrets.token_urlsafe(GENERATED_TOKEN_BYTES)


def check_token(token: str, where: str) -> str:
    """A usable token, or a one-line refusal naming where it came from."""
    token = token.strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise NextRoundError(ngettext(
            "the token from {where} is {length} character long; use at least {least} (leave it "
            "out and NextRound makes a strong one)",
            "the token from {where} is {length} characters long; use at least {least} (leave "
            "it out and NextRound makes a strong one)", len(token)).format(
                where=where, length=len(token), least=MIN_TOKEN_LENGTH))
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        raise NextRoundError(_("the token from {where} may hold only letters, digits and "
                               "punctuation, without spaces").format(where=where))
    return token


def resolve_token(*, given: str | None, token_file: str | None,
                  environ: dict[str, str]) -> tuple[str, bool]:
    """The server's token and whether it was generated here.

    A token file or ``NEXTROUND_TOKEN`` keeps the token off the command line,
    where any user of the computer could read it in the process list.
    """
    if token_file:
        path = Path(token_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or _("it is not plain text")
            raise NextRoundError(_("cannot read the token file {path}: {reason}").format(
                path=path, reason=reason)) from None
        return check_token(text, _("the file {path}").format(path=path)), False
    if environ.get(TOKEN_ENV, "").strip():
        return check_token(environ[TOKEN_ENV], TOKEN_ENV), False
    if given is not None:
        return check_token(given, "--token"), False
    return generate_token(), True


def tokens_match(offered: str | None, expected: str | None) -> bool:
    """Constant-time comparison, so timing reveals nothing about the token."""
    if not offered or not expected:
        return False
    return hmac.compare_digest(offered.encode("utf-8", "replace"),
                               expected.encode("utf-8", "replace"))


# --- names and origins -----------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def split_host(host_header: str) -> str:
    """The name part of a ``Host`` value (``[::1]:8866`` -> ``::1``)."""
    value = host_header.strip()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def host_allowed(host_header: str | None, bound_to_loopback: bool) -> bool:
    """On loopback, only loopback names; elsewhere the token alone decides."""
    if not host_header:
        return False
    return is_loopback(split_host(host_header)) or not bound_to_loopback


def origin_allowed(origin: str | None, host_header: str | None,
                   bound_to_loopback: bool) -> bool:
    """A request from a page must come from this server's own page."""
    if origin is None:
        return True  # not sent by a page (a typed address, a script, the kernel)
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null" and the like: sandboxed frames, local files
    if bound_to_loopback and not is_loopback(parts.hostname or ""):
        return False
    return (host_header or "").lower() == parts.netloc.lower()


def without_token(uri: str) -> str:
    """A request URI with any ``token`` parameter removed."""
    parts = urlsplit(uri)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    query = urlencode(kept)
    return parts.path + (f"?{query}" if query else "")


# --- failed logins ---------------------------------------------------------------


class FailedLogins:
    """Wrong tokens per address; too many in a short time locks that address out."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW,
                 clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        times = self._seen.setdefault(address, deque())
        now = self.clock()
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            self._seen.pop(address, None)
        return times

    def record(self, address: str) -> None:
        times = self._recent(address)
        times.append(self.clock())
        self._seen[address] = times

    def locked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.limit


FAILED_LOGINS = FailedLogins()


def offers_token(handler) -> bool:
    """Whether a request tries to log in (token in the URL or header, or the form)."""
    request = handler.request
    if "token" in request.query_arguments:
        return True
    if re.match(r"\s*(token|bearer)\s", request.headers.get("Authorization", ""), re.I):
        return True
    return request.method == "POST" and request.path.rstrip("/").endswith("/login")


# --- logs ------------------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """Replace the token (and any ``token=`` value) in every record a handler writes."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def redact(self, text: str) -> str:
        text = re.sub(r"(?i)(token(?:=|%3D))[^&\s\"'#%]+", r"\1" + REDACTED, text)
        text = re.sub(r"(?i)(authorization:\s*(?:token|bearer)\s+)\S+", r"\1" + REDACTED, text)
        return text.replace(self.token, REDACTED) if self.token else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install_redaction(token: str, loggers: Iterable[logging.Logger]) -> RedactingFilter:
    """Put the filter on every handler that could write a line, and give tornado's
    loggers (which otherwise fall back to Python's last-resort handler) one."""
    redacting = RedactingFilter(token)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(levelname).1s %(asctime)s %(name)s] "
                                               "%(message)s", "%H:%M:%S"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for logger in [root, *loggers]:
        for handler in logger.handlers:
            if redacting not in handler.filters:
                handler.addFilter(redacting)
    if logging.lastResort is not None:
        logging.lastResort.addFilter(redacting)
    return redacting


def log_request(handler) -> None:
    """Tornado's access log line, with the token taken out of the address."""
    status = handler.get_status()
    if status < 400:
        log = logging.getLogger("tornado.access").info
    elif status < 500:
        log = logging.getLogger("tornado.access").warning
    else:
        log = logging.getLogger("tornado.access").error
    request = handler.request
    took = 1000.0 * request.request_time()
    log("%d %s %s (%s) %.2fms", status, request.method, without_token(request.uri),
        request.remote_ip, took)


# --- kernels proving who they are ------------------------------------------------


def kernel_proof(key: bytes, kernel_id: str) -> str:
    """What a kernel shows ``/voila/query``: its connection key signs its own id."""
    return hmac.new(key, kernel_id.encode("ascii"), hashlib.sha256).hexdigest()


# --- pages over the limit --------------------------------------------------------


#: The page request being served, so the kernel manager can count its kernel.
CURRENT_PAGE: contextvars.ContextVar = contextvars.ContextVar("nextround_page", default=None)


class PageLimit:
    """At most ``limit`` pages hold a kernel; the rest are told the app is busy.

    A page counts from the moment its request is admitted until its kernel is
    shut down (the tab closed, or the kernel culled).
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.kernels: set[str] = set()
        self.waiting = 0

    def admit(self) -> bool:
        if len(self.kernels) + self.waiting >= self.limit:
            return False
        self.waiting += 1
        return True

    def got_kernel(self, ticket: dict, kernel_id: str) -> None:
        """The admitted page has its kernel: count the kernel instead of the wait."""
        if not ticket.get("done"):
            ticket["done"] = True
            self.waiting -= 1
        self.kernels.add(kernel_id)

    def finished(self, ticket: dict) -> None:
        """The request ended without a kernel (an error): free its place."""
        if not ticket.get("done"):
            ticket["done"] = True
            self.waiting -= 1

    def kernel_gone(self, kernel_id: str) -> None:
        self.kernels.discard(kernel_id)


BUSY_MESSAGE = ("NextRound already has as many pages open as it is set to serve at once "
                "({limit}). Close a NextRound tab you no longer need, wait a minute, and "
                "reload this page.")
#: The plain pages' own layout: readable width and margins, at any size.
_PLAIN_STYLE = ("<style>main{max-width:40rem;margin:2rem auto;padding:0 1rem;"
                "font-family:system-ui,sans-serif;line-height:1.5}</style>")


def busy_page(limit: int, base_url: str = "/") -> str:
    """A plain page for a visitor over the limit (nothing to load, nothing to wait for)."""
    message = html.escape(BUSY_MESSAGE.format(limit=limit))
    css = html.escape(f"{base_url}voila/templates/nextround/static/nextround.css")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1.0'>"
            f"<title>NextRound is busy</title><link rel='stylesheet' href='{css}'>"
            f"{_PLAIN_STYLE}</head>"
            "<body class='nextround'><main class='nextround-page'>"
            f"<h1>NextRound is busy</h1><p role='alert'>{message}</p></main></body></html>")


#: What each refusal says to a person; nothing in it comes from the request.
ERROR_MESSAGES = {
    403: ("Not allowed", "This address cannot open NextRound. Open it with the link shown "
          "where NextRound was started."),
    404: ("Not found", "There is nothing at this address."),
    429: ("Too many tries", "Too many wrong tokens came from this computer. Wait a minute, "
          "then open NextRound with the link shown where it was started."),
}
GENERIC_ERROR = ("Something went wrong", "Reload the page; if it happens again, tell the "
                 "person who runs NextRound.")


def error_page(status: int, base_url: str = "/") -> str:
    """A plain error page: no traceback, no address, nothing loaded from outside."""
    title, message = ERROR_MESSAGES.get(status, GENERIC_ERROR)
    css = html.escape(f"{base_url}voila/templates/nextround/static/nextround.css")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1.0'>"
            f"<title>NextRound: {html.escape(title)}</title>"
            f"<link rel='stylesheet' href='{css}'>{_PLAIN_STYLE}</head><body class='nextround'>"
            f"<main class='nextround-page'><h1>{html.escape(title)}</h1>"
            f"<p role='alert'>{html.escape(message)}</p></main></body></html>")


def login_page(*, action: str, xsrf_field: str, failed: bool, base_url: str = "/") -> str:
    """Where a visitor without the token lands: what to do, and a field to paste it.

    ``xsrf_field`` is Tornado's hidden ``_xsrf`` input, already HTML.
    """
    css = html.escape(f"{base_url}voila/templates/nextround/static/nextround.css")
    wrong = ("<p role='alert' class='nr-error'>That token is not right. Check it and "
             "try again.</p>" if failed else "")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1.0'>"
            f"<title>Open NextRound</title><link rel='stylesheet' href='{css}'>{_PLAIN_STYLE}"
            "</head><body class='nextround'><main class='nextround-page'>"
            "<h1>Open NextRound</h1>"
            "<p>NextRound needs its token. Open the address NextRound printed when it "
            "started (it ends with <code>?token=</code> and the token), or paste the token "
            f"here.</p>{wrong}"
            f"<form method='post' action='{html.escape(action)}'>{xsrf_field}"
            "<p><label for='nr-token'>Token</label><br>"
            "<input id='nr-token' name='password' type='password' "
            "autocomplete='current-password' required size='40'></p>"
            "<p><button type='submit'>Open NextRound</button></p></form>"
            "</main></body></html>")


__all__ = [
    "FAILED_LOGINS", "FailedLogins", "PageLimit", "RedactingFilter", "busy_page",
    "error_page",
    "check_token", "host_allowed", "is_loopback", "kernel_proof", "origin_allowed",
    "resolve_token", "tokens_match", "without_token",
]
