#!/usr/bin/python3
"""Evidence: logs written by real audited-socat sessions, checked by `socat-audit verify` and by
an independent Python reading of the format (tests/e2e/independent.py), then tampered with in
every way the issue lists. Each case asserts the exit status (0 verified and complete,
1 tampered, 2 completeness not proven) and the category of the first problem."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pty
import shutil
import subprocess
import unittest

import audit
import harness as h
import independent


def sessions(log_dir: str, count: int, env: dict | None = None, capture: str = "off"):
    """Runs `count` short real sessions writing to log_dir. Most cases tamper with logs of
    session records alone (capture off), so that the lines they name stay fixed; the capture
    records' own cases ask for a capture level."""
    for i in range(count):
        done = audit.run_wrapper(["-u", "OPEN:/dev/null", f"CREATE:{log_dir}-out-{i}"],
                                 env=env, extra_env={"AUDITED_SOCAT_LOG_DIR": log_dir,
                                                     "AUDITED_SOCAT_CAPTURE": capture})
        assert done.returncode == 0, done.stderr


def lines_of(path: str) -> list[bytes]:
    return audit.read_bytes(path).split(b"\n")[:-1]


def write_lines(path: str, lines: list[bytes]):
    with open(path, "wb") as f:
        f.write(b"".join(line + b"\n" for line in lines))


def rechain(lines: list[bytes], start: int) -> list[bytes]:
    """What an attacker without the key can do after editing line `start`: recompute every
    later prev, and every later checkpoint's size, root, frontier and note text (keeping the
    old signature, which is all the key would change)."""
    out = list(lines)
    leaves = [independent.leaf_hash(line) for line in out[:start + 1]]
    for i in range(start + 1, len(out)):
        record = json.loads(out[i])
        a = record["asocat"]
        a["prev"] = base64.b64encode(leaves[-1]).decode()
        if a["type"] == "checkpoint":
            root = independent.merkle_root(leaves)
            a["root"] = base64.b64encode(root).decode()
            a["frontier"] = [base64.b64encode(x).decode() for x in independent.frontier(leaves)]
            text, blank, signatures = a["note"].rpartition("\n\n")
            origin, size, _ = text.split("\n")
            a["note"] = f"{origin}\n{size}\n{a['root']}\n\n{signatures}"
        out[i] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        leaves.append(independent.leaf_hash(out[i]))
    return out


class Evidence(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = h.base_environment()
        cls.pub = audit.public_key_path()
        cls.vkey = audit.read_bytes(cls.pub).decode().splitlines()[0]
        cls.dir = h.make_temp_dir("evidence")
        cls.logs = os.path.join(cls.dir, "logs")
        sessions(cls.logs, 5, cls.env)
        cls.log = os.path.join(cls.logs, "audit.jsonl")
        cls.lines = lines_of(cls.log)

    def verify(self, *paths, state=None, pubkey=None, json_output=True):
        return audit.verify_log(*paths, state=state, pubkey=pubkey or self.pub,
                                json_output=json_output)

    def tampered(self, lines: list[bytes], name: str) -> str:
        path = os.path.join(h.make_temp_dir("evidence-case", name), "audit.jsonl")
        write_lines(path, lines)
        return path

    def assert_tampered(self, path, problem, line=None, **kwargs):
        status, report, done = self.verify(path, **kwargs)
        self.assertEqual(status, 1, done.stdout)
        self.assertEqual(report["tampering"]["problem"], problem, report["tampering"])
        if line is not None:
            self.assertEqual(report["tampering"]["line"], line, report["tampering"])
        return report

    def assert_incomplete(self, path, *problems, **kwargs):
        status, report, done = self.verify(path, **kwargs)
        self.assertEqual(status, 2, done.stdout)
        self.assertIsNone(report["tampering"])
        self.assertEqual(sorted(g["problem"] for g in report["gaps"]), sorted(problems))
        return report

    # --- what the writer produced ---------------------------------------------------------

    def test_the_written_log_verifies_complete(self):
        status, report, _ = self.verify(self.log)
        self.assertEqual(status, 0)
        self.assertEqual(report["outcome"], "complete")
        self.assertEqual(report["sessions"], 5)
        self.assertEqual(report["checkpoints"], 5)  # one per session end
        self.assertEqual(report["records"], len(self.lines))
        status, _, done = self.verify(self.log, json_output=False)
        self.assertEqual(status, 0)
        self.assertRegex(done.stdout.decode(), r"^PASS .*audit\.jsonl: log [0-9a-f-]{36}, "
                                                r"16 records, 5 checkpoints, 5 sessions")
        self.assertTrue(done.stdout.decode().endswith("verified and complete\n"))

    def test_human_output_is_coloured_only_on_a_terminal(self):
        lines = list(self.lines)
        lines[2] = lines[2].replace(b'"seq":2', b'"seq":9')
        bad = self.tampered(lines, "human")
        argv = [h.toolbox_path(), "verify", "--pubkey", self.pub, bad]
        piped = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=h.scaled(60))
        self.assertEqual(piped.returncode, 1)
        self.assertNotIn(b"\x1b[", piped.stdout)
        first = piped.stdout.decode().splitlines()[0]
        # journalctl --verify style: file:line, then seq, byte offset and the category.
        self.assertRegex(first, r"^FAIL .*audit\.jsonl:3 \(seq 9, byte [1-9][0-9]*\): sequence: ")
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        for no_color, coloured in ((None, True), ("1", False)):
            run_env = dict(env, NO_COLOR=no_color) if no_color else env
            leader, follower = pty.openpty()
            try:
                done = subprocess.run(argv, stdout=follower, stderr=subprocess.PIPE, env=run_env,
                                      timeout=h.scaled(60))
                os.close(follower)
                follower = -1
                text = b""
                while True:
                    try:
                        chunk = os.read(leader, 4096)
                    except OSError:  # EIO: the terminal's other side is closed
                        break
                    if not chunk:
                        break
                    text += chunk
            finally:
                if follower >= 0:
                    os.close(follower)
                os.close(leader)
            self.assertEqual(done.returncode, 1)
            self.assertEqual(b"\x1b[" in text, coloured, text)
            self.assertIn(b"FAIL", text)

    def test_an_independent_implementation_agrees(self):
        counts = independent.check_log(self.log, self.vkey)
        self.assertEqual(counts, {"records": len(self.lines), "checkpoints": 5})

    def test_capture_records_are_evidence_like_the_others(self):
        # A log with the supervisor's records (default level) verifies, an independent
        # implementation agrees, and a byte changed in a stream's digest is tampering at its
        # line: the capture records are chained and signed like the session records.
        logs = os.path.join(h.make_temp_dir("evidence-capture"), "logs")
        sessions(logs, 2, self.env, capture="digest")
        path = os.path.join(logs, "audit.jsonl")
        lines = lines_of(path)
        self.assertEqual(self.verify(path)[0], 0)
        checkpoints = sum(b'"type":"checkpoint"' in line for line in lines)
        self.assertEqual(independent.check_log(path, self.vkey),
                         {"records": len(lines), "checkpoints": checkpoints})
        index = next(i for i, line in enumerate(lines) if b'"type":"stream.end"' in line)
        at = lines[index].index(b'"sha256":"') + len(b'"sha256":"')
        changed = list(lines)
        digit = changed[index][at:at + 1]
        changed[index] = (changed[index][:at] + (b"0" if digit != b"0" else b"1") +
                          changed[index][at + 1:])
        self.assert_tampered(self.tampered(changed, "stream-digest"), "chain", line=index + 2)

    def test_a_checkpoint_verifies_with_python_cryptography_alone(self):
        checkpoint = json.loads(self.lines[-1])["asocat"]
        self.assertEqual(checkpoint["type"], "checkpoint")
        name, public_key = independent.parse_vkey(self.vkey)
        text = independent.verify_note(checkpoint["note"], name, public_key)
        origin, size, root = text.splitlines()
        self.assertEqual(int(size), len(self.lines) - 1)
        self.assertTrue(origin.endswith("/audited-socat/" + checkpoint["log"]))
        self.assertEqual(base64.b64decode(root), independent.merkle_root(
            [independent.leaf_hash(line) for line in self.lines[:-1]]))

    # --- edits ------------------------------------------------------------------------------

    def test_one_flipped_byte(self):
        lines = list(self.lines)
        lines[1] = lines[1].replace(b'"pid":', b'"pid":9', 1)
        self.assert_tampered(self.tampered(lines, "flip"), "chain", line=3)

    def test_a_flipped_byte_in_the_last_signature(self):
        lines = list(self.lines)
        record = json.loads(lines[-1])
        note = record["asocat"]["note"]
        sig_start = note.rindex(" ") + 1
        flipped = note[:sig_start + 10] + ("A" if note[sig_start + 10] != "A" else "B") + \
            note[sig_start + 11:]
        record["asocat"]["note"] = flipped
        lines[-1] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        self.assert_tampered(self.tampered(lines, "signature"), "signature", line=len(lines))

    def test_a_record_changed_and_every_later_hash_recomputed(self):
        lines = list(self.lines)
        record = json.loads(lines[1])
        record["process"]["args"][-1] = "CREATE:/tmp/somewhere-else"
        lines[1] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        lines = rechain(lines, 1)
        # Chain and roots now agree; only the signature, which needs the key, cannot.
        self.assert_tampered(self.tampered(lines, "rechain"), "signature", line=4)

    def test_deleted_inserted_duplicated_and_swapped_lines(self):
        cases = {  # name: (lines, the first line that cannot be where it is)
            "delete": (self.lines[:4] + self.lines[5:], 5),
            "insert": (self.lines[:4] + [self.lines[1]] + self.lines[4:], 5),
            "duplicate": (self.lines[:5] + [self.lines[4]] + self.lines[5:], 6),
            "swap": (self.lines[:4] + [self.lines[5], self.lines[4]] + self.lines[6:], 5),
        }
        for name, (lines, first_bad) in cases.items():
            with self.subTest(name):
                self.assert_tampered(self.tampered(lines, name), "sequence", line=first_bad)

    def test_whitespace_and_key_order(self):
        lines = list(self.lines)
        lines[2] = lines[2].replace(b'","ecs":', b'", "ecs":', 1)
        self.assert_tampered(self.tampered(lines, "whitespace"), "not-canonical", line=3)
        record = json.loads(self.lines[2])
        record = {"ecs": record["ecs"], **{k: v for k, v in record.items() if k != "ecs"}}
        lines[2] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        report = self.assert_tampered(self.tampered(lines, "order"), "bad-layout", line=3)
        self.assertIn("out of order", report["tampering"]["detail"])

    def test_a_checkpoint_corrupted_or_removed(self):
        lines = list(self.lines)
        record = json.loads(lines[3])
        self.assertEqual(record["asocat"]["type"], "checkpoint")
        record["asocat"]["root"] = base64.b64encode(b"\0" * 32).decode()
        lines[3] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        self.assert_tampered(self.tampered(lines, "corrupt-cp"), "checkpoint", line=4)
        self.assert_tampered(self.tampered(self.lines[:3] + self.lines[4:], "removed-cp"),
                             "sequence", line=4)

    def test_an_attackers_key(self):
        attacker = h.make_temp_dir("attacker-key")
        shutil.rmtree(attacker)
        subprocess.run([h.toolbox_path(), "keygen", "--out", attacker], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # A whole log written and signed by the attacker's key does not verify against ours.
        logs = os.path.join(h.make_temp_dir("attacker-logs"), "logs")
        env = dict(self.env, AUDITED_SOCAT_KEY=os.path.join(attacker, "audit.key"))
        sessions(logs, 1, env)
        report = self.assert_tampered(os.path.join(logs, "audit.jsonl"), "unknown-signer",
                                      line=4)
        self.assertIn("not signed by the pinned key", report["tampering"]["detail"])
        # And pinning the attacker's key is no help for our own log.
        self.assert_tampered(self.log, "unknown-signer", line=4,
                             pubkey=os.path.join(attacker, "audit.pub"))

    def test_a_line_spliced_from_another_log_signed_by_the_same_key(self):
        other = os.path.join(h.make_temp_dir("other-log"), "logs")
        sessions(other, 1, self.env)
        foreign = lines_of(os.path.join(other, "audit.jsonl"))
        lines = self.lines[:1] + [foreign[1]] + self.lines[2:]
        self.assert_tampered(self.tampered(lines, "splice"), "wrong-log", line=2)

    # --- what is missing --------------------------------------------------------------------

    def test_truncated_mid_line(self):
        data = audit.read_bytes(self.log)
        path = self.tampered([], "truncate")
        with open(path, "wb") as f:
            f.write(data[:len(data) - 100])  # into the final checkpoint
        self.assert_incomplete(path, "torn-line", "unsealed-tail")

    def test_tail_dropped_before_the_last_checkpoint(self):
        # The last session's end and its checkpoint are gone: unsealed, and a session open.
        path = self.tampered(self.lines[:-2], "drop-before")
        self.assert_incomplete(path, "unsealed-tail", "open-session")

    def test_tail_dropped_after_a_checkpoint(self):
        # Cut cleanly after an earlier checkpoint: internally consistent, so only a state that
        # saw more can tell (next test); on its own it verifies.
        path = self.tampered(self.lines[:4], "drop-after")
        status, report, _ = self.verify(path)
        self.assertEqual(status, 0)
        self.assertEqual(report["records"], 4)

    def test_header_only_empty_and_garbage(self):
        self.assert_incomplete(self.tampered(self.lines[:1], "header-only"), "unsealed-tail")
        self.assert_incomplete(self.tampered([], "empty"), "empty")
        garbage = self.tampered([], "garbage")
        with open(garbage, "wb") as f:
            f.write(os.urandom(4096) + b"\n")
        self.assert_tampered(garbage, "not-json", line=1)
        not_log = self.tampered([self.lines[1]], "not-a-log")
        self.assert_tampered(not_log, "not-a-log", line=1)

    # --- what a state file remembers ---------------------------------------------------------

    def test_state_detects_rollback_truncation_and_forks(self):
        state = os.path.join(h.make_temp_dir("state"), "verify.state")
        copy = os.path.join(h.make_temp_dir("state-log"), "audit.jsonl")
        write_lines(copy, self.lines)
        self.assertEqual(self.verify(copy, state=state)[0], 0)
        self.assertEqual(os.stat(state).st_mode & 0o777, 0o600)
        # An older prefix, cut cleanly at a checkpoint: fine alone, a rollback to the state.
        write_lines(copy, self.lines[:4])
        self.assertEqual(self.verify(copy)[0], 0)
        self.assert_tampered(copy, "rollback", state=state)

    def test_state_detects_a_fork(self):
        # Two copies of one log, each continued by the legitimate writer: both verify on their
        # own; a state that saw one recognises the other as a different history.
        base = os.path.join(h.make_temp_dir("fork-a"), "logs")
        sessions(base, 2, self.env)
        other = os.path.join(h.make_temp_dir("fork-b"), "logs")
        shutil.copytree(base, other)
        sessions(base, 2, self.env)
        sessions(other, 2, self.env)
        state = os.path.join(h.make_temp_dir("fork-state"), "verify.state")
        place = os.path.join(h.make_temp_dir("fork-place"), "audit.jsonl")
        shutil.copy(os.path.join(base, "audit.jsonl"), place)
        self.assertEqual(self.verify(place, state=state)[0], 0)
        shutil.copy(os.path.join(other, "audit.jsonl"), place)
        self.assertEqual(self.verify(place)[0], 0)
        report = self.assert_tampered(place, "fork", state=state)
        self.assertIn("root differs", report["tampering"]["detail"])

    def test_state_detects_a_replaced_file(self):
        state = os.path.join(h.make_temp_dir("state-replace"), "verify.state")
        place = os.path.join(h.make_temp_dir("state-replace-log"), "audit.jsonl")
        write_lines(place, self.lines)
        self.assertEqual(self.verify(place, state=state)[0], 0)
        other = os.path.join(h.make_temp_dir("replacement"), "logs")
        sessions(other, 2, self.env)
        shutil.copy(os.path.join(other, "audit.jsonl"), place)
        self.assertEqual(self.verify(place)[0], 0)  # a valid log in its own right
        self.assert_tampered(place, "replaced", state=state)

    # --- sizes -------------------------------------------------------------------------------

    def test_a_huge_line_and_many_tiny_lines_in_bounded_memory(self):
        huge = self.tampered([], "huge")
        with open(huge, "wb") as f:
            f.write(self.lines[0] + b"\n")
            chunk = b"x" * (1 << 20)
            for _ in range(1024):  # 1 GiB in one line
                f.write(chunk)
            f.write(b"\n")
        status, report, done = self.verify(huge)
        self.assertEqual(status, 1, done.stdout)
        self.assertEqual((report["tampering"]["problem"], report["tampering"]["line"]),
                         ("line-too-long", 2))
        self.assertIn("longer than", report["tampering"]["detail"])
        peaks = [done.peak_kib]
        tiny = self.tampered([], "tiny")
        with open(tiny, "wb") as f:
            f.write(audit.read_bytes(self.log))
            f.write(b"{}\n" * 10_000_000)
        status, report, done = self.verify(tiny)
        self.assertEqual(status, 1, done.stdout)
        self.assertEqual((report["tampering"]["problem"], report["tampering"]["line"]),
                         ("bad-layout", len(self.lines) + 1))
        peaks.append(done.peak_kib)
        # verify's own peak (wait4), not the largest child the test process ever had.
        self.assertLess(max(peaks), 96 * 1024, "verify used more than 96 MiB")
        os.unlink(huge)
        os.unlink(tiny)

    # --- inclusion proofs ---------------------------------------------------------------------

    def prove(self, seq, log=None):
        return subprocess.run([h.toolbox_path(), "prove", "--seq", str(seq), log or self.log],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def verify_proof(self, text: bytes, pubkey=None):
        path = os.path.join(h.make_temp_dir("proof"), "record.tlog-proof")
        with open(path, "wb") as f:
            f.write(text)
        return subprocess.run([h.toolbox_path(), "verify-proof", "--pubkey", pubkey or self.pub,
                               path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def test_every_record_has_a_proof_that_verifies_alone(self):
        for seq in range(len(self.lines) - 1):  # the last record is not covered by a checkpoint
            proved = self.prove(seq)
            self.assertEqual(proved.returncode, 0, proved.stderr)
            text = proved.stdout.decode()
            self.assertTrue(text.startswith(f"c2sp.org/tlog-proof@v1\nextra "))
            self.assertIn(f"\nindex {seq}\n", text)
            checked = self.verify_proof(proved.stdout)
            self.assertEqual(checked.returncode, 0, checked.stdout)
            self.assertEqual(checked.stdout.decode().splitlines()[1].encode(), self.lines[seq])
        uncovered = self.prove(len(self.lines) - 1)
        self.assertEqual(uncovered.returncode, 65)
        self.assertIn(b"no checkpoint", uncovered.stderr)

    def test_a_proof_with_anything_changed_fails(self):
        proof = self.prove(2).stdout
        head, _, checkpoint = proof.partition(b"\n\n")
        lines = head.split(b"\n")
        record = base64.b64decode(lines[1][len(b"extra "):])
        forged = record.replace(b'"pid":', b'"pid":1', 1)
        cases = {
            "record": b"\n".join([lines[0], b"extra " + base64.b64encode(forged)] + lines[2:]),
            "index": b"\n".join(lines[:2] + [b"index 3"] + lines[3:]),
            "path": b"\n".join(lines[:3] + [base64.b64encode(b"\1" * 32)] + lines[4:]),
            "short": b"\n".join(lines[:-1]),
        }
        for name, changed in cases.items():
            with self.subTest(name):
                self.assertEqual(self.verify_proof(changed + b"\n\n" + checkpoint).returncode, 1)
        attacker = h.make_temp_dir("proof-attacker")
        shutil.rmtree(attacker)
        subprocess.run([h.toolbox_path(), "keygen", "--out", attacker], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wrong_key = self.verify_proof(proof, pubkey=os.path.join(attacker, "audit.pub"))
        self.assertEqual(wrong_key.returncode, 1)
        self.assertIn(b"no signature by the pinned key", wrong_key.stdout)

    # --- usage --------------------------------------------------------------------------------

    def test_usage_and_missing_input(self):
        tool = h.toolbox_path()
        run = lambda *a: subprocess.run([tool, *a], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE).returncode
        self.assertEqual(run("verify", self.log), 64)  # --pubkey is required
        self.assertEqual(run("verify", "--pubkey", self.pub), 64)
        self.assertEqual(run("frobnicate"), 64)
        self.assertEqual(run("verify", "--pubkey", self.pub, "/nonexistent.jsonl"), 66)
        self.assertEqual(run("verify", "--pubkey", "/nonexistent.pub", self.log), 66)


class FirstUse(unittest.TestCase):
    def test_concurrent_first_runs_share_one_new_key(self):
        """Wrappers started together where no key exists yet: exactly one creates the default
        key and says so; the others use it (never half of it); all run; one key signs all."""
        root = h.make_temp_dir("first-use")
        env = dict(h.base_environment(), XDG_CONFIG_HOME=os.path.join(root, "config"),
                   XDG_STATE_HOME=os.path.join(root, "state"))
        runs = [subprocess.Popen(["audited-socat", "-V"], executable=h.wrapper_path(), env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for _ in range(24)]
        results = [(run.wait(timeout=h.scaled(h.EXIT_TIMEOUT)), run.stderr.read())
                   for run in runs]
        for run in runs:
            run.stderr.close()
        self.assertEqual([status for status, _ in results], [0] * len(runs), results)
        announced = [err for _, err in results if b"created signing key" in err]
        self.assertEqual(len(announced), 1, results)
        self.assertEqual(sorted(err for _, err in results if err not in announced),
                         [b""] * (len(runs) - 1))
        keys = os.path.join(root, "config", "audited-socat")
        self.assertEqual(sorted(os.listdir(keys)), ["audit.key", "audit.pub"])  # no temporaries
        self.assertEqual(os.stat(os.path.join(keys, "audit.key")).st_mode & 0o777, 0o600)
        done = subprocess.run([h.toolbox_path(), "verify", "--pubkey",
                               os.path.join(keys, "audit.pub"),
                               os.path.join(root, "state", "audited-socat", "audit.jsonl")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=h.scaled(60))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn(f"{len(runs)} sessions: verified and complete".encode(), done.stdout)


class Rotation(unittest.TestCase):
    def test_rotated_files_verify_as_one_chain_and_a_missing_one_is_named(self):
        env = h.base_environment()
        directory = h.make_temp_dir("rotation")
        config = os.path.join(directory, "config.toml")
        with open(config, "w") as f:
            f.write("[evidence]\nrotate_size = 65536\n")
        logs = os.path.join(directory, "logs")
        env = dict(env, AUDITED_SOCAT_CONFIG=config)
        sessions(logs, 70, env)
        files = sorted(os.path.join(logs, n) for n in os.listdir(logs) if n.endswith(".jsonl"))
        self.assertGreaterEqual(len(files), 3)
        self.assertTrue(files[-1].endswith("/audit.jsonl"))
        pub = audit.public_key_path()
        run = lambda paths: subprocess.run(
            [h.toolbox_path(), "verify", "--json", "--pubkey", pub, *paths],
            stdout=subprocess.PIPE)
        done = run(files)
        self.assertEqual(done.returncode, 0, done.stdout)
        self.assertEqual(json.loads(done.stdout)["sessions"], 70)
        # Leave one rotated file out: the next one does not continue the one before it.
        done = run(files[:1] + files[2:])
        self.assertEqual(done.returncode, 1)
        self.assertEqual(json.loads(done.stdout)["tampering"]["problem"], "rotation")


class TornTail(unittest.TestCase):
    def test_a_torn_last_line_is_ended_and_named_by_the_next_writer(self):
        env = h.base_environment()
        logs = os.path.join(h.make_temp_dir("torn"), "logs")
        sessions(logs, 1, env)
        log = os.path.join(logs, "audit.jsonl")
        with open(log, "ab") as f:
            f.write(b'{"@timestamp":"1999-12-31T23:59:59.000000000Z","ecs":{"vers')  # a crash
        pub = audit.public_key_path()
        verify = lambda: subprocess.run([h.toolbox_path(), "verify", "--json", "--pubkey", pub,
                                         log], stdout=subprocess.PIPE)
        before = verify()
        self.assertEqual(before.returncode, 2)
        self.assertIn("torn-line", [g["problem"] for g in json.loads(before.stdout)["gaps"]])
        sessions(logs, 1, env)  # the next writer finds the torn line
        lines = lines_of(log)
        torn = [i for i, line in enumerate(lines) if line.startswith(b'{"@timestamp":"1999-')]
        self.assertEqual(len(torn), 1)
        recovery = json.loads(lines[torn[0] + 1])["asocat"]
        self.assertEqual(recovery["type"], "log.recovery")
        self.assertEqual(recovery["torn"]["length"], len(lines[torn[0]]))
        self.assertEqual(recovery["torn"]["sha256"], hashlib.sha256(lines[torn[0]]).hexdigest())
        after = verify()
        self.assertEqual(after.returncode, 2)  # a record was lost; the log says so, signed
        self.assertEqual([g["problem"] for g in json.loads(after.stdout)["gaps"]],
                         ["recovered-torn-line"])


if __name__ == "__main__":
    audit.main()
