"""Sphinx settings for the NextRound documentation site.

Built offline by ``./scripts/docs`` or ``nextround docs``: warnings are
errors (``-W``), every example notebook is executed (a failing cell fails the
build), and the pages load nothing from outside (no MathJax, require.js,
widget manager or fonts from a CDN).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import nextround  # noqa: E402

project = "NextRound"
author = "NextRound"
copyright = "NextRound contributors"
release = version = nextround.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "content_reference",
]

# The notes beside these pages are read by people browsing the repository too;
# the site includes them as they are.
exclude_patterns = ["_build", "**.ipynb_checkpoints", "app.png"]
root_doc = "index"

# -- notebooks: always run, and a failing cell fails the build --
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 180
nb_execution_show_tb = True
# Live widgets would need the widget manager from a CDN; a static page cannot
# run a kernel anyway. Examples show what the components saved instead.
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/vnd.jupyter.widget-state+json", None),
]

# -- no CDN: MathJax only where a page has math, and no page has any --
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- API reference --
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Docstrings are numpy-style references: Parameters, Traits (made from each
# trait's help=), Events, Saves and a runnable Example.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_typehints_description_target = "documented"
# Saves is a definition list, so its terms (answer keys, record classes) keep their markup.
napoleon_custom_sections = [("Traits", "params_style"), ("Events", "params_style"), "Saves"]

html_theme = "alabaster"
html_title = f"NextRound {release}"
html_static_path = ["_static"]
html_css_files = ["nextround.css"]
html_theme_options = {"font_family": "system-ui, sans-serif",
                      "head_font_family": "system-ui, sans-serif",
                      "code_font_family": "ui-monospace, monospace"}
html_show_sourcelink = False
# No links out of the site in every page's footer.
html_show_sphinx = False
html_theme_options["show_powered_by"] = False


def _init_signature(app, what, name, obj, options, signature, return_annotation):
    """A traitlets class's own ``__init__`` signature, not ``HasTraits.__new__``'s ``*args``."""
    import inspect

    from traitlets import HasTraits

    if what != "class" or not (inspect.isclass(obj) and issubclass(obj, HasTraits)):
        return None
    parameters = [parameter.replace(annotation=inspect.Parameter.empty)  # types: in the text
                  for parameter in list(inspect.signature(obj.__init__).parameters.values())[1:]]
    return str(inspect.Signature(parameters)), return_annotation


def setup(app):
    app.connect("autodoc-process-signature", _init_signature)
