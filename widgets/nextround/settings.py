"""Names of the store-wide settings (see ``Store.get_setting``).

Kept in a module of their own so the app, the notebooks and the demo share
one spelling without importing each other.
"""

#: The client the app or a notebook opened last; the next page opens them again.
LAST_CLIENT = "app.last_client"
