"""The hub's test authenticator: a fixed list of names and passwords (see hub_server)."""

from __future__ import annotations

import hmac

from jupyterhub.auth import Authenticator
from traitlets import Dict


class PasswordListAuthenticator(Authenticator):
    """Lets in each listed person with their own password, and no one else."""

    passwords = Dict(config=True, help="name → password of everyone who may log in")

    async def authenticate(self, handler, data):
        name = (data or {}).get("username", "")
        expected = self.passwords.get(name)
        given = (data or {}).get("password", "")
        if expected is not None and hmac.compare_digest(expected.encode(), given.encode()):
            return name
        return None
