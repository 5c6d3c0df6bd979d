"""``nextround serve`` and ``nextround lab``: the workbook as an app, or as notebooks.

``serve`` runs standalone Voilà on ``app/app.ipynb``. Standalone Voilà
refuses code execution from the browser: its kernel websocket passes only
widget (comm) and kernel-info messages. On top of that, this module:

* binds 127.0.0.1 unless told otherwise;
* always needs a token: ``--token-file``, ``NEXTROUND_TOKEN`` or ``--token``,
  else a fresh one; the browser is opened on the address with the token, and
  that address is printed (see :mod:`nextround.serve_guard` for the rest of
  who may connect);
* serves at most ``--max-sessions`` pages at once;
* leaves tracebacks off, so a failing cell shows a plain sentence;
* pre-heats one kernel, refilled :data:`FILL_DELAY` seconds after use;
* frees a closed tab's kernel at once (the page's own shutdown call), and
  culls a kernel after :data:`CULL_IDLE_TIMEOUT` seconds without activity or
  connection in case that call never arrives;
* uses the ``nextround`` Voilà template, which loads nothing from outside
  the server;
* loads only the widget manager on the first view (:data:`FIRST_VIEW_EXTENSIONS`):
  the charts' plotly.js comes later, when Progress is first opened
  (:mod:`nextround.web`);
* compresses JavaScript, CSS and JSON, and lets the browser keep every
  content-hashed file for good (:mod:`nextround.voila_app`);
* passes ``--db`` to the kernels as ``NEXTROUND_DB``, and ``--demo`` serves a
  temporary database of demo clients that is deleted when the server stops;
* with ``--client ID``, serves that one client's workbook and nothing else: the
  kernels get :data:`~nextround.handover.ONLY_CLIENT_ENV`, and every page is
  locked to that client (no picker, no caseload, no other name; see
  :mod:`nextround.handover`).

Voilà runs in this process, so Ctrl-C stops it and its kernels cleanly.
Everything that decides *how* Voilà runs is a small pure function
(:func:`voila_argv`, :func:`lab_argv`, :func:`display_url`), testable without
starting a server.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import paths, voila_settings
from .errors import NextRoundError
from .i18n import _

DEFAULT_IP = "127.0.0.1"
DEFAULT_PORT = 8866
#: How many ports above :data:`DEFAULT_PORT` to try when ``--port`` is not given.
PORT_SEARCH = 20
TEMPLATE = "nextround"
#: Seconds before the kernel pool is refilled after a page takes a kernel.
#: Measured here: 10 beat Voilà's default, and every load got a warm kernel.
FILL_DELAY = 10
#: A kernel with no open page and no activity for this long is shut down.
CULL_IDLE_TIMEOUT = 60
#: How often, in seconds, kernels are checked for idleness.
CULL_INTERVAL = 10
KERNEL_MANAGER = "nextround.voila_kernels.HandedOutKernelManager"
#: What a client sees in place of a failing cell (tracebacks are off).
CELL_ERROR_MESSAGE = (
    "Something went wrong while preparing this part of the page. Reload the page; "
    "if it happens again, tell the person who runs NextRound."
)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
#: Pages served at once. Each holds a kernel of about 80 MB (see
#: docs/reliability.md): six fit a counsellor's laptop, and a counsellor with
#: a client rarely has more than two or three tabs open.
DEFAULT_MAX_SESSIONS = 6
#: The JupyterLab extensions the app's page loads: the widget manager and Voilà's
#: adapter for it, nothing else. plotly's (4.8 MB), anywidget's and the code
#: highlighter's are installed but unused on the page. The template's
#: ``conf.json`` and ``binder/voila.py`` name the same list.
FIRST_VIEW_EXTENSIONS = voila_settings.FIRST_VIEW_EXTENSIONS
IDENTITY_PROVIDER = "nextround.voila_app.NextRoundIdentityProvider"
KERNEL_CONNECTION = "nextround.voila_app.QuietKernelConnection"


# --- pure decisions -------------------------------------------------------------


@dataclass(frozen=True)
class ServeOptions:
    """How to run Voilà: which notebook, where to listen, and who may connect."""

    notebook: Path
    ip: str = DEFAULT_IP
    port: int = DEFAULT_PORT
    token: str | None = None
    open_browser: bool = True
    max_sessions: int = DEFAULT_MAX_SESSIONS


def voila_argv(options: ServeOptions) -> list[str]:
    """The standalone Voilà command line (without the program name) for ``options``."""
    argv = [
        str(options.notebook),
        f"--Voila.ip={options.ip}",
        f"--Voila.port={options.port}",
        "--Voila.port_retries=0",
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.show_tracebacks=False",
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in FIRST_VIEW_EXTENSIONS),
        f"--VoilaExecutor.cell_error_instruction={CELL_ERROR_MESSAGE}",
        "--VoilaConfiguration.preheat_kernel=True",
        "--VoilaConfiguration.default_pool_size=1",
        f"--VoilaKernelManager.fill_delay={FILL_DELAY}",
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
        f"--Voila.identity_provider_class={IDENTITY_PROVIDER}",
        f"--Voila.kernel_websocket_connection_class={KERNEL_CONNECTION}",
        f"--HandedOutKernelManager.max_kernels={options.max_sessions}",
        f"--NextRoundVoila.max_sessions={options.max_sessions}",
    ]
    if options.token:
        argv.append(f"--Voila.token={options.token}")
    if not options.open_browser:
        argv.append("--no-browser")
    return argv


#: Jupyter configuration ``nextround lab`` adds to the environment's own. Its
#: ``labconfig/page_config.json`` turns off JupyterLab plugins that are not
#: about the client's work: the "Jupyter news?" prompt (which would also reach
#: out to the internet). ``binder/postBuild`` disables the same plugins.
LAB_CONFIG_DIR = Path(__file__).resolve().parent / "lab_config"


def lab_config_path(current: str | None) -> str:
    """``JUPYTER_CONFIG_PATH`` with NextRound's Lab settings first, the rest kept."""
    parts = [str(LAB_CONFIG_DIR), *(p for p in (current or "").split(os.pathsep) if p)]
    return os.pathsep.join(dict.fromkeys(parts))


def lab_argv(root: Path, *, port: int | None = None, open_browser: bool = True,
             as_root: bool = False) -> list[str]:
    """The JupyterLab command line (without the program name) for the workbook folder.

    ``as_root``: Jupyter refuses to run as root unless told; containers often do,
    and the server still only listens on this machine.
    """
    argv = [f"--ServerApp.root_dir={root}", f"--ServerApp.ip={DEFAULT_IP}"]
    if port is not None:
        argv.append(f"--ServerApp.port={port}")
    if not open_browser:
        argv.append("--no-browser")
    if as_root:
        argv.append("--allow-root")
    return argv


def check_max_sessions(value: int) -> int:
    if value < 1:
        raise NextRoundError(_("--max-sessions must be at least 1, not {value}").format(
            value=value))
    return value


def kernel_server_address(ip: str) -> str:
    """Where a kernel on this machine reaches the server (for Voilà's request info)."""
    name = ip.strip().strip("[]")
    if name in {"", "0.0.0.0"} or name.lower() in LOOPBACK_NAMES:
        return "127.0.0.1"
    if name == "::":
        return "[::1]"
    return f"[{name}]" if ":" in name else name


# --- the machine ----------------------------------------------------------------


def port_is_free(ip: str, port: int) -> bool:
    """Whether Voilà could listen on ``ip:port`` now (bound and released at once)."""
    try:
        infos = socket.getaddrinfo(ip or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise NextRoundError(_("cannot listen on {address}: {reason}").format(
            address=repr(ip), reason=exc.strerror)) from None
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return False
                if exc.errno == errno.EADDRNOTAVAIL and family == socket.AF_INET6:
                    continue  # no IPv6 here; the server skips it too
                raise NextRoundError(_("cannot listen on {address} port {port}: {reason}").format(
                    address=ip, port=port, reason=exc.strerror or exc)) from None
    return True


def choose_port(ip: str, requested: int | None) -> int:
    """The port asked for if it is free, or the first free one from the default."""
    if requested is not None:
        if not 0 < requested < 65536:
            raise NextRoundError(_("--port must be between 1 and 65535, not {port}").format(
                port=requested))
        if not port_is_free(ip, requested):
            raise NextRoundError(_("port {port} is already in use; choose another with "
                                   "--port").format(port=requested))
        return requested
    for port in range(DEFAULT_PORT, DEFAULT_PORT + PORT_SEARCH):
        if port_is_free(ip, port):
            return port
    raise NextRoundError(_("ports {first}-{last} are all in use; choose one with --port").format(
        first=DEFAULT_PORT, last=DEFAULT_PORT + PORT_SEARCH - 1))


def app_notebook() -> Path:
    """The notebook Voilà serves."""
    notebook = paths.app_dir() / "app.ipynb"
    if not notebook.is_file():
        raise NextRoundError(f"the app notebook is missing: {notebook}")
    return notebook


def checkout_data_dir() -> Path | None:
    """``share/jupyter`` of a source checkout, when it holds the template."""
    data = paths.CHECKOUT_DIR / "share" / "jupyter"
    if (data / "voila" / "templates" / TEMPLATE / "conf.json").is_file():
        return data
    return None


def _prepend_env_path(name: str, entry: str) -> None:
    parts = [p for p in os.environ.get(name, "").split(os.pathsep) if p]
    if entry not in parts:
        os.environ[name] = os.pathsep.join([entry, *parts])


def use_template() -> None:
    """Make the ``nextround`` template findable; a checkout's copy wins over an install."""
    data = checkout_data_dir()
    if data is not None:
        _prepend_env_path("JUPYTER_PATH", str(data))
    from jupyter_core.paths import jupyter_path

    for root in jupyter_path("voila", "templates", TEMPLATE):
        if (Path(root) / "index.html.j2").is_file():
            return
    raise NextRoundError(f"the '{TEMPLATE}' Voilà template is not installed; "
                         "reinstall nextround")


def kernels_import_this_package() -> None:
    """Kernels started from a checkout import the same ``nextround`` as this process."""
    if (paths.CHECKOUT_DIR / "pyproject.toml").is_file():
        _prepend_env_path("PYTHONPATH", str(paths.PACKAGE_DIR.parent))


def database_target(db: str | None) -> str | None:
    """``--db`` as kernels must see it: paths made absolute (kernels run elsewhere)."""
    if db is None or "://" in db:
        return db
    return str(Path(db).expanduser().resolve())


@dataclass
class Database:
    """The database the kernels will use, and how to tell the user about it."""

    target: str | None
    description: str
    temp_dir: Path | None = None


def prepare_database(args: argparse.Namespace) -> Database:
    """Open (and so create or migrate) the database before serving it.

    ``--demo`` makes a fresh temporary database filled with demo clients.
    """
    from .store import Store

    if getattr(args, "demo", False):
        from .demo import create_demo

        if getattr(args, "client", None):
            raise NextRoundError(_("--client needs --db: demo clients get new ids on every "
                                   "run (list a database's clients with 'nextround clients')"))

        temp_dir = Path(tempfile.mkdtemp(prefix="nextround-demo-"))
        try:
            with Store(temp_dir / "demo.db") as store:
                create_demo(store)
                description = store.describe()
        except BaseException:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        return Database(str(temp_dir / "demo.db"), description, temp_dir)
    target = database_target(args.db)
    with Store(target, create=not getattr(args, "client", None)) as store:
        if getattr(args, "client", None):
            store.get_client(args.client)  # an unknown id stops here, in one line
        description = store.describe()
        if store.created:
            description = _("Created a new database. {description}").format(
                description=description)
    return Database(target, description)


def language_for_kernels(lang: str | None) -> None:
    """The app's default language (``--lang``), passed to the kernels as ``NEXTROUND_LANG``.

    A client's own choice and ``?lang=`` in the address still win on their page.
    """
    from .i18n import LANG_ENV, LANGUAGES, supported

    if lang is None:
        return
    if supported(lang) is None:
        raise NextRoundError(f"--lang {lang!r} is not a language NextRound speaks "
                             f"(one of: {', '.join(LANGUAGES)})")
    os.environ[LANG_ENV] = supported(lang)


def only_client_for_kernels(client_id: str | None) -> None:
    """Lock every page to one client (``--client``), or to none."""
    from .handover import ONLY_CLIENT_ENV

    if client_id:
        os.environ[ONLY_CLIENT_ENV] = client_id
    else:
        os.environ.pop(ONLY_CLIENT_ENV, None)


@contextmanager
def database_for_kernels(args: argparse.Namespace) -> Iterator[Database]:
    """Prepare the database, export it as ``NEXTROUND_DB``, and tidy up a demo one."""
    database = prepare_database(args)
    if database.target is not None:
        os.environ["NEXTROUND_DB"] = database.target
    try:
        yield database
    finally:
        if database.temp_dir is not None:
            shutil.rmtree(database.temp_dir, ignore_errors=True)


def check_content() -> None:
    """Bad content stops the app before it starts (ContentError lists the problems)."""
    from .content import load_content

    load_content()


def display_url(ip: str, port: int, token: str | None) -> str:
    """The address to open; ``token`` is the text shown after ``?token=``."""
    host = ip.strip("[]") or "0.0.0.0"
    if host in {"0.0.0.0", "::"}:
        host = socket.gethostname()
    elif ":" in host:
        host = f"[{host}]"
    query = f"?token={token}" if token else ""
    return f"http://{host}:{port}/{query}"


def token_source(args: argparse.Namespace) -> tuple[str, str]:
    """The token, and how the printed address shows it.

    A generated token is printed (nobody else knows it yet); a token the
    counsellor chose is not, so it stays out of terminal logs.
    """
    from .serve_guard import TOKEN_ENV, resolve_token

    from_env = bool(os.environ.get(TOKEN_ENV, "").strip())
    token, generated = resolve_token(given=args.token, token_file=args.token_file,
                                     environ=dict(os.environ))
    # Kernels inherit this environment; the token is not theirs to see.
    os.environ.pop(TOKEN_ENV, None)
    if generated:
        return token, token
    if args.token_file:
        return token, "<" + _("the token in {where}").format(where=args.token_file) + ">"
    if from_env:
        return token, "<" + _("the token in {where}").format(where=TOKEN_ENV) + ">"
    return token, "<" + _("your token") + ">"


def _say(text: str) -> None:
    print(text, flush=True)


# --- commands -------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with standalone Voilà until Ctrl-C."""
    # First, so everything said from here on is in the service's language.
    language_for_kernels(getattr(args, "lang", None))
    token, shown_token = token_source(args)
    max_sessions = check_max_sessions(args.max_sessions)
    notebook = app_notebook()
    use_template()
    port = choose_port(args.ip, args.port)
    check_content()
    kernels_import_this_package()
    os.environ.setdefault("VOILA_APP_IP", kernel_server_address(args.ip))
    options = ServeOptions(notebook=notebook, ip=args.ip, port=port, token=token,
                           open_browser=not args.no_browser, max_sessions=max_sessions)
    with database_for_kernels(args) as database:
        _say(database.description)
        if database.temp_dir is not None:
            _say(_("Demo clients only: this database is deleted when the server stops."))
        only_client_for_kernels(args.client)
        if args.client:
            _say(_("Only the workbook of client {client} is shown, to the client.").format(
                client=args.client))
        _say(_("NextRound is at {address} (Ctrl-C stops it)").format(
            address=display_url(args.ip, port, shown_token)))
        # Ctrl-C is how the server is meant to stop. Voilà handles the first one,
        # but one that lands while it is already stopping would otherwise escape.
        with contextlib.suppress(KeyboardInterrupt):
            run_voila(voila_argv(options))
    return 0


def run_voila(argv: list[str]) -> None:
    """Run standalone Voilà in this process until it is stopped."""
    from .voila_app import NextRoundVoila

    app = NextRoundVoila.instance()
    try:
        app.initialize(argv)
        app.start()
    finally:
        # Voilà removes its connection folder before it stops the kernels;
        # remove whatever they wrote there since.
        if app.connection_dir:
            shutil.rmtree(app.connection_dir, ignore_errors=True)
        NextRoundVoila.clear_instance()


def cmd_lab(args: argparse.Namespace) -> int:
    """Open JupyterLab on the workbook folder until Ctrl-C."""
    kernels_import_this_package()
    with database_for_kernels(args) as database:
        _say(database.description)
        from jupyterlab.labapp import LabApp

        os.environ["JUPYTER_CONFIG_PATH"] = lab_config_path(
            os.environ.get("JUPYTER_CONFIG_PATH"))
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        argv = lab_argv(paths.workbook_dir(), port=args.port, open_browser=not args.no_browser,
                        as_root=as_root)
        try:
            LabApp.launch_instance(argv=argv)
        finally:
            LabApp.clear_instance()
    return 0


# --- parser ---------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` and ``lab`` to the ``nextround`` command."""
    p = subparsers.add_parser("serve", help="serve the workbook app with Voilà")
    p.add_argument("--port", type=int, help=f"port to listen on (default: {DEFAULT_PORT}, "
                   "or the next free one)")
    p.add_argument("--ip", default=DEFAULT_IP, help=f"address to listen on (default: "
                   f"{DEFAULT_IP}, this computer only)")
    p.add_argument("--token-file", help="file holding the secret visitors need (at least "
                   "16 characters); NEXTROUND_TOKEN works too. Default: a new one each run")
    p.add_argument("--token", help="the secret on the command line (other users of this "
                   "computer can see it there; prefer --token-file or NEXTROUND_TOKEN)")
    p.add_argument("--max-sessions", type=int, default=DEFAULT_MAX_SESSIONS,
                   help=f"most pages served at once (default: {DEFAULT_MAX_SESSIONS}); a "
                   "visitor over it is told the app is busy")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db", help="database file or URL (default: NEXTROUND_DB or the "
                       "user data folder)")
    where.add_argument("--demo", action="store_true",
                       help="serve a temporary database of demo clients")
    p.add_argument("--client", metavar="ID", help="show only this client's workbook: no "
                   "client list, no counsellor view, no other name (for the client's own use)")
    p.add_argument("--lang", metavar="LANG", help="the app's default language, e.g. es "
                   "(default: NEXTROUND_LANG or en); a client's own choice still wins")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_serve)

    p = subparsers.add_parser("lab", help="open the workbook notebooks in JupyterLab")
    p.add_argument("--db", help="database file or URL (default: NEXTROUND_DB or the "
                   "user data folder)")
    p.add_argument("--port", type=int, help="port to listen on (default: JupyterLab's)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_lab)
