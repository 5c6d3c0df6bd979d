"""The hub's test spawner: JupyterHub's local process spawner, one log file per person.

JupyterHub's ``SimpleLocalProcessSpawner`` lets each person's server write to
the hub's own output, so twenty servers' lines (and their kernels') end up
interleaved in one log with nothing saying whose they are. This spawner sends
each server's output to ``log_dir/NAME.log`` instead, so a person whose page
never drew can be read on their own: whether their kernel started, whether
the page's kernel channel opened, and what the server said about it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode


class LoggedLocalProcessSpawner(SimpleLocalProcessSpawner):
    """``SimpleLocalProcessSpawner`` writing each person's server output to a file."""

    log_dir = Unicode("", config=True,
                      help="folder for each person's server log (NAME.log); '' keeps the "
                           "hub's output")

    def log_path(self) -> Path | None:
        return Path(self.log_dir) / f"{self.user.name}.log" if self.log_dir else None

    async def start(self):
        path = self.log_path()
        if path is None:
            return await super().start()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Appended: a server started again (after a stop) keeps the earlier lines.
        with path.open("ab") as log:
            self.popen_kwargs = {**self.popen_kwargs, "stdout": log,
                                 "stderr": subprocess.STDOUT}
            return await super().start()
