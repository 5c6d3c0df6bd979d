"""Kernels that come up on ports no other process has taken.

A Jupyter Server picks a kernel's five TCP ports by binding port 0, letting
the port go and writing it into the kernel's connection file; the kernel binds
it a second or more later, once Python has imported ipykernel. jupyter_client's
``LocalPortCache`` keeps one server from giving the same port to two of its
kernels, but nothing stops another process from taking the port in that gap.
Behind a hub, twenty servers start kernels at once, and one kernel died with
"Address already in use" (docs/performance.md).

jupyter_client means to recover from this: its restarter starts a kernel that
died before it was ever alive again "with new random ports"
(``KernelRestarter.random_ports_until_alive``). But the ports it forgets are
only those still 0 when the connection file was first written, and with the
port cache (the default over TCP) the provisioner has filled in all five by
then. Every restart reused the taken ports, five times, and the kernel was
left dead. A restart on fresh ports would still come too late for Voilà: its
page has already connected to the first ports and waits for a reply from a
kernel that is not there, and the page never ends.

So :class:`FreshPortsKernelManager` waits, before it hands a new kernel over,
until the kernel answers; one that dies first is started again on ports
picked afresh. A restart asked for new ports gets them too.
"""

from __future__ import annotations

from typing import Any

from jupyter_client.connect import LocalPortCache, port_names
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from traitlets import Float, Integer


class KernelWouldNotStart(RuntimeError):
    """A kernel died at every start, on fresh ports each time."""


class FreshPortsKernelManager(ServerKernelManager):
    """A kernel handed over only once it answers, on fresh ports if its first were taken."""

    start_attempts = Integer(
        5, config=True,
        help="Starts on fresh ports before a kernel that dies at once is given up.")
    answer_timeout = Float(
        120.0, config=True,
        help="Seconds a new kernel has to answer; one still starting then is "
             "handed over as it is (a busy machine, not a taken port).")

    def cleanup_random_ports(self) -> None:
        """Forget the kernel's ports, the cached ones too, so the next start picks new ones.

        jupyter_client forgets only ports that were 0 when the connection file
        was written; cached ports (the provisioner's, over TCP) were already
        set by then, so ``restart_kernel(newports=True)`` kept them.
        """
        provisioner = self.provisioner
        if not getattr(provisioner, "ports_cached", False):
            super().cleanup_random_ports()
            return
        cache = LocalPortCache.instance()
        for name in port_names:
            cache.return_port(getattr(self, name))
            setattr(self, name, 0)
        provisioner.ports_cached = False
        self.cleanup_connection_file()

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """Launch the kernel; while it dies before answering, launch it on fresh ports."""
        for attempt in range(1, self.start_attempts + 1):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            if await self._answers():
                return
            taken = ", ".join(str(getattr(self, name)) for name in port_names)
            await self.provisioner.wait()  # collect the dead process
            if attempt == self.start_attempts:
                self.cleanup_random_ports()  # the connection file, and the ports cached
                raise KernelWouldNotStart(
                    f"kernel {self.kernel_id} died at each of {attempt} starts "
                    f"(last on ports {taken})")
            self.log.warning(
                "Kernel %s died before answering, on ports %s (another process may "
                "have taken one): starting it on fresh ports (%d/%d)",
                self.kernel_id, taken, attempt + 1, self.start_attempts)
            self.cleanup_random_ports()
            kernel_cmd, kw = await self._async_pre_start_kernel(**self._launch_args)

    async def _answers(self) -> bool:
        """Whether the kernel just launched answers, rather than dying first.

        A kernel still alive but silent after :attr:`answer_timeout` counts
        as answering: it is slow, and its ports are its own.
        """
        client = self.client()
        client.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
        try:
            await client.wait_for_ready(timeout=self.answer_timeout)
        except RuntimeError:
            return bool(await self.is_alive())
        finally:
            client.stop_channels()
        return True
