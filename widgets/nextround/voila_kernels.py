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
import logging
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


#: Seconds the pool's tasks get to wind down when the server stops.
POOL_STOP_TIMEOUT = 5
#: Where a pre-render stopped on purpose reports its kernel's death.
_STOPPED_RENDER_LOG = logging.getLogger("nextround.serve.stopped_prerender")


async def _wind_down(renders: list[asyncio.Task]) -> None:
    """Let stopped pre-renders notice their kernel is gone, then collect their errors.

    A render still waiting for its kernel to answer is cancelled after a
    moment; each one's error is read here, since nobody else will.
    """
    if not renders:
        return
    _done, running = await asyncio.wait(renders, timeout=POOL_STOP_TIMEOUT / 2)
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running, timeout=POOL_STOP_TIMEOUT / 2)
    for task in renders:
        if task.done() and not task.cancelled() and task.exception() is not None:
            _STOPPED_RENDER_LOG.debug("pre-render stopped: %r", task.exception())


def _send_reports_to_debug_log(renderer) -> None:
    """Send a pre-render's reports to the debug log: its kernel is about to be stopped."""
    quiet = logging.LoggerAdapter(_STOPPED_RENDER_LOG, {})
    quiet.error = quiet.debug  # type: ignore[method-assign]
    quiet.critical = quiet.debug  # type: ignore[method-assign]
    quiet.exception = quiet.debug  # type: ignore[method-assign]
    renderer.log = quiet
    executor = getattr(renderer, "executor", None)
    if executor is not None:
        executor.log = quiet


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
        """Stop quickly and quietly, on a busy machine too.

        * The pool's refills are cancelled before any kernel goes: Voilà's
          pool (the class above this one) would wait out each refill's delay
          and then start a kernel while everything else stops.
        * Kernels no page is connected to (the pre-heated one, closed tabs)
          hold nothing to finish and are stopped at once; only kernels with an
          open page get the polite shutdown request, all at the same time.
        * The pre-heated kernel is still running the notebook (it waits for a
          page's request); its pre-render ends with "kernel died", which is
          expected here and goes to the debug log rather than the terminal.

        Runs on the server's own event loop (``NextRoundVoila.stop``), which
        owns the pool's tasks.
        """
        self._stopping = True
        await self._free_slot()
        renders = await self._drop_pool()
        unused = [kernel_id for kernel_id in list(self._kernels)
                  if self._kernel_connections.get(kernel_id, 0) == 0]
        await asyncio.gather(*(self.shutdown_kernel(kernel_id, now=True)
                               for kernel_id in unused), return_exceptions=True)
        await _wind_down(renders)
        return await super().shutdown_all(now=now)

    async def _drop_pool(self) -> list[asyncio.Task]:
        """Forget the pool and cancel its refills; return its pre-renders, quietened."""
        pools = getattr(self, "_pools", None)
        if not pools:
            return []
        self._pools = {}
        refills, unstarted, renders = [], [], []
        for task in (task for pool in pools.values() for task in pool):
            if not task.done():
                unstarted.extend(_never_started(task))
                task.cancel()
                refills.append(task)
            elif not task.cancelled() and task.exception() is None:
                result = task.result()
                _send_reports_to_debug_log(result["renderer"])
                renders.append(result["task"])
        if refills:
            await asyncio.wait(refills, timeout=POOL_STOP_TIMEOUT)
        for coroutine in unstarted:
            if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()
        return renders

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
