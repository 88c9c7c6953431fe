"""gunicorn's settings, read from the working directory by `gunicorn config.wsgi` (README,
"Deploy"; docs/performance.md for the figures behind them). Each can be overridden on the
command line or in GUNICORN_CMD_ARGS."""

import os

# gthread keeps a client's connection open between requests (a reverse proxy or load
# balancer reuses it); the sync worker closes it after every answer, and reconnecting cost
# a quarter of the profile GET's throughput in bench.scale.
worker_class = "gthread"
# Two processes a core: one computes while the other waits on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
keepalive = 5
