"""JupyterHub for a careers service on one machine, with NextRound as everyone's landing page.

In the style of The Littlest JupyterHub: one server runs the hub, its proxy,
everyone's own Jupyter server and PostgreSQL. ``docs/deploy.md`` walks through
it from nothing; this file is step 4 there. Copy it to
``/opt/nextround/etc/jupyterhub_config.py`` and start the hub with
``jupyterhub -f /opt/nextround/etc/jupyterhub_config.py`` (the systemd unit in
``docs/deploy.md`` does so).

Nothing secret is written here. Three values come from the hub's environment,
set by the systemd unit from ``/etc/nextround/hub.env`` (readable by root
only):

* ``NEXTROUND_OWNER_DB``: the database owner's URL. The hub uses it to look
  each person up by their login and to give their server a database role of
  its own; that owner URL never reaches anyone's server.
* ``NEXTROUND_HUB_ADMIN_TOKEN``: the token with which the service's
  administrator adds people to the hub and to its groups (``docs/deploy.md``,
  "Add a counsellor and a client").
* ``NEXTROUND_HUB_ADMIN``: the hub name of that administrator (default
  ``admin``).
"""

import os
import sys

from nextround.hub import configure

c = get_config()  # noqa: F821  (JupyterHub provides get_config in its config files)

# --- NextRound ---------------------------------------------------------------------
# Everyone lands on the app. The hub's groups say who someone is:
#   counsellors  -> the app with their caseload
#   clients      -> their own workbook only
#   supervisors  -> the service report
# Someone in no group, or in "clients" and a staff group, is not started and is told why.
# Each person's server gets only their own database URL, for a PostgreSQL login role
# made (or given a new password) at each start; row-level security decides what it reads.
configure(c, database_url=os.environ["NEXTROUND_OWNER_DB"])

# --- where the hub listens ---------------------------------------------------------
# Behind a TLS-terminating proxy (nginx, Caddy) on the same machine, listen on loopback
# only. To let the hub serve HTTPS itself instead, set ssl_key/ssl_cert and bind_url to
# https://:443.
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.data_files_path = os.path.join(sys.prefix, "share", "jupyterhub")
c.JupyterHub.db_url = "sqlite:////opt/nextround/var/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/opt/nextround/var/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "/opt/nextround/var/jupyterhub.pid"
c.ConfigurableHTTPProxy.pid_file = "/opt/nextround/var/jupyterhub-proxy.pid"

# --- who may log in: the authenticator -----------------------------------------------
# Clients are members of the public: they have no account in the organisation's
# directory and none on this machine. NativeAuthenticator (pip install
# jupyterhub-nativeauthenticator) keeps its own accounts in the hub's database:
# a person signs up at /hub/signup with the login name their counsellor gives them,
# and nobody gets in until the administrator authorises them at /hub/authorize.
# Passwords are stored hashed (bcrypt); repeated wrong passwords lock the name for a while.
#
# Alternatives, and when to choose them:
# - Staff sign in with the organisation's accounts (Microsoft 365, Google Workspace):
#   OAuthenticator (AzureAdOAuthenticator, GoogleOAuthenticator). Clients still need
#   an account of their own, so a service usually keeps NativeAuthenticator for them,
#   or gives clients guest accounts in the directory.
# - Everyone already has an account on this machine: PAMAuthenticator (the hub's
#   default). Not for clients: it means a Unix account per client.
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = False  # the administrator authorises each sign-up
c.NativeAuthenticator.minimum_password_length = 12
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
# Anyone the authenticator lets in may log in; what they then see depends on their group
# (someone in none is refused a server), so there is no second list to keep in step.
c.Authenticator.allow_all = True
ADMIN = os.environ.get("NEXTROUND_HUB_ADMIN", "admin")
c.Authenticator.admin_users = {ADMIN}

# --- the groups ----------------------------------------------------------------------
# Created empty at start; people are added to them with the hub's admin page or its REST
# API (docs/deploy.md). Membership changes made there are kept across restarts.
c.JupyterHub.load_groups = {
    "counsellors": {"users": []},
    "clients": {"users": []},
    "supervisors": {"users": []},
}

# The administrator's token, for adding people and groups from the command line.
# Scoped to managing users and groups: it cannot reach anyone's server or data.
c.JupyterHub.services = [{
    "name": "nextround-admin",
    "api_token": os.environ["NEXTROUND_HUB_ADMIN_TOKEN"],
}]
c.JupyterHub.load_roles = [{
    "name": "nextround-admin",
    "scopes": ["admin:users", "admin:groups", "list:users", "read:users"],
    "services": ["nextround-admin"],
}]

# --- everyone's own server: the spawner ----------------------------------------------
# SystemdSpawner (pip install jupyterhub-systemdspawner) runs each person's server as a
# transient systemd unit with a memory and CPU ceiling, and with DynamicUser a throwaway
# Unix user of its own, so no Unix account per person is needed. Each server runs the
# app (about 225 MB measured per person; docs/performance.md), so 1 GB leaves room for
# a second notebook.
# LocalProcessSpawner, the hub's default, instead runs each server as the Unix user of
# the same name: every person then needs an account on the machine (useradd), which
# suits staff but not clients. Either way NextRound's isolation rests on each server's
# own database role, not on the Unix user it runs as.
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.SystemdSpawner.dynamic_users = True
c.SystemdSpawner.mem_limit = "1G"
c.SystemdSpawner.cpu_limit = 1.0
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.disable_user_sudo = True
c.SystemdSpawner.unit_name_template = "jupyter-{USERNAME}-singleuser"
# The server runs from the same environment as the hub, where nextround is installed.
c.Spawner.cmd = [os.path.join(sys.prefix, "bin", "jupyterhub-singleuser")]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Servers starting at the same moment share the cores, and the hub's own pages with them:
# past what the cores can start at once, people wait in line ("too many users trying to
# log in right now, try again") rather than everyone waiting on a starved machine
# (docs/performance.md: about 12 CPU-seconds per login; with 20 people arriving at once
# on 2 cores, a limit of 10 got everyone in sooner than no limit, and the hub's own
# "starting" page is what stops working on a starved machine). Raise it with the cores.
c.JupyterHub.concurrent_spawn_limit = 10

# --- idle servers ---------------------------------------------------------------------
# A server nobody has used for an hour is stopped, freeing its memory; the work is saved
# in the database as people type, so nothing is lost. Needs jupyterhub-idle-culler.
c.JupyterHub.services.append({
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"],
})
c.JupyterHub.load_roles.append({
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
})
