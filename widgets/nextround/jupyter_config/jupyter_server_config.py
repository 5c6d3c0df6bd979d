"""Each person's Jupyter Server, started by a JupyterHub (see nextround.hub).

Kernels talk to their server over Unix sockets in the person's own runtime
folder, not over TCP ports on loopback. With TCP, each server picks its
kernel's five ports by asking the system for a free one and letting it go;
twenty servers doing so at once can pick the same port, and then one kernel
dies with "Address already in use" at every restart (its ports are kept), its
page waiting for ever on a notebook that never runs (seen in the hub's load
test: docs/performance.md). Socket files named after each kernel cannot collide.
"""

c = get_config()  # noqa: F821 (provided by the Jupyter config loader)
c.KernelManager.transport = "ipc"
