"""Helpers for end-to-end tests of audited-socat's own behaviour (records, failing closed,
masquerading, privilege): running the wrapper alone, reading its records strictly, and private
mount namespaces for tests that must change /etc, /var/log or a filesystem's free space.

Side-by-side comparisons with bare socat live in harness.py; this module builds on it.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import threading
import sys
import unittest

import harness as h

SKIP = 77  # CTest SKIP_RETURN_CODE; 125 is audited-socat's own failure status


def run_wrapper(args, *, env=None, extra_env=None, cwd=None, input=b"", argv0="audited-socat",
                executable=None, preexec_fn=None, timeout=None) -> subprocess.CompletedProcess:
    """Runs audited-socat ARGS to completion and returns stdout/stderr bytes and returncode."""
    environment = dict(env if env is not None else h.base_environment())
    environment.update(extra_env or {})
    return subprocess.run([argv0] + list(args), executable=executable or h.wrapper_path(),
                          env=environment, cwd=cwd or h.temp_root(), input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          preexec_fn=preexec_fn, timeout=timeout or h.scaled(h.EXIT_TIMEOUT))


def _reject_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"duplicate keys in {keys}")
    return dict(pairs)


def parse_record(line: bytes) -> dict:
    """Parses one record strictly: UTF-8, one object, no duplicate keys, LF-terminated, and
    re-serialised compactly in the same key order it gives back exactly the same bytes."""
    if not line.endswith(b"\n") or b"\n" in line[:-1]:
        raise ValueError(f"not one LF-terminated line: {line[:80]!r}")
    text = line[:-1].decode("utf-8", errors="strict")
    record = json.loads(text, object_pairs_hook=_reject_duplicates,
                        parse_float=lambda s: (_ for _ in ()).throw(ValueError(f"float {s}")))
    again = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if again != text:
        raise ValueError(f"not canonical:\n{text}\n{again}")
    return record


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


_validator = None


def schema_validator():
    """The repository's JSON Schema of records (schema/records-v2.schema.json), checked by the
    independent `jsonschema` package."""
    global _validator
    if _validator is None:
        import jsonschema
        top = os.environ.get("ASOCAT_SOURCE_DIR") or os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(top, "schema", "records-v2.schema.json")) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validator = jsonschema.Draft202012Validator(schema)
    return _validator


def read_records(log_dir: str) -> list:
    """All records in log_dir/audit.jsonl, parsed strictly and validated against the JSON
    Schema: every e2e suite that reads records checks every record it reads."""
    path = os.path.join(log_dir, "audit.jsonl")
    data = read_bytes(path)
    if data and not data.endswith(b"\n"):
        raise ValueError(f"{path} ends in a torn line")
    records = [parse_record(line + b"\n") for line in data.split(b"\n")[:-1]]
    for record in records:
        schema_validator().validate(record)
    return records


def session_records(log_dir: str) -> list:
    """The session.start and session.end records in log_dir/audit.jsonl, in order (the log's
    own header and checkpoint records left out)."""
    return [r for r in read_records(log_dir) if r["asocat"]["type"].startswith("session.")]


CAPTURE_TYPES = ("process.start", "process.exec", "process.end", "socket.bind",
                 "socket.listen", "socket.connect", "socket.accept", "socket.shutdown",
                 "stream.end", "stream.payload", "stream.truncated", "call.refused",
                 "capture.end")


def reassembled_payload(log_dir: str) -> dict:
    """Full capture, read back independently of socat-audit: every stream's stored bytes per
    direction, rebuilt from its stream.payload records (a run in the payload file, or a copy of
    bytes the same process received), keyed by (pid, fd, direction, n) where n counts the
    lifetimes of that descriptor. Each value is (bytes, the stream.end record's direction)."""
    current, lifetimes, streams = {}, {}, {}
    files = {}
    for record in read_records(log_dir):
        a = record["asocat"]
        pid = record.get("process", {}).get("pid")
        if a["type"] == "stream.payload":
            p = a["payload"]
            key = (pid, p["fd"], p["direction"])
            data = current.setdefault(key, bytearray())
            if len(data) != p["offset"]:
                raise ValueError(f"payload of {key} not contiguous at {p['offset']}")
            if "file" in p:
                if p["file"] not in files:
                    files[p["file"]] = read_bytes(os.path.join(log_dir, p["file"]))
                run = files[p["file"]][p["file_offset"]:p["file_offset"] + p["length"]]
            else:
                c = p["copy_of"]
                source = current[(c["pid"], c["fd"], c["direction"])]
                run = bytes(source[c["offset"]:c["offset"] + p["length"]])
            if len(run) != p["length"]:
                raise ValueError(f"payload of {key} short at {p['offset']}")
            data.extend(run)
        elif a["type"] == "stream.end":
            for direction in ("in", "out"):
                key = (pid, a["stream"]["fd"], direction)
                n = lifetimes.get(key, 0)
                lifetimes[key] = n + 1
                streams[key + (n,)] = (bytes(current.pop(key, b"")), a["stream"][direction])
    return streams


def public_key_path() -> str:
    """The public half of the signing key every test run shares (see harness.ensure_signing_key)."""
    return os.path.join(h.signing_key_dir(), "audit.pub")


def verify_log(*paths, state=None, pubkey=None, json_output=True):
    """Runs `socat-audit verify --pubkey` on the given log files; returns (exit status, the
    --json report or None, the CompletedProcess). 0 is verified and complete, 1 tampered,
    2 completeness not proven."""
    argv = [h.toolbox_path(), "verify", "--pubkey", pubkey or public_key_path()]
    if state:
        argv += ["--state", state]
    if json_output:
        argv.append("--json")
    done = run_measured(argv + list(paths), h.scaled(60))
    report = json.loads(done.stdout) if json_output and done.stdout else None
    return done.returncode, report, done


def run_measured(argv: list, timeout: float) -> subprocess.CompletedProcess:
    """Runs argv to its end like subprocess.run with captured output, and also reports that
    process's own peak RSS (`peak_kib`, from wait4): RUSAGE_CHILDREN would mix in every child
    the test process ever had."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        output = {}
        readers = [threading.Thread(target=lambda name, f: output.__setitem__(name, f.read()),
                                    args=(name, f))
                   for name, f in (("stdout", proc.stdout), ("stderr", proc.stderr))]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout)
        if any(reader.is_alive() for reader in readers):
            proc.kill()
            for reader in readers:
                reader.join()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(argv, proc.returncode, output["stdout"], output["stderr"])
    done.peak_kib = usage.ru_maxrss
    return done


CHAIN_FIELDS = ("log", "seq", "prev")


def without_chain(asocat: dict) -> dict:
    """An asocat object without the fields the evidence layer stamps (log, seq, prev)."""
    return {k: v for k, v in asocat.items() if k not in CHAIN_FIELDS}


def require_root(test: unittest.TestCase):
    if os.geteuid() != 0:
        test.skipTest("needs root")


_in_private_namespace = False


def enter_private_mount_namespace():
    """Moves this whole test process into a new mount namespace whose mounts do not propagate
    back, so tmpfs and bind mounts made by the test vanish with it. Raises SkipTest if that is
    not possible (not root). Idempotent."""
    global _in_private_namespace
    if _in_private_namespace:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    clone_newns = 0x00020000
    if os.geteuid() != 0 or libc.unshare(clone_newns) != 0:
        raise unittest.SkipTest("needs root and unshare(CLONE_NEWNS)")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    _in_private_namespace = True


def mount(*args):
    subprocess.run(["mount", *args], check=True)


def marker_args(marker: str) -> list:
    """socat arguments that create `marker` if, and only if, socat really runs."""
    return ["-u", "OPEN:/dev/null", f"CREATE:{marker}"]


def main():
    """unittest.main with an exit status CTest understands."""
    program = unittest.main(exit=False, verbosity=2)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun == len(result.skipped) and result.testsRun > 0:
        sys.exit(SKIP)
    sys.exit(0)
