"""Waiting, in a pre-heated kernel, for the page request it is handed to.

Kept apart from :mod:`nextround.app`, which is about clients and steps: this is
about how a Voilà kernel learns the query string of the page it serves.
"""

from __future__ import annotations

import os


def wait_for_request() -> None:
    """Wait until a page takes this pre-heated kernel; put the request in ``os.environ``.

    What ``voila.utils.wait_for_request`` does, without importing ``voila.utils``:
    that module pulls in jupyter_server, nbconvert and jsonschema, about 48 MB
    and 700 modules, into every kernel.
    """
    import asyncio
    import json
    import threading
    import warnings

    import websockets

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    received: list[str] = []

    async def receive() -> None:
        try:
            async with websockets.connect(url, open_timeout=5,
                                          additional_headers=kernel_proof_headers()) as socket:
                received.append(await socket.recv())
        except (TimeoutError, ConnectionRefusedError):
            warnings.warn(f"Failed to connect to {url}", stacklevel=2)

    thread = threading.Thread(target=lambda: asyncio.new_event_loop().run_until_complete(
        receive()))
    thread.start()
    thread.join()
    for text in received:
        env.update({str(k): str(v) for k, v in json.loads(text).items()})


def kernel_proof_headers() -> dict[str, str]:
    """Prove to ``nextround serve`` that this is the kernel the query is for.

    The kernel signs its own id with its connection key, which only it and
    the server know (see :func:`nextround.serve_guard.kernel_proof`).
    """
    try:
        from IPython import get_ipython

        key = get_ipython().kernel.session.key
    except Exception:  # noqa: BLE001 - not in a kernel: nothing to prove
        return {}
    from .serve_guard import KERNEL_PROOF_HEADER, kernel_proof

    return {KERNEL_PROOF_HEADER: kernel_proof(key, os.environ.get("VOILA_KERNEL_ID", ""))}
