"""Voilà's settings for a person's server started by a JupyterHub (see nextround.hub)."""

from nextround.voila_settings import apply

apply(get_config())  # noqa: F821 (provided by the Jupyter config loader)
