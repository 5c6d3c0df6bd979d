"""Voilà's settings on Binder, where it runs as an extension of the Jupyter Server.

``postBuild`` puts this file with the environment's Jupyter configuration,
where Voilà reads it on start. It gives the app the same page as
``nextround serve``:

* the ``nextround`` template (installed by ``pip install .``), which loads
  nothing from outside the server;
* only the widget manager on the first view, as ``nextround serve`` loads
  (``nextround.serve.FIRST_VIEW_EXTENSIONS``): plotly.js for the charts comes
  from this server when Progress is first opened (``nextround.web``, which
  installing NextRound enables in the Jupyter Server, also compresses
  responses and lets the browser keep content-hashed files);
* maths typeset by the MathJax bundled with Voilà. Inside the Jupyter Server,
  Voilà's page would otherwise fetch MathJax from a CDN the first time it
  shows any output.
"""

c = get_config()  # noqa: F821 (provided by the Jupyter config loader)

c.VoilaConfiguration.template = "nextround"
c.VoilaConfiguration.extension_allowlist = [
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",
]


def bundled_mathjax(page_config, **_):
    """Leave the MathJax address unset, as standalone Voilà does."""
    page_config["fullMathjaxUrl"] = None
    page_config["mathjaxConfig"] = None
    return page_config


c.VoilaConfiguration.page_config_hook = bundled_mathjax
