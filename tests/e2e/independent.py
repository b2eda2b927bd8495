"""An independent reading of audited-socat's evidence format, written from the format spec
(man/audited-socat-records.7) with Python's hashlib and the `cryptography` package only: RFC
6962 leaf/node hashes, the prev-hash chain, Merkle roots, and C2SP signed-note checkpoints
with Ed25519 key IDs. Tests use it to show that what the C++ writer produces is what the spec
says, not merely what the C++ verifier accepts."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014 "


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 MTH over leaf hashes, by its recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def frontier(leaves: list[bytes]) -> list[bytes]:
    """Roots of the maximal perfect subtrees of the tree over `leaves`, largest first."""
    out, start, size = [], 0, len(leaves)
    for bit in reversed(range(64)):
        if size & (1 << bit):
            out.append(merkle_root(leaves[start:start + (1 << bit)]))
            start += 1 << bit
    return out


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public_key).digest()[:4]


def parse_vkey(vkey: str) -> tuple[str, bytes]:
    name, hex_id, blob = vkey.strip().split("+", 2)  # the base64 may hold "+" too
    raw = base64.b64decode(blob, validate=True)
    assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 vkey"
    assert key_id(name, raw[1:]).hex() == hex_id, "vkey key id mismatch"
    return name, raw[1:]


def verify_note(note: str, name: str, public_key: bytes) -> str:
    """Returns the signed text if a signature line by (name, key) verifies; raises otherwise."""
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        assert line.startswith(EM_DASH), f"malformed signature line {line!r}"
        signer, blob = line[len(EM_DASH):].split(" ")
        raw = base64.b64decode(blob, validate=True)
        if signer == name and raw[:4] == key_id(name, public_key):
            Ed25519PublicKey.from_public_bytes(public_key).verify(raw[4:], text.encode())
            return text
    raise InvalidSignature("no signature by the pinned key")


def check_log(path: str, vkey: str) -> dict:
    """Walks one log file: chain, sequence, Merkle roots of every checkpoint, signatures.
    Returns counts; raises AssertionError (or InvalidSignature) at the first problem."""
    name, public_key = parse_vkey(vkey)
    leaves: list[bytes] = []
    prev = None
    log_id = origin = None
    counts = {"records": 0, "checkpoints": 0}
    with open(path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\n"), "torn last line"
    for number, line in enumerate(data.split(b"\n")[:-1]):
        record = json.loads(line)
        a = record["asocat"]
        assert a["format"] == 2
        if number == 0:
            assert a["type"] == "log.header" and a["seq"] == 0
            log_id, origin = a["log"], a["origin"]
            prev = base64.b64decode(a["prev"])
        assert a["log"] == log_id, f"line {number + 1}: another log"
        assert a["seq"] == number, f"line {number + 1}: seq {a['seq']}"
        assert base64.b64decode(a["prev"]) == prev, f"line {number + 1}: prev"
        if a["type"] == "checkpoint":
            root = merkle_root(leaves)
            assert a["size"] == len(leaves)
            assert base64.b64decode(a["root"]) == root, f"line {number + 1}: root"
            assert [base64.b64decode(x) for x in a["frontier"]] == frontier(leaves)
            text = verify_note(a["note"], name, public_key)
            assert text == f"{origin}\n{len(leaves)}\n{base64.b64encode(root).decode()}\n"
            counts["checkpoints"] += 1
        prev = leaf_hash(line)
        leaves.append(prev)
        counts["records"] += 1
    return counts
