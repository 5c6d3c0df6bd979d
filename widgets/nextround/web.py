"""What the server sends and how: plotly.js on demand, compressed, cached for good.

The first view loads only the widget manager; the charts' library, plotly.js
(4.8 MB, shipped inside the ``plotly`` Python package), is fetched from this
server only when a chart is first drawn. This module:

* names that file by its content (:func:`plotly_js_name`), so the kernel
  (which writes the address into the chart) and the server (which serves
  it) agree without talking, and a new plotly gives a new address;
* serves it (:func:`plotly_route`) with ``Cache-Control: immutable``;
* decides which other static files carry a content hash and may be cached
  the same way (:func:`is_content_hashed`);
* compresses JavaScript, CSS and JSON (tornado's gzip transform) under
  Jupyter Server too, as a server extension enabled by installing
  NextRound: Binder, a JupyterHub, or ``nextround lab``.

``nextround serve`` applies the same rules in :mod:`nextround.voila_app`.
Nothing here imports Jupyter Server or tornado at module level, so the
kernel can ask for the file's name cheaply.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

#: Where the chart library is served, under the server's base URL.
PLOTLY_PREFIX = "nextround/static/"
#: One year, as browsers read "for good".
IMMUTABLE = "public, max-age=31536000, immutable"
#: A file name part that is a content hash: webpack's ``84.09c61a35dce1705f.js``,
#: ``remoteEntry.c8c9eed2cdefdeac.js``, and our ``plotly.<hash>.min.js``.
_HASHED_NAME = re.compile(r"[./][0-9a-f]{8,}\.(?:min\.)?(?:js|css|woff2?|ttf|svg)$")


@cache
def plotly_js_path() -> Path:
    """plotly.min.js as the installed plotly package ships it."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the plotly package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


@cache
def plotly_js_name() -> str:
    """``plotly.<first 16 hex of its sha256>.min.js``: the address changes with the file."""
    digest = hashlib.sha256(plotly_js_path().read_bytes()).hexdigest()[:16]
    return f"plotly.{digest}.min.js"


def plotly_js_url_path() -> str:
    """The file's address below the server's base URL (no leading slash)."""
    return PLOTLY_PREFIX + plotly_js_name()


def is_content_hashed(path: str, query: dict[str, Any]) -> bool:
    """Whether a static file's address names its content, so it can never change.

    Jupyter's and Voilà's static files carry their hash either in the name or
    as ``?v=<hash>``; either way a new version gets a new address.
    """
    return bool(query.get("v")) or bool(_HASHED_NAME.search(path))


def immutable_static(handler_class: type) -> type:
    """A static file handler that marks content-hashed files immutable."""

    class ImmutableStatic(handler_class):
        def set_headers(self):
            # After the handler's own headers: Jupyter's says "no-cache" to all.
            super().set_headers()
            if is_content_hashed(self.request.path, self.request.query_arguments):
                self.set_header("Cache-Control", IMMUTABLE)

    ImmutableStatic.__name__ = f"Immutable{handler_class.__name__}"
    return ImmutableStatic


def plotly_route(base_url: str) -> tuple:
    """The tornado route serving plotly.min.js under its content-hashed name."""
    from jupyter_server.utils import url_path_join
    from tornado import web

    class PlotlyJsHandler(web.StaticFileHandler):
        """Only the one file, only under its current name; cached for good."""

        def parse_url_path(self, url_path: str) -> str:
            if url_path != plotly_js_name():
                raise web.HTTPError(404)
            return plotly_js_path().name

        def set_extra_headers(self, path):
            self.set_header("Cache-Control", IMMUTABLE)

        def check_xsrf_cookie(self):  # GET only; nothing to protect
            return None

    pattern = url_path_join(base_url, PLOTLY_PREFIX, r"(plotly\.[0-9a-f]{16}\.min\.js)")
    return (pattern, PlotlyJsHandler, {"path": str(plotly_js_path().parent)})


def compress_responses(web_app) -> None:
    """gzip JavaScript, CSS, JSON and HTML for browsers that accept it.

    tornado's ``compress_response`` setting is read only when the application
    is built; a server extension loads later, so it adds the transform itself.
    """
    from tornado.web import GZipContentEncoding

    if GZipContentEncoding not in web_app.transforms:
        web_app.transforms.append(GZipContentEncoding)


def labextension_static_folders() -> list[str]:
    """Each installed lab extension's ``static`` folder, relative to the extensions root.

    Their files all carry content hashes (webpack names them so), as
    JupyterLab assumes when it marks the same folders immutable under ``/lab``.
    """
    from jupyter_core.paths import jupyter_path

    found = set()
    for root in map(Path, jupyter_path("labextensions")):
        if root.is_dir():
            found.update(p.relative_to(root).as_posix() for p in root.glob("**/static")
                         if p.is_dir())
    return sorted(found)


# --- Jupyter Server extension ----------------------------------------------------


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "nextround.web"}]


def _load_jupyter_server_extension(server_app) -> None:
    """Under Jupyter Server: serve plotly.js, compress, and cache hashed files for good."""
    from jupyter_server.utils import url_path_join

    web_app = server_app.web_app
    base_url = web_app.settings.get("base_url", "/")
    web_app.add_handlers(".*$", [plotly_route(base_url)])
    compress_responses(web_app)
    immutable = set(web_app.settings.get("static_immutable_cache", []))
    immutable.update(url_path_join(base_url, "voila/labextensions", folder)
                     for folder in labextension_static_folders())
    web_app.settings["static_immutable_cache"] = sorted(immutable)
    server_app.log.info("NextRound: plotly.js on demand, compressed responses")
