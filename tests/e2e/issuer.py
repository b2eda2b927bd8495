"""A test identity issuer: its own RSA, EC P-256 and Ed25519 keys (python3-cryptography), their
JWKS, tokens signed with them (and deliberately broken ones), and a loopback HTTP server that
serves the JWKS and a GitHub Actions style token endpoint, counting what it was asked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISSUER = "https://issuer.test"
AUDIENCE = "audited-socat"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(value: int, length: int | None = None) -> bytes:
    length = length or (value.bit_length() + 7) // 8
    return value.to_bytes(length, "big")


class Key:
    """One signing key: `alg` is RS256, ES256 or EdDSA."""

    def __init__(self, alg: str, kid: str):
        self.alg = alg
        self.kid = kid
        if alg == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        else:
            self.private = ed25519.Ed25519PrivateKey.generate()

    def jwk(self) -> dict:
        public = self.private.public_key()
        if self.alg == "RS256":
            numbers = public.public_numbers()
            return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                    "n": b64url(_int_bytes(numbers.n)), "e": b64url(_int_bytes(numbers.e))}
        if self.alg == "ES256":
            numbers = public.public_numbers()
            return {"kty": "EC", "kid": self.kid, "use": "sig", "alg": "ES256", "crv": "P-256",
                    "x": b64url(_int_bytes(numbers.x, 32)), "y": b64url(_int_bytes(numbers.y, 32))}
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "kid": self.kid, "use": "sig", "alg": "EdDSA", "crv": "Ed25519",
                "x": b64url(raw)}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, message: bytes) -> bytes:
        if self.alg == "RS256":
            return self.private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        if self.alg == "ES256":
            r, s = decode_dss_signature(self.private.sign(message, ec.ECDSA(hashes.SHA256())))
            return _int_bytes(r, 32) + _int_bytes(s, 32)
        return self.private.sign(message)


def claims(**overrides) -> dict:
    """A valid claim set for ISSUER and AUDIENCE, issued now, valid for ten minutes."""
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice@example.test", "iat": now,
            "nbf": now, "exp": now + 600, "amr": ["pwd", "otp", "mfa"]}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def token(key: Key, payload: dict, header: dict | None = None) -> str:
    head = {"alg": key.alg, "typ": "JWT", "kid": key.kid}
    head.update(header or {})
    head = {k: v for k, v in head.items() if v is not None}
    signed = (b64url(json.dumps(head).encode()) + "." +
              b64url(json.dumps(payload).encode())).encode()
    return signed.decode() + "." + b64url(key.sign(signed))


def unsigned_token(payload: dict) -> str:
    """alg "none": no signature at all."""
    head = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return head + "." + b64url(json.dumps(payload).encode()) + "."


def hmac_token(secret: bytes, payload: dict, kid: str) -> str:
    """HS256 keyed with `secret` (the classic attack uses the issuer's public key as secret)."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    signed = (head + "." + b64url(json.dumps(payload).encode())).encode()
    return signed.decode() + "." + b64url(hmac.new(secret, signed, hashlib.sha256).digest())


def tampered(jwt: str, **changes) -> str:
    """`jwt` with its payload changed and the original signature kept."""
    head, payload, signature = jwt.split(".")
    claims_ = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims_.update(changes)
    return head + "." + b64url(json.dumps(claims_).encode()) + "." + signature


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Issuer:
    """Keys of every algorithm, by kid."""

    def __init__(self):
        self.keys = {alg: Key(alg, f"{alg.lower()}-1") for alg in ("RS256", "ES256", "EdDSA")}

    def jwks(self, keys=None) -> dict:
        return {"keys": [k.jwk() for k in (keys if keys is not None else self.keys.values())]}


class Server:
    """A loopback HTTP server: GET /jwks serves `jwks` (changeable), GET /token serves a GitHub
    Actions token answer when the bearer and audience are right; /stall never answers."""

    BEARER = "request-token-for-tests"

    def __init__(self, jwks: dict):
        self.jwks = jwks
        self.token_value = None
        self.requests: list = []
        self.stall = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                outer.requests.append((url.path, query, self.headers.get("Authorization")))
                if url.path == "/stall":
                    outer.stall.wait(30)
                    return
                if url.path == "/jwks":
                    self.answer(200, outer.jwks)
                elif url.path == "/token":
                    if (self.headers.get("Authorization") != "bearer " + outer.BEARER or
                            query.get("audience") != [AUDIENCE] or outer.token_value is None):
                        self.answer(403, {"message": "no"})
                    else:
                        self.answer(200, {"count": 1, "value": outer.token_value})
                else:
                    self.answer(404, {})

            def answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p == path)

    def close(self):
        self.stall.set()
        self.httpd.shutdown()
        self.httpd.server_close()
