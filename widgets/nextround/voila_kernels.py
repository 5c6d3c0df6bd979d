"""The kernel manager ``nextround serve`` hands to Voilà.

Idle culling (``cull_idle_timeout``) reclaims the kernel of a closed tab. A
pre-heated kernel, though, ran the notebook when it joined the pool, perhaps
long before a page takes it, so its last activity is old. If the culler ran
in the second between a page taking it and the browser's websocket
connecting, it would shut down the kernel of a page that is still loading.

This manager counts a kernel's idle time from no earlier than the first cull
check that sees it outside the pool. Voilà's own pooling subclass keeps the
pool itself safe; this class sits underneath it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class HandedOutKernelManager(AsyncMappingKernelManager):
    """Cull a kernel only once it has been out of the pool for the idle timeout."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen_out_of_pool: set[str] = set()

    async def cull_kernel_if_idle(self, kernel_id: str):
        kernel = self._kernels.get(kernel_id)
        if kernel is not None and kernel_id not in self._seen_out_of_pool:
            self._seen_out_of_pool.add(kernel_id)
            kernel.last_activity = datetime.now(UTC)
        return await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        self._seen_out_of_pool.discard(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)
