"""The kernel manager ``nextround serve`` hands to Voilà.

Idle culling (``cull_idle_timeout``) reclaims the kernel of a closed tab. A
pre-heated kernel, though, ran the notebook when it joined the pool, perhaps
long before a page takes it, so its last activity is old. If the culler ran
in the second between a page taking it and the browser's websocket
connecting, it would shut down the kernel of a page that is still loading.

This manager counts a kernel's idle time from no earlier than the first cull
check that sees it outside the pool. Voilà's own pooling subclass keeps the
pool itself safe; this class sits underneath it. It also lets the server stop
cleanly while a kernel is still starting, and starts none while stopping.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class HandedOutKernelManager(AsyncMappingKernelManager):
    """Cull a kernel only once it has been out of the pool for the idle timeout."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen_out_of_pool: set[str] = set()
        self._stopping = False

    async def start_kernel(self, *args, **kwargs):
        # Voilà's pool awaits its refill tasks while stopping, which would
        # otherwise start fresh kernels during shutdown.
        if self._stopping:
            raise RuntimeError("the server is stopping")
        return await super().start_kernel(*args, **kwargs)

    async def shutdown_all(self, now=False):
        self._stopping = True
        return await super().shutdown_all(now=now)

    async def cull_kernel_if_idle(self, kernel_id: str):
        kernel = self._kernels.get(kernel_id)
        if kernel is not None and kernel_id not in self._seen_out_of_pool:
            self._seen_out_of_pool.add(kernel_id)
            kernel.last_activity = datetime.now(UTC)
        return await super().cull_kernel_if_idle(kernel_id)

    async def _async_shutdown_kernel(self, kernel_id: str, now=False, restart=False):
        """Shut a kernel down, waiting first for one that is still starting.

        Stopping the server while the pool's first kernel starts would otherwise
        fail with "Kernel does not exist" and leave that kernel behind.
        """
        self._seen_out_of_pool.discard(kernel_id)
        starting = self._pending_kernels.get(kernel_id)
        if kernel_id not in self._kernels and starting is not None:
            with contextlib.suppress(Exception):
                await starting
        if kernel_id not in self._kernels:
            return None
        return await super()._async_shutdown_kernel(kernel_id, now=now, restart=restart)

    shutdown_kernel = _async_shutdown_kernel
