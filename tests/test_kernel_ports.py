"""A kernel whose port another process took comes up anyway: behind the hub (the
kernel manager each person's server is given, nextround/jupyter_config) and in
``nextround serve``.

The race seen with twenty servers at once (docs/performance.md): a server picks
a free port for its kernel and lets it go; another process binds that port
before the kernel does; the kernel dies with "Address already in use". Here
the test is that other process: the moment a port is picked, it binds it
(and listens, as a kernel does), so the race happens every time. The kernels
are real ipykernels; the port selection itself is jupyter_client's own.
"""

from __future__ import annotations

import asyncio
import json
import socket
from contextlib import ExitStack
from pathlib import Path

import pytest
from jupyter_client.connect import LocalPortCache, port_names
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets.config import Config, PyFileConfigLoader

from nextround import hub
from nextround.kernel_ports import FreshPortsKernelManager, KernelWouldNotStart

#: Seconds a kernel gets to answer in these tests: generous, for a busy machine.
ANSWER_WITHIN = 120


def hub_server_config() -> Config:
    """The Jupyter Server settings NextRound gives each person's server behind the hub."""
    return PyFileConfigLoader("jupyter_server_config.py",
                              path=str(hub.jupyter_config_dir())).load_config()


def kernels(config: Config, root: Path) -> AsyncMappingKernelManager:
    """The kernels of a person's server, as their Jupyter Server makes them."""
    return AsyncMappingKernelManager(config=config, root_dir=str(root),
                                     connection_dir=str(root))


def serve_kernels(root: Path) -> AsyncMappingKernelManager:
    """The kernels of ``nextround serve`` (its ``KERNEL_MANAGER``), under Voilà's pool."""
    from traitlets.utils.importstring import import_item

    from nextround.serve import KERNEL_MANAGER

    return import_item(KERNEL_MANAGER)(root_dir=str(root), connection_dir=str(root))


#: Where kernels are started: behind the hub, and by ``nextround serve``.
WAYS_IN = {
    "hub": lambda root: kernels(hub_server_config(), root),
    "serve": serve_kernels,
}


@pytest.fixture
def another_process_takes_picked_ports(monkeypatch):
    """Bind each of the first ``n`` ports jupyter_client picks, right after it picks it.

    Yields a function setting ``n`` and returning the list of ports taken so far.
    """
    picked = LocalPortCache.find_available_port
    taken: list[int] = []
    how_many = {"n": 0}
    with ExitStack() as holders:

        def pick_then_lose(cache, ip):
            port = picked(cache, ip)
            if len(taken) < how_many["n"]:
                holder = holders.enter_context(socket.socket())
                holder.bind((ip, port))
                holder.listen()
                taken.append(port)
            return port

        monkeypatch.setattr(LocalPortCache, "find_available_port", pick_then_lose)

        def take(n: int) -> list[int]:
            how_many["n"] = n
            return taken

        yield take


def kernel_ports(kernel) -> set[int]:
    return {getattr(kernel, name) for name in port_names}


async def answers(kernel) -> None:
    """Connect as Voilà's page does, to the kernel's ports as they are now, and wait for a reply."""
    client = kernel.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=ANSWER_WITHIN)
    finally:
        client.stop_channels()


@pytest.mark.parametrize("way_in", sorted(WAYS_IN))
def test_kernels_come_up_on_fresh_ports_when_theirs_were_taken(
        way_in, tmp_path, another_process_takes_picked_ports):
    """The shell port picked for the kernel is taken by another process before the
    kernel binds it. jupyter_client's restarter restarted it on the same ports
    five times; here the server's start hands over a kernel on other ports that
    answers. A later restart asked for new ports gets new ones too (jupyter_client
    kept the cached ones)."""
    taken = another_process_takes_picked_ports(1)

    async def journey():
        manager = WAYS_IN[way_in](tmp_path)
        try:
            kernel_id = await manager.start_kernel(kernel_name="python3")
            kernel = manager.get_kernel(kernel_id)
            assert isinstance(kernel, FreshPortsKernelManager)
            assert len(taken) == 1
            assert taken[0] not in kernel_ports(kernel)
            written = json.loads(Path(kernel.connection_file).read_text())
            assert {written[name] for name in port_names} == kernel_ports(kernel)
            await answers(kernel)

            before = kernel_ports(kernel)
            await kernel.restart_kernel(now=True, newports=True)
            assert kernel_ports(kernel).isdisjoint(before)
            await answers(kernel)
        finally:
            await manager.shutdown_all(now=True)

    asyncio.run(journey())


def test_a_kernel_that_dies_at_every_start_is_reported_rather_than_waited_on(
        tmp_path, another_process_takes_picked_ports):
    """If each fresh set of ports is taken as well, the start fails with the
    reason, so the page asking for the kernel ends instead of waiting."""
    config = hub_server_config()
    config.FreshPortsKernelManager.start_attempts = 2
    taken = another_process_takes_picked_ports(2 * len(port_names))

    async def start():
        manager = kernels(config, tmp_path)
        try:
            with pytest.raises(KernelWouldNotStart, match=r"died at each of 2 starts"):
                await manager.start_kernel(kernel_name="python3")
            assert manager.list_kernel_ids() == []
            assert list(tmp_path.glob("kernel-*.json")) == []
        finally:
            for kernel_id in manager.list_kernel_ids():
                await manager.shutdown_kernel(kernel_id, now=True)

    asyncio.run(start())
    assert len(taken) == 2 * len(port_names)
