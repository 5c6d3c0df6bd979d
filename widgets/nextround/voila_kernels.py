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

``max_kernels`` bounds the kernels alive at once, the pre-heated one
included: a start beyond it waits until a kernel is shut down. Pages are
refused before they would wait (see :mod:`nextround.voila_app`), so only the
pool's refill ever waits here.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer


class HandedOutKernelManager(AsyncMappingKernelManager):
    """Cull a kernel only once it has been out of the pool for the idle timeout."""

    max_kernels = Integer(0, config=True,
                          help="Most kernels alive at once, pre-heated ones included "
                               "(0: no limit).")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen_out_of_pool: set[str] = set()
        self._stopping = False
        #: Kernels counted against ``max_kernels``: started or starting.
        self._counted: set[str] = set()
        self._starting = 0
        self._slot_freed: asyncio.Condition | None = None

    @property
    def live_kernels(self) -> int:
        return len(self._counted) + self._starting

    def _slots(self) -> asyncio.Condition:
        if self._slot_freed is None:
            self._slot_freed = asyncio.Condition()
        return self._slot_freed

    async def _free_slot(self) -> None:
        async with self._slots():
            self._slots().notify_all()

    async def start_kernel(self, *args, **kwargs):
        # Voilà's pool awaits its refill tasks while stopping, which would
        # otherwise start fresh kernels during shutdown.
        if self._stopping:
            raise RuntimeError("the server is stopping")
        if self.max_kernels > 0:
            async with self._slots():
                await self._slots().wait_for(
                    lambda: self._stopping or self.live_kernels < self.max_kernels)
        if self._stopping:
            raise RuntimeError("the server is stopping")
        self._starting += 1
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        except BaseException:
            self._starting -= 1
            await self._free_slot()
            raise
        self._starting -= 1
        self._counted.add(kernel_id)
        return kernel_id

    async def shutdown_all(self, now=False):
        self._stopping = True
        await self._free_slot()
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
        try:
            if kernel_id not in self._kernels:
                return None
            return await super()._async_shutdown_kernel(kernel_id, now=now, restart=restart)
        finally:
            if not restart and kernel_id in self._counted:
                self._counted.discard(kernel_id)
                await self._free_slot()

    shutdown_kernel = _async_shutdown_kernel
