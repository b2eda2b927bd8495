#!/usr/bin/python3
"""Failing closed: when audited-socat cannot record a session, socat never runs.

Each case sets up one way the audit trail can be broken, runs socat arguments that would create
a marker file, and asserts: exit status 125, exactly one line on stderr naming the path and the
errno, no marker (socat never executed), and the records already in the log untouched.
The disk-full case runs in a private mount namespace on a tiny tmpfs (root only).
"""

from __future__ import annotations

import errno
import os
import pwd
import resource
import shutil
import subprocess
import tempfile
import unittest

import audit
import harness as h

NOBODY = pwd.getpwnam("nobody")


class FailClosed(unittest.TestCase):
    def setUp(self):
        self.dir = h.make_temp_dir("fail-closed", self.id().rsplit(".", 1)[-1])
        self.marker = os.path.join(self.dir, "socat-ran")
        self.logs = os.path.join(self.dir, "logs")

    def run_marked(self, log_dir=None, **kwargs):
        extra = dict(kwargs.pop("extra_env", {}))
        extra.setdefault("AUDITED_SOCAT_LOG_DIR", log_dir or self.logs)
        return audit.run_wrapper(audit.marker_args(self.marker), extra_env=extra, **kwargs)

    def assert_refused(self, result, *fragments, consequence="socat not started"):
        stderr = result.stderr.decode()
        self.assertEqual(result.returncode, 125, stderr)
        self.assertEqual(result.stdout, b"")
        self.assertEqual(stderr.count("\n"), 1, f"want exactly one line, got: {stderr!r}")
        self.assertTrue(stderr.startswith("audited-socat: "), stderr)
        for fragment in fragments + (consequence,):
            self.assertIn(fragment, stderr)
        self.assertFalse(os.path.exists(self.marker), "socat ran although auditing failed")

    def test_log_directory_below_a_regular_file(self):
        open(os.path.join(self.dir, "file"), "w").close()
        result = self.run_marked(os.path.join(self.dir, "file", "logs"))
        self.assert_refused(result, os.path.join(self.dir, "file"), "(ENOTDIR)")

    def test_log_directory_that_cannot_be_created(self):
        audit.require_root(self)
        # Outside the private temporary root, so that nobody can reach it.
        outer = tempfile.mkdtemp(prefix="asocat-e2e-open-", dir="/tmp")
        self.addCleanup(shutil.rmtree, outer)
        os.chmod(outer, 0o755)
        closed = os.path.join(outer, "root-only")
        os.mkdir(closed, 0o755)

        def become_nobody():
            os.setgroups([])
            os.setgid(NOBODY.pw_gid)
            os.setuid(NOBODY.pw_uid)

        env = h.base_environment()
        env["HOME"] = "/nonexistent"
        env.pop("XDG_STATE_HOME", None)
        env.pop("XDG_CONFIG_HOME", None)
        result = self.run_marked(os.path.join(closed, "logs"), env=env, cwd="/",
                                 preexec_fn=become_nobody)
        self.assert_refused(result, f"cannot create {closed}/logs", "(EACCES)")

    def test_symlink_planted_as_the_log_file(self):
        os.mkdir(self.logs, 0o700)
        target = os.path.join(self.dir, "elsewhere")
        with open(target, "w") as f:
            f.write("precious\n")
        os.symlink(target, os.path.join(self.logs, "audit.jsonl"))
        result = self.run_marked()
        self.assert_refused(result, os.path.join(self.logs, "audit.jsonl"),
                            "is a symbolic link", "(ELOOP)")
        with open(target) as f:
            self.assertEqual(f.read(), "precious\n")

    def test_symlink_planted_as_the_log_directory_by_someone_else(self):
        audit.require_root(self)
        real = os.path.join(self.dir, "real")
        os.mkdir(real, 0o700)
        os.symlink(real, self.logs)
        os.lchown(self.logs, NOBODY.pw_uid, NOBODY.pw_gid)
        result = self.run_marked()
        self.assert_refused(result, f"{self.logs} is a symbolic link owned by uid "
                            f"{NOBODY.pw_uid}", "(EPERM)")
        self.assertEqual(os.listdir(real), [])

    def test_log_file_owned_by_someone_else(self):
        audit.require_root(self)
        os.mkdir(self.logs, 0o700)
        log = os.path.join(self.logs, "audit.jsonl")
        open(log, "w").close()
        os.chown(log, NOBODY.pw_uid, NOBODY.pw_gid)
        result = self.run_marked()
        self.assert_refused(result, f"audit log {log} is owned by uid {NOBODY.pw_uid}")
        self.assertEqual(os.path.getsize(log), 0)

    def test_log_directory_writable_by_others(self):
        os.mkdir(self.logs)
        os.chmod(self.logs, 0o777)
        result = self.run_marked()
        self.assert_refused(result, f"{self.logs} is writable by group or others (mode 0777)")

    def test_fifo_planted_as_the_log_file_does_not_hang(self):
        os.mkdir(self.logs, 0o700)
        os.mkfifo(os.path.join(self.logs, "audit.jsonl"))
        result = self.run_marked()
        self.assert_refused(result, "is not a regular file")

    def test_invalid_config_names_file_line_and_column(self):
        config = os.path.join(self.dir, "config.toml")
        with open(config, "w") as f:
            f.write('log_dir = "/tmp"\n\nsocat_pth = "/usr/bin/socat"\n')
        result = self.run_marked(extra_env={"AUDITED_SOCAT_CONFIG": config})
        self.assert_refused(result, f"{config}:3:1: unknown key 'socat_pth'")

    def test_unknown_setting_in_the_environment(self):
        result = self.run_marked(extra_env={"AUDITED_SOCAT_LOGDIR": "/tmp"})
        self.assert_refused(result, "unknown environment variable AUDITED_SOCAT_LOGDIR")

    def test_end_record_that_cannot_be_written_is_reported_after_socat_ran(self):
        # A first session tells how long a start record for these arguments is; the file size
        # limit of the second then lets its start record through but not its end record.
        # Capture off: the limit is computed for session records alone (the supervisor's
        # own write failures are covered in test_capture.py).
        probe = os.path.join(self.dir, "probe")
        first = audit.run_wrapper(audit.marker_args(probe),
                                  extra_env={"AUDITED_SOCAT_LOG_DIR": self.logs,
                                             "AUDITED_SOCAT_CAPTURE": "off"})
        self.assertEqual(first.returncode, 0, first.stderr)
        log = os.path.join(self.logs, "audit.jsonl")
        before = audit.read_bytes(log)
        start_length = next(len(line) + 1 for line in before.split(b"\n")
                            if b'"type":"session.start"' in line)
        limit = len(before) + start_length + 64  # +64: longer pids; the end record is ~500

        def limit_file_size():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        result = self.run_marked(preexec_fn=limit_file_size,
                                 extra_env={"AUDITED_SOCAT_CAPTURE": "off"})
        stderr = result.stderr.decode()
        self.assertEqual(result.returncode, 125, stderr)
        self.assertIn(f"cannot write audit log {log}", stderr)
        self.assertIn("(EFBIG)", stderr)
        self.assertIn("socat ended with status 0 but its session end is not recorded", stderr)
        self.assertEqual(stderr.count("\n"), 1)
        self.assertTrue(os.path.exists(self.marker), "socat should have run")
        after = audit.read_bytes(log)
        self.assertTrue(after.startswith(before), "earlier records changed")
        records = audit.read_records(self.logs)  # no torn line either
        self.assertEqual([r["asocat"]["type"] for r in records],
                         ["log.header", "session.start", "session.end", "checkpoint",
                          "session.start"])

    def test_fail_open_runs_socat_and_says_so(self):
        config = os.path.join(self.dir, "config.toml")
        with open(config, "w") as f:
            f.write("fail_open = true\n")
        open(os.path.join(self.dir, "file"), "w").close()
        result = self.run_marked(os.path.join(self.dir, "file", "logs"),
                                 extra_env={"AUDITED_SOCAT_CONFIG": config})
        stderr = result.stderr.decode()
        self.assertEqual(result.returncode, 0, stderr)
        self.assertTrue(os.path.exists(self.marker))
        self.assertEqual(stderr.count("\n"), 1)
        self.assertTrue(stderr.startswith("audited-socat: warning: "), stderr)
        self.assertIn("(ENOTDIR)", stderr)
        self.assertIn("running socat without audit records (fail_open = true)", stderr)


class DiskFull(unittest.TestCase):
    """ENOSPC on the start record, on a real (tiny) filesystem, in a private mount namespace."""

    @classmethod
    def setUpClass(cls):
        audit.enter_private_mount_namespace()
        cls.dir = h.make_temp_dir("disk-full")
        cls.disk = os.path.join(cls.dir, "disk")
        os.mkdir(cls.disk)
        # Room for tens of sessions: the loop below needs several to land near a page
        # boundary, and a start record carries the whole process chain above the wrapper.
        audit.mount("-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", cls.disk)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["umount", cls.disk], check=False)

    def test_start_record_on_a_full_disk(self):
        logs = os.path.join(self.disk, "logs")
        log = os.path.join(logs, "audit.jsonl")
        page = os.sysconf("SC_PAGE_SIZE")
        # Real sessions first, until the log's last page has less room than any start record
        # needs, so the next one must allocate a page on the filesystem.
        for _ in range(40):
            ok = audit.run_wrapper(["-V"], extra_env={"AUDITED_SOCAT_LOG_DIR": logs})
            self.assertEqual(ok.returncode, 0, ok.stderr)
            if page - os.path.getsize(log) % page < 900:
                break
        else:
            self.fail("could not bring the log near a page boundary")
        before = audit.read_bytes(log)
        with open(os.path.join(self.disk, "filler"), "wb", buffering=0) as filler:
            try:
                while filler.write(b"\0" * page):
                    pass
            except OSError as full:
                self.assertEqual(full.errno, errno.ENOSPC)

        marker = os.path.join(self.dir, "socat-ran")
        result = audit.run_wrapper(audit.marker_args(marker),
                                   extra_env={"AUDITED_SOCAT_LOG_DIR": logs})
        stderr = result.stderr.decode()
        self.assertEqual(result.returncode, 125, stderr)
        self.assertEqual(stderr.count("\n"), 1, stderr)
        self.assertIn(f"cannot write audit log {log}: No space left on device (ENOSPC)", stderr)
        self.assertIn("socat not started", stderr)
        self.assertFalse(os.path.exists(marker), "socat ran although auditing failed")
        self.assertEqual(audit.read_bytes(log), before, "records already written were changed")
        audit.read_records(logs)  # and they still parse, with no torn line


if __name__ == "__main__":
    audit.main()
