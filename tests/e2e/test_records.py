#!/usr/bin/python3
"""The session records audited-socat writes, checked field by field against facts the test
learns independently: socat's pid from socat's own diagnostics, the binary's SHA-256 computed
here, the test process as the wrapper's parent, byte-exact argv, exit statuses and signals."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import pwd
import re
import signal
import subprocess
import sys
import termios
import threading
import unittest

import audit
import harness as h

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SOCAT_PID = re.compile(rb"socat\[(\d+)\] ")


def sha256_of(path: str) -> str:
    return hashlib.sha256(audit.read_bytes(path)).hexdigest()


class Records(unittest.TestCase):
    def setUp(self):
        self.dir = h.make_temp_dir("records", self.id().rsplit(".", 1)[-1])
        self.logs = os.path.join(self.dir, "logs")
        self.env = h.base_environment()
        self.env["AUDITED_SOCAT_LOG_DIR"] = self.logs

    def session(self, args, **kwargs):
        result = audit.run_wrapper(args, env=self.env, cwd=self.dir, **kwargs)
        records = audit.session_records(self.logs)
        return result, records

    def test_a_session_start_and_end_say_what_ran_where_and_for_whom(self):
        source = os.path.join(self.dir, "in.txt")
        with open(source, "wb") as f:
            f.write(b"payload\n")
        args = ["-d", "-d", "-u", f"OPEN:{source}", f"CREATE:{self.dir}/out.txt"]
        result, records = self.session(args)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(records), 2)
        start, end = records
        socat_pid = int(SOCAT_PID.search(result.stderr).group(1))

        self.assertEqual(list(start), ["@timestamp", "ecs", "event", "host", "process", "user",
                                       "group", "asocat"])
        self.assertRegex(start["@timestamp"], TIMESTAMP)
        self.assertEqual(start["ecs"], {"version": "8.11.0"})
        self.assertEqual(start["event"], {
            "kind": "event", "category": ["session", "process"], "type": ["start"],
            "action": "session-start", "dataset": "audited_socat.session",
            "start": start["@timestamp"]})
        self.assertEqual(start["host"], {"name": os.uname().nodename})

        process = start["process"]
        real = h.real_socat_path()
        self.assertEqual(process["pid"], socat_pid)
        self.assertEqual(process["name"], "socat")
        self.assertEqual(process["executable"], real)
        self.assertEqual(process["args"], ["socat"] + args)  # argv[0] "audited-socat" -> socat
        self.assertEqual(process["args_count"], len(args) + 1)
        self.assertEqual(process["working_directory"], self.dir)
        self.assertEqual(process["hash"], {"sha256": sha256_of(real)})
        self.assertEqual(process["parent"]["name"], "audited-socat")
        self.assertEqual(process["parent"]["executable"], os.path.realpath(h.wrapper_path()))

        me = pwd.getpwuid(os.getuid())
        self.assertEqual(start["user"], {"id": str(os.getuid()), "name": me.pw_name,
                                         "effective": {"id": str(os.geteuid()),
                                                       "name": pwd.getpwuid(os.geteuid()).pw_name}})
        self.assertEqual(start["group"]["id"], str(os.getgid()))

        a = start["asocat"]
        self.assertEqual(list(a), ["format", "log", "seq", "prev", "type", "session", "wrapper",
                                   "settings", "capture", "identity"])
        self.assertEqual(a["capture"], "digest")  # the default
        self.assertEqual(a["format"], 2)
        self.assertEqual(a["type"], "session.start")
        self.assertRegex(a["session"], UUID4)
        self.assertRegex(a["wrapper"]["version"], r"^\d+\.\d+\.\d+$")
        self.assertIs(a["wrapper"]["privileged"], False)
        self.assertEqual(a["settings"], {
            "config_files": [], "environment": ["AUDITED_SOCAT_LOG_DIR"],
            "log": os.path.join(self.logs, "audit.jsonl"), "fail_open": False,
            "socat_source": "default"})
        kernel = a["identity"]["kernel"]
        self.assertEqual(kernel["uid"], {"id": os.getuid(), "name": me.pw_name})
        self.assertEqual(kernel["euid"]["id"], os.geteuid())
        self.assertEqual(kernel["gid"]["id"], os.getgid())
        self.assertEqual(kernel["egid"]["id"], os.getegid())
        self.assertEqual([g["id"] for g in kernel["groups"]], os.getgroups())
        loginuid = int(audit.read_bytes("/proc/self/loginuid"))
        self.assertEqual(kernel["loginuid"], None if loginuid == 4294967295 else loginuid)
        session_id = int(audit.read_bytes("/proc/self/sessionid"))
        self.assertEqual(kernel["audit_session"],
                         None if session_id == 4294967295 else session_id)
        self.assertIsNone(kernel["tty"])  # the test runs the wrapper without a terminal
        self.assertEqual(kernel["parent"]["pid"], os.getpid())
        self.assertEqual(kernel["parent"]["executable"], os.path.realpath(sys.executable))
        self.assertEqual(kernel["parent"]["args"],
                         audit.read_bytes("/proc/self/cmdline").decode().split("\0")[:-1])

        self.assertEqual(list(end), ["@timestamp", "ecs", "event", "process", "asocat"])
        self.assertEqual(end["event"]["outcome"], "success")
        self.assertEqual(end["event"]["start"], start["@timestamp"])
        self.assertEqual(end["event"]["end"], end["@timestamp"])
        self.assertGreaterEqual(end["@timestamp"], start["@timestamp"])
        self.assertGreater(end["event"]["duration"], 0)
        self.assertEqual(end["process"], {"pid": socat_pid, "exit_code": 0})
        self.assertEqual(end["asocat"]["log"], a["log"])
        # Between start and end only this session's capture records (and checkpoints).
        everything = audit.read_records(self.logs)
        between = [r["asocat"] for r in everything
                   if a["seq"] < r["asocat"]["seq"] < end["asocat"]["seq"]]
        self.assertTrue(between)
        for record in between:
            if record["type"] != "checkpoint":
                self.assertIn(record["type"], audit.CAPTURE_TYPES)
                self.assertEqual(record["session"], a["session"])
        self.assertEqual([r["type"] for r in between if r["type"] == "capture.end"],
                         ["capture.end"])
        self.assertEqual(audit.without_chain(end["asocat"]), {
            "format": 2, "type": "session.end", "session": a["session"],
            "end": {"reason": "exited", "exit_code": 0, "exec_check": "matched",
                    "wrapper_status": 0}})

    def test_a_failing_socat_is_recorded_with_its_status(self):
        result, records = self.session(["-u", "OPEN:/nonexistent/file", "STDOUT"])
        self.assertEqual(result.returncode, 1)
        end = records[-1]
        self.assertEqual(end["event"]["outcome"], "failure")
        self.assertEqual(end["process"]["exit_code"], 1)
        self.assertEqual(end["asocat"]["end"]["reason"], "exited")
        self.assertEqual(end["asocat"]["end"]["wrapper_status"], 1)

    def test_socat_killed_by_a_signal(self):
        proc = subprocess.Popen(["audited-socat", "-u", "EXEC:sleep 60", "STDOUT"],
                                executable=h.wrapper_path(), env=self.env, cwd=self.dir,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socat = h.find_socat_pid(proc.pid)
        sleeper = h.wait_until(lambda: h.children(socat), what="socat's EXEC child")[0]
        self.addCleanup(h.ProcRef.of(sleeper).kill)
        self.assertNotEqual(socat, proc.pid)
        os.kill(socat, signal.SIGKILL)
        self.assertEqual(proc.wait(timeout=h.scaled(h.EXIT_TIMEOUT)), -signal.SIGKILL)
        start, end = audit.session_records(self.logs)
        self.assertEqual(start["process"]["pid"], socat)
        self.assertEqual(end["process"], {"pid": socat})
        self.assertEqual(end["asocat"]["end"], {
            "reason": "signaled", "signal": "SIGKILL", "signal_number": 9, "core_dumped": False,
            "exec_check": "matched", "wrapper_status": 137})

    def test_socat_crashing_by_itself(self):
        # socat 1.7.4 overflows a stack buffer with a huge -lp program name and aborts; the
        # wrapper must end the same way and record it.
        args = ["-lp" + "x" * 100_000, "-u", "OPEN:/dev/null", "OPEN:/dev/null"]
        bare = subprocess.run(["socat"] + args, executable=h.real_socat_path(),
                              env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result, records = self.session(args)
        self.assertEqual(bare.returncode, -signal.SIGABRT)
        self.assertEqual(result.returncode, bare.returncode)
        self.assertEqual(records[0]["process"]["args"][1], args[0])
        self.assertEqual(records[1]["asocat"]["end"]["signal"], "SIGABRT")

    def test_a_socat_that_cannot_be_executed(self):
        fake = os.path.join(self.dir, "socat")
        with open(fake, "wb") as f:
            f.write(b"\x7fELF this is no executable")
        os.chmod(fake, 0o755)
        self.env["AUDITED_SOCAT_SOCAT"] = fake
        result, records = self.session(["-V"])
        self.assertEqual(result.returncode, 126)
        self.assertEqual(result.stderr.decode(), f"audited-socat: cannot execute {fake}: "
                         "Exec format error (ENOEXEC)\n")
        start, end = records
        self.assertEqual(start["process"]["executable"], fake)
        self.assertEqual(start["asocat"]["settings"]["socat_source"], "environment")
        self.assertEqual(end["asocat"]["end"], {
            "reason": "exec-failed",
            "error": f"cannot execute {fake}: Exec format error (ENOEXEC)",
            "exec_check": "not-checked", "wrapper_status": 126})

    def test_hostile_argv_reaches_socat_exactly_and_is_recorded_exactly(self):
        # No comma, colon, backslash or quote: socat's address grammar would interpret them.
        odd_name = b"\xff\xfe name with \t tab and \x01 control and \xc3\xa9 and \x7f"
        target = os.fsencode(self.dir) + b"/" + odd_name
        args = [b"-u", b"OPEN:/dev/null", b"CREATE:" + target]
        result = audit.run_wrapper(args, env=self.env, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(odd_name, os.listdir(os.fsencode(self.dir)))
        start = audit.session_records(self.logs)[0]
        recorded = start["process"]["args"]
        self.assertEqual(len(recorded), len(args) + 1)
        self.assertEqual(recorded[-1], (b"CREATE:" + target).decode("utf-8", "replace"))
        raw = start["asocat"]["raw"]
        self.assertEqual(raw, [{"field": "process.args", "index": len(args),
                                "base64": base64.b64encode(b"CREATE:" + target).decode()}])

    def test_many_arguments_and_a_newline_in_one(self):
        args = ["-lpa\nb"] + ["-s"] * 3000 + ["-u", "OPEN:/dev/null", "OPEN:/dev/null"]
        result, records = self.session(args)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(records[0]["process"]["args"][1:], args)
        self.assertEqual(records[0]["process"]["args_count"], 3001 + 3 + 1)
        self.assertNotIn("raw", records[0]["asocat"])

    def test_concurrent_sessions_never_interleave(self):
        results = []

        env = dict(self.env, AUDITED_SOCAT_CAPTURE="digest")

        def one(i):
            results.append(audit.run_wrapper(["-u", "OPEN:/dev/null", "OPEN:/dev/null"],
                                             env=env, cwd=self.dir))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([r.returncode for r in results], [0] * 24)
        # A supervisor writes capture.end when its last traced process is gone, which may be
        # just after its wrapper returned: wait (bounded) for all 24.
        def all_captures_ended():
            try:
                records = audit.read_records(self.logs)
            except ValueError:
                return False  # a supervisor is appending right now
            return sum(r["asocat"]["type"] == "capture.end" for r in records) == 24

        h.wait_until(all_captures_ended, h.EXIT_TIMEOUT, "every session's capture.end")
        everything = audit.read_records(self.logs)  # strict: a torn or glued line fails here
        self.assertEqual([r["asocat"]["seq"] for r in everything], list(range(len(everything))))
        records = [r for r in everything if r["asocat"]["type"].startswith("session.")]
        self.assertEqual(len(records), 48)
        # One header; every session end (and every capture end) sealed by its own checkpoint,
        # written in the same append, so nothing else comes between them.
        self.assertEqual(everything[0]["asocat"]["type"], "log.header")
        for i, r in enumerate(everything):
            if r["asocat"]["type"] in ("session.end", "capture.end"):
                self.assertEqual(everything[i + 1]["asocat"]["type"], "checkpoint")
                self.assertEqual(everything[i + 1]["asocat"]["reason"], "session-end")
        by_session = {}
        for r in everything:
            if r["asocat"]["type"] not in ("log.header", "checkpoint"):
                by_session.setdefault(r["asocat"]["session"], []).append(r["asocat"]["type"])
        self.assertEqual(len(by_session), 24)
        for types in by_session.values():
            self.assertEqual(types[0], "session.start")
            self.assertEqual(types.count("session.end"), 1)
            self.assertEqual(types.count("capture.end"), 1)
            self.assertTrue(set(types) - {"session.start", "session.end"} <=
                            set(audit.CAPTURE_TYPES), types)

    def test_default_location_without_any_setting(self):
        env = h.base_environment()  # XDG_STATE_HOME points into the test's temporary root
        state = env["XDG_STATE_HOME"]
        result = audit.run_wrapper(["-V"], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        logs = os.path.join(state, "audited-socat")
        self.assertEqual(os.stat(logs).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.join(logs, "audit.jsonl")).st_mode & 0o777, 0o600)
        start = audit.session_records(logs)[-2]
        self.assertEqual(start["asocat"]["settings"]["environment"], [])
        self.assertEqual(start["asocat"]["settings"]["log"], os.path.join(logs, "audit.jsonl"))


class Tty(unittest.TestCase):
    def test_the_controlling_terminal_is_recorded(self):
        logs = h.make_temp_dir("records-tty")
        env = h.base_environment()
        env["AUDITED_SOCAT_LOG_DIR"] = logs
        master, slave = os.openpty()
        tty = os.ttyname(slave)

        def on_the_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        done = subprocess.run(["audited-socat", "-V"], executable=h.wrapper_path(), env=env,
                              stdin=slave, stdout=subprocess.DEVNULL, stderr=slave,
                              preexec_fn=on_the_terminal, timeout=h.scaled(h.EXIT_TIMEOUT))
        os.close(slave)
        os.close(master)
        self.assertEqual(done.returncode, 0)
        start = audit.session_records(logs)[0]
        self.assertEqual(start["asocat"]["identity"]["kernel"]["tty"], tty)


if __name__ == "__main__":
    audit.main()
