#!/usr/bin/python3
"""What socat inherits when audited-socat starts it must be exactly what it inherits from a
shell: file descriptors (none of the wrapper's, all of the caller's), environment, signal mask,
ignored signals, process group and session, and its command name. An EXEC child of socat
reports on socat (its parent) from /proc; the report must be identical under bare socat and
under the wrapper, with inherited state made unusual on purpose."""

from __future__ import annotations

import os
import signal
import subprocess
import unittest

import audit
import harness as h

REPORT = r"""
p=$PPID
echo "comm $(cat /proc/$p/comm)"
grep -E '^(SigBlk|SigIgn|NoNewPrivs|Seccomp):' /proc/$p/status
for fd in /proc/$p/fd/*; do
  echo "fd ${fd##*/} $(readlink "$fd" | sed -E 's/\[[0-9]+\]$//; s/[0-9]+$/N/')"
done | sort -n -k2
[ "$(ps -o pgid= -p $p | tr -d ' ')" = "@PGID@" ] && echo "pgid: the caller's"
[ "$(ps -o sid= -p $p | tr -d ' ')" = "@SID@" ] && echo "sid: the caller's"
echo "environment:"
tr '\0' '\n' < /proc/$p/environ | sed -E 's/^(SOCAT_PID|SOCAT_PPID)=[0-9]+$/\1=N/' | sort
"""


def unusual_inheritance(extra_fd: int):
    """For the child: ignore SIGHUP and SIGUSR1, block SIGUSR2, keep `extra_fd` open."""
    def prepare():
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
        os.set_inheritable(extra_fd, True)
    return prepare


class Hygiene(unittest.TestCase):
    maxDiff = None

    def report(self, variant, env, extra_fd):
        # In a file: socat's address syntax would take the script's parentheses and commas.
        script = os.path.join(h.temp_root(), "report.sh")
        with open(script, "w") as f:
            f.write(REPORT.replace("@PGID@", str(os.getpgrp()))
                    .replace("@SID@", str(os.getsid(0))))
        done = subprocess.run(variant.argv(["-u", f"EXEC:sh {script}", "STDOUT"]),
                              executable=variant.executable, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, pass_fds=(extra_fd,),
                              preexec_fn=unusual_inheritance(extra_fd),
                              timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr, b"")
        return done.stdout.decode()

    def reports(self, capture):
        env = h.base_environment()
        env["AUDITED_SOCAT_LOG_DIR"] = h.make_temp_dir("hygiene-logs")  # in both: same env
        if capture is not None:
            env["AUDITED_SOCAT_CAPTURE"] = capture
        read_end, write_end = os.pipe()
        try:
            bare = self.report(h.bare_variant(), env, write_end)
            wrapped = self.report(h.wrapper_variant(), env, write_end)
        finally:
            os.close(read_end)
            os.close(write_end)
        return env, write_end, bare, wrapped

    def test_without_capture_socat_inherits_exactly_what_a_shell_gives(self):
        env, _, bare, wrapped = self.reports("off")
        self.assertEqual(wrapped, bare)
        self.assertIn("Seccomp:\t0\n", bare)
        self.assertEqual(audit.session_records(env["AUDITED_SOCAT_LOG_DIR"])[0]["asocat"]
                         ["capture"], "off")

    def test_socat_inherits_what_it_would_inherit_from_a_shell(self):
        # Under capture the one difference is the seccomp filter socat runs under (mode 2);
        # no_new_privs stays off (root may install filters without it).
        env, write_end, bare, wrapped = self.reports("digest")
        self.assertIn("Seccomp:\t0\n", bare)
        self.assertIn("NoNewPrivs:\t0\n", wrapped)
        self.assertEqual(wrapped, bare.replace("Seccomp:\t0\n", "Seccomp:\t2\n"))
        # And the report is about what it claims to be: the unusual state really arrived.
        self.assertIn("comm socat\n", bare)
        self.assertIn(f"fd {write_end} pipe:\n", bare)
        sigblk = int(next(l for l in bare.splitlines() if l.startswith("SigBlk")).split()[1], 16)
        self.assertTrue(sigblk & (1 << (signal.SIGUSR2 - 1)), bare)
        self.assertIn("pgid: the caller's", bare)
        self.assertIn("sid: the caller's", bare)
        self.assertIn("AUDITED_SOCAT_LOG_DIR=", bare)
        self.assertEqual(audit.session_records(env["AUDITED_SOCAT_LOG_DIR"])[0]["asocat"]["type"],
                         "session.start")


if __name__ == "__main__":
    audit.main()
