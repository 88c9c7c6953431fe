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
# Only for TCP addresses gunicorn opens itself: see on_starting.
reuse_port = True


def reuse_port_on_tcp_only(server):
    """No SO_REUSEPORT for a Unix socket or for sockets handed down (systemd, `fd://`, a
    re-exec): each worker would bind the address again, and on a Unix socket path they fail
    to start. Run as the arbiter starts and after each reload (HUP) rereads this file."""
    handed_down = "LISTEN_FDS" in os.environ or "GUNICORN_FD" in os.environ
    if handed_down or not all(isinstance(address, tuple) for address in server.cfg.address):
        server.cfg.set("reuse_port", False)


on_starting = on_reload = reuse_port_on_tcp_only
