"""NextRound: a coaching workbook for handling job-search rejection.

The package is importable without Jupyter: content, logic and storage live
in plain modules, and the widget components import ipywidgets only when
they are used.
"""

__version__ = "0.1.0"
