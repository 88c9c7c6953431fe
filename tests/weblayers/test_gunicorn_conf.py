"""gunicorn.conf.py: SO_REUSEPORT spreads TCP connections over the workers, and is turned off
where it would break the server (a Unix socket, sockets handed down by systemd)."""

import runpy
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config

CONF = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


@pytest.fixture(autouse=True)
def no_inherited_sockets(monkeypatch):
    monkeypatch.delenv("LISTEN_FDS", raising=False)
    monkeypatch.delenv("GUNICORN_FD", raising=False)


def arbiter_bound_to(*binds: str) -> SimpleNamespace:
    """What the hooks see of gunicorn's arbiter: its configuration, as gunicorn.conf.py sets it."""
    config = Config()
    config.set("reuse_port", CONF["reuse_port"])
    config.set("bind", list(binds))
    return SimpleNamespace(cfg=config)


@pytest.mark.parametrize("hook", ["on_starting", "on_reload"])
def test_tcp_addresses_keep_a_socket_for_each_worker(hook):
    # given
    arbiter = arbiter_bound_to("127.0.0.1:8000", "[::1]:8000")

    # when
    CONF[hook](arbiter)

    # then
    assert arbiter.cfg.reuse_port is True


@pytest.mark.parametrize("hook", ["on_starting", "on_reload"])
@pytest.mark.parametrize("binds", [["unix:/run/tessera.sock"], ["127.0.0.1:8000", "fd://3"]])
def test_a_unix_socket_or_an_inherited_one_turns_reuse_port_off(hook, binds):
    # given
    arbiter = arbiter_bound_to(*binds)

    # when
    CONF[hook](arbiter)

    # then
    assert arbiter.cfg.reuse_port is False


def test_sockets_from_systemd_turn_reuse_port_off(monkeypatch):
    # given
    monkeypatch.setenv("LISTEN_FDS", "1")
    arbiter = arbiter_bound_to("127.0.0.1:8000")

    # when
    CONF["on_starting"](arbiter)

    # then
    assert arbiter.cfg.reuse_port is False


def get_over_unix_socket(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(path)
        client.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    return answer


def test_gunicorn_as_configured_serves_a_unix_socket_from_every_worker(tmp_path):
    # given: gunicorn with this configuration on a Unix socket (before the hook, its workers
    # each bound the path again and failed to start)
    path = str(tmp_path / "gunicorn.sock")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.weblayers.pid_app:app", "--bind", f"unix:{path}",
         "--workers", "2", "--log-level", "warning"],
        cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        pids = set()
        # when: requests until both workers have answered, or the deadline
        while len(pids) < 2 and time.monotonic() < deadline:
            try:
                answer = get_over_unix_socket(path)
            except OSError:
                time.sleep(0.1)
                continue
            assert answer.startswith(b"HTTP/1.0 200") or answer.startswith(b"HTTP/1.1 200")
            pids.add(answer.rpartition(b"\r\n\r\n")[2])
        # then
        assert len(pids) == 2, f"workers that answered: {sorted(pids)}, exit code {server.poll()}"
    finally:
        server.terminate()
        server.wait(10)
