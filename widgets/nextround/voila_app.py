"""Standalone Voilà as ``nextround serve`` runs it, with the guards of :mod:`.serve_guard`.

Voilà's handlers are kept; each is wrapped so that the Host and Origin checks,
the failed-login throttle and (for the page) the page limit run before it.
Only this module imports Voilà and Jupyter Server, so the rest of the
package, and the tests of the pure rules, do without them.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import signal
import tempfile
import threading
import webbrowser
from pathlib import Path
from urllib.parse import urlencode

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets import Integer
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.utils import create_include_assets_functions

from .exports import MAX_WORKBOOK_BYTES
from .serve_guard import (
    CURRENT_PAGE,
    FAILED_LOGINS,
    KERNEL_PROOF_HEADER,
    PageLimit,
    busy_page,
    error_page,
    host_allowed,
    install_redaction,
    is_loopback,
    kernel_proof,
    log_request,
    login_page,
    offers_token,
    origin_allowed,
    tokens_match,
    without_token,
)
from .web import immutable_static, plotly_route

_log = logging.getLogger("nextround.serve")
#: Room in a websocket message for the widget message around an uploaded file.
WEBSOCKET_MARGIN = 1024 * 1024

#: What the browser is told in place of a kernel's error or traceback.
KERNEL_ERROR_TEXT = ("Something went wrong in this part of the page. Reload the page; if it "
                     "happens again, tell the person who runs NextRound.")


# --- who is logging in -------------------------------------------------------------


class NextRoundIdentityProvider(PasswordIdentityProvider):
    """The token, compared in constant time; every wrong one is counted."""

    async def get_user_token(self, handler):
        offered = self.get_token(handler)
        if not offered or not self.token:
            return None
        if not tokens_match(offered, self.token):
            FAILED_LOGINS.record(handler.request.remote_ip)
            return None
        user = self.get_user_cookie(handler)
        if inspect.isawaitable(user):
            user = await user
        return user or self.generate_anonymous_user(handler)

    def process_login_form(self, handler):
        typed = handler.get_argument("password", default="")
        if tokens_match(typed, self.token):
            return self.generate_anonymous_user(handler)
        FAILED_LOGINS.record(handler.request.remote_ip)
        return None


# --- every request -----------------------------------------------------------------


class GuardMixin:
    """Host, Origin and the failed-login throttle, before the handler's own checks."""

    def write_error(self, status_code, **kwargs):
        """Every error page is our plain one: Jupyter's needs settings Voilà lacks
        (it failed with a second traceback), and none may show a traceback."""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(error_page(status_code, self.settings.get("base_url", "/")))

    def _refuse(self, status: int, why: str, *args) -> None:
        """Refuse before any login is looked at (the error page asks for none)."""
        _log.warning(why, *args)
        self.current_user = None
        self._jupyter_current_user = None
        raise web.HTTPError(status)

    async def prepare(self, *args, **kwargs):
        request = self.request
        loopback = self.settings["nextround_loopback"]
        if not host_allowed(request.headers.get("Host"), loopback):
            self._refuse(403, "Refused a request for another site's name (Host %r)",
                         request.headers.get("Host", "")[:100])
        if not origin_allowed(request.headers.get("Origin"), request.headers.get("Host"),
                              loopback):
            self._refuse(403, "Refused a request from another site (Origin %r)",
                         request.headers.get("Origin", "")[:100])
        if offers_token(self) and FAILED_LOGINS.locked(request.remote_ip):
            self._refuse(429, "Refused a login from %s: too many wrong tokens",
                         request.remote_ip)
        result = super().prepare(*args, **kwargs)
        if inspect.isawaitable(result):
            await result


class PageGuardMixin(GuardMixin):
    """The app page: token out of the address, the ``_xsrf`` cookie, and the limit."""

    _nextround_ticket: dict | None = None

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        if self._finished or self.current_user is None:
            return
        if "token" in self.request.query_arguments and self.request.method == "GET":
            # Logged in by the token: the cookie carries on from here.
            self.redirect(without_token(self.request.uri))
            return
        # Voilà's page reads this cookie and sends it with the shutdown call it
        # makes when the tab closes; without it that call is refused.
        self.xsrf_token  # noqa: B018 - reading it sets the cookie
        limit: PageLimit = self.settings["nextround_pages"]
        if not limit.admit():
            _log.warning("Refused a page: %d pages are open, the most allowed", limit.limit)
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(busy_page(limit.limit, self.base_url))
            return
        self._nextround_ticket = {}
        CURRENT_PAGE.set((limit, self._nextround_ticket))

    def on_finish(self):
        if self._nextround_ticket is not None:
            self.settings["nextround_pages"].finished(self._nextround_ticket)
        super().on_finish()


class LoginGuardMixin(GuardMixin):
    """Our own login page in place of Jupyter's, which talks of ``jupyter server
    list`` and passwords and links to pages outside this computer."""

    def _render(self, message=None):
        next_url = self.get_argument("next", default=self.base_url)
        action = f"{self.base_url}login?{urlencode({'next': next_url})}"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(login_page(action=action, xsrf_field=self.xsrf_form_html(),
                              failed=message is not None, base_url=self.base_url))


class KernelQueryHandler(GuardMixin, RequestInfoSocketHandler):
    """``/voila/query/<kernel>``: the page's request, for that kernel and no one else."""

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        kernel_id = self.path_kwargs.get("kernel_id") or "".join(self.path_args[:1])
        manager = self.settings["kernel_manager"]
        key = manager._kernels[kernel_id].session.key if kernel_id in manager else None
        offered = self.request.headers.get(KERNEL_PROOF_HEADER)
        if not key or not tokens_match(offered, kernel_proof(key, kernel_id)):
            self._refuse(403, "Refused a request-info listener without its kernel's proof")


def guarded(spec: tuple) -> tuple:
    """A handler route with its class wrapped in the matching guard.

    Static file handlers also learn to mark content-hashed files immutable.
    """
    pattern, handler, *rest = spec
    if issubclass(handler, web.StaticFileHandler):
        handler = immutable_static(handler)
    if issubclass(handler, RequestInfoSocketHandler):
        wrapped = KernelQueryHandler
    else:
        if issubclass(handler, TornadoVoilaHandler):
            mixin = PageGuardMixin
        elif issubclass(handler, LoginFormHandler):
            mixin = LoginGuardMixin
        else:
            mixin = GuardMixin
        wrapped = type(f"Guarded{handler.__name__}", (mixin, handler), {})
    return (pattern, wrapped, *rest)


# --- kernels -----------------------------------------------------------------------


class PageKernels:
    """Counts each page's kernel against the page limit (sits above Voilà's pool)."""

    page_limit: PageLimit

    def _count_page(self, kernel_id: str) -> None:
        current = CURRENT_PAGE.get()
        if current is not None:
            limit, ticket = current
            limit.got_kernel(ticket, kernel_id)

    async def get_rendered_notebook(self, *args, **kwargs):
        result = await super().get_rendered_notebook(*args, **kwargs)
        self._count_page(result[2])
        return result

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await super().start_kernel(*args, **kwargs)
        self._count_page(kernel_id)
        return kernel_id

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self.page_limit.kernel_gone(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)


def with_page_kernels(manager, limit: PageLimit) -> None:
    """Put :class:`PageKernels` on top of the kernel manager Voilà built."""

    class NextRoundKernelManager(PageKernels, type(manager)):
        pass

    manager.__class__ = NextRoundKernelManager
    manager.page_limit = limit


class QuietKernelConnection(ZMQChannelsWebsocketConnection):
    """Kernel errors go to the server log; the browser gets a plain sentence.

    A failing widget callback or a ``comm_open`` naming a missing module makes
    the kernel send a traceback, with this computer's paths in it, to the page.
    """

    def handle_outgoing_message(self, stream, outgoing_msg):
        safe = self._without_tracebacks(outgoing_msg)
        if safe is None:
            return
        super().handle_outgoing_message(stream, safe)

    def _without_tracebacks(self, msg_list):
        """The message as it may reach the browser, or None to drop it."""
        try:
            idents, parts = self.session.feed_identities(msg_list)
            header = self.session.unpack(parts[1])
        except Exception:  # noqa: BLE001 - leave anything unexpected to Jupyter Server
            return msg_list
        msg_type = header.get("msg_type", "")
        if msg_type not in ("error", "stream") and not msg_type.endswith("_reply"):
            return msg_list
        content = self.session.unpack(parts[4])
        if msg_type == "stream":
            if content.get("name") != "stderr":
                return msg_list
            self.log.warning("Kernel %s wrote to stderr: %s", self.kernel_id,
                             str(content.get("text", ""))[:4000])
            return None
        if msg_type == "error":
            self._log_error(content)
            return None
        if content.get("status") != "error":
            return msg_list
        self._log_error(content)
        plain = {"status": "error", "ename": "Error", "evalue": KERNEL_ERROR_TEXT,
                 "traceback": []}
        parts = list(parts)
        parts[4] = self.session.pack(plain)
        parts[0] = self.session.sign(parts[1:5])
        return [*idents, b"<IDS|MSG>", *parts]

    def _log_error(self, content: dict) -> None:
        trace = "\n".join(str(line) for line in content.get("traceback") or [])
        self.log.warning("Kernel %s reported %s: %s\n%s", self.kernel_id,
                         content.get("ename", "an error"), content.get("evalue", ""),
                         trace[:8000])


# --- the application ---------------------------------------------------------------


class NextRoundVoila(Voila):
    """Voilà with the guards of :mod:`nextround.serve_guard` on every route."""

    max_sessions = Integer(6, config=True, help="Most pages (kernels) served at once.")

    def init_settings(self):
        settings = super().init_settings()
        limit = PageLimit(self.max_sessions)
        with_page_kernels(settings["kernel_manager"], limit)
        settings["nextround_pages"] = limit
        settings["nextround_loopback"] = is_loopback(self.ip)
        settings["log_function"] = log_request
        # A workbook file up to its limit must fit in one websocket message
        # (Tornado's default is 10 MiB); the page refuses larger ones itself.
        settings["websocket_max_message_size"] = MAX_WORKBOOK_BYTES + WEBSOCKET_MARGIN
        # JavaScript, CSS and JSON go out gzipped (a third of their size or less).
        settings["compress_response"] = True
        install_redaction(self.identity_provider.token or "",
                          [self.log, logging.getLogger("tornado"),
                           logging.getLogger("nextround")])
        return settings

    def init_handlers(self):
        """Voilà's routes, guarded, and plotly.js for the charts (before the catch-all)."""
        return [guarded(plotly_route(self.server_url)),
                *(guarded(spec) for spec in super().init_handlers())]

    def initialize(self, argv=None):
        super().initialize(argv)
        signal.signal(signal.SIGINT, self._handle_ctrl_c)

    def _handle_ctrl_c(self, _signum, _frame):
        """Ctrl-C stops the server between two steps of its event loop.

        Python's own handler raises KeyboardInterrupt wherever the server
        happens to be: in the middle of starting a kernel (whose startup then
        never finished, so stopping waited for it for ever) or of rendering a
        page (which printed a traceback). A second Ctrl-C while stopping still
        interrupts at once.
        """
        signal.signal(signal.SIGINT, signal.default_int_handler)
        loop = getattr(self, "ioloop", None)
        if loop is None:
            raise KeyboardInterrupt
        self.log.info("Stopping...")
        loop.add_callback_from_signal(loop.stop)

    def stop(self):
        """Shut the kernels down on the server's own event loop.

        Voilà's ``stop`` runs the shutdown on a new event loop, where the
        futures of kernels still starting and the pool's refill tasks (all
        made on the server's loop) cannot be awaited: a kernel starting at
        that moment was left behind, and stopping could hang on a busy machine.
        """
        if self.connection_dir:
            shutil.rmtree(self.connection_dir, ignore_errors=True)
        loop = getattr(self, "ioloop", None)
        if loop is None:
            return
        loop.run_sync(self.kernel_manager.shutdown_all)

    def launch_browser(self):
        """Open the browser on the address with the token, as Jupyter does.

        The address goes into a small page in the server's own folder (removed
        when it stops), and the browser opens that file: the token never
        appears on the browser's command line, which every user can read.
        """
        try:
            browser = webbrowser.get(self.browser or None)
        except webbrowser.Error as exc:
            self.log.warning("No web browser found: %s.", exc)
            return
        url = url_path_join(self.connection_url, self.base_url)
        open_url = f"{url}?{urlencode({'token': self.identity_provider.token})}"
        folder = self.connection_dir or tempfile.gettempdir()
        handle, path = tempfile.mkstemp(suffix=".html", prefix="open-", dir=folder)
        template = self.app.settings["voila_jinja2_env"].get_template("browser-open.html")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(template.render(
                open_url=open_url, base_url=url, theme=self.voila_configuration.theme,
                **create_include_assets_functions(self.voila_configuration.template, url)))
        threading.Thread(target=browser.open, args=(Path(path).as_uri(),),
                         kwargs={"new": self.webbrowser_open_new}, daemon=True).start()
