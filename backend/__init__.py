"""The reference backend: the store's CRM, identity, orders, billing and ticketing as one HTTP JSON service.

Layout: one package per domain, each with models.py (tables and API schemas), service.py (plain functions
with a keyword-only `db_session`) and views.py (routes). Work that spans domains lives in flows.py.

One rule for transactions: services flush, the HTTP layer commits. A route commits once, after the service
calls, or hands the commit to idempotency.views.execute(), which commits the idempotency key together with
the change it protects. A refusal that must still be recorded (a wrong one-time code) is returned by the
service as a result, committed by the route, and only then raised. The one other commit is the CLI's seed.
"""
