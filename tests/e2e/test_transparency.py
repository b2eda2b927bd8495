#!/usr/bin/python3
"""Side-by-side transparency tests: audited-socat must behave exactly like socat.

Every case runs the same scenario twice, once with the real socat and once
with the wrapper (ASOCAT_WRAPPER), each with its own directory and ports, and
asserts identical stdout bytes, identical normalised stderr (timestamps, pids
and the run's own ports/paths only), identical exit status (or death by the
same signal) and identical extras (files written, bytes a peer received,
process attributes).  The wrapper run must also have written at least one
line to a *.jsonl file in its AUDITED_SOCAT_LOG_DIR.

Usage:
  ASOCAT_WRAPPER=/path/to/audited-socat /usr/bin/python3 tests/e2e/test_transparency.py \
      [-k PATTERN] [-q]
Exit status: 0 all identical; 1 a difference, an error, or ASOCAT_WRAPPER
unset/unusable; 77 (skip) when the real socat is missing.
Other settings (ASOCAT_REAL_SOCAT, ASOCAT_TIME_SCALE, ...): see harness.py.
"""

import os
import random
import signal
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402

PIPE = h.PIPE
CASES = []          # (name, function)
SUMMARY = {}        # name -> "identical" | "differ"


def case(fn):
    """Register a scenario.  fn(run) -> harness.Outcome, run under both variants."""
    CASES.append((fn.__name__[len("case_"):], fn))
    return fn


def rand_bytes(n, seed):
    return random.Random(seed).randbytes(n)


def text_data(n, seed):
    """Mixed-case text plus some binary, the same for both variants."""
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t\x00\xff\x80"
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return random.Random(seed).randbytes(n).translate(table)


def upper(data):
    return data.upper()   # = tr a-z A-Z under LC_ALL=C


def shim_path(run):
    """A directory whose `socat` is this variant's binary (the PATH-shim usage:
    `socat` found earlier in PATH), returned as a PATH value."""
    d = run.path("shim")
    os.makedirs(d, exist_ok=True)
    os.symlink(run.variant.executable, os.path.join(d, "socat"))
    return d + os.pathsep + run.env.get("PATH", "/usr/bin:/bin")


# --------------------------------------------------------------------------
# informational output and usage errors


@case
def case_version(run):
    r = run.run(["-V"])
    run.check(r.status == 0 and b"socat version" in r.stdout, "-V prints the version")
    return run.outcome(r)


@case
def case_help(run):
    r = run.run(["-h"])
    run.check(r.status == 0 and b"Usage:" in r.stdout, "-h prints usage")
    return run.outcome(r)


@case
def case_help_hh(run):
    r = run.run(["-hh"])
    run.check(r.status == 0 and len(r.stdout) > 5000, "-hh prints the long help")
    return run.outcome(r)


@case
def case_help_hhh(run):
    return run.outcome(run.run(["-hhh"]))


@case
def case_no_addresses(run):
    r = run.run([])
    run.check(r.status == 1 and b" E exactly 2 addresses required" in r.stderr, "usage error")
    return run.outcome(r)


@case
def case_unknown_address(run):
    r = run.run(["-d", "-d", "-", "FOO:bar"], stdin=None)
    run.check(r.status == 1 and b'E unknown device/address "FOO"' in r.stderr, "syntax error")
    return run.outcome(r)


@case
def case_unknown_option(run):
    r = run.run(["-", "PIPE,nosuchoption=1"], stdin=None)
    run.check(r.status == 1 and b" E " in r.stderr, "unknown address option")
    return run.outcome(r)


@case
def case_missing_parameter(run):
    r = run.run(["-", "TCP:127.0.0.1"], stdin=None)
    run.check(r.status == 1 and b" E " in r.stderr, "missing address parameter")
    return run.outcome(r)


@case
def case_empty_argument(run):
    return run.outcome(run.run(["-", ""], stdin=None))


@case
def case_bad_global_option(run):
    r = run.run(["-Z", "-", "-"], stdin=None)
    run.check(r.status == 1, "unknown global option")
    return run.outcome(r)


# --------------------------------------------------------------------------
# data through stdio, pipes and files


@case
def case_stdio_pipe_binary(run):
    data = bytes(range(256)) * 64 + b"end\n"
    r = run.run(["-", "PIPE"], stdin=data)
    run.check(r.status == 0 and r.stdout == data, "all 256 byte values echoed")
    return run.outcome(r)


@case
def case_stdio_pipe_1mib(run):
    data = rand_bytes(1 << 20, 1)
    r = run.run(["-", "PIPE"], stdin=data)
    run.check(r.status == 0 and r.stdout == data, "1 MiB of random data echoed")
    return run.outcome(r)


@case
def case_stdin_to_stdout_unidirectional(run):
    data = rand_bytes(300000, 2)
    r = run.run(["-u", "STDIN", "STDOUT"], stdin=data)
    run.check(r.status == 0 and r.stdout == data, "-u STDIN STDOUT copies")
    return run.outcome(r)


@case
def case_hexdump_x(run):
    data = b"hello\x00\xff world\n"      # one atomic pipe write: one dump block
    r = run.run(["-x", "-u", "STDIN", "STDOUT"], stdin=data)
    run.check(r.stdout == data and b"length=" in r.stderr, "-x dumps to stderr")
    return run.outcome(r)


@case
def case_verbose_v(run):
    data = b"line one\nline two\n"
    r = run.run(["-v", "-u", "STDIN", "STDOUT"], stdin=data)
    run.check(r.stdout == data and b"length=" in r.stderr, "-v dumps to stderr")
    return run.outcome(r)


@case
def case_file_copy(run):
    data = rand_bytes(100000, 3)
    run.write_file("a.bin", data)
    r = run.run(["-d", "-d", "-u", "FILE:a.bin", "CREATE:b.bin"], stdin=None)
    with open(run.path("b.bin"), "rb") as f:
        copied = f.read()
    run.check(r.status == 0 and copied == data, "file copied")
    return run.outcome(r, copied=copied, mode=oct(os.stat(run.path("b.bin")).st_mode))


@case
def case_odd_argv_bytes(run):
    name = b"we ird \xff name.txt"
    with open(os.path.join(os.fsencode(run.dir), name), "wb") as f:
        f.write(b"contents of an oddly named file\n")
    r = run.run(["-u", b"OPEN:" + name, "STDOUT"], stdin=None)
    run.check(r.stdout == b"contents of an oddly named file\n", "argv bytes passed unchanged")
    return run.outcome(r)


@case
def case_inactivity_timeout(run):
    p = run.spawn(["-d", "-d", "-T", "0.5", "-", "PIPE"], stdin=PIPE)
    r = p.finish()          # stdin stays open: only -T can end it
    p.close_stdin()
    run.check(r.status == 0 and r.duration >= 0.45, "ended by the inactivity timeout")
    return run.outcome(r)


@case
def case_closed_stdin(run):
    # fd 0 closed when socat starts: socat's own first fd takes it.  A wrapper
    # that opened anything into the gap would change what socat sees.
    r = run.run(["-d", "-d", "-T", "0.5", "-u", "STDIN", "STDOUT"], stdin=None,
                shell_setup="exec 0<&-;")
    return run.outcome(r)


# --------------------------------------------------------------------------
# EXEC / SYSTEM


@case
def case_exec_od(run):
    data = b"abc\x01\x02\xff\n" * 10
    r = run.run(["-", "EXEC:od -c"], stdin=data)
    run.check(r.status == 0 and b"001" in r.stdout, "EXEC:od -c")
    return run.outcome(r)


@case
def case_system_tr(run):
    data = text_data(200000, 4)
    r = run.run(["-", "SYSTEM:tr a-z A-Z"], stdin=data)
    run.check(r.status == 0 and r.stdout == upper(data), "SYSTEM:tr a-z A-Z")
    return run.outcome(r)


@case
def case_env_unchanged(run):
    run.write_file("envdump.sh",
                   b"env | sed -e \"s|$PWD|RUNDIR|g\""
                   b" -e 's/^\\(SOCAT_P\\{0,1\\}PID\\)=[0-9]*$/\\1=N/'"
                   b" | grep -v '^AUDITED_SOCAT_LOG_DIR=' | LC_ALL=C sort\n")
    r = run.run(["-u", "SYSTEM:sh envdump.sh", "STDOUT"], stdin=None)
    run.check(r.status == 0 and b"SOCAT_PID=N\n" in r.stdout and b"SOCAT_VERSION=" in r.stdout,
              "socat sets SOCAT_* named after argv[0] 'socat'")
    return run.outcome(r)


@case
def case_inherited_signal_state(run):
    run.write_file("sigs.sh", b"grep -E '^Sig(Ign|Blk)' /proc/self/status\n")
    r = run.run(["-u", "SYSTEM:sh sigs.sh", "STDOUT"], stdin=None,
                ignore_signals=(signal.SIGUSR2, signal.SIGTTOU))
    run.check(r.status == 0 and b"SigIgn" in r.stdout, "signal state printed")
    return run.outcome(r)


@case
def case_nested_socat_by_path(run):
    data = b"hello nested\nsecond line\n"
    r = run.run(["-t", "5", "-", f"SYSTEM:{run.variant.executable} - EXEC\\:rev"], stdin=data)
    run.check(r.status == 0 and r.stdout == b"detsen olleh\nenil dnoces\n", "nested socat")
    return run.outcome(r)


@case
def case_nested_socat_path_shim(run):
    data = b"through a PATH shim\n"
    r = run.run(["-t", "5", "-", "SYSTEM:socat - EXEC\\:rev"], stdin=data,
                env={"PATH": shim_path(run)})
    run.check(r.status == 0 and r.stdout == b"mihs HTAP a hguorht\n", "nested socat via PATH")
    return run.outcome(r)


@case
def case_nested_socat_error(run):
    # A background sleep keeps the child's socket open for a moment, so the
    # outer socat handles SIGCHLD (and reports the status) before its EOF.
    r = run.run(["-", "SYSTEM:(sleep 0.3 &); socat -u"], stdin=b"x\n",
                env={"PATH": shim_path(run)})
    run.check(r.status == 1 and b"waitpid(): child" in r.stderr, "inner usage error reported")
    return run.outcome(r)


@case
def case_grandchild_outlives_socat(run):
    run.write_file("bg.sh", b"(sleep 30 </dev/null >/dev/null 2>&1 &)\necho started\n")
    r = run.run(["-u", "SYSTEM:sh bg.sh", "STDOUT"], stdin=None)
    run.check(r.stdout == b"started\n", "background grandchild started")
    return run.outcome(r, returned_before_grandchild=r.duration < h.scaled(10))


# --------------------------------------------------------------------------
# sockets


@case
def case_tcp_client(run):
    port = run.port()
    server = run.spawn_aux(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr",
                            "SYSTEM:tr a-z A-Z"], name="tcp-server")
    h.wait_tcp_listen(port, pid=server.pid)
    data = text_data(256 * 1024, 5)
    r = run.run(["-t", "5", "-", f"TCP:127.0.0.1:{port}"], stdin=data)
    s = server.finish()
    run.check(r.status == 0 and r.stdout == upper(data), "TCP client got the reply")
    return run.outcome(r, server_status=s.status, server_stderr=s.stderr)


@case
def case_tcp_server(run):
    port = run.port()
    p = run.spawn(["-t", "5", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", "SYSTEM:tr a-z A-Z"])
    h.wait_tcp_listen(port, pid=p.pid)
    data = text_data(256 * 1024, 6)
    got = h.stream_exchange(socket.AF_INET, ("127.0.0.1", port), data)
    r = p.finish()
    run.check(r.status == 0 and got == upper(data), "TCP server answered")
    return run.outcome(r, client_received=got)


@case
def case_tcp_server_verbose(run):
    port = run.port()
    p = run.spawn(["-d", "-d", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", "PIPE"])
    p.wait_for_output(rb"listening on AF=2 127\.0\.0\.1:")
    h.wait_tcp_listen(port, pid=p.pid)
    data = rand_bytes(100000, 7)
    got = h.stream_exchange(socket.AF_INET, ("127.0.0.1", port), data)
    r = p.finish()
    run.check(r.status == 0 and got == data, "TCP echo server")
    return run.outcome(r, ephemeral_ports=True, client_received=got)


@case
def case_connection_refused(run):
    port = run.port()
    r = run.run(["-", f"TCP:127.0.0.1:{port}"], stdin=None)
    run.check(r.status == 1 and b"Connection refused" in r.stderr, "connection refused")
    return run.outcome(r)


@case
def case_udp_client(run):
    port = run.port()
    peer = run.datagram_peer(socket.AF_INET, ("127.0.0.1", port), reply=upper)
    p = run.spawn(["-", f"UDP:127.0.0.1:{port}"], stdin=PIPE)
    p.write(b"ping over udp\n")
    p.wait_for_output(rb"PING OVER UDP\n", "stdout")
    p.close_stdin()
    r = p.finish()
    return run.outcome(r, peer_received=peer.wait_count(1))


@case
def case_udp_sendto(run):
    port = run.port()
    peer = run.datagram_peer(socket.AF_INET, ("127.0.0.1", port))
    r = run.run(["-u", "-", f"UDP-SENDTO:127.0.0.1:{port}"], stdin=b"one datagram\n")
    got = peer.wait_count(1)
    run.check(r.status == 0 and got == [b"one datagram\n"], "datagram sent")
    return run.outcome(r, peer_received=got)


@case
def case_udp_recvfrom_server(run):
    port = run.port()
    p = run.spawn([f"UDP-RECVFROM:{port},bind=127.0.0.1", "SYSTEM:tr a-z A-Z"])
    h.wait_udp_bound(port, pid=p.pid)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    run.add_cleanup(s.close)
    s.bind(("127.0.0.1", 0))
    s.settimeout(h.scaled(h.DEFAULT_TIMEOUT))
    s.sendto(b"hello udp server\n", ("127.0.0.1", port))
    reply = s.recv(65536)
    r = p.finish()
    run.check(reply == b"HELLO UDP SERVER\n", "UDP-RECVFROM answered")
    return run.outcome(r, reply=reply)


@case
def case_unix_stream_server(run):
    path = run.path("srv.sock")
    p = run.spawn(["-t", "5", f"UNIX-LISTEN:{path}", "SYSTEM:tr a-z A-Z"])
    h.wait_unix_listen(path)
    data = text_data(100000, 8)
    got = h.stream_exchange(socket.AF_UNIX, path, data)
    r = p.finish()
    run.check(r.status == 0 and got == upper(data), "UNIX server answered")
    return run.outcome(r, client_received=got, socket_left=os.path.exists(path))


@case
def case_unix_stream_client(run):
    path = run.path("srv.sock")
    server = run.spawn_aux(["socat", f"UNIX-LISTEN:{path}", "SYSTEM:tr a-z A-Z"],
                           name="unix-server")
    h.wait_unix_listen(path)
    data = text_data(100000, 9)
    r = run.run(["-t", "5", "-", f"UNIX-CONNECT:{path}"], stdin=data)
    s = server.finish()
    run.check(r.status == 0 and r.stdout == upper(data), "UNIX client got the reply")
    return run.outcome(r, server_status=s.status)


@case
def case_unix_connect_missing(run):
    r = run.run(["-", f"UNIX-CONNECT:{run.path('missing.sock')}"], stdin=None)
    run.check(r.status == 1 and b"No such file" in r.stderr, "connect to a missing socket")
    return run.outcome(r)


@case
def case_unix_dgram_sendto(run):
    path = run.path("recv.dgram")
    peer = run.datagram_peer(socket.AF_UNIX, path)
    r = run.run(["-u", "-", f"UNIX-SENDTO:{path}"], stdin=b"unix datagram\n")
    got = peer.wait_count(1)
    run.check(r.status == 0 and got == [b"unix datagram\n"], "UNIX datagram sent")
    return run.outcome(r, peer_received=got)


@case
def case_unix_dgram_recvfrom_server(run):
    path = run.path("srv.dgram")
    client_path = run.path("cli.dgram")
    p = run.spawn([f"UNIX-RECVFROM:{path}", "SYSTEM:tr a-z A-Z"])
    h.wait_unix_listen(path, "dgram")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    run.add_cleanup(s.close)
    s.bind(client_path)
    s.settimeout(h.scaled(h.DEFAULT_TIMEOUT))
    s.sendto(b"hello unix dgram\n", path)
    reply = s.recv(65536)
    r = p.finish()
    run.check(reply == b"HELLO UNIX DGRAM\n", "UNIX-RECVFROM answered")
    return run.outcome(r, reply=reply)


# --------------------------------------------------------------------------
# signals sent with kill(2)


def blocked_listener(run, verbose=True):
    """socat blocked in accept() on a fresh port; returns (proc, port) once the
    socket is listening (socat's own message and /proc/net/tcp)."""
    port = run.port()
    args = (["-d", "-d"] if verbose else []) + [f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr",
                                                 "PIPE"]
    p = run.spawn(args)
    if verbose:
        p.wait_for_output(rb"listening on AF=2 127\.0\.0\.1:")
    h.wait_tcp_listen(port, pid=p.pid)
    return p, port


def kill_case(sig, target):
    """kill(2) `sig` to the launched pid (`kill $!`) or to the real socat
    process under the wrapper; bare socat: its own pid either way."""
    def scenario(run):
        p, port = blocked_listener(run)
        socat_ref = h.ProcRef.of(p.socat_pid())
        os.kill(p.pid if target == "launched" else socat_ref.pid, sig)
        r = p.finish()
        extras = {}
        if sig == signal.SIGKILL:
            # the real socat must not survive its wrapper (parent-death signal)
            try:
                h.wait_process_gone(socat_ref, timeout=5)
                extras["socat_ended"] = True
            except h.HarnessTimeout:
                extras["socat_ended"] = False
            extras["listener_closed"] = not h.tcp_listening(port)
        return run.outcome(r, **extras)
    return scenario


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGKILL):
    CASES.append((f"kill_{_sig.name[3:].lower()}_to_launched_pid", kill_case(_sig, "launched")))
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
    CASES.append((f"kill_{_sig.name[3:].lower()}_to_real_socat", kill_case(_sig, "socat")))


@case
def case_kill_term_to_process_group(run):
    # kill -TERM -PGID reaches socat directly and through a forwarding
    # wrapper (which cannot tell a group kill from kill $!), so socat may
    # handle it twice: compare status and output without -d -d.
    p, _port = blocked_listener(run, verbose=False)
    p.socat_pid()
    os.killpg(p.pid, signal.SIGTERM)
    return run.outcome(p.finish())


@case
def case_harmless_signals_then_data(run):
    # SIGWINCH and SIGCONT sent to the wrapper must change nothing.
    port = run.port()
    p = run.spawn(["-t", "5", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", "SYSTEM:tr a-z A-Z"])
    h.wait_tcp_listen(port, pid=p.pid)
    p.socat_pid()
    for sig in (signal.SIGWINCH, signal.SIGCONT, signal.SIGWINCH):
        os.kill(p.pid, sig)
    data = text_data(50000, 10)
    got = h.stream_exchange(socket.AF_INET, ("127.0.0.1", port), data)
    r = p.finish()
    run.check(r.status == 0 and got == upper(data), "data after harmless signals")
    return run.outcome(r, client_received=got)


@case
def case_socat_process_attributes(run):
    # What the real socat process inherits: argv, environment, cwd, umask,
    # ignored/blocked signals, limits, open fds (an inherited fd 7 included),
    # process group and session of the launched command.
    run.write_file("inherited.txt", b"x")
    path = run.path("attr.sock")
    p = run.spawn(["-d", "-d", f"UNIX-LISTEN:{path}", "PIPE"],
                  ignore_signals=(signal.SIGUSR2, signal.SIGTTIN),
                  shell_setup="umask 027; exec 7<inherited.txt;")
    p.wait_for_output(rb"listening on")
    h.wait_unix_listen(path)
    pid = p.socat_pid()
    snap = h.process_snapshot(pid, p.pid, exclude_env=(h.LOG_DIR_ENV, "_"))
    run.check(snap["fds"].get(7, "").endswith("inherited.txt"), "fd 7 inherited")
    os.kill(p.pid, signal.SIGTERM)
    r = p.finish()
    return run.outcome(r, **{"socat." + k: v for k, v in snap.items()})


# --------------------------------------------------------------------------
# terminals


def pty_keyboard_signal(key, expected_status):
    def scenario(run):
        port = run.port()
        t = run.spawn_pty(["-d", "-d", "-", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"])
        t.wait_for_output(rb"listening on AF=2 127\.0\.0\.1:")
        h.wait_tcp_listen(port, pid=t.pid)
        t.socat_pid()
        t.write(key)                  # the tty driver signals the foreground group
        r = t.finish()
        run.check(r.status == expected_status, f"status {expected_status} after {key!r}")
        return run.outcome(r, normalise_stdout=True)   # the transcript holds stderr too
    return scenario


CASES.append(("pty_ctrl_c_while_listening", pty_keyboard_signal(b"\x03", 130)))
CASES.append(("pty_ctrl_backslash_while_listening", pty_keyboard_signal(b"\x1c", 131)))


@case
def case_pty_ctrl_c_unix_listen(run):
    path = run.path("tty.sock")
    t = run.spawn_pty(["-d", "-d", "-", f"UNIX-LISTEN:{path}"])
    t.wait_for_output(rb"listening on")
    h.wait_unix_listen(path)
    t.socat_pid()
    t.write(b"\x03")
    r = t.finish()
    run.check(r.status == 130, "Ctrl-C ends socat with 130")
    return run.outcome(r, normalise_stdout=True, socket_left=os.path.exists(path))


COUNT_SIGNALS_PY = b"""\
import os, signal, sys
# The wakeup fd gets one byte per delivery at C level, so deliveries that
# Python would coalesce into one handler call are still counted.
r, w = os.pipe()
os.set_blocking(r, False)
os.set_blocking(w, False)
signal.set_wakeup_fd(w)
def handler(sig, frame):
    os.write(1, b"got %s\\n" % signal.Signals(sig).name[3:].encode())
signal.signal(signal.SIGINT, handler)
signal.signal(signal.SIGWINCH, handler)
os.write(1, b"ready\\n")
# Spin instead of sleeping in read(): a running process takes a signal at
# once, so a second (forwarded) copy cannot merge with the still-pending first.
os.set_blocking(0, False)
line = b""
while not line.endswith(b"q\\n"):
    try:
        line += os.read(0, 100)
    except BlockingIOError:
        pass
os.set_blocking(0, True)
data = os.read(r, 4096)
os.write(1, b"total INT=%d WINCH=%d\\n" % (data.count(signal.SIGINT), data.count(signal.SIGWINCH)))
"""


@case
def case_pty_keyboard_signals_delivered_once(run):
    # socat execs (EXEC with nofork: same pid) a program that counts SIGINT
    # and SIGWINCH deliveries.  The tty driver signals the whole foreground
    # group, wrapper included; a wrapper that forwarded those as well would
    # deliver them twice.  (Only detected when the copies do not merge while
    # pending, which the counter makes likelier by spinning.)
    run.write_file("count.py", COUNT_SIGNALS_PY)
    t = run.spawn_pty(["-", f"EXEC:{sys.executable} count.py,nofork"])
    t.wait_for_output(rb"ready\r\n")     # socat has exec'd the counter
    t.write(b"\x03")
    t.wait_for_output(rb"got INT\r\n")
    t.resize(30, 90)
    t.wait_for_output(rb"got WINCH\r\n")
    t.write(b"q\n")
    r = t.finish()
    run.check(r.status == 0 and b"total INT=1 WINCH=1" in r.stdout, "each signal once")
    return run.outcome(r)


@case
def case_pty_stays_a_tty(run):
    t = run.spawn_pty(["-", "SYSTEM:tty; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty;"
                            " stty size,nofork"], rows=33, cols=101)
    r = t.finish()
    run.check(b"stdin-tty" in r.stdout and b"stdout-tty" in r.stdout and b"33 101" in r.stdout,
              "stdio is the terminal")
    return run.outcome(r, normalise_stdout=True)    # /dev/pts/N


@case
def case_pty_echo_and_eof(run):
    t = run.spawn_pty(["-", "PIPE"])
    t.write(b"hello tty\n")
    t.wait_for_output(rb"hello tty\r\nhello tty\r\n")
    t.write(b"\x04")                   # VEOF: socat reads EOF
    r = t.finish()
    run.check(r.status == 0, "EOF ends socat")
    return run.outcome(r)


# --------------------------------------------------------------------------
# runner


def side_by_side(name, fn):
    """Run fn under both variants; return (outcomes by variant name, problems)."""
    outcomes, problems = {}, []
    for variant in VARIANTS:
        with h.Run(name, variant) as run:
            try:
                outcomes[variant.name] = fn(run)
            except Exception as e:     # report, and still run the other variant
                problems.append(f"{variant.name} run failed: {type(e).__name__}: {e}")
    if len(outcomes) == 2:
        problems.extend(h.compare_outcomes(outcomes["socat"], outcomes["wrapper"]))
    wrapped = outcomes.get("wrapper")
    if wrapped is not None and not wrapped.log_lines:
        problems.append("wrapper wrote no *.jsonl line into AUDITED_SOCAT_LOG_DIR")
    return outcomes, problems


class Transparency(unittest.TestCase):
    maxDiff = None


def _make_test(name, fn):
    def test(self):
        _outcomes, problems = side_by_side(name, fn)
        SUMMARY[name] = "identical" if not problems else "differ"
        if problems:
            self.fail(f"{name}: socat and wrapper differ:\n  " + "\n  ".join(problems))
    test.__doc__ = f"side by side: {name}"
    return test


for _i, (_name, _fn) in enumerate(CASES):
    setattr(Transparency, f"test_{_i:02d}_{_name}", _make_test(_name, _fn))

VARIANTS = []


def setUpModule():
    VARIANTS[:] = h.variants()
    h.enable_subreaper()
    # Warm-up (not compared): lets a wrapper do its once-only first-use work
    # (e.g. creating a key under XDG_STATE_HOME and saying so).
    with h.Run("warm-up", VARIANTS[1]) as run:
        r = run.run(["-V"], stdin=None)
        if r.stderr:
            sys.stderr.write(f"note: first wrapper run printed on stderr: {r.stderr[:300]!r}\n")


def main():
    try:
        h.real_socat_path()
    except h.HarnessError as e:
        sys.stderr.write(f"test_transparency: {e}\n")
        print("transparency: skipped (no real socat)")
        return 77  # CTest SKIP_RETURN_CODE (125 is the wrapper's own failure status)
    try:
        h.wrapper_path()
    except h.HarnessError as e:
        sys.stderr.write(f"test_transparency: {e}\n")
        print("transparency: not run (configuration error)")
        return 1
    started = time.monotonic()
    prog = unittest.main(module=__name__, exit=False, verbosity=2)
    elapsed = time.monotonic() - started
    res = prog.result
    ran = len(SUMMARY)
    differ = sorted(n for n, v in SUMMARY.items() if v != "identical")
    errored = [t.id().rsplit(".", 1)[-1] for t, _ in res.errors]
    print(f"transparency: ran in {elapsed:.1f}s")
    if not differ and not errored and res.wasSuccessful() and ran:
        print(f"transparency: {ran} cases, all identical")
        return 0
    bad = differ + [e for e in errored if e not in differ]
    print(f"transparency: {ran} cases, {len(bad)} differ: {', '.join(bad)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
