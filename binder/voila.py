"""Voilà's settings on Binder, where it runs as an extension of the Jupyter Server.

``postBuild`` puts this file with the environment's Jupyter configuration,
where Voilà reads it on start. The settings themselves are
:func:`nextround.voila_settings.apply`, shared with the servers a JupyterHub
starts (:mod:`nextround.hub`), so the app's page is the same as
``nextround serve``'s: the ``nextround`` template, only the widget manager on
the first view, and the MathJax bundled with Voilà (nothing from a CDN).
"""

from nextround.voila_settings import apply

apply(get_config())  # noqa: F821 (provided by the Jupyter config loader)
