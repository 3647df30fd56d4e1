"""One typed client per API, shared by every caller, over one transport (clients/http.py).

- clients/backend/: the store backend (CRM, identity, orders, billing, ticketing); used by the action
  server (its credential) and the agent console (its own credential).
- clients/console.py: the agent console's public availability route; used by the action server.
- clients/rasa.py: Rasa's HTTP API; used by the agent console.

tests/contract checks every call these clients make against the services' OpenAPI specs.
"""
