#!/usr/bin/python3
"""Job control through the wrapper: a SIGSTOP of socat shows as a stopped job (the wrapper
stops too), SIGCONT sent to the wrapper resumes socat, and the session then ends as with bare
socat. Side by side with bare socat, synchronised on process states read from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import unittest

import audit
import harness as h


def state(pid: int) -> str | None:
    ref = h.ProcRef.of(pid)
    return ref.state() if ref else None


class JobControl(unittest.TestCase):
    def stop_continue_terminate(self, variant, env):
        """Returns (states seen, exit status) for: STOP socat, CONT the launched process, TERM
        the launched process."""
        proc = subprocess.Popen(variant.argv(["-u", "EXEC:sleep 60", "STDOUT"]),
                                executable=variant.executable, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socat = h.find_socat_pid(proc.pid)
        sleeper = h.wait_until(lambda: h.children(socat), what="socat's EXEC child")[0]
        self.addCleanup(h.ProcRef.of(sleeper).kill)
        seen = []
        os.kill(socat, signal.SIGSTOP)
        # What the shell waiting for the job sees: the process it started is stopped.
        h.wait_until(lambda: state(proc.pid) == "T", what="the job to show as stopped")
        seen.append(("launched", state(proc.pid)))
        seen.append(("socat", state(socat)))
        os.kill(proc.pid, signal.SIGCONT)
        h.wait_until(lambda: state(socat) in ("S", "R"), what="socat to run again")
        h.wait_until(lambda: state(proc.pid) in ("S", "R"), what="the job to run again")
        seen.append(("socat after CONT", "running"))
        proc.send_signal(signal.SIGTERM)
        return seen, proc.wait(timeout=h.scaled(h.EXIT_TIMEOUT))

    def test_stop_and_continue_behave_as_with_bare_socat(self):
        env = h.base_environment()
        env["AUDITED_SOCAT_LOG_DIR"] = h.make_temp_dir("signals-logs")
        bare = self.stop_continue_terminate(h.bare_variant(), env)
        wrapped = self.stop_continue_terminate(h.wrapper_variant(), env)
        self.assertEqual(wrapped, bare)
        self.assertEqual(bare[1], 143)  # socat's own status for SIGTERM
        end = audit.session_records(env["AUDITED_SOCAT_LOG_DIR"])[-1]
        self.assertEqual(end["asocat"]["end"]["exit_code"], 143)


if __name__ == "__main__":
    audit.main()
