"""Running what deploy/ ships: tvportal instances started from the systemd unit's command line, and
Debian's nginx with a configuration rendered from deploy/nginx/tvportal.conf.template.

Used by tests/test_deploy_nginx.py and benchmarks/nginx_instances.py.  Ports come from the caller
(this project's helpers each own a range).
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
NGINX = "/usr/sbin/nginx"
TEMPLATE_NAMES = ("TVPORTAL_LISTEN", "TVPORTAL_SERVER_NAME", "TVPORTAL_BASE_PATH", "TVPORTAL_INSTANCE_1",
                  "TVPORTAL_INSTANCE_2", "TVPORTAL_CACHE_DIR")


def render_template(text: str, values: dict[str, str]) -> str:
    """What ``envsubst '${TVPORTAL_...}'`` makes of the template: only the named variables are replaced."""
    for name in TEMPLATE_NAMES:
        text = text.replace("${" + name + "}", values[name])
    left = re.findall(r"\$\{[A-Z_0-9]+\}", text)
    if left:
        raise ValueError(f"unfilled template variables: {left}")
    return text


def unit_command(unit: str, instance: str) -> list[str]:
    """The ExecStart of a shipped systemd unit with %i filled in, run with this Python and source tree."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(DEPLOY / "systemd" / unit)
    argv = shlex.split(parser["Service"]["ExecStart"].replace("%i", instance))
    assert argv[0].endswith("/tvportal"), argv  # the installed console script
    return [sys.executable, "-m", "tvportal", *argv[1:]]


def unit_environment(unit: str) -> dict[str, str]:
    """The Environment= lines of a shipped unit."""
    env: dict[str, str] = {}
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("Environment="):
            name, _, value = line[len("Environment="):].partition("=")
            env[name] = value
    return env


def wait_healthy(url: str, proc: subprocess.Popen | None, log: Path, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers 200; fail with the log when the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer (exit code {proc and proc.poll()}):\n"
                       + log.read_text(errors="replace")[-4000:])


def wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}:\n" + log.read_text(errors="replace")[-4000:])


@dataclass
class Instance:
    """One running ``tvportal serve``."""

    port: int
    proc: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """kill -9: what a crash or the OOM killer does."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        """Stop it as systemd does (SIGTERM), killing it when it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def child_env(**settings: str) -> dict[str, str]:
    """Our environment without TVPORTAL_* settings, plus the given ones and this source tree on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVPORTAL_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(settings)
    return env


def tvportal_cli(*args: str, stdin: str = "", **settings: str) -> str:
    """Run a ``tvportal`` command to completion; its standard output."""
    done = subprocess.run([sys.executable, "-m", "tvportal", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env=child_env(**settings), timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"tvportal {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def start_instance(port: int, workdir: Path, env: dict[str, str], unit: str = "tvportal@.service") -> Instance:
    """Start an instance as the unit would (config from ``env``, which should name TVPORTAL_CONFIG)."""
    child = child_env(**unit_environment(unit))
    child.update(env)
    log = workdir / f"serve-{port}.log"
    with open(log, "wb") as out:  # a file, not a pipe: a chatty server never blocks on a full pipe
        proc = subprocess.Popen(unit_command(unit, str(port)), cwd=REPO, env=child, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Instance(port, proc, log)


def stop_all(instances: list[Instance]) -> None:
    """Stop every instance still running."""
    for inst in instances:
        inst.stop()


MAIN_CONF = """# generated for a test run: nginx's main context around deploy/'s http-level file
{user}worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include {prefix}/tvportal.conf;
{extra}}}
"""


@contextmanager
def running_nginx(prefix: Path, listen: int, instances: list[int], base_path: str = "",
                  extra_http: str = "", healthy: bool = True) -> Iterator[str]:
    """Debian's nginx on ``listen`` in front of the instances' ports; yields its base URL (with base_path).
    ``healthy``: wait until a portal answers through it (False: none is running)."""
    prefix.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / sub).mkdir(parents=True, exist_ok=True)
    template = (DEPLOY / "nginx" / "tvportal.conf.template").read_text()
    values = {"TVPORTAL_LISTEN": f"127.0.0.1:{listen}", "TVPORTAL_SERVER_NAME": "localhost",
              "TVPORTAL_BASE_PATH": base_path, "TVPORTAL_CACHE_DIR": str(prefix / "cache"),
              "TVPORTAL_INSTANCE_1": f"127.0.0.1:{instances[0]}", "TVPORTAL_INSTANCE_2": f"127.0.0.1:{instances[1]}"}
    (prefix / "tvportal.conf").write_text(render_template(template, values))
    # as root (CI) the workers would drop to "nobody", who cannot write the temporary cache directory
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user=user, prefix=prefix, extra=extra_http))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError("nginx refused the configuration:\n" + check.stderr)
    log = prefix / "nginx.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{listen}{base_path}"
    try:
        if healthy:
            wait_healthy(base + "/healthz", proc, prefix / "error.log", timeout=30)
        else:
            wait_listening(listen, proc, prefix / "error.log")
        yield base
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: lets workers finish and remove the pid file
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
