"""Each person's Jupyter Server, started by a JupyterHub (see nextround.hub).

Kernels are handed to Voilà only once they answer, started again on fresh
ports if another process took one of theirs before they could bind it
(:mod:`nextround.kernel_ports`): twenty servers starting kernels at once gave
two kernels the same loopback port, and one person's page waited for ever.
"""

c = get_config()  # noqa: F821 (provided by the Jupyter config loader)
c.MappingKernelManager.kernel_manager_class = "nextround.kernel_ports.FreshPortsKernelManager"
