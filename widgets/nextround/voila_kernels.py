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
import inspect
from datetime import UTC, datetime

from jupyter_server.services.kernels.kernelmanager import (
    AsyncMappingKernelManager,
    ServerKernelManager,
)
from traitlets import Integer, default


class CalmKernelManager(ServerKernelManager):
    """One kernel, shut down without the interrupt that precedes Jupyter's shutdown.

    Jupyter sends SIGINT before its shutdown request, to stop running code.
    Our kernels run no code of their own between widget events; a kernel
    still starting up, though, met that SIGINT in the middle of its imports
    and printed a KeyboardInterrupt traceback into the server's output. The
    shutdown request, then SIGTERM and SIGKILL if needed, still follow.
    """

    async def _async_interrupt_kernel(self):
        if self.shutting_down:
            return None
        return await super()._async_interrupt_kernel()


#: Seconds a pre-heated kernel gets to finish the notebook when the server stops.
PRE_RENDER_FINISH_TIMEOUT = 10


def _release_waiting_kernel(kernel_id: str) -> None:
    """Give a pre-heated kernel an empty page request, so its notebook finishes."""
    from voila.request_info_handler import RequestInfoSocketHandler

    RequestInfoSocketHandler.send_updates({"kernel_id": kernel_id, "payload": {}})


def _never_started(task: asyncio.Task) -> list:
    """The coroutine a pool refill would start after its delay, while it still waits.

    Cancelling the refill leaves that coroutine never awaited; it is closed
    so Python does not warn about it.
    """
    frame = getattr(task.get_coro(), "cr_frame", None)
    inner = frame.f_locals.get("aw") if frame is not None else None
    return [inner] if inspect.iscoroutine(inner) else []


class HandedOutKernelManager(AsyncMappingKernelManager):
    """Cull a kernel only once it has been out of the pool for the idle timeout."""

    max_kernels = Integer(0, config=True,
                          help="Most kernels alive at once, pre-heated ones included "
                               "(0: no limit).")

    @default("kernel_manager_class")
    def _default_kernel_manager_class(self):
        return "nextround.voila_kernels.CalmKernelManager"

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
            # Shielded: a refill cancelled while stopping must not leave a
            # launched kernel that the manager never registered.
            kernel_id = await asyncio.shield(super().start_kernel(*args, **kwargs))
        except BaseException:
            self._starting -= 1
            await self._free_slot()
            raise
        self._starting -= 1
        self._counted.add(kernel_id)
        return kernel_id

    async def shutdown_all(self, now=False):
        """Stop at once: drop the pool's refills before stopping the kernels.

        Voilà's pool (the class above this one) would otherwise wait for each
        refill to finish its delay (``fill_delay``) and then start and render
        into a kernel while everything is being shut down. Runs on the
        server's own event loop (see ``NextRoundVoila.stop``), which owns
        these tasks.
        """
        self._stopping = True
        await self._free_slot()
        await self._drop_pool()
        return await super().shutdown_all(now=now)

    async def _drop_pool(self) -> None:
        """Forget the pool: cancel refills not started, let pre-renders finish.

        A pre-heated kernel is in the middle of running the notebook, waiting
        for a page's request. Shut down like that, it died mid-reply and both
        it and the server printed ZMQ tracebacks. It is sent an empty request
        instead, so it finishes the notebook and is idle when shut down.
        """
        pools = getattr(self, "_pools", None)
        if not pools:
            return
        self._pools = {}
        renders, pending, unstarted = [], [], []
        for task in (task for pool in pools.values() for task in pool):
            if task.done():
                if not task.cancelled() and task.exception() is None:
                    result = task.result()
                    renders.append(result["task"])
                    _release_waiting_kernel(result["kernel_id"])
                continue
            unstarted.extend(_never_started(task))
            task.cancel()
            pending.append(task)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for coroutine in unstarted:
            if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()
        if renders:
            await asyncio.wait(renders, timeout=PRE_RENDER_FINISH_TIMEOUT)

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
