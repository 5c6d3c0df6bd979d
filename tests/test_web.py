"""The rules of nextround.web, and that every way in loads the same first view."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nextround import web
from nextround.serve import FIRST_VIEW_EXTENSIONS, ServeOptions, voila_argv

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("path", "query"), [
    ("/voila/labextensions/@jupyter-widgets/jupyterlab-manager/static/84.09c61a35dce1705f.js",
     {}),
    ("/voila/labextensions/x/static/remoteEntry.c8c9eed2cdefdeac.js", {}),
    ("/voila/templates/nextround/static/9834b82ad26e2a37583d.woff2", {}),
    ("/voila/templates/nextround/static/index.css", {"v": [b"ee8de085"]}),
    ("/nextround/static/plotly.3b6e15d45dbb7fca.min.js", {}),
])
def test_files_named_by_their_content_are_hashed(path, query):
    assert web.is_content_hashed(path, query)


@pytest.mark.parametrize("path", [
    "/voila/static/7155.voila.js",  # named by chunk number only: may change with Voilà
    "/voila/static/voila.js",
    "/",
    "/voila/templates/nextround/static/nextround.css",
    "/voila/api/themes/light.json",
])
def test_files_without_a_hash_are_not(path):
    assert not web.is_content_hashed(path, {})


def test_plotly_js_is_named_by_its_content():
    data = web.plotly_js_path().read_bytes()
    assert len(data) > 1_000_000 and b"plotly.js" in data[:2000]
    digest = hashlib.sha256(data).hexdigest()[:16]
    assert web.plotly_js_name() == f"plotly.{digest}.min.js"
    assert web.plotly_js_url_path() == f"nextround/static/plotly.{digest}.min.js"


def voila_binder_settings() -> dict:
    """binder/voila.py run as Jupyter runs it, with a config object of our own."""
    from traitlets.config import Config

    config = Config()
    code = (REPO / "binder" / "voila.py").read_text(encoding="utf-8")
    exec(compile(code, "binder/voila.py", "exec"), {"get_config": lambda: config})
    return config


def test_serve_the_template_and_binder_load_the_same_extensions_only():
    argv = voila_argv(ServeOptions(notebook=Path("app.ipynb")))
    allowed = [a.split("=", 1)[1] for a in argv
               if a.startswith("--VoilaConfiguration.extension_allowlist=")]
    assert allowed == list(FIRST_VIEW_EXTENSIONS)
    conf = json.loads((REPO / "share/jupyter/voila/templates/nextround/conf.json")
                      .read_text(encoding="utf-8"))
    assert conf["traitlet_configuration"]["extension_allowlist"] == list(FIRST_VIEW_EXTENSIONS)
    binder = voila_binder_settings()
    assert list(binder.VoilaConfiguration.extension_allowlist) == list(FIRST_VIEW_EXTENSIONS)
    assert not any("plotly" in name or "anywidget" in name for name in FIRST_VIEW_EXTENSIONS)


def test_installing_nextround_enables_its_server_extension():
    config = json.loads((REPO / "etc/jupyter/jupyter_server_config.d/nextround.json")
                        .read_text(encoding="utf-8"))
    assert config["ServerApp"]["jpserver_extensions"] == {"nextround.web": True}
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert ('"etc/jupyter/jupyter_server_config.d/nextround.json" = '
            '"etc/jupyter/jupyter_server_config.d/nextround.json"') in pyproject
    assert web._jupyter_server_extension_points() == [{"module": "nextround.web"}]


def test_anywidget_is_not_a_dependency():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "anywidget" not in pyproject
