#!/usr/bin/python3
"""The capture matrix: real socat under audited-socat with the capture supervisor, real sockets
on loopback, known random payloads. Every scenario asserts the exact bytes the peers saw and
the records the supervisor wrote about them, at every capture level in LEVELS:

  meta    processes, sockets and descriptor lifecycle. The data calls are not the
          supervisor's at this level, so only TCP streams must carry byte counts (the kernel
          keeps them); no stream carries a digest.
  digest  every stream socat (or a child of it) used carries, per direction, the byte count
          and the SHA-256 of exactly the bytes that moved.

Each test ends by checking every record against the JSON Schema and the whole log with
`socat-audit verify --pubkey`."""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import random
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import threading
import unittest

import audit
import harness as h

LEVELS = ["meta", "digest", "full"]

KIB = 1024
# socat's -t: how long it goes on after one direction ended. The peers here end both
# directions themselves, so socat exits as soon as they have; the value only has to exceed
# any scheduling delay.
LINGER = str(int(h.scaled(15)))
FINISH = h.scaled(40)
# bytes.translate table the datagram echo peers apply: byte-wise, so the concatenation of the
# answers is the translation of the concatenation however socat cut the datagrams.
FLIP = bytes(b ^ 0x5A for b in range(256))
UPPER = bytes.maketrans(b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# x86_64 numbers of the calls socat waits in (/proc/PID/syscall).
WAITING_CALLS = {7, 23, 270, 271}  # poll, select, pselect6, ppoll
READ_CALL = 0
WRITE_CALL = 1
SUPERVISOR_COMM = "asocat-capture"
# A datagram echo for relative UNIX names (see Streams.relative_echo): NAME COUNT TIMEOUT.
DATAGRAM_ECHO = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(float(sys.argv[3]))
flip = bytes(b ^ 0x5A for b in range(256))
got = bytearray()
while len(got) < int(sys.argv[2]):
    data, sender = s.recvfrom(65536)
    got += data
    s.sendto(data.translate(flip), sender)
sys.stdout.buffer.write(got)
"""

# Stands in for socat (AUDITED_SOCAT_SOCAT): installs a SIGCHLD handler the way socat does
# (without SA_RESTART; Python's handlers have none either), prints whether the kernel holds it
# with SA_RESTART, then reads one byte from its stdin with libc's read (no retry on EINTR) and
# prints what the read returned.
SIGCHLD_STAND_IN = """#!/usr/bin/python3
import ctypes, errno, os, signal, sys
SA_RESTART = 0x10000000
class Action(ctypes.Structure):
    _fields_ = [("handler", ctypes.c_void_p), ("mask", ctypes.c_ulong * 16),
                ("flags", ctypes.c_int), ("restorer", ctypes.c_void_p)]
signal.signal(signal.SIGCHLD, lambda signum, frame: None)
libc = ctypes.CDLL(None, use_errno=True)
held = Action()
if libc.sigaction(signal.SIGCHLD, None, ctypes.byref(held)) != 0:
    sys.exit(3)
gate, keep = os.pipe()
child = os.fork()
if child == 0:
    os.read(gate, 1)  # until the test kills it
    os._exit(0)
sys.stdout.write(f"pids {os.getpid()} {child}\\nrestart={bool(held.flags & SA_RESTART)}\\n")
sys.stdout.flush()
got = libc.read(0, ctypes.create_string_buffer(1), 1)
print(f"read={got}" + (" " + errno.errorcode[ctypes.get_errno()] if got < 0 else ""))
"""


def payload(size: int, seed) -> bytes:
    return random.Random(f"capture-{seed}").randbytes(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: str) -> str:
    return sha(audit.read_bytes(path))


def hashes(level: str) -> bool:
    """Whether streams carry digests at this level."""
    return level != "meta"


def inet(address: str, port: int) -> dict:
    return {"family": "inet6" if ":" in address else "inet", "address": address, "port": port}


def unix(path: str) -> dict:
    return {"family": "unix", "address": path, "abstract": False}


def endpoint_of(family: int, name) -> dict:
    """A record's endpoint object for a Python socket name."""
    if family == socket.AF_UNIX:
        return unix(name if isinstance(name, str) else os.fsdecode(name))
    return inet(name[0], name[1])


def ecs_of(endpoint: dict) -> dict:
    """The ECS source/destination object the records give an endpoint."""
    ecs = {"address": endpoint["address"]}
    if endpoint["family"] in ("inet", "inet6"):
        ecs["ip"] = endpoint["address"]
        ecs["port"] = endpoint["port"]
    return ecs


def current_call(pid: int) -> int | None:
    """The number of the system call pid is blocked in, or None (running or gone)."""
    try:
        first = audit.read_bytes(f"/proc/{pid}/syscall").split()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.lstrip(b"-").isdigit() else None


def sigchld_pending(pid: int) -> bool:
    """Whether SIGCHLD is pending for pid (its thread or its process)."""
    status = audit.read_bytes(f"/proc/{pid}/status").decode()
    masks = [int(line.split()[1], 16) for line in status.splitlines()
             if line.startswith(("SigPnd:", "ShdPnd:"))]
    return any(m & (1 << (signal.SIGCHLD - 1)) for m in masks)


def comm(pid: int) -> str | None:
    try:
        return audit.read_bytes(f"/proc/{pid}/comm").decode().strip()
    except OSError:
        return None


def socat_escaped(text: str) -> str:
    """`text` as one socat address parameter (its own : , and \\ escaped)."""
    for special in "\\:,":
        text = text.replace(special, "\\" + special)
    return text


def have_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class CaptureLog:
    """The records of one captured session, read strictly (JSON Schema, canonical form) after
    the log verified, with lookups by type, process and descriptor."""

    def __init__(self, test: unittest.TestCase, log_dir: str, level: str, verify_status: int):
        self.test = test
        log = os.path.join(log_dir, "audit.jsonl")
        status, report, done = audit.verify_log(log)
        test.assertEqual(status, verify_status, done.stdout.decode(errors="replace"))
        self.verify_report = report
        self.records = audit.read_records(log_dir)
        starts = self.of("session.start")
        test.assertEqual(len(starts), 1)
        self.start = starts[0]
        self.session = self.start["asocat"]["session"]
        self.socat = self.start["process"]["pid"]
        test.assertEqual(self.start["asocat"]["capture"], level)
        for r in self.records:
            if r["event"]["dataset"] == "audited_socat.capture":
                test.assertEqual(r["asocat"]["session"], self.session, r)
        for r in self.of("stream.end"):
            for direction in ("in", "out"):
                moved = r["asocat"]["stream"][direction]
                if hashes(level):
                    test.assertRegex(moved.get("sha256", ""), r"^[0-9a-f]{64}$", r)
                else:
                    test.assertNotIn("sha256", moved, r)

    def of(self, record_type: str, pid: int | None = None) -> list:
        return [r for r in self.records if r["asocat"]["type"] == record_type
                and (pid is None or r["process"]["pid"] == pid)]

    def one(self, record_type: str, pid: int | None = None, where=None) -> dict:
        found = [r for r in self.of(record_type, pid) if where is None or where(r)]
        self.test.assertEqual(len(found), 1, f"{record_type} of pid {pid}: {found}")
        return found[0]

    def streams(self, pid: int | None = None, kind: str | None = None, fd: int | None = None,
                where=None) -> list:
        return [r for r in self.of("stream.end", pid)
                if (kind is None or r["asocat"]["stream"]["kind"] == kind)
                and (fd is None or r["asocat"]["stream"]["fd"] == fd)
                and (where is None or where(r["asocat"]["stream"]))]

    def stream(self, pid: int | None = None, kind: str | None = None, fd: int | None = None,
               where=None) -> dict:
        found = self.streams(pid, kind, fd, where)
        every = [r["asocat"]["stream"] for r in self.of("stream.end", pid)]
        self.test.assertEqual(len(found), 1, f"stream.end kind={kind} fd={fd} of pid {pid} "
                                             f"among {every}")
        return found[0]["asocat"]["stream"]

    def children_of(self, pid: int) -> list:
        """Pids whose process.start names `pid` as parent, in record order."""
        return [r["process"]["pid"] for r in self.of("process.start")
                if r["process"]["parent"]["pid"] == pid]

    def execs(self, pid: int) -> list:
        return [r for r in self.of("process.exec", pid)]

    def capture_end(self) -> dict:
        return self.one("capture.end")["asocat"]["capture"]

    def session_end(self) -> dict:
        return self.one("session.end")


def per_level(cls):
    """Turns every scenario_NAME(self, level) of cls into one test_NAME_LEVEL per level."""
    for name, scenario in list(vars(cls).items()):
        if not name.startswith("scenario_"):
            continue
        for level in LEVELS:
            def test(self, scenario=scenario, level=level):
                scenario(self, level)
            test.__name__ = f"test_{name[len('scenario_'):]}_{level}"
            test.__doc__ = f"{scenario.__doc__ or name} [capture {level}]"
            setattr(cls, test.__name__, test)
    return cls


class CaptureCase(unittest.TestCase):
    """Runs socat under the wrapper at a capture level and checks what it recorded."""

    maxDiff = 4000

    def new_run(self, level: str, variant=None, name: str = "") -> h.Run:
        name = self.id().rsplit(".", 1)[-1] + (f"-{name}" if name else "")
        run = h.Run(f"capture-{name}", variant or h.wrapper_variant())
        self.addCleanup(run.close)
        return run

    def socat(self, run: h.Run, level: str, args, stdin=None, cwd=None) -> h.Proc:
        return run.spawn(args, stdin=stdin, cwd=cwd, env={"AUDITED_SOCAT_CAPTURE": level})

    def finish(self, proc: h.Proc, status: int = 0) -> h.Result:
        result = proc.finish(FINISH)
        self.assertEqual((result.status, result.stderr), (status, b""),
                         f"{proc.name}: {result.stderr[-2000:]!r}")
        return result

    def log(self, run: h.Run, level: str, verify_status: int = 0) -> CaptureLog:
        log = CaptureLog(self, run.log_dir, level, verify_status)
        end = log.capture_end()
        self.assertEqual(end["level"], level)
        self.assertNotIn("error", end)
        # The totals are those of the records.
        streams = [r["asocat"]["stream"] for r in log.of("stream.end")]
        self.assertEqual(
            (end["processes"], end["streams"], end["bytes_in"], end["bytes_out"]),
            (len(log.of("process.start")), len(streams), sum(s["in"]["bytes"] for s in streams),
             sum(s["out"]["bytes"] for s in streams)), "capture.end totals")
        if level == "full":
            # Every stored byte, rebuilt here from the records and the payload file alone, is
            # exactly what the stream's digest covers (no limit is reached in these tests).
            for key, (data, moved) in audit.reassembled_payload(run.log_dir).items():
                self.assertEqual(len(data), moved["bytes"], f"payload of {key}")
                self.assertEqual(hashlib.sha256(data).hexdigest(), moved["sha256"],
                                 f"payload of {key}")
        socat_exec = log.execs(log.socat)
        self.assertEqual([r["asocat"]["exec"]["outcome"] for r in socat_exec], ["confirmed"])
        self.assertEqual(socat_exec[0]["process"]["executable"], h.real_socat_path())
        self.assertEqual(socat_exec[0]["process"]["hash"]["sha256"],
                         file_sha(h.real_socat_path()))
        return log

    # --- assertions on streams ----------------------------------------------------------------

    def assert_moved(self, stream: dict, level: str, into: bytes, out: bytes):
        """The stream moved exactly `into` into the process and `out` out of it: byte counts at
        every level, digests where the level keeps them."""
        for key, data in (("in", into), ("out", out)):
            moved = stream[key]
            what = f"fd {stream['fd']} ({stream['kind']}) {key}"
            self.assertEqual(moved["bytes"], len(data), what)
            if hashes(level):
                self.assertEqual(moved["sha256"], sha(data), what)
                self.assertEqual(moved["calls"] > 0, len(data) > 0, what)

    def assert_stdio(self, log: CaptureLog, level: str, stdin: bytes, stdout: bytes,
                     pid: int | None = None):
        """socat's fd 0 delivered `stdin` and its fd 1 took `stdout` (digest levels only: at
        meta the supervisor does not see pipes move bytes)."""
        if not hashes(level):
            return
        pid = pid or log.socat
        self.assert_moved(log.stream(pid, fd=0), level, stdin, b"")
        self.assert_moved(log.stream(pid, fd=1), level, b"", stdout)

    def assert_socket_event(self, record: dict, transport: str, local: dict | None,
                            peer: dict | None, outcome: str = "success"):
        self.assertEqual(record["event"]["outcome"], outcome, record)
        self.assertEqual(record["network"]["transport"], transport, record)
        sock = record["asocat"]["socket"]
        if local is not None:
            self.assertEqual(sock.get("local"), local, record)
        if peer is not None:
            self.assertEqual(sock.get("peer"), peer, record)

    # --- assertions on programs ---------------------------------------------------------------

    def exec_pid(self, log: CaptureLog, executable: str, exclude: int | None = None) -> int:
        """The one process that made a confirmed exec of `executable` (resolved path)."""
        pids = [r["process"]["pid"] for r in log.of("process.exec")
                if r["asocat"]["exec"]["outcome"] == "confirmed"
                and r["process"]["executable"] == os.path.realpath(executable)
                and r["process"]["pid"] != exclude]
        self.assertEqual(len(pids), 1, f"confirmed execs of {executable}: {pids}")
        return pids[0]

    def assert_exec(self, log: CaptureLog, pid: int, path: str, args: list):
        """pid's execs: any failed attempts (a PATH search), then one confirmed exec of `path`
        (as passed) that hashed the resolved file."""
        execs = log.execs(pid)
        self.assertTrue(execs, f"no process.exec for pid {pid}")
        *failed, confirmed = execs
        for attempt in failed:
            self.assertEqual(attempt["asocat"]["exec"]["outcome"], "failed", attempt)
            self.assertEqual(attempt["event"]["outcome"], "failure", attempt)
            self.assertEqual(os.path.basename(attempt["asocat"]["exec"]["path"]),
                             os.path.basename(path), attempt)
            self.assertNotIn("hash", attempt["process"])
        resolved = os.path.realpath(path)
        self.assertEqual(confirmed["asocat"]["exec"], {"path": path, "outcome": "confirmed",
                                                       "args_truncated": False})
        self.assertEqual(confirmed["event"]["outcome"], "success")
        self.assertEqual(confirmed["process"]["executable"], resolved)
        self.assertEqual(confirmed["process"]["args"], args)
        self.assertEqual(confirmed["process"]["hash"], {"sha256": file_sha(resolved)})

    def assert_child_ended(self, log: CaptureLog, pid: int):
        """pid has one process.end. When socat closes an EXEC/SYSTEM address whose program
        closed its output but has not exited yet, socat ends it with SIGTERM; the supervisor
        may not learn the signal of a process its parent reaped first (reason unknown)."""
        end = log.one("process.end", pid)["asocat"]["end"]
        if end["reason"] == "exited":
            self.assertEqual(end["exit_code"], 0)
        elif end["reason"] == "signaled":
            self.assertEqual(end["signal"], "SIGTERM")
        else:
            self.assertEqual(end, {"reason": "unknown"})

    def which(self, run: h.Run, program: str) -> str:
        return shutil.which(program, path=run.env.get("PATH", os.defpath))

    def assert_child_streams(self, log: CaptureLog, level: str, pid: int, kind: str,
                             into: bytes, out: bytes):
        """The program's fd 0 delivered `into` and its fd 1 took `out`."""
        if hashes(level):
            self.assert_moved(log.stream(pid, kind, 0), level, into, b"")
            self.assert_moved(log.stream(pid, kind, 1), level, b"", out)

    def exchange_program(self, run: h.Run, level: str, args, sent: bytes, expected: bytes,
                         cwd=None, chunk: int | None = None) -> h.Result:
        """Runs socat ARGS with `sent` on its stdin, waits until its stdout carries
        len(expected) bytes, then closes stdin (for addresses that never see an EOF: datagram
        sockets, terminals); returns the Result, stdout checked exactly. With `chunk` (an
        echo: expected as long as sent), sends `chunk` bytes at a time, each once the
        previous one has come back."""
        proc = self.socat(run, level, args, stdin=h.PIPE, cwd=cwd)
        if chunk is None:
            threading.Thread(target=proc.write, args=(sent,), daemon=True).start()
            proc.wait_for_size(len(expected))
        else:
            for offset in range(0, len(sent), chunk):
                proc.write(sent[offset:offset + chunk])  # less than a pipe holds: no wait
                proc.wait_for_size(min(offset + chunk, len(sent)))
        proc.close_stdin()
        result = self.finish(proc)
        self.assertEqual(result.stdout, expected)
        return result


@per_level
class Streams(CaptureCase):
    # --- 1, 2: stdio to a TCP server ----------------------------------------------------------

    def stdio_to_tcp(self, level: str, host: str, address: str):
        run = self.new_run(level)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sent, answer = payload(100 * KIB, "stdin"), payload(50 * KIB, "server")
        server = run.stream_peer(family, (host, run.port()), reply=answer)
        port = server.address[1]
        proc = self.socat(run, level, ["-t", LINGER, "-", address.format(port=port)],
                          stdin=sent)
        result = self.finish(proc)
        self.assertEqual(result.stdout, answer)
        conn = server.wait_done()[0]
        self.assertEqual(bytes(conn.received), sent)
        client = endpoint_of(family, conn.peer)

        log = self.log(run, level)
        connect = log.one("socket.connect", log.socat)
        self.assert_socket_event(connect, "tcp", client, inet(host, port))
        self.assertEqual(connect["destination"], ecs_of(inet(host, port)))
        self.assertEqual(connect["source"], ecs_of(client))
        self.assertEqual(connect["network"]["type"], "ipv6" if family == socket.AF_INET6
                         else "ipv4")
        tcp = log.stream(log.socat, "tcp")
        self.assertEqual(tcp["fd"], connect["asocat"]["socket"]["fd"])
        self.assertEqual((tcp["local"], tcp["peer"]), (client, inet(host, port)))
        self.assert_moved(tcp, level, answer, sent)
        self.assert_stdio(log, level, sent, answer)

    def scenario_stdio_to_tcp4(self, level):
        """STDIO to TCP4: both directions exact, in records too"""
        self.stdio_to_tcp(level, "127.0.0.1", "TCP4:127.0.0.1:{port}")

    def scenario_stdio_to_tcp6(self, level):
        """STDIO to TCP6 on ::1"""
        if not have_ipv6_loopback():
            self.skipTest("no IPv6 loopback (::1 cannot be bound)")
        self.stdio_to_tcp(level, "::1", "TCP6:[::1]:{port}")

    # --- 3: socat listens ---------------------------------------------------------------------

    def scenario_tcp_listen(self, level):
        """TCP4-LISTEN: bind, listen and accept recorded with the client's address"""
        run = self.new_run(level)
        sent, answer = payload(100 * KIB, "client"), payload(50 * KIB, "stdin")
        port = run.port()
        proc = self.socat(run, level, ["-t", LINGER, f"TCP4-LISTEN:{port},bind=127.0.0.1",
                                       "-"], stdin=answer)
        h.wait_tcp_listen(port, pid=proc.pid)
        names = []
        got = h.stream_exchange(socket.AF_INET, ("127.0.0.1", port), sent,
                                connected=lambda s: names.append(s.getsockname()))
        result = self.finish(proc)
        self.assertEqual(result.stdout, sent)
        self.assertEqual(got, answer)
        client, server = inet(*names[0]), inet("127.0.0.1", port)

        log = self.log(run, level)
        bind = log.one("socket.bind", log.socat)
        self.assert_socket_event(bind, "tcp", server, None)
        self.assertEqual(bind["server"], ecs_of(server))
        listen = log.one("socket.listen", log.socat)
        self.assert_socket_event(listen, "tcp", server, None)
        self.assertEqual(listen["asocat"]["socket"]["fd"], bind["asocat"]["socket"]["fd"])
        self.assertIsInstance(listen["asocat"]["socket"]["backlog"], int)
        accept = log.one("socket.accept", log.socat)
        self.assert_socket_event(accept, "tcp", server, client)
        self.assertEqual(accept["asocat"]["socket"]["fd"], bind["asocat"]["socket"]["fd"])
        self.assertEqual((accept["source"], accept["destination"]),
                         (ecs_of(client), ecs_of(server)))
        accepted = accept["asocat"]["socket"]["accepted_fd"]
        tcp = log.stream(log.socat, "tcp", accepted)
        self.assertEqual((tcp["local"], tcp["peer"]), (server, client))
        self.assert_moved(tcp, level, sent, answer)
        self.assert_stdio(log, level, answer, sent)

    # --- 4: UDP -------------------------------------------------------------------------------

    def scenario_udp_connected(self, level):
        """UDP4 to an echo peer: every datagram's bytes, both ways"""
        run = self.new_run(level)
        sent = payload(100 * KIB, "udp")
        peer = run.datagram_peer(socket.AF_INET, ("127.0.0.1", run.port()),
                                 reply=lambda d: d.translate(FLIP))
        port = peer.address[1]
        self.exchange_program(run, level, ["-", f"UDP4:127.0.0.1:{port}"], sent,
                              sent.translate(FLIP))
        self.assertEqual(b"".join(peer.wait_count(1)), sent)
        senders = {sender for _, sender in peer.received}
        self.assertEqual(len(senders), 1)
        client = inet(*senders.pop())

        log = self.log(run, level)
        connect = log.one("socket.connect", log.socat)
        self.assert_socket_event(connect, "udp", client, inet("127.0.0.1", port))
        if hashes(level):
            udp = log.stream(log.socat, "udp")
            self.assertEqual(udp["fd"], connect["asocat"]["socket"]["fd"])
            self.assertEqual((udp["local"], udp["peer"]), (client, inet("127.0.0.1", port)))
            self.assert_moved(udp, level, sent.translate(FLIP), sent)
        self.assert_stdio(log, level, sent, sent.translate(FLIP))

    def recvfrom(self, level: str, family: int, setup):
        """socat LISTEN -: one datagram from a bound Python client arrives on socat's stdout,
        socat's stdin goes back to that client. setup(run) gives socat's address, a wait for
        its socket to be bound, the client's own name and where it sends to."""
        run = self.new_run(level)
        listen, wait_bound, client_name, target = setup(run)
        datagram, answer = payload(4000, "datagram"), payload(3000, "answer")
        proc = self.socat(run, level, [listen, "-"], stdin=h.PIPE)
        wait_bound(proc)
        client = run.datagram_peer(family, client_name)
        client.sock.sendto(datagram, target)
        proc.wait_for_size(len(datagram))
        proc.write(answer)
        client.wait_count(1)
        proc.close_stdin()
        result = self.finish(proc)
        self.assertEqual(result.stdout, datagram)
        self.assertEqual([d for d, _ in client.received], [answer])
        log = self.log(run, level)
        self.assert_stdio(log, level, answer, datagram)
        return run, client, log, datagram, answer

    def scenario_udp_recvfrom(self, level):
        """UDP4-RECVFROM: socat receives with recvfrom and answers the sender"""
        def setup(run):
            port = run.port()
            return (f"UDP4-RECVFROM:{port},bind=127.0.0.1",
                    lambda proc: h.wait_udp_bound(port, pid=proc.pid), ("127.0.0.1", 0),
                    ("127.0.0.1", port))
        run, client, log, datagram, answer = self.recvfrom(level, socket.AF_INET, setup)
        bind = log.one("socket.bind", log.socat)
        server = bind["asocat"]["socket"]["local"]
        self.assert_socket_event(bind, "udp", inet("127.0.0.1", server["port"]), None)
        if hashes(level):
            udp = log.stream(log.socat, "udp")
            self.assertEqual((udp["local"], udp.get("peer")), (server, inet(*client.address)))
            self.assert_moved(udp, level, datagram, answer)

    # --- 5: UNIX sockets ----------------------------------------------------------------------

    def scenario_unix_connect(self, level):
        """UNIX-CONNECT to a Python server, absolute path"""
        run = self.new_run(level)
        sent, answer = payload(100 * KIB, "stdin"), payload(50 * KIB, "server")
        path = run.path("server.sock")
        server = run.stream_peer(socket.AF_UNIX, path, reply=answer)
        result = self.finish(self.socat(run, level, ["-t", LINGER, "-", f"UNIX-CONNECT:{path}"],
                                        stdin=sent))
        self.assertEqual(result.stdout, answer)
        self.assertEqual(bytes(server.wait_done()[0].received), sent)

        log = self.log(run, level)
        connect = log.one("socket.connect", log.socat)
        self.assert_socket_event(connect, "unix-stream", None, unix(path))
        self.assertEqual(connect["destination"], {"address": path})
        if hashes(level):
            stream = log.stream(log.socat, "unix")
            self.assertEqual(stream["peer"], unix(path))
            self.assert_moved(stream, level, answer, sent)
        self.assert_stdio(log, level, sent, answer)

    def scenario_unix_listen_relative(self, level):
        """UNIX-LISTEN on a relative path: the socket appears in socat's working directory"""
        run = self.new_run(level)
        sent, answer = payload(100 * KIB, "client"), payload(50 * KIB, "stdin")
        proc = self.socat(run, level, ["-t", LINGER, "UNIX-LISTEN:listen.sock", "-"],
                          stdin=answer)
        h.wait_unix_listen("listen.sock")
        self.assertTrue(stat.S_ISSOCK(os.stat(run.path("listen.sock")).st_mode))
        client_path = run.path("client.sock")
        got = h.stream_exchange(socket.AF_UNIX, run.path("listen.sock"), sent, bind=client_path)
        result = self.finish(proc)
        self.assertEqual((result.stdout, got), (sent, answer))

        log = self.log(run, level)
        bind = log.one("socket.bind", log.socat)
        self.assert_socket_event(bind, "unix-stream", unix("listen.sock"), None)
        listen = log.one("socket.listen", log.socat)
        self.assert_socket_event(listen, "unix-stream", unix("listen.sock"), None)
        accept = log.one("socket.accept", log.socat)
        self.assert_socket_event(accept, "unix-stream", unix("listen.sock"), unix(client_path))
        self.assertEqual(accept["source"], {"address": client_path})
        if hashes(level):
            stream = log.stream(log.socat, "unix", accept["asocat"]["socket"]["accepted_fd"])
            self.assert_moved(stream, level, sent, answer)
        self.assert_stdio(log, level, answer, sent)

    def scenario_unix_connect_relative_in_child_directory(self, level):
        """A socat started by SYSTEM in a subdirectory connects to a relative UNIX path: the
        supervisor (whose own directory is the parent) connects from the caller's directory"""
        run = self.new_run(level)
        sent, answer = payload(60 * KIB, "stdin"), payload(40 * KIB, "server")
        os.mkdir(run.path("sub"))
        server = run.stream_peer(socket.AF_UNIX, run.path("sub/rel.sock"), reply=answer)
        inner = f"cd sub && exec {h.real_socat_path()} -t {LINGER} - UNIX-CONNECT:rel.sock"
        result = self.finish(self.socat(run, level, ["-t", LINGER, "-",
                                                     "SYSTEM:" + socat_escaped(inner)], stdin=sent))
        self.assertEqual(result.stdout, answer)
        self.assertEqual(bytes(server.wait_done()[0].received), sent)

        log = self.log(run, level)
        inner_pid = self.exec_pid(log, h.real_socat_path(), exclude=log.socat)
        connect = log.one("socket.connect", inner_pid)
        self.assert_socket_event(connect, "unix-stream", None, unix("rel.sock"))
        if hashes(level):
            self.assert_moved(log.stream(inner_pid, "unix", connect["asocat"]["socket"]["fd"]),
                              level, answer, sent)

    def relative_echo(self, run: h.Run, directory: str, count: int) -> h.Proc:
        """A datagram echo (FLIP) bound to the relative name "peer.sock" in `directory`, until
        it has received `count` bytes, which it then prints. socat takes answers to UNIX-SENDTO
        only from the very name it sends to, so the echo must be bound by that relative name,
        from its own process in that directory."""
        proc = run.spawn_aux([sys.executable, "-c", DATAGRAM_ECHO, "peer.sock", str(count),
                              str(FINISH)], cwd=directory, name="datagram-echo")
        h.wait_file(os.path.join(directory, "peer.sock"))
        return proc

    def scenario_unix_sendto_relative(self, level):
        """UNIX-SENDTO with relative peer and bind paths, to an echoing datagram peer"""
        run = self.new_run(level)
        sent = payload(100 * KIB, "unix-dgram")
        echo = self.relative_echo(run, run.dir, len(sent))
        self.exchange_program(run, level, ["-", "UNIX-SENDTO:peer.sock,bind=me.sock"], sent,
                              sent.translate(FLIP))
        self.assertEqual(echo.finish(FINISH).stdout, sent)

        log = self.log(run, level)
        bind = log.one("socket.bind", log.socat)
        self.assert_socket_event(bind, "unix-dgram", unix("me.sock"), None)
        if hashes(level):
            stream = log.stream(log.socat, "unix", bind["asocat"]["socket"]["fd"])
            self.assert_moved(stream, level, sent.translate(FLIP), sent)
        self.assert_stdio(log, level, sent, sent.translate(FLIP))

    def scenario_unix_sendto_relative_in_child_directory(self, level):
        """A socat started by SYSTEM in a subdirectory sends datagrams to a relative path: they
        must reach the socket in its directory, not one of that name in the supervisor's"""
        run = self.new_run(level)
        sent = payload(20 * KIB, "unix-dgram-sub")
        os.mkdir(run.path("sub"))
        echo = self.relative_echo(run, run.path("sub"), len(sent))
        decoy = run.datagram_peer(socket.AF_UNIX, run.path("peer.sock"))
        inner = f"cd sub && exec {h.real_socat_path()} - UNIX-SENDTO:peer.sock,bind=me.sock"
        try:
            self.exchange_program(run, level, ["-", "SYSTEM:" + socat_escaped(inner)], sent,
                                  sent.translate(FLIP))
        finally:
            self.assertEqual(len(decoy.received), 0,
                             "datagrams went to peer.sock in the supervisor's directory")
        self.assertEqual(echo.finish(FINISH).stdout, sent)

        log = self.log(run, level)
        inner_pid = self.exec_pid(log, h.real_socat_path(), exclude=log.socat)
        bind = log.one("socket.bind", inner_pid)
        self.assert_socket_event(bind, "unix-dgram", unix("me.sock"), None)
        if hashes(level):
            stream = log.stream(inner_pid, "unix", bind["asocat"]["socket"]["fd"])
            self.assert_moved(stream, level, sent.translate(FLIP), sent)

    def scenario_unix_recvfrom_relative(self, level):
        """UNIX-RECVFROM on a relative path answers a bound Python client"""
        def setup(run):
            return ("UNIX-RECVFROM:recv.sock",
                    lambda proc: h.wait_unix_listen("recv.sock", "dgram"),
                    run.path("client.sock"), run.path("recv.sock"))
        run, client, log, datagram, answer = self.recvfrom(level, socket.AF_UNIX, setup)
        bind = log.one("socket.bind", log.socat)
        self.assert_socket_event(bind, "unix-dgram", unix("recv.sock"), None)
        if hashes(level):
            stream = log.stream(log.socat, "unix", bind["asocat"]["socket"]["fd"])
            self.assertEqual(stream.get("peer"), unix(run.path("client.sock")))
            self.assert_moved(stream, level, datagram, answer)

    # --- 6: files and pipes -------------------------------------------------------------------

    def scenario_file_to_file(self, level):
        """-u OPEN:in CREATE:out: the out file is exact, both file streams carry its digest"""
        run = self.new_run(level)
        data = payload(150 * KIB, "file")
        source = run.write_file("in.bin", data)
        self.finish(self.socat(run, level, ["-u", "OPEN:in.bin", "CREATE:out.bin"]))
        self.assertEqual(audit.read_bytes(run.path("out.bin")), data)
        log = self.log(run, level)
        if hashes(level):
            files = {s["asocat"]["stream"].get("path"): s["asocat"]["stream"]
                     for s in log.streams(log.socat, "file")}
            self.assert_moved(files[source], level, data, b"")
            self.assert_moved(files[run.path("out.bin")], level, b"", data)

    def scenario_unnamed_pipe_echo(self, level):
        """PIPE (unnamed): what goes into the pipe comes back; both ends are one pipe"""
        run = self.new_run(level)
        data = payload(100 * KIB, "pipe")
        result = self.finish(self.socat(run, level, ["-t", LINGER, "-", "PIPE"], stdin=data))
        self.assertEqual(result.stdout, data)
        log = self.log(run, level)
        if hashes(level):
            ends = [r["asocat"]["stream"] for r in log.streams(log.socat, "pipe")
                    if r["asocat"]["stream"]["fd"] > 2]
            self.assertEqual(len(ends), 2, ends)
            reader = next(s for s in ends if s["in"]["bytes"])
            writer = next(s for s in ends if s["out"]["bytes"])
            self.assertEqual(reader["path"], writer["path"])
            self.assert_moved(reader, level, data, b"")
            self.assert_moved(writer, level, b"", data)
        self.assert_stdio(log, level, data, data)

    def scenario_named_fifo(self, level):
        """-u PIPE:fifo STDOUT: a named FIFO written by the test"""
        run = self.new_run(level)
        data = payload(200 * KIB, "fifo")
        fifo = run.path("fifo")
        os.mkfifo(fifo)
        proc = self.socat(run, level, ["-u", "PIPE:fifo", "STDOUT"])

        def writer():
            with open(fifo, "wb") as f:  # blocks until socat opened the FIFO for reading
                f.write(data)
        feeding = threading.Thread(target=writer, daemon=True)
        feeding.start()
        result = self.finish(proc)
        feeding.join(FINISH)
        self.assertEqual(result.stdout, data)
        log = self.log(run, level)
        if hashes(level):
            self.assert_moved(log.stream(log.socat, "pipe", where=lambda s: s.get("path") == fifo),
                              level, data, b"")
            self.assert_moved(log.stream(log.socat, fd=1), level, b"", data)

    # --- 7: programs --------------------------------------------------------------------------

    def scenario_exec_cat(self, level):
        """EXEC:cat echoes exactly; cat's exec is confirmed and hashed"""
        run = self.new_run(level)
        data = payload(100 * KIB, "cat")
        result = self.finish(self.socat(run, level, ["-t", LINGER, "-", "EXEC:cat"], stdin=data))
        self.assertEqual(result.stdout, data)
        log = self.log(run, level)
        (child,) = log.children_of(log.socat)
        self.assert_exec(log, child, self.which(run, "cat"), ["cat"])
        self.assert_child_ended(log, child)
        if hashes(level):
            self.assert_moved(log.stream(log.socat, "unix"), level, data, data)
        self.assert_child_streams(log, level, child, "unix", data, data)
        self.assert_stdio(log, level, data, data)

    def scenario_system_tr(self, level):
        """SYSTEM:tr a-z A-Z: sh and tr execs confirmed and hashed, tr's streams exact"""
        run = self.new_run(level)
        data = payload(100 * KIB, "tr")
        expected = data.translate(UPPER)
        result = self.finish(self.socat(run, level, ["-t", LINGER, "-", "SYSTEM:tr a-z A-Z"],
                                        stdin=data))
        self.assertEqual(result.stdout, expected)
        log = self.log(run, level)
        # socat's child runs system(): sh is its child, and tr is sh's (or sh itself).
        (child,) = log.children_of(log.socat)
        sh = self.exec_pid(log, "/bin/sh")
        self.assertIn(sh, [child] + log.children_of(child))
        self.assert_exec(log, sh, "/bin/sh", ["sh", "-c", "tr a-z A-Z"])
        tr = self.exec_pid(log, self.which(run, "tr"))
        self.assertIn(tr, [sh] + log.children_of(sh))
        self.assert_exec(log, tr, self.which(run, "tr"), ["tr", "a-z", "A-Z"])
        if hashes(level):
            self.assert_moved(log.stream(log.socat, "unix"), level, expected, data)
        self.assert_child_streams(log, level, tr, "unix", data, expected)
        self.assert_stdio(log, level, data, expected)

    # --- 8: a pseudo-terminal -----------------------------------------------------------------

    def scenario_exec_cat_on_a_pty(self, level):
        """EXEC:cat,pty,rawer: the terminal passes every byte; tty streams carry them"""
        # `rawer` switches off echo, signals, canonical mode, flow control and every input
        # and output translation: random bytes then cross the line discipline unchanged,
        # so they can be asserted exactly. A terminal never reports EOF to the writer's
        # peer, so stdin stays open until the echo is complete. The bytes are typed 4 KiB at
        # a time, each after the previous came back: a burst larger than the terminal's
        # buffers deadlocks bare socat itself (its blocking write to the master waits for cat,
        # whose write to the slave waits for socat to read the master).
        run = self.new_run(level)
        data = payload(32 * KIB, "pty")
        self.exchange_program(run, level, ["-", "EXEC:cat,pty,rawer"], data, data,
                              chunk=4 * KIB)
        log = self.log(run, level)
        (child,) = log.children_of(log.socat)
        self.assert_exec(log, child, self.which(run, "cat"), ["cat"])
        if hashes(level):
            master = log.stream(log.socat, "tty")
            self.assert_moved(master, level, data, data)
        self.assert_child_streams(log, level, child, "tty", data, data)
        self.assert_stdio(log, level, data, data)

    # --- 9: OpenSSL ---------------------------------------------------------------------------

    def scenario_openssl_client(self, level):
        """OPENSSL to a TLS server: stdio carries the plaintext, the TCP stream the ciphertext"""
        context = tls_server_context()
        run = self.new_run(level)
        sent, answer = payload(100 * KIB, "tls-stdin"), payload(50 * KIB, "tls-server")
        server = run.tls_peer(socket.AF_INET, ("127.0.0.1", run.port()), context, reply=answer)
        port = server.address[1]
        result = self.finish(self.socat(
            run, level, ["-t", LINGER, "-", f"OPENSSL:127.0.0.1:{port},verify=0"], stdin=sent))
        self.assertEqual(result.stdout, answer)
        conn = server.wait_done()[0]
        self.assertEqual(bytes(conn.received), sent)
        log = self.log(run, level)
        connect = log.one("socket.connect", log.socat)
        self.assert_socket_event(connect, "tcp", inet(*conn.peer), inet("127.0.0.1", port))
        tcp = log.stream(log.socat, "tcp")
        # What crossed the wire, as the server's TLS engine saw it: the ciphertext.
        self.assert_moved(tcp, level, bytes(conn.raw_out), bytes(conn.raw_in))
        self.assertGreater(tcp["in"]["bytes"], len(answer))
        self.assertGreater(tcp["out"]["bytes"], len(sent))
        if hashes(level):
            self.assertNotEqual(tcp["in"]["sha256"], sha(answer))
            self.assertNotEqual(tcp["out"]["sha256"], sha(sent))
        self.assert_stdio(log, level, sent, answer)


_tls_context = None


def tls_server_context() -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate (openssl req), made once."""
    global _tls_context
    if _tls_context is None:
        openssl = shutil.which("openssl")
        if openssl is None:
            raise unittest.SkipTest("the openssl command is not installed")
        where = h.make_temp_dir("capture-tls")
        cert, key = os.path.join(where, "cert.pem"), os.path.join(where, "key.pem")
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=h.scaled(h.EXIT_TIMEOUT))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        _tls_context = context
    return _tls_context


@per_level
class Forking(CaptureCase):
    SEQUENTIAL = 200
    CONCURRENT = 50

    def scenario_fork_per_connection(self, level):
        """TCP4-LISTEN,fork EXEC:cat: 200 sequential and 50 concurrent connections, each
        echoed exactly and recorded in its own child with its own digests"""
        run = self.new_run(level)
        port = run.port()
        proc = self.socat(run, level, [f"TCP4-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,"
                                       "backlog=128", "EXEC:cat"])
        h.wait_tcp_listen(port, pid=proc.pid)
        socat_pid = proc.socat_pid()
        total = self.SEQUENTIAL + self.CONCURRENT
        payloads = [b"%04d" % i + payload(random.Random(i).randint(1, 4 * KIB), ("fork", i))
                    for i in range(total)]

        def connection(i: int):
            names = []
            got = h.stream_exchange(socket.AF_INET, ("127.0.0.1", port), payloads[i],
                                    timeout=FINISH,
                                    connected=lambda s: names.append(s.getsockname()[1]))
            return names[0], got

        echoes = [connection(i) for i in range(self.SEQUENTIAL)]
        with concurrent.futures.ThreadPoolExecutor(self.CONCURRENT) as pool:
            echoes += list(pool.map(connection, range(self.SEQUENTIAL, total)))
        for i, (_, got) in enumerate(echoes):
            self.assertEqual(got, payloads[i], f"connection {i}")
        # Every connection's child has ended before socat is told to stop.
        h.wait_until(lambda: not h.children(socat_pid), FINISH, "socat's children to end")
        proc.send_signal(signal.SIGTERM)
        self.finish(proc, 143)

        log = self.log(run, level)
        by_port = {client_port: payloads[i] for i, (client_port, _) in enumerate(echoes)}
        self.assertEqual(len(by_port), total)
        accepts = log.of("socket.accept", log.socat)
        self.assertEqual(len(accepts), total)
        for accept in accepts:
            self.assert_socket_event(accept, "tcp", inet("127.0.0.1", port), None)
        self.assertEqual(sorted(a["asocat"]["socket"]["peer"]["port"] for a in accepts),
                         sorted(by_port))
        children = log.children_of(log.socat)
        self.assertEqual(len(children), total)
        self.assertEqual(len(set(children)), total)
        cat = self.which(run, "cat")
        for child in children:
            (grandchild,) = log.children_of(child)
            self.assertEqual(log.execs(grandchild)[-1]["process"]["executable"],
                             os.path.realpath(cat))
        tcp = [r for r in log.of("stream.end")
               if r["process"]["pid"] in set(children) and r["asocat"]["stream"]["kind"] == "tcp"]
        self.assertEqual(sorted(r["asocat"]["stream"]["peer"]["port"] for r in tcp),
                         sorted(by_port))
        for r in tcp:
            data = by_port[r["asocat"]["stream"]["peer"]["port"]]
            self.assert_moved(r["asocat"]["stream"], level, data, data)
        # The listener's own copies of the accepted sockets (closed once the child has its
        # own) moved nothing.
        for s in log.streams(log.socat, "tcp"):
            self.assert_moved(s["asocat"]["stream"], level, b"", b"")
        self.assertEqual(log.session_end()["asocat"]["end"]["exit_code"], 143)


@per_level
class Signals(CaptureCase):
    def interrupted(self, level: str, variant, stall_writes: bool) -> tuple:
        """socat - TCP4 to a server that never sends (and, with stall_writes, never reads
        while socat has a lot to write), SIGINT to the launched process once socat is
        blocked; returns (its Result, the run, socat's pid)."""
        run = self.new_run(level, variant)
        server = run.stream_peer(socket.AF_INET, ("127.0.0.1", run.port()), hold_open=True,
                                 read=not stall_writes)
        port = server.address[1]
        if stall_writes:
            # socat waits for writability before it writes; with reads (-b) larger than a
            # third of a small send buffer, a write eventually finds too little room and
            # blocks for good.
            args = ["-b", str(64 * KIB), "-", f"TCP4:127.0.0.1:{port},sndbuf={64 * KIB}"]
            stdin = payload(8 * 1024 * KIB, "stall")
        else:
            args, stdin = ["-", f"TCP4:127.0.0.1:{port}"], h.PIPE
        proc = self.socat(run, level, args, stdin=stdin)
        server.wait_accepted()
        socat = proc.socat_pid()
        blocked_in = {WRITE_CALL} if stall_writes else WAITING_CALLS
        h.wait_until(lambda: current_call(socat) in blocked_in, what="socat to block")
        proc.send_signal(signal.SIGINT)
        result = proc.finish(FINISH)
        proc.close_stdin()
        return result, run, socat

    def compare_with_bare_socat(self, level: str, stall_writes: bool):
        bare, _, _ = self.interrupted(level, h.bare_variant(), stall_writes)
        wrapped, run, socat = self.interrupted(level, h.wrapper_variant(), stall_writes)
        self.assertEqual((wrapped.status, wrapped.stdout), (bare.status, bare.stdout))
        self.assertEqual(run.normalise(wrapped.stderr), run.normalise(bare.stderr))
        self.assertEqual(bare.status, 130)  # socat's own status after its SIGINT handler
        log = self.log(run, level)
        self.assertEqual(log.session_end()["asocat"]["end"],
                         {"reason": "exited", "exit_code": 130, "exec_check": "matched",
                          "wrapper_status": 130})
        self.assertEqual(log.one("process.end", socat)["asocat"]["end"],
                         {"reason": "exited", "exit_code": 130})

    def scenario_sigint_while_waiting(self, level):
        """SIGINT while socat waits for data that never comes: status as with bare socat"""
        self.compare_with_bare_socat(level, stall_writes=False)

    def scenario_sigint_in_a_blocked_write(self, level):
        """SIGINT while socat's write to a peer that never reads is blocked"""
        self.compare_with_bare_socat(level, stall_writes=True)

    def scenario_sigchld_handler_restarts(self, level):
        """A stand-in for socat installs a SIGCHLD handler without SA_RESTART, as socat does:
        under capture the kernel holds it with SA_RESTART, so a call interrupted while it waits
        for the supervisor is restarted instead of failing with an EINTR no native call gives.
        A read the supervisor performs and that really waits still ends in EINTR when a child
        ends; at meta, where reads run natively, it is restarted"""
        bare = self.sigchld_stand_in(self.new_run(level, h.bare_variant()), level)
        self.assertEqual(bare, "restart=False\nread=-1 EINTR\n")
        run = self.new_run(level)
        self.assertEqual(self.sigchld_stand_in(run, level),
                         "restart=True\n" + ("read=1\n" if level == "meta" else "read=-1 EINTR\n"))
        log = CaptureLog(self, run.log_dir, level, 0)
        self.assertEqual(log.session_end()["asocat"]["end"]["exit_code"], 0)

    def sigchld_stand_in(self, run: h.Run, level: str) -> str:
        """Runs SIGCHLD_STAND_IN as socat; SIGKILLs its child once the stand-in waits in its
        read. A wrapped stand-in at meta gets a byte once SIGCHLD was delivered (its read,
        restarted, would otherwise wait for good). Returns what it printed after its pids."""
        script = run.write_file("stand-in", SIGCHLD_STAND_IN.encode(), mode=0o755)
        if not run.variant.is_wrapper:
            proc = run.spawn_aux([script], stdin=h.PIPE)
        else:
            proc = run.spawn([], stdin=h.PIPE, env={"AUDITED_SOCAT_CAPTURE": level,
                                                    "AUDITED_SOCAT_SOCAT": script})
        pids = proc.wait_for_output(rb"pids (\d+) (\d+)\n", stream="stdout")
        parent, child = int(pids.group(1)), int(pids.group(2))
        h.wait_until(lambda: current_call(parent) == READ_CALL, what="the stand-in to read")
        self.assertTrue(h.ProcRef.of(child).kill(signal.SIGKILL))
        if run.variant.is_wrapper and level == "meta":
            h.wait_until(lambda: h.ProcRef.of(child).state() == "Z"
                         and not sigchld_pending(parent) and current_call(parent) == READ_CALL,
                         what="SIGCHLD to be delivered")
            proc.write(b"x")
        result = proc.finish(FINISH)
        proc.close_stdin()
        self.assertEqual((result.status, result.stderr), (0, b""))
        return result.stdout.decode().split("\n", 1)[1]

    def scenario_supervisor_killed_mid_transfer(self, level):
        """SIGKILL of the capture supervisor mid-transfer: socat is stopped, status 125"""
        run = self.new_run(level)
        server = run.stream_peer(socket.AF_INET, ("127.0.0.1", run.port()), hold_open=True)
        port = server.address[1]
        proc = self.socat(run, level, ["-", f"TCP4:127.0.0.1:{port}"], stdin=h.PIPE)
        chunk = payload(64 * KIB, "endless")

        def feed():  # until socat's stdin goes away
            try:
                while True:
                    proc.write(chunk)
            except OSError:
                pass
        threading.Thread(target=feed, daemon=True).start()
        server.wait_received(1)
        socat = h.ProcRef.of(proc.socat_pid())
        supervisors = [pid for pid in h.children(proc.pid) if comm(pid) == SUPERVISOR_COMM]
        self.assertEqual(len(supervisors), 1, h.children(proc.pid))
        self.assertTrue(h.ProcRef.of(supervisors[0]).kill(signal.SIGKILL))
        result = proc.finish(h.scaled(5))
        proc.close_stdin()
        self.assertFalse(socat.alive())
        # Whatever the supervisor had appended is chained; what it had not is simply absent.
        # The wrapper then seals the session's end. Only a line the kill tore in half makes
        # the log incomplete (the next writer names it in a log.recovery record: status 2);
        # tampering (status 1) is never acceptable.
        records = audit.read_records(run.log_dir)
        torn = any(r["asocat"]["type"] == "log.recovery" for r in records)
        status, report, done = audit.verify_log(os.path.join(run.log_dir, "audit.jsonl"))
        self.assertEqual(status, 2 if torn else 0, done.stdout)
        (end,) = [r for r in records if r["asocat"]["type"] == "session.end"]
        # socat must not go on unobserved: it is stopped, and the session fails as audited-
        # socat's own failure, whatever socat made of its calls failing meanwhile.
        self.assertEqual(result.status, 125, (result.stderr, end))
        ours = [line for line in result.stderr.decode(errors="replace").splitlines()
                if line.startswith("audited-socat:")]
        self.assertEqual(len(ours), 1, result.stderr)
        self.assertIn("capture supervisor", ours[0])
        self.assertEqual(end["asocat"]["end"]["reason"], "audit-failed")
        self.assertEqual(end["asocat"]["end"]["wrapper_status"], 125)
        self.assertIn("capture supervisor", end["asocat"]["end"]["error"])


# Run under the wrapper by LockHeld: takes the session log's lock (as a nested audited-socat
# does while it appends), has the supervisor owe a record (the bind) while it holds it, lets
# several flush periods pass, then makes calls only the supervisor can complete: a close
# (trapped at every level) and a read of its stdin (at digest and full). LOCK HOLD_SECONDS.
LOCK_HOLDER = """
import fcntl, os, socket, sys, time
lock = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(lock, fcntl.LOCK_EX)
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probe.bind(("127.0.0.1", 0))
os.write(1, b"locked\\n")
time.sleep(float(sys.argv[2]))
probe.close()
os.write(1, sys.stdin.buffer.readline())
"""


@per_level
class SharedLog(CaptureCase):
    """Processes socat runs may write to the session's own log directory (a nested
    audited-socat does). The supervisor must go on serving calls while one of them holds the
    log's lock: that process may be parked in a call only the supervisor can complete."""

    NESTED_RUNS = 3
    NESTED_ROUNDS = 2

    def scenario_lock_held_by_a_traced_process(self, level):
        """a traced process holds the log lock across flush periods and makes trapped calls:
        they are served, and the records owed meanwhile are written once it lets go"""
        run = self.new_run(level)
        script = os.path.join(run.dir, "holder.py")
        with open(script, "w") as f:
            f.write(LOCK_HOLDER)
        lock = os.path.join(run.log_dir, ".audit.lock")
        proc = self.socat(run, level, ["-", f"EXEC:{sys.executable} {script} {lock} 0.5"],
                          stdin=h.PIPE)
        self.assertEqual(proc.wait_for_size(len(b"locked\n"), timeout=FINISH), b"locked\n")
        proc.write(b"ping\n")
        proc.wait_for_size(len(b"locked\nping\n"), timeout=FINISH)
        proc.close_stdin()
        self.assertEqual(self.finish(proc).stdout, b"locked\nping\n")
        log = self.log(run, level)
        holder = self.exec_pid(log, sys.executable)
        bind = log.one("socket.bind", holder)
        self.assertEqual(bind["asocat"]["socket"]["local"]["address"], "127.0.0.1", bind)
        self.assertEqual(log.one("process.end", holder)["asocat"]["end"],
                         {"reason": "exited", "exit_code": 0})
        if hashes(level):
            self.assert_moved(log.stream(holder, fd=0), level, b"ping\n", b"")

    def scenario_nested_sessions_in_parallel(self, level):
        """audited-socat inside audited-socat, both writing to one log directory, several
        sessions at once: every one ends with its bytes relayed and its records verified"""
        data = payload(64 * KIB, ("nested", level))
        system = "SYSTEM:" + socat_escaped(f"{h.wrapper_path()} - EXEC:cat")

        # Runs are closed only after every thread is done: closing one reaps the test's
        # unmanaged children, which would include a process another thread is starting.
        runs = [self.new_run(level, name=f"nested-{i}")
                for i in range(self.NESTED_RUNS * self.NESTED_ROUNDS)]

        def nested(run: h.Run):
            proc = self.socat(run, level, ["-", system], stdin=h.PIPE)
            threading.Thread(target=proc.write, args=(data,), daemon=True).start()
            try:
                proc.wait_for_size(len(data), timeout=FINISH)
            except h.HarnessError:
                pass  # the exit status and stderr below say why
            proc.close_stdin()
            result = proc.finish(FINISH)
            status, _, done = audit.verify_log(os.path.join(run.log_dir, "audit.jsonl"))
            return result, status, done.stdout, audit.session_records(run.log_dir)

        with concurrent.futures.ThreadPoolExecutor(self.NESTED_RUNS) as pool:
            outcomes = list(pool.map(nested, runs))
        for i, (result, status, report, sessions) in enumerate(outcomes):
            what = f"nested session {i}: {result.stderr[-2000:]!r}"
            self.assertEqual((result.status, result.stderr), (0, b""), what)
            self.assertEqual(result.stdout, data, what)
            self.assertEqual(status, 0, report)
            starts = [r for r in sessions if r["asocat"]["type"] == "session.start"]
            ends = [r for r in sessions if r["asocat"]["type"] == "session.end"]
            self.assertEqual([s["process"]["args"][1:] for s in starts],
                             [["-", system], ["-", "EXEC:cat"]], what)
            self.assertEqual([e["asocat"]["end"]["exit_code"] for e in ends], [0, 0], what)


class UnsupportedKernel(unittest.TestCase):
    def test_kernel_without_user_notification(self):
        self.skipTest("needs a kernel without seccomp user notification; not testable here")


def setUpModule():
    h.enable_subreaper()


if __name__ == "__main__":
    audit.main()
