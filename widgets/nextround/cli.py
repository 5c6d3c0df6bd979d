"""The ``nextround`` command.

Each subcommand is a small function taking parsed arguments and returning an
exit code. :func:`main` is the only place that turns errors into output: a
:class:`~nextround.errors.NextRoundError` becomes its one-line message and
exit 1, so a counsellor never meets a traceback.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import ContentError, NextRoundError

Command = Callable[[argparse.Namespace], int]


def _say(text: str) -> None:
    print(text, flush=True)


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _store(args: argparse.Namespace, *, create: bool = False):
    """The store named by ``--db`` (or the default).

    Only commands that write a new database (``demo``, ``import``) pass
    ``create``; they say so when they made one. A command that only reads
    refuses a path that does not exist, so a mistyped ``--db`` never leaves an
    empty database (and its folder) behind.
    """
    from .store import Store

    store = Store(args.db, create=create)
    if store.created:
        _warn(f"Created a new database: {store.describe()}")
    return store


def _content():
    """Load the shipped content; bad content stops every command the same way."""
    from .content import load_content

    return load_content()


# --- commands ------------------------------------------------------------------


def cmd_check_content(args: argparse.Namespace) -> int:
    """Validate a content folder and its language folders; report counts or problems.

    English comes first. Then each language folder (``content/es/``), or only
    those named with ``--lang``, is compared with it: problems and structure
    differences fail the check; English items with no translation are listed
    and fail it only with ``--complete``.
    """
    from .content import default_content_dir, validate_directory
    from .content_languages import language_code, language_folders

    directory = Path(args.directory) if args.directory else default_content_dir()
    content, problems = validate_directory(directory)
    if content is None:
        for line in problems:
            _say(line)
        _warn(f"{len(problems)} problem(s) in {directory}")
        return 1
    counts = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in
                       content.counts().items())
    _say(f"{directory}: content is valid: {counts}")
    langs = [language_code(lang) for lang in args.lang] if args.lang else \
        language_folders(directory)
    return max([_check_language(directory, lang, args.complete) for lang in langs],
               default=0)


def _check_language(directory: Path, lang: str, complete: bool) -> int:
    """Report one language folder against English; 1 when it fails the check."""
    from .content_languages import validate_translation

    check = validate_translation(directory, lang)
    for line in check.problems + check.missing:
        _say(line)
    folder = directory / lang
    if not folder.is_dir():
        _warn(f"{folder}: no such folder: every item is shown in English")
    summary = (f"{folder}: {check.translated} of {check.total} items translated, "
               f"{len(check.missing)} missing, {len(check.problems)} problem(s)")
    failed = bool(check.problems) or (complete and bool(check.missing))
    if failed:
        _warn(summary)
        return 1
    if check.missing:
        summary += " (the missing items are shown in English; --complete fails on them)"
    _say(summary)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Fill a store with demo clients so the app has something to show."""
    from .demo import create_demo

    _content()
    store = _store(args, create=True)
    clients = create_demo(store)
    for client in clients:
        _say(f"{client.id}\t{_one_line(client.name)}")
    _warn(f"Added {len(clients)} demo clients. {store.describe()}")
    return 0


def cmd_clients(args: argparse.Namespace) -> int:
    """List clients as ``id<TAB>name``, one per line."""
    store = _store(args)
    clients = store.list_clients()
    for client in clients:
        _say(f"{client.id}\t{_one_line(client.name)}")
    if not clients:
        _warn(f"No clients yet. {store.describe()}")
    return 0


#: Characters that reorder how a terminal shows text ("Trojan Source" tricks).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _one_line(text: str) -> str:
    """Names are data: keep tabs and newlines in them from breaking the listing, and
    control characters (terminal escapes, NUL, bidi overrides) from reaching the
    terminal; those are shown as escapes such as ``\\x1b``, and invisible ones
    such as a zero-width space as ``⟨U+200B⟩``."""
    from .model import visible_name

    return visible_name("".join(_visible(ch) for ch in " ".join(text.split())))


def _visible(ch: str) -> str:
    if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
        return ch.encode("unicode_escape").decode("ascii")
    return ch


def _shown_path(path: Path) -> str:
    """A path for a message: one line, and cut short if someone typed a very long one."""
    text = _one_line(str(path))
    return text if len(text) <= 80 else text[:79] + "…"


def _why(exc: Exception) -> str:
    """Why a file could not be used, in the words the system gives."""
    if isinstance(exc, ValueError):
        return "the file name contains a NUL character"
    return getattr(exc, "strerror", None) or str(exc)


def cmd_export(args: argparse.Namespace) -> int:
    """Write one client's workbook file to the path the user chose.

    The file's name and place come from ``-o`` alone; the client's name and id
    never become part of a path.
    """
    from .exports import atomic_write, build_workbook, workbook_bytes

    store = _store(args)
    data = workbook_bytes(build_workbook(store, args.client, include_notes=args.include_notes,
                                         include_audit=args.with_audit))
    path = Path(args.output)
    try:
        atomic_write(path, data)
    except (OSError, ValueError) as exc:
        raise NextRoundError(f"cannot write {_shown_path(path)}: {_why(exc)}") from None
    store.record_event("exported", args.client, detail=_export_detail(args))
    _say(f"Exported to {path}")
    return 0


def _export_detail(args: argparse.Namespace) -> str:
    """What an export held, in the audit log's fixed words."""
    extras = [what for what, asked in (("notes", args.include_notes),
                                       ("the audit log", args.with_audit)) if asked]
    return "workbook file" + (f" with {' and '.join(extras)}" if extras else "")


def cmd_import(args: argparse.Namespace) -> int:
    """Read a workbook file back into the store; nothing is written on error."""
    from .exports import MAX_WORKBOOK_BYTES, import_workbook, parse_workbook

    path = Path(args.file)
    try:
        with path.open("rb") as handle:  # never more than a workbook can hold
            raw = handle.read(MAX_WORKBOOK_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise NextRoundError(f"cannot read {_shown_path(path)}: {_why(exc)}") from None
    if len(raw) > MAX_WORKBOOK_BYTES:
        raise NextRoundError(f"This file is larger than {MAX_WORKBOOK_BYTES // 1024 // 1024} "
                             "MB, the most a workbook file can be. Is it the right file?")
    parse_workbook(raw)  # a bad file is refused before any database is created
    store = _store(args, create=True)
    client = import_workbook(store, raw)
    _say(f"{client.id}\t{_one_line(client.name)}")
    _warn(f"Imported {_one_line(client.name)} ({_record_counts(store, client.id)}). "
          f"{store.describe()}")
    return 0


def _record_counts(store, client_id: str) -> str:
    """What a client's workbook holds, in words: "2 applications, 5 answers"."""
    from .store import LABELS
    from .text import plural

    data = store.export_records(client_id, include_notes=True)
    parts = [plural(len(items), LABELS[name])
             for name, items in data.items() if name != "client" and items]
    return ", ".join(parts) or "no records yet"


def cmd_erase(args: argparse.Namespace) -> int:
    """Erase a client completely; ``--yes`` is required so it is never an accident."""
    if not args.yes:
        _warn("nextround erase: add --yes to confirm; this removes the client for good")
        return 2
    store = _store(args)
    client = store.get_client(args.client)
    store.erase_client(client.id)
    _say(f"Erased {client.id}")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    """Print the ranked scenario ids for some feedback text, with matched cues."""
    from .advice import suggest_scenarios

    text = " ".join(args.text)
    if text == "-":
        text = sys.stdin.read()
    for suggestion in suggest_scenarios(text, _content()):
        cues = "; ".join(suggestion.cues)
        _say(f"{suggestion.scenario_id}\t{cues}")
    return 0


def cmd_tone(args: argparse.Namespace) -> int:
    """Check an email draft; exit 1 if anything should be reworded."""
    from .advice import check_tone

    text = _read_draft(args.file)
    if not text.strip():
        shown = "the draft on standard input" if args.file == "-" else \
            _shown_path(Path(args.file))
        raise NextRoundError(f"{shown} is empty; write the email first, then check it")
    flags = check_tone(text, _content())
    for flag in flags:
        _say(f"{flag.phrase!r} -> {flag.alternative}")
    if not flags:
        _say("The draft reads as gracious.")
    return 1 if flags else 0


def _read_draft(name: str) -> str:
    """An email draft as text, from a file or ``-`` (standard input), in plain words
    when it cannot be read."""
    if name == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else \
            sys.stdin.read().encode("utf-8")
        shown = "the draft on standard input"
    else:
        path = Path(name)
        shown = _shown_path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NextRoundError(f"there is no file {shown}; check the name") from None
        except IsADirectoryError:
            raise NextRoundError(f"{shown} is a folder, not a draft file") from None
        except PermissionError:
            raise NextRoundError(f"{shown} cannot be read: permission denied") from None
        except (OSError, ValueError) as exc:
            raise NextRoundError(f"cannot read {shown}: {_why(exc)}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NextRoundError(f"{shown} is not plain UTF-8 text (unexpected byte at position "
                             f"{exc.start}); save it as plain text and try again") from None


def cmd_report(args: argparse.Namespace) -> int:
    """Write the service report (counts under 5 hidden) as .xlsx or .csv."""
    from datetime import date

    from .exports import atomic_write
    from .report_files import report_format

    path = Path(args.output)
    suffix = report_format(path)  # a wrong ending is refused before anything is read
    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        raise NextRoundError(f"--since takes a date as YYYY-MM-DD, such as 2026-09-01, "
                             f"not {_one_line(args.since)!r}") from None
    from .report import build_report
    from .report_files import report_bytes

    report = build_report(_store(args), _content(), since=since)
    try:
        atomic_write(path, report_bytes(report, suffix))
    except (OSError, ValueError) as exc:
        raise NextRoundError(f"cannot write {_shown_path(path)}: {_why(exc)}") from None
    _say(f"Wrote the service report ({report.period}) to {path}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """Build the documentation site from a checkout's ``docs/``, offline, warnings as errors."""
    import importlib.util
    import subprocess

    from .paths import CHECKOUT_DIR

    source = CHECKOUT_DIR / "docs"
    if not (source / "conf.py").is_file():
        raise NextRoundError("the documentation sources are not installed with the package; "
                             "build them in a checkout of NextRound")
    if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_nb") is None:
        raise NextRoundError("building the documentation needs the docs extra: "
                             "pip install -e '.[docs]'")
    output = Path(args.output) if args.output else source / "_build" / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-d", str(output.parent / "doctrees"), str(source), str(output)]
    if args.fresh:
        command.insert(3, "-E")
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise NextRoundError("the documentation build failed (see above)")
    _say(f"Built the documentation: {output / 'index.html'}")
    return 0


# --- parser --------------------------------------------------------------------


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database file or URL (default: NEXTROUND_DB or the "
                        "user data folder)")


def _add_report(sub) -> None:
    p = sub.add_parser("report", help="write the service report: .xlsx or .csv")
    p.add_argument("-o", "--output", required=True, help="file to write, ending .xlsx or .csv")
    p.add_argument("--since", help="only records from this day on (YYYY-MM-DD)")
    _add_db(p)
    p.set_defaults(func=cmd_report)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; subcommands from other modules register themselves."""
    parser = argparse.ArgumentParser(
        prog="nextround",
        description="A coaching workbook for handling job-search rejection.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check-content", help="validate a content folder")
    p.add_argument("directory", nargs="?", help="content folder (default: the shipped one)")
    p.add_argument("--lang", action="append", metavar="CODE",
                   help="check only this language folder, such as es (may be repeated; "
                        "default: every language folder found)")
    p.add_argument("--complete", action="store_true",
                   help="fail when an English item has no translation")
    p.set_defaults(func=cmd_check_content)

    p = sub.add_parser("demo", help="create demo clients with a realistic history")
    _add_db(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("clients", help="list clients: id, a tab, the name")
    _add_db(p)
    p.set_defaults(func=cmd_clients)

    p = sub.add_parser("export", help="write a client's workbook file")
    p.add_argument("client", help="client id")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--include-notes", action="store_true",
                   help="include the counsellor's private session notes")
    p.add_argument("--with-audit", action="store_true",
                   help="include the audit log's events for this client")
    _add_db(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="read a workbook file into the store")
    p.add_argument("file", help="workbook file")
    _add_db(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("erase", help="erase a client and all their data")
    p.add_argument("client", help="client id")
    p.add_argument("--yes", action="store_true", help="confirm the erase")
    _add_db(p)
    p.set_defaults(func=cmd_erase)

    p = sub.add_parser("suggest", help="suggest scenarios for some feedback text")
    p.add_argument("text", nargs="+", help="the feedback heard, or - to read stdin")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("tone", help="check an email draft for phrasing to avoid")
    p.add_argument("file", help="draft file, or - to read stdin")
    p.set_defaults(func=cmd_tone)

    _add_report(sub)

    p = sub.add_parser("docs", help="build the documentation site (from a checkout)")
    p.add_argument("-o", "--output", help="folder for the HTML (default: docs/_build/html)")
    p.add_argument("-E", "--fresh", action="store_true", help="read every page again")
    p.set_defaults(func=cmd_docs)

    from .db_cli import register as register_db

    register_db(sub)

    from .people_cli import register as register_people

    register_people(sub)

    try:
        from .serve import register as register_serve
    except ImportError:  # serve needs Voilà; the other commands do not
        register_serve = None
    if register_serve is not None:
        register_serve(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command. Errors a user can fix print one line; nothing prints a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except ContentError as exc:
        for line in exc.problems:
            _warn(line)
        _warn("nextround: the content has problems; fix them and try again")
        return 1
    except NextRoundError as exc:
        _warn(f"nextround {args.command}: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        _warn(f"nextround {args.command}: unexpected error: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
