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
# A socket of its own for each worker (SO_REUSEPORT), so the kernel spreads new connections
# over the workers. On one shared socket the worker that wakes first accepts a whole burst of
# them, and a kept-alive connection stays with the worker that took it: in bench.scale all of
# wrk's connections sometimes landed on one worker, which then served them one at a time on one
# core, at half the throughput (gunicorn issues #2191, #3433; docs/performance.md). The price:
# connections still queued on a worker's socket when it exits are reset, not handed on.
reuse_port = True
