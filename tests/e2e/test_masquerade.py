#!/usr/bin/python3
"""audited-socat installed under socat's name: as a `socat` symlink first in PATH, as a copy,
or (in a private mount namespace) in place of /usr/bin/socat itself. It must run the real socat,
never itself, and refuse a loop through a script with one clear line."""

from __future__ import annotations

import os
import shutil
import subprocess
import unittest

import audit
import harness as h


def run_as_socat(args, path_dirs, env):
    """Runs `socat ARGS` the way a shell would: looked up on PATH."""
    environment = dict(env)
    environment["PATH"] = ":".join(path_dirs + ["/usr/bin", "/bin"])
    return subprocess.run(["socat"] + list(args), env=environment, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=h.scaled(h.EXIT_TIMEOUT))


class Masquerade(unittest.TestCase):
    def setUp(self):
        self.dir = h.make_temp_dir("masquerade", self.id().rsplit(".", 1)[-1])
        self.logs = os.path.join(self.dir, "logs")
        self.env = h.base_environment()
        self.env["AUDITED_SOCAT_LOG_DIR"] = self.logs
        self.shim = os.path.join(self.dir, "shim")
        os.mkdir(self.shim)
        self.bare_v = subprocess.run([h.real_socat_path(), "-V"], stdout=subprocess.PIPE,
                                     check=True).stdout

    def test_symlink_first_in_path_runs_the_real_socat(self):
        os.symlink(h.wrapper_path(), os.path.join(self.shim, "socat"))
        result = run_as_socat(["-V"], [self.shim], self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, self.bare_v)
        self.assertEqual(result.stderr, b"")
        start, end = audit.session_records(self.logs)
        self.assertEqual(start["process"]["executable"], h.real_socat_path())
        self.assertEqual(start["process"]["args"], ["socat", "-V"])  # argv[0] as typed
        self.assertEqual(start["asocat"]["settings"]["socat_source"], "default")
        self.assertEqual(end["asocat"]["end"]["exit_code"], 0)

    def test_nested_socat_through_the_shim_is_audited_too(self):
        os.symlink(h.wrapper_path(), os.path.join(self.shim, "socat"))
        result = run_as_socat(["-u", "EXEC:socat -V", "STDOUT"], [self.shim], self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, self.bare_v)
        records = audit.session_records(self.logs)
        starts = [r for r in records if r["asocat"]["type"] == "session.start"]
        self.assertEqual([s["process"]["args"] for s in starts],
                         [["socat", "-u", "EXEC:socat -V", "STDOUT"], ["socat", "-V"]])
        # The inner session was started by the outer socat.
        self.assertEqual(starts[1]["asocat"]["identity"]["kernel"]["parent"]["pid"],
                         starts[0]["process"]["pid"])

    def test_configured_socat_that_is_the_wrapper_is_refused(self):
        link = os.path.join(self.shim, "socat")
        os.symlink(h.wrapper_path(), link)
        marker = os.path.join(self.dir, "ran")
        result = audit.run_wrapper(audit.marker_args(marker), env=self.env,
                                   extra_env={"AUDITED_SOCAT_SOCAT": link})
        self.assertEqual(result.returncode, 125)
        self.assertEqual(result.stderr.decode(),
                         f"audited-socat: socat {link} (from environment) is audited-socat "
                         "itself; refusing to recurse. Point it at the real socat binary\n")
        self.assertFalse(os.path.exists(marker))

    def test_a_copy_of_the_wrapper_is_recognised_too(self):
        copy = os.path.join(self.shim, "socat")
        shutil.copy2(h.wrapper_path(), copy)
        result = audit.run_wrapper(["-V"], env=self.env, extra_env={"AUDITED_SOCAT_SOCAT": copy})
        self.assertEqual(result.returncode, 125)
        self.assertIn("is audited-socat itself", result.stderr.decode())

    def test_a_script_shim_cannot_make_it_loop(self):
        script = os.path.join(self.shim, "socat")
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nexec {h.wrapper_path()} \"$@\"\n")
        os.chmod(script, 0o755)
        marker = os.path.join(self.dir, "ran")
        result = audit.run_wrapper(audit.marker_args(marker), env=self.env,
                                   extra_env={"AUDITED_SOCAT_SOCAT": script})
        stderr = result.stderr.decode()
        self.assertEqual(result.returncode, 125, stderr)
        self.assertEqual(stderr.count("\n"), 1, stderr)
        self.assertRegex(stderr, r"^audited-socat: audited-socat \(pid \d+\) ran audited-socat "
                                 r"again as its socat; refusing to recurse")
        self.assertFalse(os.path.exists(marker))
        start, end = audit.session_records(self.logs)
        self.assertEqual(start["process"]["executable"], script)
        self.assertEqual(end["asocat"]["end"]["exit_code"], 125)
        # The script itself is what was hashed and executed, unchanged.
        self.assertEqual(end["asocat"]["end"]["exec_check"], "matched")

    def test_missing_and_non_executable_socat(self):
        missing = os.path.join(self.dir, "nope")
        result = audit.run_wrapper(["-V"], env=self.env,
                                   extra_env={"AUDITED_SOCAT_SOCAT": missing})
        self.assertEqual(result.returncode, 127)
        self.assertEqual(result.stderr.decode(),
                         f"audited-socat: socat {missing} (from environment) does not exist\n")
        plain = os.path.join(self.dir, "plain")
        shutil.copy(h.real_socat_path(), plain)
        os.chmod(plain, 0o644)
        result = audit.run_wrapper(["-V"], env=self.env, extra_env={"AUDITED_SOCAT_SOCAT": plain})
        self.assertEqual(result.returncode, 126)
        self.assertIn("Permission denied (EACCES)", result.stderr.decode())


class InPlaceOfUsrBinSocat(unittest.TestCase):
    """audited-socat where /usr/bin/socat was (as a dpkg-divert would leave it), in a private
    mount namespace; the real socat is found further down PATH."""

    @classmethod
    def setUpClass(cls):
        audit.enter_private_mount_namespace()
        cls.dir = h.make_temp_dir("in-place")
        cls.real_dir = os.path.join(cls.dir, "real")
        os.mkdir(cls.real_dir)
        cls.real = os.path.join(cls.real_dir, "socat")
        shutil.copy2(h.real_socat_path(), cls.real)
        cls.bare_v = subprocess.run([cls.real, "-V"], stdout=subprocess.PIPE, check=True).stdout
        h.base_environment()  # the signing key is made while /usr/bin/socat is still socat
        audit.mount("--bind", h.wrapper_path(), "/usr/bin/socat")

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["umount", "/usr/bin/socat"], check=False)

    def test_path_search_skips_the_wrapper_and_finds_the_real_socat(self):
        logs = h.make_temp_dir("in-place-logs")
        shim = h.make_temp_dir("in-place-shim")
        shutil.copy2(h.wrapper_path(), os.path.join(shim, "socat"))  # a copy: found by marker
        env = h.base_environment()
        env["AUDITED_SOCAT_LOG_DIR"] = logs
        env["PATH"] = ":".join([shim, "/usr/bin", self.real_dir, "/bin"])
        result = subprocess.run(["socat", "-V"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, self.bare_v)
        start = audit.session_records(logs)[0]
        self.assertEqual(start["process"]["executable"], self.real)
        self.assertEqual(start["asocat"]["settings"]["socat_source"], "path")

    def test_without_a_real_socat_on_path_it_says_what_it_skipped(self):
        env = h.base_environment()
        env["AUDITED_SOCAT_LOG_DIR"] = h.make_temp_dir("in-place-logs-2")
        env["PATH"] = "/usr/bin"
        result = subprocess.run(["socat", "-V"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(result.returncode, 127)
        self.assertEqual(result.stderr.decode(),
                         "audited-socat: the real socat was not found (looked for /usr/bin/socat"
                         " and socat on PATH; skipped audited-socat itself at /usr/bin/socat). "
                         "Install socat or set socat_path\n")


if __name__ == "__main__":
    audit.main()
