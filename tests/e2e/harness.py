"""Shared helpers for audited-socat end-to-end tests (stdlib only).

The central idea is the *side-by-side run*: the same scenario is executed once
with the real socat ("socat" variant) and once with audited-socat ("wrapper"
variant), each in its own temporary directory with its own ports, and the
observable results are compared after a narrow normalisation (timestamps,
pids, and the per-run ports/paths the scenario itself allocated).

Configuration (environment of the test process):

  ASOCAT_WRAPPER        path to the audited-socat binary under test (required
                        for wrapper runs)
  ASOCAT_REAL_SOCAT     the real socat (default /usr/bin/socat)
  ASOCAT_WRAPPER_ARGV0  argv[0] given to the wrapper (default "audited-socat",
                        what a shell passes for `audited-socat ARGS`)
  ASOCAT_TIME_SCALE     multiplier for every deadline (default 1; raise it on
                        slow machines)
  ASOCAT_KEEP_TMP       if set to 1, keep the temporary root directory

Main API (see each docstring):

  variants(), bare_variant(), wrapper_variant()   the two ways to run socat
  Run                   one scenario execution under one variant: temp dir,
                        log dir (wrapper only), ports, spawn/run/pty helpers,
                        normalisation and cleanup of everything it started
  Proc / PtyProc        a started command with captured output and
                        readiness waits; Result is what finish() returns
  Outcome, compare_outcomes()    what a scenario reports, and the diff
  normalise_stderr()    socat-message normalisation
  free_port(), make_temp_dir(), temp_root()
  wait_until(), wait_tcp_listen(), wait_udp_bound(), wait_unix_listen(),
  wait_file(), Proc.wait_for_output(), Proc.wait_for_size()   readiness with deadlines
  find_socat_pid(), ProcRef, descendants(), process_snapshot()
  stream_exchange(), StreamPeer, TlsPeer, DatagramPeer     Python peers
  jsonl_line_count()    audit-log presence check
  enable_subreaper()    make orphaned descendants reparent to the test
                        process so that cleanup can always reach them

Synchronisation is always on a real signal (a socket in /proc/net, a line of
output, a file, a process state) polled inside a bounded wait; fixed sleeps
are never used to synchronise.
"""

from __future__ import annotations

import atexit
import ctypes
import dataclasses
import difflib
import errno
import fcntl
import glob
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

__all__ = [
    "HarnessError", "HarnessTimeout", "CaseError",
    "Variant", "bare_variant", "wrapper_variant", "variants",
    "real_socat_path", "wrapper_path", "scaled", "DEFAULT_TIMEOUT",
    "temp_root", "make_temp_dir", "base_environment",
    "free_port", "Result", "Outcome", "Proc", "PtyProc", "Run",
    "normalise_stderr", "compare_outcomes", "describe_bytes_diff",
    "wait_until", "tcp_listening", "udp_bound", "unix_listening",
    "wait_tcp_listen", "wait_udp_bound", "wait_unix_listen", "wait_file",
    "ProcRef", "children", "descendants", "is_socat_process",
    "find_socat_pid", "wait_process_gone", "process_snapshot",
    "stream_exchange", "StreamConnection", "StreamPeer", "TlsPeer", "DatagramPeer",
    "jsonl_line_count",
    "enable_subreaper", "reap_orphans",
]

DEFAULT_REAL_SOCAT = "/usr/bin/socat"
DEFAULT_WRAPPER_ARGV0 = "audited-socat"
LOG_DIR_ENV = "AUDITED_SOCAT_LOG_DIR"

# Seconds; every deadline goes through scaled().
DEFAULT_TIMEOUT = 10.0
EXIT_TIMEOUT = 20.0
PIPE_DRAIN_TIMEOUT = 5.0
POLL_INTERVAL = 0.01


class HarnessError(Exception):
    """The harness could not carry out a step (bad configuration, a process
    that did not behave, a pipe that stayed open, ...)."""


class HarnessTimeout(HarnessError):
    """A bounded wait expired."""


class CaseError(AssertionError):
    """A scenario's own expectation failed (raised by Run.check)."""


# --------------------------------------------------------------------------
# configuration


def scaled(seconds: float) -> float:
    """Return `seconds` multiplied by ASOCAT_TIME_SCALE (default 1)."""
    try:
        factor = float(os.environ.get("ASOCAT_TIME_SCALE", "1") or "1")
    except ValueError:
        factor = 1.0
    return seconds * max(factor, 0.1)


def _check_executable(path: str, what: str) -> str:
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise HarnessError(f"{what} {path!r} is not an executable file")
    return os.path.abspath(path)


def real_socat_path() -> str:
    """Absolute path of the real socat (ASOCAT_REAL_SOCAT or /usr/bin/socat)."""
    return _check_executable(os.environ.get("ASOCAT_REAL_SOCAT") or DEFAULT_REAL_SOCAT,
                             "real socat (ASOCAT_REAL_SOCAT)")


def toolbox_path() -> str:
    """Absolute path of socat-audit from ASOCAT_TOOLBOX (required by evidence tests)."""
    path = os.environ.get("ASOCAT_TOOLBOX")
    if not path:
        raise HarnessError("ASOCAT_TOOLBOX is not set: it must name the socat-audit binary")
    return _check_executable(path, "toolbox (ASOCAT_TOOLBOX)")


def wrapper_path() -> str:
    """Absolute path of audited-socat from ASOCAT_WRAPPER (required)."""
    path = os.environ.get("ASOCAT_WRAPPER")
    if not path:
        raise HarnessError("ASOCAT_WRAPPER is not set: it must name the audited-socat binary")
    return _check_executable(path, "wrapper (ASOCAT_WRAPPER)")


@dataclasses.dataclass(frozen=True)
class Variant:
    """One way of running "socat ARGS": the bare binary or the wrapper.

    `executable` is what is exec'd, `argv0` what the process sees as argv[0]
    (bare socat gets "socat", as from a shell; the wrapper gets
    ASOCAT_WRAPPER_ARGV0, default "audited-socat").  Only wrapper runs get
    AUDITED_SOCAT_LOG_DIR in their environment."""

    name: str
    executable: str
    argv0: str
    is_wrapper: bool

    def argv(self, args) -> list:
        return [self.argv0] + list(args)


def bare_variant() -> Variant:
    return Variant("socat", real_socat_path(), "socat", False)


def wrapper_variant() -> Variant:
    return Variant("wrapper", wrapper_path(),
                   os.environ.get("ASOCAT_WRAPPER_ARGV0") or DEFAULT_WRAPPER_ARGV0, True)


def variants() -> list:
    """[bare socat, wrapper] in the order side-by-side tests run them."""
    return [bare_variant(), wrapper_variant()]


# --------------------------------------------------------------------------
# temporary directories and environment

_root_lock = threading.Lock()
_root: str | None = None


def temp_root() -> str:
    """The per-process temporary root (created on first use, removed at exit
    unless ASOCAT_KEEP_TMP=1).  Short path, so UNIX socket names fit."""
    global _root
    with _root_lock:
        if _root is None:
            _root = tempfile.mkdtemp(prefix="asocat-e2e-", dir="/tmp")
            os.makedirs(os.path.join(_root, "state"), exist_ok=True)
            atexit.register(_remove_root)
        return _root


def _remove_root():
    if _root and os.environ.get("ASOCAT_KEEP_TMP") != "1":
        shutil.rmtree(_root, ignore_errors=True)


def make_temp_dir(*parts: str) -> str:
    """Create (fresh) and return temp_root()/parts..."""
    path = os.path.join(temp_root(), *parts)
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


_key_lock = threading.Lock()
_key_ready = False


def base_environment() -> dict:
    """Environment shared by both variants: the test's environment without any
    AUDITED_SOCAT_* variable, with LC_ALL=C and a private XDG_STATE_HOME and
    XDG_CONFIG_HOME (so the wrapper's default log and signing key stay inside
    the temporary root).  Identical for both variants.  The signing key is
    created before the first use (see ensure_signing_key), so its one-time
    "created signing key" notice never lands in a compared run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITED_SOCAT_")}
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    env["XDG_STATE_HOME"] = os.path.join(temp_root(), "state")
    env["XDG_CONFIG_HOME"] = os.path.join(temp_root(), "config")
    for shell_artefact in ("PWD", "OLDPWD", "_"):
        env.pop(shell_artefact, None)
    ensure_signing_key(env)
    return env


def signing_key_dir() -> str:
    """Where the private XDG_CONFIG_HOME keeps audit.key and audit.pub."""
    return os.path.join(temp_root(), "config", "audited-socat")


def ensure_signing_key(env: dict):
    """Creates the per-run signing key once, through the wrapper's own first-use path (a
    `-V` run), and checks that it said so."""
    global _key_ready
    with _key_lock:
        if _key_ready:
            return
        logs = os.path.join(temp_root(), "key-creation-logs")
        done = subprocess.run(["audited-socat", "-V"], executable=wrapper_path(),
                              env=dict(env, AUDITED_SOCAT_LOG_DIR=logs),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=scaled(EXIT_TIMEOUT))
        if done.returncode != 0 or b"created signing key" not in done.stderr:
            raise HarnessError(f"could not create the signing key: {done.stderr!r}")
        _key_ready = True


# --------------------------------------------------------------------------
# ports

_ports_lock = threading.Lock()
_ports_given: set = set()


def _local_port_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(port: int) -> bool:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_port() -> int:
    """A loopback port that is currently free for both TCP and UDP and that
    this process has not handed out before.  Chosen below the kernel's
    ephemeral range, so client connections cannot grab it meanwhile."""
    lo, _hi = _local_port_range()
    start = 20000 if lo > 21000 else 1024
    end = lo - 1 if lo > start + 1000 else 65535
    rng = random.SystemRandom()
    with _ports_lock:
        for _ in range(2000):
            port = rng.randint(start, end)
            if port in _ports_given or not _bindable(port):
                continue
            if tcp_listening(port) or udp_bound(port):
                continue
            _ports_given.add(port)
            return port
    raise HarnessError("no free loopback port found")


# --------------------------------------------------------------------------
# readiness


def wait_until(predicate, timeout: float | None = None, what: str = "condition",
               interval: float = POLL_INTERVAL):
    """Poll `predicate()` until it returns a truthy value, which is returned.
    Raises HarnessTimeout after `timeout` seconds (scaled; default
    DEFAULT_TIMEOUT)."""
    limit = scaled(DEFAULT_TIMEOUT if timeout is None else timeout)
    end = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= end:
            raise HarnessTimeout(f"timed out after {limit:.1f}s waiting for {what}")
        time.sleep(interval)


def _proc_net_rows(name: str):
    try:
        with open(f"/proc/net/{name}") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return []
    return [line.split() for line in lines if line.strip()]


def _inet_rows(port: int, tables):
    for table in tables:
        for row in _proc_net_rows(table):
            try:
                local_port = int(row[1].rsplit(":", 1)[1], 16)
            except (IndexError, ValueError):
                continue
            if local_port == port:
                yield table, row


def _inodes_of(pid: int) -> set:
    """Socket inodes held by pid and its descendants."""
    inodes = set()
    for p in [pid] + descendants(pid):
        try:
            names = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for n in names:
            try:
                target = os.readlink(f"/proc/{p}/fd/{n}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def tcp_listening(port: int, pid: int | None = None) -> bool:
    """True if a TCP socket (v4 or v6) is in LISTEN state on `port`; with
    `pid`, only if that socket belongs to pid or one of its descendants."""
    rows = [row for _t, row in _inet_rows(port, ("tcp", "tcp6")) if row[3] == "0A"]
    if not rows:
        return False
    if pid is None:
        return True
    inodes = _inodes_of(pid)
    return any(row[9] in inodes for row in rows)


def udp_bound(port: int, pid: int | None = None) -> bool:
    """True if a UDP socket (v4 or v6) is bound to local `port` (optionally
    owned by pid or its descendants)."""
    rows = [row for _t, row in _inet_rows(port, ("udp", "udp6"))]
    if not rows:
        return False
    if pid is None:
        return True
    inodes = _inodes_of(pid)
    return any(row[9] in inodes for row in rows)


_UNIX_TYPES = {"stream": "0001", "dgram": "0002", "seqpacket": "0005"}


def unix_listening(path: str, kind: str = "stream") -> bool:
    """True if a UNIX socket bound to `path` is listening (kind "stream" or
    "seqpacket": __SO_ACCEPTCON flag set) or bound (kind "dgram"), according
    to /proc/net/unix.  `path` must be spelled as the program bound it."""
    want_type = _UNIX_TYPES[kind]
    for row in _proc_net_rows("unix"):
        if len(row) < 8 or " ".join(row[7:]) != path:
            continue
        if row[4] != want_type:
            continue
        if kind == "dgram" or int(row[3], 16) & 0x10000:
            return True
    return False


def wait_tcp_listen(port: int, timeout: float | None = None, pid: int | None = None):
    """Wait until tcp_listening(port, pid)."""
    wait_until(lambda: tcp_listening(port, pid), timeout, f"a TCP listener on port {port}")


def wait_udp_bound(port: int, timeout: float | None = None, pid: int | None = None):
    """Wait until udp_bound(port, pid)."""
    wait_until(lambda: udp_bound(port, pid), timeout, f"a UDP socket on port {port}")


def wait_unix_listen(path: str, kind: str = "stream", timeout: float | None = None):
    """Wait until unix_listening(path, kind)."""
    wait_until(lambda: unix_listening(path, kind), timeout, f"a UNIX {kind} socket at {path}")


def wait_file(path: str, timeout: float | None = None, min_size: int = 0):
    """Wait until `path` exists (and has at least min_size bytes)."""
    def ok():
        try:
            return os.stat(path).st_size >= min_size
        except OSError:
            return False
    wait_until(ok, timeout, f"file {path}" + (f" with >= {min_size} bytes" if min_size else ""))


# --------------------------------------------------------------------------
# processes


def _read(path: str, binary: bool = False):
    with open(path, "rb" if binary else "r") as f:
        return f.read()


def _stat_fields(pid: int):
    """Fields of /proc/pid/stat after the comm field (index 0 = state)."""
    data = _read(f"/proc/{pid}/stat")
    return data[data.rindex(")") + 2:].split()


@dataclasses.dataclass(frozen=True)
class ProcRef:
    """A process identified by pid *and* start time, so that a recycled pid is
    never mistaken for it (never signalled by mistake)."""

    pid: int
    starttime: int

    @classmethod
    def of(cls, pid: int) -> "ProcRef | None":
        try:
            return cls(pid, int(_stat_fields(pid)[19]))
        except (OSError, ValueError, IndexError):
            return None

    def state(self) -> str | None:
        """Single-letter state (R, S, Z, ...) or None if it no longer exists."""
        try:
            fields = _stat_fields(self.pid)
        except (OSError, ValueError):
            return None
        if int(fields[19]) != self.starttime:
            return None
        return fields[0]

    def alive(self) -> bool:
        """Exists and is not a zombie."""
        st = self.state()
        return st is not None and st not in ("Z", "X")

    def kill(self, sig: int = signal.SIGKILL) -> bool:
        """Send sig if the process is still this one; True if sent."""
        if not self.alive():
            return False
        try:
            os.kill(self.pid, sig)
            return True
        except ProcessLookupError:
            return False


def children(pid: int) -> list:
    """Direct children of pid (all its threads), from /proc/pid/task/*/children."""
    kids = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            kids.extend(int(x) for x in _read(path).split())
        except (OSError, ValueError):
            continue
    return kids


def descendants(pid: int) -> list:
    """All descendants of pid, breadth first."""
    out, queue, seen = [], [pid], {pid}
    while queue:
        for c in children(queue.pop(0)):
            if c not in seen:
                seen.add(c)
                out.append(c)
                queue.append(c)
    return out


def is_socat_process(pid: int, socat: str | None = None) -> bool:
    """True if /proc/pid/exe is the real socat binary (same device and inode)."""
    try:
        a = os.stat(f"/proc/{pid}/exe")
        b = os.stat(socat or real_socat_path())
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def find_socat_pid(pid: int, timeout: float | None = None, socat: str | None = None) -> int:
    """The real socat process started by the command whose pid is `pid`:
    pid itself if it *is* socat (bare socat, or a wrapper that exec'd it),
    otherwise the shallowest descendant whose executable is the real socat
    (the wrapper's child).  Waits (bounded) for it to appear."""
    def probe():
        if is_socat_process(pid, socat):
            return pid
        for d in descendants(pid):
            if is_socat_process(d, socat):
                return d
        return None
    return wait_until(probe, timeout, f"the real socat process under pid {pid}")


def wait_process_gone(ref: ProcRef, timeout: float | None = None):
    """Wait until the process no longer runs (gone or zombie)."""
    wait_until(lambda: not ref.alive(), timeout, f"process {ref.pid} to end")


_FD_KIND = re.compile(r"^(socket|pipe|anon_inode:\[?[^\]]*\]?)(:\[\d+\])?$")


def process_snapshot(pid: int, launched_pid: int | None = None,
                     exclude_env=(LOG_DIR_ENV,)) -> dict:
    """Transparency-relevant attributes of a running process, as comparable
    plain data: argv (argv[0] reduced to its basename), environment (minus
    `exclude_env` names), cwd, signal masks (SigIgn/SigBlk/SigCgt), umask,
    resource limits, nice value, whether it has a controlling tty, open fds
    (number -> target, pipe/socket inode numbers removed), and whether it
    shares the process group and session of `launched_pid`."""
    snap = {}
    argv = _read(f"/proc/{pid}/cmdline", True).split(b"\0")[:-1]
    snap["argv"] = [os.path.basename(argv[0])] + argv[1:] if argv else argv
    env = [e for e in _read(f"/proc/{pid}/environ", True).split(b"\0") if e]
    snap["environ"] = sorted(e for e in env
                             if e.split(b"=", 1)[0].decode(errors="replace") not in exclude_env)
    snap["cwd"] = os.readlink(f"/proc/{pid}/cwd")
    status = {}
    for line in _read(f"/proc/{pid}/status").splitlines():
        key, _, value = line.partition(":")
        status[key] = value.strip()
    for key in ("SigIgn", "SigBlk", "SigCgt", "Umask"):
        snap[key] = status.get(key)
    snap["limits"] = _read(f"/proc/{pid}/limits")
    fields = _stat_fields(pid)
    pgid, sid, tty_nr, nice = int(fields[2]), int(fields[3]), int(fields[4]), int(fields[16])
    snap["nice"] = nice
    snap["has_tty"] = tty_nr != 0
    fds = {}
    for n in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{n}")
        except OSError:
            continue
        m = _FD_KIND.match(target)
        fds[int(n)] = m.group(1) if m else target
    snap["fds"] = fds
    if launched_pid is not None:
        lf = _stat_fields(launched_pid)
        snap["same_pgrp_as_launched"] = pgid == int(lf[2])
        snap["same_session_as_launched"] = sid == int(lf[3])
        snap["pgrp_is_launched_pid"] = pgid == launched_pid
    return snap


_subreaper = False


def enable_subreaper():
    """Make the calling (test) process a child subreaper: descendants orphaned
    by a dying wrapper are reparented here instead of to init, so cleanup can
    always find and kill them (see reap_orphans)."""
    global _subreaper
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_CHILD_SUBREAPER = 36
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise HarnessError(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")
    _subreaper = True


_managed_lock = threading.Lock()
_managed: set = set()   # pids owned by live Popen objects


def reap_orphans(timeout: float = 5.0) -> list:
    """SIGKILL and reap children of this process that no Proc/PtyProc manages
    (orphans adopted as subreaper).  Returns their pids."""
    me = os.getpid()
    with _managed_lock:
        managed = set(_managed)
    killed = []
    for pid in children(me):
        if pid in managed:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        killed.append(pid)
    end = time.monotonic() + scaled(timeout)
    for pid in killed:
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done or time.monotonic() > end:
                break
            time.sleep(POLL_INTERVAL)
    return killed


# --------------------------------------------------------------------------
# running commands


@dataclasses.dataclass
class Result:
    """What a finished command produced.  `status` follows subprocess: >= 0 is
    the exit status, negative is -signal for death by a signal."""

    name: str
    argv: list
    status: int
    stdout: bytes
    stderr: bytes
    duration: float
    pid: int


PIPE = subprocess.PIPE


def _status_text(status) -> str:
    if status is None:
        return "running"
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit {status}"


class _Capture:
    """Accumulates bytes read from fds by background threads, with
    pattern waits."""

    def __init__(self):
        self.cond = threading.Condition()
        self.bufs: dict = {}
        self.eof: dict = {}
        self.threads: list = []

    def start(self, name: str, fd: int, on_eof=None):
        self.bufs[name] = bytearray()
        self.eof[name] = False
        t = threading.Thread(target=self._run, args=(name, fd, on_eof), daemon=True,
                             name=f"reader-{name}")
        self.threads.append(t)
        t.start()

    def _run(self, name, fd, on_eof):
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError as e:   # EIO on a pty master once the slave side is closed
                if e.errno == errno.EINTR:
                    continue
                chunk = b""
            with self.cond:
                if chunk:
                    self.bufs[name] += chunk
                else:
                    self.eof[name] = True
                self.cond.notify_all()
            if not chunk:
                break
        if on_eof:
            on_eof()

    def get(self, name) -> bytes:
        with self.cond:
            return bytes(self.bufs[name])

    def wait_for(self, who: str, name: str, pattern, timeout, start: int = 0):
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        limit = scaled(DEFAULT_TIMEOUT if timeout is None else timeout)
        end = time.monotonic() + limit
        with self.cond:
            while True:
                m = rx.search(self.bufs[name], start)
                if m:
                    return m
                if self.eof[name]:
                    raise HarnessError(f"{who}: {name} ended without matching {rx.pattern!r}; "
                                       f"got {bytes(self.bufs[name][-2000:])!r}")
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise HarnessTimeout(f"{who}: no {rx.pattern!r} on {name} within {limit:.1f}s; "
                                         f"got {bytes(self.bufs[name][-2000:])!r}")
                self.cond.wait(min(remaining, 0.2))

    def wait_size(self, who: str, name: str, count: int, timeout) -> bytes:
        limit = scaled(DEFAULT_TIMEOUT if timeout is None else timeout)

        def enough():
            if len(self.bufs[name]) >= count:
                return True
            if self.eof[name]:
                raise HarnessError(f"{who}: {name} ended after {len(self.bufs[name])} of "
                                   f"{count} bytes")
            return False
        _wait_condition(self.cond, enough, limit,
                        lambda: f"{who}: {len(self.bufs[name])} of {count} bytes on {name}")
        with self.cond:
            return bytes(self.bufs[name])

    def join(self, timeout) -> bool:
        end = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, end - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)


class _ProcBase:
    name: str
    popen: subprocess.Popen
    pid: int
    argv: list

    def _register(self):
        with _managed_lock:
            _managed.add(self.pid)
        self.started = time.monotonic()
        self._tree: dict = {}

    def _unregister(self):
        with _managed_lock:
            _managed.discard(self.pid)

    @property
    def status(self):
        """Exit status if exited (negative: signal), else None (not reaped)."""
        return self.popen.poll()

    def ref(self) -> ProcRef | None:
        return ProcRef.of(self.pid)

    def send_signal(self, sig: int):
        """kill(pid, sig), as `kill -SIG $!` would (only while not reaped)."""
        if self.popen.returncode is None:
            os.kill(self.pid, sig)

    def socat_pid(self, timeout: float | None = None) -> int:
        """find_socat_pid(self.pid): the real socat process behind this command."""
        pid = find_socat_pid(self.pid, timeout)
        self.remember_descendants()
        return pid

    def remember_descendants(self):
        """Record the current descendants (pid + start time) so that cleanup
        can kill them even after they are orphaned."""
        for d in descendants(self.pid):
            r = ProcRef.of(d)
            if r:
                self._tree[d] = r

    def kill_tree(self, sig: int = signal.SIGKILL):
        """Send sig to this process, its process group (if it has its own) and
        every descendant seen now or remembered before."""
        reaped = self.popen.returncode is not None
        if not reaped:
            self.remember_descendants()
        # The group id is ours while the leader is unreaped; after reaping,
        # only while no new process has taken the same number (then any
        # remaining member, e.g. a lingering grandchild, is ours).
        if getattr(self, "own_group", False) and (
                not reaped or not os.path.exists(f"/proc/{self.pid}")):
            try:
                os.killpg(self.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        if not reaped:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
        for r in list(self._tree.values()):
            r.kill(sig)

    def _wait_exit_and_eof(self, timeout, outputs: str):
        """Waits for exit, then for the captured outputs to reach EOF; returns (status,
        duration). Outputs that a descendant keeps open after the exit are an error."""
        status = self._wait_exit(timeout)
        duration = time.monotonic() - self.started
        self._unregister()
        if not self._cap.join(scaled(PIPE_DRAIN_TIMEOUT)):
            self.kill_tree()
            self._cap.join(scaled(PIPE_DRAIN_TIMEOUT))
            raise HarnessError(f"{self.name}: {_status_text(status)}, but {outputs} stayed "
                               f"open (a descendant survived it)")
        return status, duration

    def _stop_and_forget(self):
        """Kills what is left of the command tree and stops tracking it."""
        self.kill_tree()
        try:
            self.popen.wait(timeout=scaled(PIPE_DRAIN_TIMEOUT))
        except subprocess.TimeoutExpired:
            pass  # killed with SIGKILL above; a zombie is reaped by the subreaper later
        self._unregister()

    def _wait_exit(self, timeout):
        limit = scaled(EXIT_TIMEOUT if timeout is None else timeout)
        try:
            return self.popen.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.kill_tree()
            self.popen.wait()
            raise HarnessTimeout(f"{self.name}: did not exit within {limit:.1f}s (killed); "
                                 f"output so far: {self._tail()!r}") from None

    def _tail(self) -> bytes:
        return b""


class Proc(_ProcBase):
    """A command running with stdout/stderr captured by background readers.

    stdin: None -> /dev/null; bytes -> written by a background thread, then
    closed; harness.PIPE -> use write()/close_stdin(); an int fd or file
    object -> passed as is.  own_group=True (default) puts the command in its
    own process group (setpgid), so cleanup can kill the whole group."""

    def __init__(self, argv, *, executable=None, env=None, cwd=None, stdin=None,
                 own_group: bool = True, pass_fds=(), name: str = "proc"):
        self.name = name
        self.argv = list(argv)
        self.own_group = own_group
        data = None
        if stdin is None:
            stdin_arg = subprocess.DEVNULL
        elif isinstance(stdin, (bytes, bytearray)):
            stdin_arg, data = subprocess.PIPE, bytes(stdin)
        else:
            stdin_arg = stdin
        kwargs = {}
        if own_group:
            if sys.version_info >= (3, 11):
                kwargs["process_group"] = 0
            else:
                kwargs["preexec_fn"] = os.setpgrp
        self.popen = subprocess.Popen(self.argv, executable=executable, stdin=stdin_arg,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                      cwd=cwd, pass_fds=tuple(pass_fds), close_fds=True, **kwargs)
        self.pid = self.popen.pid
        self._register()
        self._cap = _Capture()
        self._cap.start("stdout", self.popen.stdout.fileno())
        self._cap.start("stderr", self.popen.stderr.fileno())
        self._writer = None
        if data is not None:
            self._writer = threading.Thread(target=self._feed, args=(data,), daemon=True,
                                            name="stdin-writer")
            self._writer.start()

    def _feed(self, data: bytes):
        try:
            view = memoryview(data)
            while view:
                n = os.write(self.popen.stdin.fileno(), view[:65536])
                view = view[n:]
        except (BrokenPipeError, OSError):
            pass
        finally:
            self.close_stdin()

    def write(self, data: bytes):
        """Write to the command's stdin (stdin=PIPE)."""
        view = memoryview(data)
        while view:
            n = os.write(self.popen.stdin.fileno(), view)
            view = view[n:]

    def close_stdin(self):
        try:
            if self.popen.stdin and not self.popen.stdin.closed:
                self.popen.stdin.close()
        except OSError:
            pass

    def output(self, stream: str = "stdout") -> bytes:
        """What the command wrote to `stream` so far."""
        return self._cap.get(stream)

    def wait_for_output(self, pattern, stream: str = "stderr", timeout: float | None = None,
                        start: int = 0):
        """Wait until regex `pattern` (bytes or str) matches `stream`'s output
        (from byte offset `start`); returns the match.  Fails early if the
        stream reaches EOF first."""
        return self._cap.wait_for(self.name, stream, pattern, timeout, start)

    def wait_for_size(self, count: int, stream: str = "stdout",
                      timeout: float | None = None) -> bytes:
        """Wait until `stream` holds at least `count` bytes; returns them all.  Fails early
        if the stream reaches EOF first."""
        return self._cap.wait_size(self.name, stream, count, timeout)

    def _tail(self) -> bytes:
        return self._cap.get("stderr")[-2000:]

    def finish(self, timeout: float | None = None) -> Result:
        """Wait for exit (killing the tree after the deadline), then for both
        output pipes to reach EOF; return the Result.  An output pipe that a
        descendant keeps open after the command exited is an error."""
        status, duration = self._wait_exit_and_eof(timeout, "its stdout/stderr")
        if self._writer:
            self._writer.join(scaled(PIPE_DRAIN_TIMEOUT))
        self.close_stdin()
        return Result(self.name, self.argv, status, self._cap.get("stdout"),
                      self._cap.get("stderr"), duration, self.pid)

    def cleanup(self):
        """Kill whatever is left of the command and release its pipes."""
        self._stop_and_forget()
        self.close_stdin()
        self._cap.join(1.0)
        for f in (self.popen.stdout, self.popen.stderr):
            try:
                f.close()
            except OSError:
                pass


def _take_controlling_tty():
    # Runs in the child after setsid(): make the pty slave (fd 0) the
    # controlling terminal; the new session's process group becomes its
    # foreground group.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProc(_ProcBase):
    """A command running as a session leader on a new pseudo-terminal (stdin,
    stdout and stderr are the slave), in the terminal's foreground process
    group.  Writing b"\\x03" to the master makes the tty driver send SIGINT
    to that group, b"\\x1c" SIGQUIT, b"\\x04" is EOF in canonical mode.
    Everything the command writes is read from the master until EIO/EOF."""

    def __init__(self, argv, *, executable=None, env=None, cwd=None, rows: int = 24,
                 cols: int = 80, name: str = "pty"):
        self.name = name
        self.argv = list(argv)
        self.own_group = True
        master, slave = os.openpty()
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            self.popen = subprocess.Popen(self.argv, executable=executable, stdin=slave,
                                          stdout=slave, stderr=slave, env=env, cwd=cwd,
                                          start_new_session=True,
                                          preexec_fn=_take_controlling_tty, close_fds=True)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.master = master
        self.pid = self.popen.pid
        self._register()
        self._cap = _Capture()
        self._cap.start("tty", master)

    def write(self, data: bytes):
        """Type bytes on the terminal."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view):]

    def resize(self, rows: int, cols: int):
        """Change the terminal size (the tty driver sends SIGWINCH to the
        foreground process group)."""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def output(self) -> bytes:
        return self._cap.get("tty")

    def wait_for_output(self, pattern, timeout: float | None = None, start: int = 0):
        """Wait until regex `pattern` matches the terminal output."""
        return self._cap.wait_for(self.name, "tty", pattern, timeout, start)

    def _tail(self) -> bytes:
        return self._cap.get("tty")[-2000:]

    def finish(self, timeout: float | None = None) -> Result:
        """Wait for exit, then read the master until EIO (every slave fd
        closed).  The transcript is Result.stdout; Result.stderr is b""."""
        status, duration = self._wait_exit_and_eof(timeout, "the terminal")
        return Result(self.name, self.argv, status, self._cap.get("tty"), b"", duration, self.pid)

    def cleanup(self):
        self._stop_and_forget()
        self._cap.join(1.0)
        try:
            os.close(self.master)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Python peers


def _wait_condition(cond: threading.Condition, predicate, limit: float, describe):
    """Wait on `cond` until predicate() (called with cond held) is true; raises HarnessTimeout
    with describe() after `limit` seconds (already scaled)."""
    end = time.monotonic() + limit
    with cond:
        while not predicate():
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise HarnessTimeout(f"{describe()} within {limit:.1f}s")
            cond.wait(min(remaining, 0.2))


def stream_exchange(family: int, address, data: bytes, timeout: float | None = None,
                    shutdown: bool = True, bind=None, connected=None) -> bytes:
    """Connect a stream socket to `address` (after binding it to `bind`, if
    given), call connected(socket) if given (e.g. to learn its own name),
    send `data` (from a thread, so a server that answers while we send
    cannot deadlock us), half-close if `shutdown`, and return everything
    received until EOF."""
    limit = scaled(DEFAULT_TIMEOUT if timeout is None else timeout)
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(limit)
    try:
        if bind is not None:
            s.bind(bind)
        s.connect(address)
        if connected is not None:
            connected(s)
        err = []

        def send():
            try:
                s.sendall(data)
                if shutdown:
                    s.shutdown(socket.SHUT_WR)
            except OSError as e:
                err.append(e)
        t = threading.Thread(target=send, daemon=True)
        t.start()
        chunks = []
        end = time.monotonic() + limit
        while True:
            if time.monotonic() > end:
                raise HarnessTimeout(f"no EOF from {address} within {limit:.1f}s")
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        t.join(limit)
        if err:
            raise HarnessError(f"sending to {address}: {err[0]}")
        return b"".join(chunks)
    finally:
        s.close()


def _unlink_socket_path(address):
    if isinstance(address, str) and address:
        try:
            os.unlink(address)
        except OSError:
            pass


@dataclasses.dataclass(eq=False)
class StreamConnection:
    """One connection a StreamPeer accepted.  `received` is the (plaintext) data read from
    it; `raw_in`/`raw_out` are the bytes that crossed the socket each way (TlsPeer only: for
    a plain peer they are the same as the data); `done` is set once the peer is finished
    with it (or failed: `error`)."""

    sock: socket.socket
    peer: object
    received: bytearray = dataclasses.field(default_factory=bytearray)
    raw_in: bytearray = dataclasses.field(default_factory=bytearray)
    raw_out: bytearray = dataclasses.field(default_factory=bytearray)
    done: bool = False
    error: Exception | None = None


class StreamPeer:
    """A listening stream socket (TCP or UNIX) bound to `address`, served by
    background threads.  Each accepted connection is sent `reply` and then
    half-closed, while everything it sends is read until EOF.  With
    hold_open=True nothing is sent and the connection is never closed by
    this side; with read=False nothing is ever read (a peer that stalls the
    sender).  `connections` lists the StreamConnection objects in accept
    order; wait_accepted(), wait_received() and wait_done() wait for them.
    close() (Run.stream_peer registers it) closes everything."""

    def __init__(self, family: int, address, reply: bytes = b"", hold_open: bool = False,
                 read: bool = True):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if family != socket.AF_UNIX:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(address)
        self.sock.listen(128)
        self.address = self.sock.getsockname()
        self.reply = reply
        self.hold_open = hold_open
        self.read = read
        self.connections: list = []
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True,
                                        name="stream-peer")
        self._thread.start()

    def _accept_loop(self):
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(None)
            c = StreamConnection(conn, peer)
            with self._cond:
                self.connections.append(c)
                self._cond.notify_all()
            threading.Thread(target=self._serve_guarded, args=(c,), daemon=True,
                             name="stream-peer-conn").start()

    def _serve_guarded(self, c: StreamConnection):
        try:
            self._serve(c)
        except (OSError, ValueError) as e:   # ValueError: ssl errors on a closed socket
            c.error = e
        finally:
            with self._cond:
                c.done = True
                self._cond.notify_all()

    def _take(self, c: StreamConnection, data: bytes, raw: bytes | None = None):
        with self._cond:
            c.received += data
            c.raw_in += data if raw is None else raw
            self._cond.notify_all()

    def _read_until_eof(self, c: StreamConnection):
        while True:
            chunk = c.sock.recv(65536)
            if not chunk:
                return
            self._take(c, chunk)

    def _serve(self, c: StreamConnection):
        if self.hold_open:
            if self.read:
                self._read_until_eof(c)
            return

        def send():
            c.sock.sendall(self.reply)
            c.raw_out += self.reply
            c.sock.shutdown(socket.SHUT_WR)
        sender = threading.Thread(target=send, daemon=True, name="stream-peer-send")
        sender.start()
        if self.read:
            self._read_until_eof(c)
        sender.join()

    def _wait(self, predicate, timeout, describe):
        _wait_condition(self._cond, predicate, scaled(DEFAULT_TIMEOUT if timeout is None
                                                      else timeout), describe)

    def wait_accepted(self, n: int = 1, timeout: float | None = None) -> list:
        """Wait until at least n connections were accepted; returns them."""
        self._wait(lambda: len(self.connections) >= n, timeout,
                   lambda: f"stream peer accepted {len(self.connections)} of {n} connections")
        return list(self.connections[:n])

    def wait_received(self, count: int, index: int = 0, timeout: float | None = None):
        """Wait until connection `index` has received at least `count` bytes."""
        self.wait_accepted(index + 1, timeout)
        c = self.connections[index]
        self._wait(lambda: len(c.received) >= count or c.done, timeout,
                   lambda: f"stream peer received {len(c.received)} of {count} bytes")
        if len(c.received) < count:
            raise HarnessError(f"stream peer: connection ended after {len(c.received)} of "
                               f"{count} bytes ({c.error})")

    def wait_done(self, n: int = 1, timeout: float | None = None) -> list:
        """Wait until n connections were accepted and are finished; returns them.
        A connection that failed raises HarnessError."""
        self.wait_accepted(n, timeout)
        self._wait(lambda: all(c.done for c in self.connections[:n]), timeout,
                   lambda: f"stream peer finished {sum(c.done for c in self.connections)} of "
                           f"{n} connections")
        for c in self.connections[:n]:
            if c.error:
                raise HarnessError(f"stream peer connection from {c.peer!r}: {c.error}")
        return list(self.connections[:n])

    def close(self):
        self._stop = True
        self._thread.join(2.0)
        self.sock.close()
        for c in self.connections:
            try:
                c.sock.close()
            except OSError:
                pass
        _unlink_socket_path(self.address)


class TlsPeer(StreamPeer):
    """A StreamPeer speaking TLS as the server (`context`: an ssl.SSLContext for
    PROTOCOL_TLS_SERVER).  The TLS engine runs over memory BIOs, so every byte that crossed
    the socket is kept (StreamConnection.raw_in / raw_out) beside the plaintext.  Per
    connection: handshake, read the plaintext until close_notify or EOF, send `reply`,
    send close_notify, half-close, then read (and keep) the raw bytes until EOF."""

    def __init__(self, family: int, address, context, reply: bytes = b""):
        self.context = context
        super().__init__(family, address, reply)

    def _serve(self, c: StreamConnection):
        import ssl
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.context.wrap_bio(incoming, outgoing, server_side=True)

        def flush():
            data = outgoing.read()
            if data:
                c.sock.sendall(data)
                c.raw_out += data

        def fill() -> bool:
            chunk = c.sock.recv(65536)
            self._take(c, b"", chunk)
            if chunk:
                incoming.write(chunk)
            else:
                incoming.write_eof()
            return bool(chunk)

        def complete(operation):
            while True:
                try:
                    return operation()
                except ssl.SSLWantReadError:
                    flush()
                    fill()

        complete(tls.do_handshake)
        flush()
        while True:
            try:
                data = complete(lambda: tls.read(65536))
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                break
            if not data:
                break
            self._take(c, data, b"")
        view = memoryview(self.reply)
        while view:
            view = view[tls.write(view):]
        flush()
        try:
            tls.unwrap()
        except ssl.SSLError:
            pass  # the peer's close_notify may have come already, or never comes
        flush()
        c.sock.shutdown(socket.SHUT_WR)
        while fill():
            pass


class DatagramPeer:
    """A datagram socket bound to `address` served by a background thread.
    Every datagram received is appended to `received` as (data, sender); if
    `reply` is given, reply(data) is sent back to the sender (when it has an
    address).  Use wait_count() to wait for datagrams, close() when done
    (Run.datagram_peer registers that)."""

    def __init__(self, family: int, address, reply=None):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.address = self.sock.getsockname()
        self.received: list = []
        self._reply = reply
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True, name="dgram-peer")
        self._thread.start()

    def _serve(self):
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                data, sender = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            with self._cond:
                self.received.append((data, sender))
                self._cond.notify_all()
            if self._reply is not None and sender:
                try:
                    self.sock.sendto(self._reply(data), sender)
                except OSError:
                    pass

    def wait_count(self, n: int = 1, timeout: float | None = None) -> list:
        """Wait until at least n datagrams arrived; return the payloads."""
        _wait_condition(self._cond, lambda: len(self.received) >= n,
                        scaled(DEFAULT_TIMEOUT if timeout is None else timeout),
                        lambda: f"datagram peer got {len(self.received)} of {n} datagrams")
        with self._cond:
            return [d for d, _ in self.received]

    def close(self):
        self._stop = True
        self._thread.join(2.0)
        self.sock.close()
        _unlink_socket_path(self.address)


# --------------------------------------------------------------------------
# normalisation and comparison

_TS = rb"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d"
# "2026/12/04 22:10:58 socat[12345] E ..."  (optionally .uuuuuu with -lu)
_MSG_RE = re.compile(rb"(?<![0-9])(" + _TS + rb")(\.\d+)? ([^\s\[\]]+)\[(\d+)\] ([DINWEF]) ")
_PREFIX_RE = re.compile(rb"YYYY/MM/DD hh:mm:ss(?:\.uuuuuu)? [^\s\[\]]+\[(\d+)\] [DINWEF] ")
# "> 2026/12/04 22:10:58.123456  length=6 from=0 to=5"  (-v / -x dumps)
_DUMP_RE = re.compile(rb"(?m)^([<>]) (" + _TS + rb")\.\d+(  length=)")
# pids of other processes that socat names in its messages
PID_PHRASES = [
    re.compile(rb"forked off child process (\d+)"),
    re.compile(rb"waitpid\(\): child (\d+)"),
    re.compile(rb"child process (\d+)"),
    re.compile(rb"\bSOCAT_P?PID=(\d+)"),
]
_PTS_RE = re.compile(rb"/dev/pts/\d+")
_EPHEMERAL_RE = re.compile(rb"(AF=(?:2|10) (?:\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\])):(\d+)")


def _b(x) -> bytes:
    return x if isinstance(x, bytes) else str(x).encode()


def normalise_stderr(data: bytes, subs=(), ephemeral_ports: bool = False,
                     ports=()) -> bytes:
    """Normalise socat output for comparison between two runs.

    - the timestamp of each socat message becomes "YYYY/MM/DD hh:mm:ss"
      (with ".uuuuuu" kept as a marker if present), and in -v/-x dumps;
    - each pid (in "name[pid]" prefixes and PID_PHRASES) becomes PID1,
      PID2, ... in order of first appearance; the program name, the level,
      fd numbers and the message text are kept verbatim;
    - /dev/pts/N becomes /dev/pts/N;
    - `subs`: (value, placeholder) pairs for per-run strings (temp paths),
      replaced longest first; `ports`: (port, placeholder) pairs, replaced
      only as whole numbers;
    - ephemeral_ports=True also replaces the remaining port numbers in
      "AF=2 a.b.c.d:port" / "AF=10 [..]:port" with EPHEMERAL.
    """
    data = _b(data)
    for value, placeholder in sorted(((_b(v), _b(p)) for v, p in subs),
                                     key=lambda vp: -len(vp[0])):
        if value:
            data = data.replace(value, placeholder)
    def ts(m):
        return (b"YYYY/MM/DD hh:mm:ss" + (b".uuuuuu" if m.group(2) else b"") + b" " + m.group(3)
                + b"[" + m.group(4) + b"] " + m.group(5) + b" ")
    data = _MSG_RE.sub(ts, data)
    data = _DUMP_RE.sub(lambda m: m.group(1) + b" YYYY/MM/DD hh:mm:ss.uuuuuu" + m.group(3), data)
    # pids, in order of first appearance
    spans = []
    for m in _PREFIX_RE.finditer(data):
        spans.append((m.start(1), m.end(1)))
    for rx in PID_PHRASES:
        for m in rx.finditer(data):
            spans.append((m.start(1), m.end(1)))
    names: dict = {}
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos:
            continue
        pid = data[start:end]
        names.setdefault(pid, b"PID%d" % (len(names) + 1))
        out.append(data[pos:start])
        out.append(names[pid])
        pos = end
    out.append(data[pos:])
    data = b"".join(out)
    data = _PTS_RE.sub(b"/dev/pts/N", data)
    for port, placeholder in ports:
        data = re.sub(rb"(?<![0-9])" + _b(port) + rb"(?![0-9])", _b(placeholder), data)
    if ephemeral_ports:
        data = _EPHEMERAL_RE.sub(
            lambda m: m.group(0) if not m.group(2).isdigit() else m.group(1) + b":EPHEMERAL", data)
    return data


@dataclasses.dataclass
class Outcome:
    """What one run of a scenario reports: exit status, stdout (exact),
    stderr (normalised) and named extras (file contents, peer data, ...),
    all compared between the two variants."""

    status: int
    stdout: bytes
    stderr: bytes
    extras: dict = dataclasses.field(default_factory=dict)
    result: Result | None = None
    log_lines: int | None = None   # *.jsonl lines in the wrapper's log dir


def describe_bytes_diff(a: bytes, b: bytes, names=("socat", "wrapper"), context: int = 40) -> str:
    """Short description of where two byte strings differ."""
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lo = max(0, n - context)
    return (f"lengths {len(a)} vs {len(b)}, first difference at byte {n}: "
            f"{names[0]} {a[lo:n + context]!r} / {names[1]} {b[lo:n + context]!r}")


def _text_diff(a: bytes, b: bytes, names, limit: int = 40) -> str:
    al = a.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    bl = b.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(al, bl, names[0], names[1], n=2))
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)\n"]
    return "".join(lines)


def compare_outcomes(a: Outcome, b: Outcome, names=("socat", "wrapper")) -> list:
    """List of human-readable differences between two outcomes (empty when
    status, stdout, normalised stderr and every extra are identical)."""
    diffs = []
    if a.status != b.status:
        diffs.append(f"status: {names[0]} {_status_text(a.status)}, "
                     f"{names[1]} {_status_text(b.status)}")
    if a.stdout != b.stdout:
        diffs.append("stdout: " + describe_bytes_diff(a.stdout, b.stdout, names))
    if a.stderr != b.stderr:
        diffs.append("stderr (normalised):\n" + _text_diff(a.stderr, b.stderr, names))
    for key in sorted(set(a.extras) | set(b.extras)):
        va, vb = a.extras.get(key), b.extras.get(key)
        if va == vb:
            continue
        if isinstance(va, bytes) and isinstance(vb, bytes):
            diffs.append(f"{key}: " + describe_bytes_diff(va, vb, names))
        elif isinstance(va, dict) and isinstance(vb, dict):
            keys = sorted((k for k in set(va) | set(vb) if va.get(k) != vb.get(k)), key=str)
            diffs.append(f"{key}: " + "; ".join(
                f"[{k!r}] {names[0]} {va.get(k)!r:.200} / {names[1]} {vb.get(k)!r:.200}"
                for k in keys[:10]))
        elif isinstance(va, list) and isinstance(vb, list) and len(va) + len(vb) > 8:
            only_a = [x for x in va if x not in vb]
            only_b = [x for x in vb if x not in va]
            diffs.append(f"{key}: only in {names[0]}: {only_a!r:.400}; "
                         f"only in {names[1]}: {only_b!r:.400}"
                         + ("" if only_a or only_b else " (same items, different order)"))
        else:
            diffs.append(f"{key}: {names[0]} {va!r:.600} / {names[1]} {vb!r:.600}")
    return diffs


def jsonl_line_count(log_dir: str) -> int:
    """Number of complete lines in *.jsonl files under log_dir (recursive)."""
    total = 0
    for path in glob.glob(os.path.join(log_dir, "**", "*.jsonl"), recursive=True):
        try:
            total += _read(path, True).count(b"\n")
        except OSError:
            pass
    return total


# --------------------------------------------------------------------------
# one side of a side-by-side scenario


class Run:
    """One execution of a scenario under one Variant.

    Gives the scenario a fresh directory (`dir`), a log directory
    (`log_dir`, wrapper runs only, exported as AUDITED_SOCAT_LOG_DIR), the
    shared environment (`env`), distinct ports (port()), and helpers to start
    socat-under-test (run/spawn/spawn_pty) and auxiliary commands (spawn_aux,
    always the real socat or another program, never with the log dir).
    Everything started is killed in close() (also on failure); the run's
    directory, log dir and ports are normalised to $RUN, $LOG and PORTn.
    Use as a context manager."""

    def __init__(self, case: str, variant: Variant):
        self.case = case
        self.variant = variant
        # Equal-length directory names for both variants, so that paths (and
        # e.g. sockaddr lengths socat prints) differ only in the spelling.
        tag = "wrap" if variant.is_wrapper else "bare"
        self.dir = make_temp_dir(case, tag)
        self.log_dir = make_temp_dir(case, tag + "-log") if variant.is_wrapper else None
        self.env = base_environment()
        self.subs = [(self.dir, "$RUN")]
        if self.log_dir:
            self.subs.append((self.log_dir, "$LOG"))
        self.ports: list = []
        self._procs: list = []
        self._cleanups: list = []

    # -- context management
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def add_cleanup(self, fn):
        """Call fn() at close(), in reverse order of registration."""
        self._cleanups.append(fn)
        return fn

    def close(self):
        """Kill every process this run started (and their descendants), run
        cleanups, reap adopted orphans."""
        for p in reversed(self._procs):
            try:
                p.cleanup()
            except Exception:   # keep cleaning up
                pass
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception:
                pass
        self._cleanups.clear()
        if _subreaper:
            reap_orphans()

    # -- per-run resources
    def port(self) -> int:
        """A fresh free loopback port, normalised as PORTn in this run."""
        p = free_port()
        self.ports.append(p)
        return p

    def path(self, name: str) -> str:
        """Absolute path of `name` inside the run directory."""
        return os.path.join(self.dir, name)

    def write_file(self, name: str, data: bytes, mode: int | None = None) -> str:
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(path, mode)
        return path

    def normalise(self, data: bytes, ephemeral_ports: bool = False) -> bytes:
        """normalise_stderr() with this run's paths and ports."""
        return normalise_stderr(data, self.subs, ephemeral_ports,
                                [(p, f"PORT{i + 1}") for i, p in enumerate(self.ports)])

    def normalise_value(self, value, ephemeral_ports: bool = False):
        """normalise() applied inside str/bytes/list/tuple/dict values."""
        if isinstance(value, bytes):
            return self.normalise(value, ephemeral_ports)
        if isinstance(value, str):
            return self.normalise(value.encode(), ephemeral_ports).decode(errors="replace")
        if isinstance(value, (list, tuple)):
            return type(value)(self.normalise_value(v, ephemeral_ports) for v in value)
        if isinstance(value, dict):
            return {k: self.normalise_value(v, ephemeral_ports) for k, v in value.items()}
        return value

    def check(self, condition, message: str):
        """Assert an expectation of the scenario itself (raises CaseError)."""
        if not condition:
            raise CaseError(f"[{self.variant.name}] {message}")

    # -- starting things
    def socat_env(self, extra: dict | None = None) -> dict:
        env = dict(self.env)
        if extra:
            env.update(extra)
        if self.variant.is_wrapper:
            env[LOG_DIR_ENV] = self.log_dir
        return env

    def _command(self, args, ignore_signals=(), shell_setup: str = ""):
        argv = self.variant.argv(args)
        executable = self.variant.executable
        if ignore_signals or shell_setup:
            # bash sets up the inherited state, then exec -a keeps argv[0] and
            # the pid (the launched pid stays the pid of socat/the wrapper).
            traps = "".join(f"trap '' {signal.Signals(s).name[3:]}; " for s in ignore_signals)
            script = traps + shell_setup + ' exec -a "$0" "$@"'
            return "/bin/bash", ["/bin/bash", "-c", script, argv[0], executable] + argv[1:]
        return executable, argv

    def spawn(self, args, stdin=None, env: dict | None = None, cwd: str | None = None,
              ignore_signals=(), shell_setup: str = "", name: str | None = None) -> Proc:
        """Start `socat ARGS` under this run's variant (own process group).
        ignore_signals: signals set to SIG_IGN before exec (inherited state);
        shell_setup: bash commands run first, e.g. "exec 7</dev/null;"."""
        executable, argv = self._command(args, ignore_signals, shell_setup)
        p = Proc(argv, executable=executable, env=self.socat_env(env), cwd=cwd or self.dir,
                 stdin=stdin, name=name or f"{self.variant.name}({self.case})")
        self._procs.append(p)
        return p

    def run(self, args, stdin=b"", timeout: float | None = None, **kwargs) -> Result:
        """spawn(args, stdin) and finish(): for commands that end by themselves."""
        return self.spawn(args, stdin=stdin, **kwargs).finish(timeout)

    def spawn_pty(self, args, env: dict | None = None, cwd: str | None = None,
                  rows: int = 24, cols: int = 80) -> PtyProc:
        """Start `socat ARGS` under this variant on a new pseudo-terminal as
        session leader and foreground process group (see PtyProc)."""
        executable, argv = self._command(args)
        p = PtyProc(argv, executable=executable, env=self.socat_env(env), cwd=cwd or self.dir,
                    rows=rows, cols=cols, name=f"{self.variant.name}-pty({self.case})")
        self._procs.append(p)
        return p

    def spawn_aux(self, argv, stdin=None, env: dict | None = None, cwd: str | None = None,
                  name: str = "aux") -> Proc:
        """Start a helper command (a peer), never the wrapper and never with
        the log dir; argv[0] "socat" means the real socat."""
        argv = list(argv)
        executable = real_socat_path() if argv[0] == "socat" else None
        e = dict(self.env)
        if env:
            e.update(env)
        p = Proc(argv, executable=executable, env=e, cwd=cwd or self.dir, stdin=stdin,
                 name=f"{name}({self.case}/{self.variant.name})")
        self._procs.append(p)
        return p

    def datagram_peer(self, family: int, address, reply=None) -> DatagramPeer:
        """A DatagramPeer closed at close()."""
        peer = DatagramPeer(family, address, reply)
        self.add_cleanup(peer.close)
        return peer

    def stream_peer(self, family: int, address, reply: bytes = b"", hold_open: bool = False,
                    read: bool = True) -> StreamPeer:
        """A StreamPeer closed at close()."""
        peer = StreamPeer(family, address, reply, hold_open, read)
        self.add_cleanup(peer.close)
        return peer

    def tls_peer(self, family: int, address, context, reply: bytes = b"") -> TlsPeer:
        """A TlsPeer closed at close()."""
        peer = TlsPeer(family, address, context, reply)
        self.add_cleanup(peer.close)
        return peer

    # -- reporting
    def outcome(self, result: Result, ephemeral_ports: bool = False, normalise_stdout: bool = False,
                **extras) -> Outcome:
        """Build this run's Outcome: stdout exact (or normalised on request),
        stderr normalised, extras normalised for per-run paths/ports."""
        out = Outcome(result.status,
                      self.normalise(result.stdout, ephemeral_ports) if normalise_stdout
                      else result.stdout,
                      self.normalise(result.stderr, ephemeral_ports),
                      {k: self.normalise_value(v, ephemeral_ports) for k, v in extras.items()},
                      result)
        if self.log_dir:
            out.log_lines = jsonl_line_count(self.log_dir)
        return out
