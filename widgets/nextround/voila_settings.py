"""Voilà's settings wherever it runs inside a Jupyter Server (Binder, JupyterHub).

``nextround serve`` passes these to standalone Voilà on its command line. Inside
a Jupyter Server, Voilà reads them from a ``voila.py`` configuration file
instead; ``binder/voila.py`` and the file :mod:`nextround.hub` gives each
person's server both call :func:`apply`, so every way in shows the same page:

* the ``nextround`` template (installed with the package), which loads
  nothing from outside the server;
* only the widget manager on the first view
  (:data:`nextround.serve.FIRST_VIEW_EXTENSIONS`): plotly.js for the charts
  comes from this server when Progress is first opened (:mod:`nextround.web`,
  which installing NextRound enables in the Jupyter Server);
* maths typeset by the MathJax bundled with Voilà. Inside the Jupyter Server,
  Voilà's page would otherwise fetch MathJax from a CDN the first time it
  shows any output.
"""

from __future__ import annotations

from typing import Any

TEMPLATE = "nextround"
#: The only lab extensions the first view loads; ``nextround serve`` passes the
#: same (``nextround.serve.FIRST_VIEW_EXTENSIONS``).
FIRST_VIEW_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager",
                         "@voila-dashboards/widgets-manager8")


def bundled_mathjax(page_config: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Leave the MathJax address unset, as standalone Voilà does."""
    page_config["fullMathjaxUrl"] = None
    page_config["mathjaxConfig"] = None
    return page_config


def apply(c: Any) -> None:
    """Set the app's Voilà settings on a Jupyter configuration object ``c``."""
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.extension_allowlist = list(FIRST_VIEW_EXTENSIONS)
    c.VoilaConfiguration.page_config_hook = bundled_mathjax
