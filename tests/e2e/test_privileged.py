#!/usr/bin/python3
"""Privileged runs (through sudo): only root's configuration counts, the caller's environment
and files are ignored, records go to /var/log/audited-socat.

The real /etc and /var/log are never touched: the test runs in a private mount namespace with
overlays on both, so what it writes there vanishes with it. Needs root (exit 77 otherwise).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import unittest

import audit
import harness as h
import issuer

NOBODY = pwd.getpwnam("nobody")
SYSTEM_DIR = "/etc/audited-socat"
SYSTEM_CONFIG = "/etc/audited-socat/config.toml"
SYSTEM_LOGS = "/var/log/audited-socat"


def overlay(target: str, scratch: str):
    upper, work = os.path.join(scratch, "upper"), os.path.join(scratch, "work")
    os.makedirs(upper)
    os.makedirs(work)
    audit.mount("-t", "overlay", "overlay", "-o",
                f"lowerdir={target},upperdir={upper},workdir={work}", target)


class Privileged(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        audit.enter_private_mount_namespace()
        cls.scratch = h.make_temp_dir("privileged")
        overlay("/etc", os.path.join(cls.scratch, "etc"))
        overlay("/var/log", os.path.join(cls.scratch, "var-log"))

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["umount", "/var/log"], check=False)
        subprocess.run(["umount", "/etc"], check=False)

    def setUp(self):
        shutil.rmtree(SYSTEM_DIR, ignore_errors=True)
        shutil.rmtree(SYSTEM_LOGS, ignore_errors=True)
        # The administrator's key, made the documented way (the first-use default would also
        # work, but announces itself on stderr).
        subprocess.run([h.toolbox_path(), "keygen", "--out", SYSTEM_DIR], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.chmod(SYSTEM_DIR, 0o755)
        self.dir = h.make_temp_dir("privileged-case", self.id().rsplit(".", 1)[-1])
        # What a user could set up to steer a sudo run, if it were honoured.
        self.evil = os.path.join(self.dir, "evil")
        home = os.path.join(self.dir, "home")
        os.makedirs(os.path.join(home, ".config", "audited-socat"))
        with open(os.path.join(home, ".config", "audited-socat", "config.toml"), "w") as f:
            f.write(f'log_dir = "{self.evil}-from-user-config"\n')
        self.env = h.base_environment()
        self.env.update({
            "SUDO_UID": "1000", "SUDO_GID": "1000", "SUDO_USER": "alice",
            "SUDO_COMMAND": h.wrapper_path() + " -V", "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_STATE_HOME": self.evil + "-state",
            "AUDITED_SOCAT_LOG_DIR": self.evil + "-logdir",
            "AUDITED_SOCAT_SOCAT": self.evil + "-socat",
            "AUDITED_SOCAT_CONFIG": self.evil + "-config",
            "AUDITED_SOCAT_NOT_A_SETTING": "1",
        })

    def write_system_config(self, text: str, mode=0o644, owner=0):
        os.makedirs(SYSTEM_DIR, mode=0o755, exist_ok=True)
        with open(SYSTEM_CONFIG, "w") as f:
            f.write(text)
        os.chmod(SYSTEM_CONFIG, mode)
        os.chown(SYSTEM_CONFIG, owner, owner)

    def assert_nothing_evil(self):
        leftovers = [p for p in os.listdir(self.dir) if p.startswith("evil")]
        self.assertEqual(leftovers, [], "a caller-controlled path was used")

    def test_the_callers_environment_and_config_are_ignored(self):
        result = audit.run_wrapper(["-V"], env=self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        self.assert_nothing_evil()
        self.assertEqual(os.stat(SYSTEM_LOGS).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.join(SYSTEM_LOGS, "audit.jsonl")).st_mode & 0o777,
                         0o600)
        start, end = audit.session_records(SYSTEM_LOGS)
        a = start["asocat"]
        self.assertIs(a["wrapper"]["privileged"], True)
        self.assertEqual(a["settings"], {
            "config_files": [], "environment": [],
            "log": os.path.join(SYSTEM_LOGS, "audit.jsonl"), "fail_open": False,
            "socat_source": "default"})
        self.assertEqual(start["process"]["executable"], "/usr/bin/socat")
        self.assertEqual(end["asocat"]["end"]["exit_code"], 0)
        # sudo's variables are recorded as claims, and this run shows why they are only that:
        # no sudo started it.
        loginuid = int(audit.read_bytes("/proc/self/loginuid"))
        self.assertEqual(a["identity"]["claimed"]["sudo"], {
            "user": "alice", "uid": 1000, "gid": 1000, "command": h.wrapper_path() + " -V",
            "sudo_in_chain": False,
            "uid_is_loginuid": None if loginuid == 4294967295 else loginuid == 1000})

    def test_root_owned_system_config_applies(self):
        socat_dir = os.path.join(self.dir, "libexec")
        os.mkdir(socat_dir, 0o755)
        socat = os.path.join(socat_dir, "socat")
        shutil.copy2(h.real_socat_path(), socat)
        self.write_system_config(f'socat_path = "{socat}"\nlog_dir = "/var/log/asocat-alt"\n')
        result = audit.run_wrapper(["-V"], env=self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_nothing_evil()
        start = audit.session_records("/var/log/asocat-alt")[0]
        self.assertEqual(start["process"]["executable"], socat)
        self.assertEqual(start["asocat"]["settings"]["config_files"], [SYSTEM_CONFIG])
        self.assertEqual(start["asocat"]["settings"]["socat_source"], "system-config")

    def test_a_socat_path_the_caller_could_change_is_refused(self):
        # Owned by root but in a directory that alice could write: refused when privileged.
        shared = os.path.join(self.dir, "shared")
        os.mkdir(shared)
        socat = os.path.join(shared, "socat")
        shutil.copy2(h.real_socat_path(), socat)
        os.chown(shared, 1000, 1000)
        self.write_system_config(f'socat_path = "{socat}"\n')
        result = audit.run_wrapper(["-V"], env=self.env)
        self.assertEqual(result.returncode, 125)
        self.assertIn(f"{shared} is owned by uid 1000, not root", result.stderr.decode())

    def assert_config_refused(self, fragment):
        marker = os.path.join(self.dir, "ran")
        result = audit.run_wrapper(audit.marker_args(marker), env=self.env)
        stderr = result.stderr.decode()
        self.assertEqual(result.returncode, 125, stderr)
        self.assertEqual(stderr.count("\n"), 1)
        self.assertIn(fragment, stderr)
        self.assertIn("socat not started", stderr)
        self.assertFalse(os.path.exists(marker))

    def test_group_writable_system_config_is_refused(self):
        self.write_system_config('log_dir = "/var/log/x"\n', mode=0o664)
        self.assert_config_refused(f"config {SYSTEM_CONFIG} is writable by group or others "
                                   "(mode 0664); refusing to read it")

    def test_system_config_owned_by_a_user_is_refused(self):
        self.write_system_config('log_dir = "/var/log/x"\n', owner=NOBODY.pw_uid)
        self.assert_config_refused(f"config {SYSTEM_CONFIG} is owned by uid {NOBODY.pw_uid}")

    def test_system_config_directory_owned_by_a_user_is_refused(self):
        self.write_system_config('log_dir = "/var/log/x"\n')
        os.chown(SYSTEM_DIR, NOBODY.pw_uid, NOBODY.pw_gid)
        self.assert_config_refused(f"{SYSTEM_DIR} is owned by uid {NOBODY.pw_uid}")

    def test_identity_comes_from_root_config_and_the_ticket_from_the_caller(self):
        token_issuer = issuer.Issuer()
        key = token_issuer.keys["ES256"]
        jwks = os.path.join(SYSTEM_DIR, "jwks.json")
        token_file = os.path.join(SYSTEM_DIR, "token")
        with open(jwks, "w") as f:
            json.dump(token_issuer.jwks(), f)
        good = issuer.token(key, issuer.claims(sub="alice@example.test"))
        with open(token_file, "w") as f:
            f.write(good)
        os.chmod(token_file, 0o600)
        self.write_system_config(
            f'[identity]\ntoken_file = "{token_file}"\n[[identity.oidc]]\n'
            f'issuer = "{issuer.ISSUER}"\naudience = "{issuer.AUDIENCE}"\njwks = "{jwks}"\n')
        env = dict(self.env)
        # The caller's own token and token file are not what a sudo run attests.
        env["AUDITED_SOCAT_IDENTITY_TOKEN"] = issuer.token(key, issuer.claims(sub="mallory"))
        env["AUDITED_SOCAT_IDENTITY_TOKEN_FILE"] = self.evil + "-token"
        env["AUDITED_SOCAT_TICKET"] = "OPS-5"
        result = audit.run_wrapper(["-V"], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_nothing_evil()
        identity = audit.session_records(SYSTEM_LOGS)[0]["asocat"]["identity"]
        attested = identity["attested"]
        self.assertEqual((attested["status"], attested["source"], attested["location"],
                          attested["token"]["subject"]),
                         ("verified", "file", token_file, "alice@example.test"))
        self.assertEqual(attested["token_sha256"], issuer.sha256_hex(good))
        # The ticket is a claim: honoured under sudo, recorded as given.
        self.assertEqual(identity["ticket"], {"id": "OPS-5", "truncated": False,
                                              "source": "environment", "pattern": None,
                                              "matches": None, "approval": None})

    def test_through_real_sudo(self):
        if shutil.which("sudo") is None:
            self.skipTest("sudo is not installed")
        env = dict(self.env)
        for name in ("SUDO_UID", "SUDO_GID", "SUDO_USER", "SUDO_COMMAND"):
            env.pop(name)
        result = subprocess.run(["sudo", "-n", h.wrapper_path(), "-V"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(result.returncode, 0, result.stderr)
        bare = subprocess.run([h.real_socat_path(), "-V"], stdout=subprocess.PIPE).stdout
        self.assertEqual(result.stdout, bare)
        start = audit.session_records(SYSTEM_LOGS)[0]
        self.assertIs(start["asocat"]["wrapper"]["privileged"], True)
        self.assertEqual(start["asocat"]["identity"]["kernel"]["parent"]["name"], "sudo")
        sudo = start["asocat"]["identity"]["claimed"]["sudo"]
        self.assertEqual((sudo["user"], sudo["uid"], sudo["gid"]),
                         (pwd.getpwuid(os.getuid()).pw_name, os.getuid(), os.getgid()))
        self.assertIs(sudo["sudo_in_chain"], True)
        self.assert_nothing_evil()


if __name__ == "__main__":
    audit.main()
