#!/usr/bin/python3
"""The identity a session start records, beyond the ids: the kernel tier's process chain,
cgroup, machine and boot, checked against what the test reads itself; and the claimed tier
(SSH, CI variables), with the checks made against the kernel tier. Each start record is also
validated against schema/records-v2.schema.json by the independent jsonschema package.
Runs under sudo's variables live in test_privileged.py: they make the run privileged."""

from __future__ import annotations

import base64
import os
import subprocess
import unittest

import audit
import harness as h

# Variables that would make a claim; the test's own environment must not leak one in.
CLAIM_PREFIXES = ("SUDO_", "SSH_", "GITHUB_", "GITLAB_", "CI_", "BUILDKITE", "JENKINS_", "GIT_",
                  "BUILD_", "JOB_NAME")


def read_text(path: str):
    try:
        return audit.read_bytes(path).decode().split("\n", 1)[0] or None
    except FileNotFoundError:
        return None


def proc_stat_fields(pid: int) -> list:
    text = audit.read_bytes(f"/proc/{pid}/stat").decode()
    return text[text.rindex(")") + 2:].split()


class Identity(unittest.TestCase):
    def setUp(self):
        self.dir = h.make_temp_dir("identity", self.id().rsplit(".", 1)[-1])
        self.logs = os.path.join(self.dir, "logs")
        self.env = {k: v for k, v in h.base_environment().items()
                    if not k.startswith(CLAIM_PREFIXES)}
        self.env["AUDITED_SOCAT_LOG_DIR"] = self.logs

    def identity(self, extra_env=None) -> dict:
        result = audit.run_wrapper(["-V"], env=self.env, extra_env=extra_env, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        starts = [r for r in audit.session_records(self.logs)  # validated against the schema
                  if r["asocat"]["type"] == "session.start"]
        return starts[-1]["asocat"]["identity"]

    def test_the_kernel_tier_names_the_chain_cgroup_machine_and_boot(self):
        kernel = self.identity()["kernel"]
        # The wrapper's parent is this process; above it, this process's own ancestors, up to
        # the session leader (inclusive) or pid 1.
        self.assertEqual(kernel["parent"]["pid"], os.getpid())
        session_leader = os.getsid(0)
        self.assertEqual(kernel["session_leader"], session_leader)
        expected = []
        pid = os.getpid()
        while pid > 1 and pid != session_leader and len(expected) < 16:
            pid = int(proc_stat_fields(pid)[1])
            if pid <= 0:
                break
            expected.append(pid)
        self.assertEqual([a["pid"] for a in kernel["ancestors"]], expected)
        if expected:
            first = kernel["ancestors"][0]
            self.assertEqual(first["executable"], os.readlink(f"/proc/{expected[0]}/exe"))
            self.assertEqual(first["args"], audit.read_bytes(
                f"/proc/{expected[0]}/cmdline").decode().split("\0")[:-1])
        cgroup = [line[3:] for line in audit.read_bytes("/proc/self/cgroup").decode().split("\n")
                  if line.startswith("0::")]
        self.assertEqual(kernel["cgroup"], cgroup[0] if cgroup else None)
        units = [part for part in (cgroup[0] if cgroup else "").split("/")
                 if part.endswith((".service", ".scope"))]
        self.assertEqual(kernel["systemd_unit"], units[-1] if units else None)
        self.assertEqual(kernel["machine_id"], read_text("/etc/machine-id"))
        self.assertEqual(kernel["boot_id"], read_text("/proc/sys/kernel/random/boot_id"))
        self.assertRegex(kernel["boot_id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-")

    def test_an_ancestor_with_a_huge_command_line_is_cut_to_4096_bytes(self):
        huge = "y" * 6000
        inner = f"{h.wrapper_path()} -V >/dev/null 2>&1; true"  # `; true`: sh must not exec
        outer = f"sh -c '{inner}'; true"
        env = dict(self.env)
        done = subprocess.run(["sh", "-c", outer, huge], env=env, cwd=self.dir,
                              timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(done.returncode, 0)
        starts = [r for r in audit.session_records(self.logs)
                  if r["asocat"]["type"] == "session.start"]
        kernel = starts[-1]["asocat"]["identity"]["kernel"]
        self.assertEqual(kernel["parent"]["args"], ["sh", "-c", inner])
        self.assertNotIn("args_truncated", kernel["parent"])  # the parent is kept whole
        first = kernel["ancestors"][0]
        self.assertEqual(first["args"], ["sh", "-c", outer])  # the 6000-byte $0 left out
        self.assertIs(first["args_truncated"], True)
        self.assertEqual(kernel["ancestors"][1]["pid"], os.getpid())
        self.assertNotIn("args_truncated", kernel["ancestors"][1])

    def test_a_plain_run_claims_nothing(self):
        self.assertEqual(self.identity()["claimed"],
                         {"sudo": None, "ssh": None, "ci": None, "truncated": []})

    def test_an_ssh_connection_is_claimed_with_both_ends_and_no_sshd_above_is_flagged(self):
        claimed = self.identity({"SSH_CONNECTION": "192.0.2.7 51234 2001:db8::2 22",
                                 "SSH_CLIENT": "198.51.100.1 1 22"})["claimed"]
        self.assertEqual(claimed["ssh"], {
            "variable": "SSH_CONNECTION", "value": "192.0.2.7 51234 2001:db8::2 22",
            "well_formed": True, "client": {"address": "192.0.2.7", "port": 51234},
            "server": {"address": "2001:db8::2", "port": 22},
            "sshd_in_chain": False})  # no sshd started this test: the claim is unsupported

    def test_ssh_client_names_the_server_port_only(self):
        ssh = self.identity({"SSH_CLIENT": "192.0.2.7 51234 2222"})["claimed"]["ssh"]
        self.assertEqual(ssh["client"], {"address": "192.0.2.7", "port": 51234})
        self.assertEqual(ssh["server"], {"address": None, "port": 2222})
        self.assertIs(ssh["well_formed"], True)

    def test_a_malformed_ssh_claim_is_kept_as_given_and_marked(self):
        for value in ("192.0.2.7 51234 10.0.0.2", "not-an-address 1 10.0.0.2 22",
                      "192.0.2.7 0 10.0.0.2 22", "192.0.2.7 65536 10.0.0.2 22",
                      "192.0.2.7 5x 10.0.0.2 22", "192.0.2.7 1 10.0.0.2 22 extra"):
            with self.subTest(value=value):
                ssh = self.identity({"SSH_CONNECTION": value})["claimed"]["ssh"]
                self.assertEqual(ssh["value"], value)
                self.assertIs(ssh["well_formed"], False)
                self.assertIsNone(ssh["client"])
                self.assertIsNone(ssh["server"])

    def test_a_github_actions_job_is_claimed(self):
        claimed = self.identity({
            "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/tunnels",
            "GITHUB_REF": "refs/heads/main", "GITHUB_ACTOR": "octocat", "GITHUB_JOB": "deploy",
            "GITHUB_RUN_ID": "4242", "GITHUB_SERVER_URL": "https://github.example"})["claimed"]
        self.assertEqual(claimed["ci"], {
            "system": "github-actions", "repository": "acme/tunnels", "ref": "refs/heads/main",
            "actor": "octocat", "job": "deploy", "run": "4242",
            "url": "https://github.example/acme/tunnels/actions/runs/4242"})
        self.assertIsNone(claimed["sudo"])
        self.assertIsNone(claimed["ssh"])

    def test_gitlab_buildkite_and_jenkins_jobs_are_claimed(self):
        cases = {
            "gitlab-ci": ({"GITLAB_CI": "true", "CI_PROJECT_PATH": "g/p",
                           "CI_COMMIT_REF_NAME": "main", "GITLAB_USER_LOGIN": "ann",
                           "CI_JOB_ID": "9", "CI_PIPELINE_ID": "8",
                           "CI_JOB_URL": "https://gitlab.example/g/p/-/jobs/9"},
                          ["g/p", "main", "ann", "9", "8", "https://gitlab.example/g/p/-/jobs/9"]),
            "buildkite": ({"BUILDKITE": "true", "BUILDKITE_REPO": "git@x:r.git",
                           "BUILDKITE_BRANCH": "b", "BUILDKITE_BUILD_CREATOR": "Bo",
                           "BUILDKITE_JOB_ID": "j-1", "BUILDKITE_BUILD_NUMBER": "3"},
                          ["git@x:r.git", "b", "Bo", "j-1", "3", None]),
            "jenkins": ({"JENKINS_URL": "https://ci.example/", "JOB_NAME": "tunnel",
                         "BUILD_NUMBER": "12", "BUILD_URL": "https://ci.example/job/tunnel/12/"},
                        [None, None, None, "tunnel", "12", "https://ci.example/job/tunnel/12/"]),
        }
        for system, (variables, values) in cases.items():
            with self.subTest(system=system):
                ci = self.identity(variables)["claimed"]["ci"]
                self.assertEqual(ci, dict(zip(
                    ["system", "repository", "ref", "actor", "job", "run", "url"],
                    [system] + values)))

    def test_a_marker_that_is_not_true_claims_no_ci_job(self):
        claimed = self.identity({"GITHUB_ACTIONS": "false", "GITLAB_CI": "1",
                                 "GITHUB_REPOSITORY": "acme/tunnels"})["claimed"]
        self.assertIsNone(claimed["ci"])

    def test_a_huge_claim_is_cut_and_named(self):
        ref = "r" * 100_000
        claimed = self.identity({"GITHUB_ACTIONS": "true", "GITHUB_REF": ref,
                                 "SSH_CONNECTION": "x" * 5000})["claimed"]
        self.assertEqual(claimed["ci"]["ref"], ref[:4096])
        self.assertEqual(claimed["ssh"]["value"], "x" * 4096)
        self.assertEqual(claimed["truncated"], ["SSH_CONNECTION", "GITHUB_REF"])

    def test_show_sums_up_the_claims_and_what_does_not_back_them(self):
        self.identity({"SSH_CONNECTION": "192.0.2.7 51234 10.0.0.2 22", "GITHUB_ACTIONS": "true",
                       "GITHUB_REPOSITORY": "acme/tunnels", "GITHUB_RUN_ID": "4242",
                       "GITHUB_ACTOR": "octocat"})
        shown = subprocess.run([h.toolbox_path(), "show", "--log-dir", self.logs],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(shown.returncode, 0, shown.stderr)
        lines = shown.stdout.splitlines()
        self.assertEqual(lines[3], "  claims        ssh from 192.0.2.7 port 51234, no sshd above; "
                                   "github-actions acme/tunnels run 4242 by octocat")
        self.identity()  # a plain run: no claims line at all
        shown = subprocess.run([h.toolbox_path(), "show", "--log-dir", self.logs],
                               stdout=subprocess.PIPE, text=True, timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertFalse([line for line in shown.stdout.splitlines()
                          if line.startswith("  claims ")])

    def test_claims_that_are_not_utf8_keep_their_exact_bytes(self):
        actor = b"\xffoctocat\xfe"
        result = audit.run_wrapper(["-V"], env={
            **{k.encode(): v.encode() for k, v in self.env.items()},
            b"GITHUB_ACTIONS": b"true", b"GITHUB_ACTOR": actor}, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        start = audit.session_records(self.logs)[-2]
        self.assertEqual(start["asocat"]["type"], "session.start")
        self.assertEqual(start["asocat"]["identity"]["claimed"]["ci"]["actor"],
                         "\ufffdoctocat\ufffd")
        raw = [r for r in start["asocat"]["raw"]
               if r["field"] == "asocat.identity.claimed.ci.actor"]
        self.assertEqual(len(raw), 1)
        self.assertEqual(base64.b64decode(raw[0]["base64"]), actor)


if __name__ == "__main__":
    audit.main()
