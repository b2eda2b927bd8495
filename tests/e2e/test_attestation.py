#!/usr/bin/python3
"""The attested tier: identity tokens made here by a test issuer (issuer.py: its own RSA, EC and
Ed25519 keys), verified by the wrapper against a JWKS file or a JWKS URL on a loopback HTTP
server, or requested from a GitHub Actions style endpoint on that server. Every bad token must
be recorded as rejected with its reason; only when the configuration requires attestation does
the wrapper refuse to start socat (status 125, one line). Tickets are held to their pattern.
Every start record read is validated against the JSON Schema, every log verified."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import unittest

import audit
import harness as h
import issuer as I
from test_identity import CLAIM_PREFIXES


class Attestation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.issuer = I.Issuer()

    def setUp(self):
        self.dir = h.make_temp_dir("attestation", self.id().rsplit(".", 1)[-1])
        self.logs = os.path.join(self.dir, "logs")
        self.env = {k: v for k, v in h.base_environment().items()
                    if not k.startswith(CLAIM_PREFIXES) and k != "ACTIONS_ID_TOKEN_REQUEST_URL"}
        self.env["AUDITED_SOCAT_LOG_DIR"] = self.logs
        self.env["XDG_CACHE_HOME"] = os.path.join(self.dir, "cache")
        self.jwks_file = os.path.join(self.dir, "jwks.json")
        with open(self.jwks_file, "w") as f:
            json.dump(self.issuer.jwks(), f)
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.close()

    # --- helpers ------------------------------------------------------------------------------

    def configure(self, text: str):
        path = os.path.join(self.dir, "config.toml")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        self.env["AUDITED_SOCAT_CONFIG"] = path

    def oidc(self, jwks: str | None = None, extra: str = "", identity: str = "") -> str:
        return (f"[identity]\n{identity}\n[[identity.oidc]]\nissuer = \"{I.ISSUER}\"\n"
                f"audience = [\"other\", \"{I.AUDIENCE}\"]\njwks = \"{jwks or self.jwks_file}\"\n"
                f"{extra}\n")

    def run_socat(self, token: str | None = None, extra_env=None, status: int = 0):
        """audited-socat creating a marker; returns (result, start record, end record, ran)."""
        marker = os.path.join(self.dir, "ran")
        if os.path.exists(marker):
            os.unlink(marker)
        env = dict(extra_env or {})
        if token is not None:
            env["AUDITED_SOCAT_IDENTITY_TOKEN"] = token
        result = audit.run_wrapper(audit.marker_args(marker), env=self.env, extra_env=env,
                                   cwd=self.dir)
        self.assertEqual(result.returncode, status, result.stderr)
        records = audit.session_records(self.logs)  # validated against the schema
        status_, _, done = audit.verify_log(os.path.join(self.logs, "audit.jsonl"))
        self.assertEqual(status_, 0, done.stdout)
        start = [r for r in records if r["asocat"]["type"] == "session.start"][-1]
        end = [r for r in records if r["asocat"]["type"] == "session.end"][-1]
        return result, start, end, os.path.exists(marker)

    def attested(self, token: str | None = None, extra_env=None) -> dict:
        result, start, _, ran = self.run_socat(token, extra_env)
        self.assertEqual(result.stderr, b"")
        self.assertTrue(ran)
        return start["asocat"]["identity"]["attested"]

    def assert_rejected(self, token: str, reason: str):
        attested = self.attested(token)
        self.assertEqual((attested["status"], attested["reason"]), ("rejected", reason),
                         attested)
        self.assertEqual(attested["token_sha256"], I.sha256_hex(token))
        self.assertNotIn(token, json.dumps(attested))

    # --- valid tokens -------------------------------------------------------------------------

    def test_valid_tokens_of_each_algorithm_are_verified_and_kept_without_the_token(self):
        self.configure(self.oidc())
        for alg, key in self.issuer.keys.items():
            token = I.token(key, I.claims(sub=f"user-{alg}"))
            attested = self.attested(token)
            self.assertEqual(attested["status"], "verified", attested)
            self.assertEqual((attested["source"], attested["location"]),
                             ("environment", "AUDITED_SOCAT_IDENTITY_TOKEN"))
            self.assertEqual((attested["reason"], attested["detail"]), (None, None))
            self.assertEqual(attested["token_sha256"], I.sha256_hex(token))
            t = attested["token"]
            self.assertEqual((t["issuer"], t["subject"], t["audience"], t["algorithm"], t["kid"]),
                             (I.ISSUER, f"user-{alg}", I.AUDIENCE, alg, key.kid))
            self.assertEqual((t["mfa"], t["amr"], t["acr"]), (True, ["pwd", "otp", "mfa"], None))
            self.assertEqual(t["claims"]["sub"], f"user-{alg}")
            self.assertEqual(attested["binding"], [])
            self.assertNotIn(token, audit.read_bytes(os.path.join(self.logs, "audit.jsonl"))
                             .decode())

    def test_mfa_comes_from_amr_or_a_configured_acr(self):
        self.configure(self.oidc(extra='mfa_acr = ["phr"]'))
        key = self.issuer.keys["EdDSA"]
        one_factor = self.attested(I.token(key, I.claims(amr=["pwd"])))
        self.assertEqual(one_factor["token"]["mfa"], False)
        by_acr = self.attested(I.token(key, I.claims(amr=None, acr="phr")))
        self.assertEqual((by_acr["token"]["mfa"], by_acr["token"]["acr"]), (True, "phr"))
        unknown = self.attested(I.token(key, I.claims(amr=None)))
        self.assertIsNone(unknown["token"]["mfa"])

    def test_a_token_file_is_read(self):
        self.configure(self.oidc())
        path = os.path.join(self.dir, "token")
        token = I.token(self.issuer.keys["RS256"], I.claims())
        with open(path, "w") as f:
            f.write(token + "\n")
        attested = self.attested(extra_env={"AUDITED_SOCAT_IDENTITY_TOKEN_FILE": path})
        self.assertEqual((attested["status"], attested["source"], attested["location"]),
                         ("verified", "file", path))
        self.assertEqual(attested["token_sha256"], I.sha256_hex(token))
        # A FIFO planted as the token file is refused, not waited on.
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo)
        refused = self.attested(extra_env={"AUDITED_SOCAT_IDENTITY_TOKEN_FILE": fifo})
        self.assertEqual((refused["status"], refused["reason"], refused["detail"]),
                         ("unavailable", "token-unreadable", f"{fifo} is not a regular file"))

    def test_a_gitlab_id_token_variable_named_in_config_is_read(self):
        self.configure(self.oidc(identity='token_env = "GITLAB_OIDC_TOKEN"'))
        token = I.token(self.issuer.keys["ES256"], I.claims())
        attested = self.attested(extra_env={"GITLAB_OIDC_TOKEN": token})
        self.assertEqual((attested["status"], attested["location"]),
                         ("verified", "GITLAB_OIDC_TOKEN"))

    # --- bad tokens ---------------------------------------------------------------------------

    def test_every_bad_token_is_recorded_as_rejected_with_its_reason(self):
        self.configure(self.oidc())
        rsa, ec, ed = (self.issuer.keys[a] for a in ("RS256", "ES256", "EdDSA"))
        now = int(time.time())
        valid = I.token(rsa, I.claims())
        second_dot = valid.index(".", valid.index(".") + 1)
        cases = [
            ("expired", I.token(ec, I.claims(exp=now - 3600))),
            ("not-yet-valid", I.token(ec, I.claims(nbf=now + 3600))),
            ("wrong-issuer", I.token(ec, I.claims(iss="https://elsewhere.test"))),
            ("wrong-audience", I.token(ec, I.claims(aud="someone-else"))),
            ("unknown-kid", I.token(ed, I.claims(), header={"kid": "nobody"})),
            ("alg-none", I.unsigned_token(I.claims())),
            # The classic confusion: the issuer's public key used as an HMAC secret.
            ("alg-hmac", I.hmac_token(rsa.public_pem(), I.claims(), rsa.kid)),
            ("alg-key-mismatch", I.token(ec, I.claims(), header={"alg": "RS256"})),
            ("bad-signature", I.tampered(valid, sub="mallory@example.test")),
            # Truncated: without its signature part; cut inside the signature (340 of 342
            # base64url characters: 255 of its 256 bytes, still canonical base64url); and cut
            # where the base64url is no longer canonical.
            ("malformed", valid[:second_dot]),
            ("bad-signature", valid[:second_dot + 1 + 340]),
            ("malformed", valid[:-1]),
            ("too-large", I.token(ed, I.claims(padding="x" * 20000))),
        ]
        for reason, token in cases:
            with self.subTest(reason):
                self.assert_rejected(token, reason)

    def test_a_required_attestation_that_fails_stops_socat_with_125_and_is_recorded(self):
        self.configure(self.oidc(identity="require_attested = true"))
        expired = I.token(self.issuer.keys["ES256"], I.claims(exp=int(time.time()) - 3600))
        result, start, end, ran = self.run_socat(expired, status=125)
        self.assertFalse(ran)
        stderr = result.stderr.decode()
        self.assertEqual(stderr.count("\n"), 1, stderr)
        self.assertTrue(stderr.startswith("audited-socat: the identity token is required but was "
                                          "rejected (expired): "), stderr)
        self.assertTrue(stderr.endswith("; socat not started\n"), stderr)
        self.assertEqual(start["asocat"]["identity"]["attested"]["reason"], "expired")
        self.assertEqual(end["asocat"]["end"]["reason"], "identity-refused")
        self.assertEqual(end["asocat"]["end"]["wrapper_status"], 125)
        # The token's own words (a kid) cannot split the one line.
        evil = I.token(self.issuer.keys["ES256"], I.claims(), header={"kid": "x\nforged line"})
        result, start, _, _ = self.run_socat(evil, status=125)
        stderr = result.stderr.decode()
        self.assertEqual(stderr.count("\n"), 1, stderr)
        self.assertIn("has kid x\\x0aforged line", stderr)
        self.assertEqual(start["asocat"]["identity"]["attested"]["detail"],
                         "no key in the JWKS has kid x\nforged line")
        # None at all is refused the same way.
        result, start, end, ran = self.run_socat(None, status=125)
        self.assertFalse(ran)
        self.assertEqual(start["asocat"]["identity"]["attested"]["reason"], "no-token")
        self.assertIn("an identity token is required", result.stderr.decode())
        # A good one starts socat.
        good = I.token(self.issuer.keys["ES256"], I.claims())
        _, start, end, ran = self.run_socat(good)
        self.assertTrue(ran)
        self.assertEqual(start["asocat"]["identity"]["attested"]["status"], "verified")
        self.assertEqual(end["asocat"]["end"]["reason"], "exited")

    def test_without_a_source_or_requirement_nothing_is_attested(self):
        _, start, _, ran = self.run_socat(None)
        self.assertTrue(ran)
        self.assertIsNone(start["asocat"]["identity"]["attested"])
        self.assertIsNone(start["asocat"]["identity"]["ticket"])

    # --- binding ------------------------------------------------------------------------------

    def test_a_token_bound_to_kernel_facts_must_match_them(self):
        self.configure(self.oidc(extra='bind = { uid = "uid", host = "host" }'))
        key = self.issuer.keys["EdDSA"]
        host = socket.gethostname()
        bound = self.attested(I.token(key, I.claims(uid=os.geteuid(), host=host)))
        self.assertEqual(bound["status"], "verified", bound)
        # Checked in the order of the facts' names.
        self.assertEqual(bound["binding"], [
            {"fact": "host", "claim": "host", "actual": host, "matched": True},
            {"fact": "uid", "claim": "uid", "actual": str(os.geteuid()), "matched": True}])
        elsewhere = self.attested(I.token(key, I.claims(uid=os.geteuid(), host="other-host")))
        self.assertEqual((elsewhere["status"], elsewhere["reason"]),
                         ("rejected", "binding-mismatch"))
        self.assertEqual([b["matched"] for b in elsewhere["binding"]], [False, True])
        # What the token said is kept: whose token was replayed here.
        self.assertEqual(elsewhere["token"]["claims"]["host"], "other-host")

    def test_binding_to_an_unset_loginuid_never_matches(self):
        with open("/proc/self/loginuid") as f:
            if f.read().strip() != "4294967295":
                self.skipTest("this test needs an unset loginuid")
        self.configure(self.oidc(extra='bind = { loginuid = "loginuid" }'))
        token = I.token(self.issuer.keys["ES256"], I.claims(loginuid="4294967295"))
        attested = self.attested(token)
        self.assertEqual((attested["status"], attested["reason"]),
                         ("rejected", "binding-mismatch"))
        self.assertEqual(attested["binding"], [{"fact": "loginuid", "claim": "loginuid",
                                                "actual": None, "matched": False}])

    # --- JWKS over HTTP -----------------------------------------------------------------------

    def test_a_jwks_url_is_fetched_cached_and_refetched_once_for_a_new_kid(self):
        self.server = I.Server(self.issuer.jwks())
        self.configure(self.oidc(jwks=self.server.url("/jwks")))
        key = self.issuer.keys["RS256"]
        self.assertEqual(self.attested(I.token(key, I.claims()))["status"], "verified")
        self.assertEqual(self.server.hits("/jwks"), 1)
        self.assertEqual(self.attested(I.token(key, I.claims()))["status"], "verified")
        self.assertEqual(self.server.hits("/jwks"), 1)  # from the cache
        # The issuer rotates in a new key: the cached set lacks its kid, one refetch finds it.
        rotated = I.Key("ES256", "es256-2")
        self.server.jwks = self.issuer.jwks(list(self.issuer.keys.values()) + [rotated])
        self.assertEqual(self.attested(I.token(rotated, I.claims()))["status"], "verified")
        self.assertEqual(self.server.hits("/jwks"), 2)
        # A kid nobody has costs one refetch, then is refused.
        stranger = I.Key("ES256", "es256-9")
        self.assertEqual(self.attested(I.token(stranger, I.claims()))["reason"], "unknown-kid")
        self.assertEqual(self.server.hits("/jwks"), 3)

    def test_a_jwks_that_cannot_be_fetched_is_reported_in_bounded_time(self):
        self.server = I.Server(self.issuer.jwks())
        self.configure(self.oidc(jwks=self.server.url("/stall"),
                                 identity="fetch_timeout = 0.5"))
        token = I.token(self.issuer.keys["RS256"], I.claims())
        started = time.monotonic()
        attested = self.attested(token)
        self.assertLess(time.monotonic() - started, h.scaled(20))
        self.assertEqual((attested["status"], attested["reason"]),
                         ("unavailable", "jwks-unavailable"))
        self.assertIn("/stall", attested["detail"])
        self.assertEqual(attested["token_sha256"], I.sha256_hex(token))

    # --- GitHub Actions -----------------------------------------------------------------------

    def test_a_github_actions_token_is_requested_with_the_configured_audience(self):
        self.server = I.Server(self.issuer.jwks())
        self.configure(self.oidc(jwks=self.server.url("/jwks"),
                                 identity=f'github_audience = "{I.AUDIENCE}"'))
        token = I.token(self.issuer.keys["RS256"],
                        I.claims(sub="repo:example/app:ref:refs/heads/main", amr=None))
        self.server.token_value = token
        actions = {"ACTIONS_ID_TOKEN_REQUEST_URL": self.server.url("/token?api-version=2.0"),
                   "ACTIONS_ID_TOKEN_REQUEST_TOKEN": I.Server.BEARER}
        attested = self.attested(extra_env=actions)
        self.assertEqual((attested["status"], attested["source"], attested["location"]),
                         ("verified", "github-actions", self.server.url("/token")))
        self.assertEqual(attested["token"]["subject"], "repo:example/app:ref:refs/heads/main")
        self.assertEqual(attested["token_sha256"], I.sha256_hex(token))
        path, query, authorization = self.server.requests[0]
        self.assertEqual((path, query["audience"], query["api-version"], authorization),
                         ("/token", [I.AUDIENCE], ["2.0"], "bearer " + I.Server.BEARER))
        log = audit.read_bytes(os.path.join(self.logs, "audit.jsonl")).decode()
        self.assertNotIn(I.Server.BEARER, log)
        # A refused request is recorded, and socat still runs (attestation is not required).
        actions["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "wrong"
        refused = self.attested(extra_env=actions)
        self.assertEqual((refused["status"], refused["reason"]),
                         ("unavailable", "token-fetch-failed"))
        self.assertIn("HTTP 403", refused["detail"])

    # --- tickets ------------------------------------------------------------------------------

    def test_a_ticket_is_recorded_and_held_to_its_pattern(self):
        self.configure('[ticket]\npattern = "[A-Z]+-[0-9]+"\n')
        _, start, _, ran = self.run_socat(extra_env={"AUDITED_SOCAT_TICKET": "OPS-1234"})
        self.assertTrue(ran)
        self.assertEqual(start["asocat"]["identity"]["ticket"],
                         {"id": "OPS-1234", "truncated": False, "source": "environment",
                          "pattern": "[A-Z]+-[0-9]+", "matches": True, "approval": None})
        result, start, end, ran = self.run_socat(
            extra_env={"AUDITED_SOCAT_TICKET": "ops 1234\nrm -rf"}, status=125)
        self.assertFalse(ran)
        self.assertEqual(result.stderr.decode(),
                         'audited-socat: ticket "ops 1234\\x0arm -rf" does not match the '
                         "configured pattern [A-Z]+-[0-9]+; socat not started\n")
        self.assertEqual(start["asocat"]["identity"]["ticket"]["matches"], False)
        self.assertEqual(end["asocat"]["end"]["reason"], "identity-refused")
        huge = "OPS-" + "1" * 5000
        _, start, _, _ = self.run_socat(extra_env={"AUDITED_SOCAT_TICKET": huge}, status=125)
        ticket = start["asocat"]["identity"]["ticket"]
        self.assertEqual((len(ticket["id"]), ticket["truncated"], ticket["matches"]),
                         (256, True, False))

    def test_a_required_ticket_must_be_given(self):
        self.configure("[ticket]\nrequired = true\n")
        result, _, end, ran = self.run_socat(status=125)
        self.assertFalse(ran)
        self.assertEqual(result.stderr.decode(), "audited-socat: a ticket is required: set "
                                                 "AUDITED_SOCAT_TICKET; socat not started\n")
        self.assertEqual(end["asocat"]["end"]["reason"], "identity-refused")
        _, start, _, ran = self.run_socat(extra_env={"AUDITED_SOCAT_TICKET": "CHG-7"})
        self.assertTrue(ran)
        self.assertEqual(start["asocat"]["identity"]["ticket"]["matches"], None)

    def test_a_ticket_can_be_an_approval_token_naming_the_ticket(self):
        approvals = I.Issuer()
        approvals_jwks = os.path.join(self.dir, "approvals.json")
        with open(approvals_jwks, "w") as f:
            json.dump(approvals.jwks(), f)
        issuer = "https://approvals.test"
        self.configure(self.oidc() + f'[[identity.oidc]]\nissuer = "{issuer}"\n'
                       f'audience = "{I.AUDIENCE}"\njwks = "{approvals_jwks}"\n'
                       f'[ticket]\napproval_issuer = "{issuer}"\npattern = "CHG-[0-9]+"\n')
        key = approvals.keys["EdDSA"]
        approval = I.token(key, I.claims(iss=issuer, sub="bob@example.test", ticket="CHG-77"))
        _, start, _, ran = self.run_socat(extra_env={"AUDITED_SOCAT_TICKET": approval})
        self.assertTrue(ran)
        ticket = start["asocat"]["identity"]["ticket"]
        self.assertEqual((ticket["id"], ticket["matches"], ticket["source"]),
                         ("CHG-77", True, "environment"))
        self.assertEqual((ticket["approval"]["status"], ticket["approval"]["token"]["subject"],
                          ticket["approval"]["token_sha256"]),
                         ("verified", "bob@example.test", I.sha256_hex(approval)))
        self.assertNotIn(approval, json.dumps(start))
        # An approval the approver did not sign, or one that names no ticket, stops socat.
        cases = [(I.tampered(approval, ticket="CHG-78"), "bad-signature"),
                 (I.token(key, I.claims(iss=issuer)), "missing-claim"),
                 # The identity issuer is not an approver.
                 (I.token(self.issuer.keys["EdDSA"], I.claims(ticket="CHG-1")), "wrong-issuer")]
        for forged, reason in cases:
            with self.subTest(reason):
                result, start, end, ran = self.run_socat(
                    extra_env={"AUDITED_SOCAT_TICKET": forged}, status=125)
                self.assertFalse(ran)
                self.assertIn(f"the ticket's approval token was not accepted ({reason})",
                              result.stderr.decode())
                ticket = start["asocat"]["identity"]["ticket"]
                self.assertEqual((ticket["id"], ticket["approval"]["reason"]), ("", reason))
                self.assertEqual(end["asocat"]["end"]["reason"], "identity-refused")

    def test_show_sums_up_the_attestation_and_the_ticket(self):
        self.configure(self.oidc())
        token = I.token(self.issuer.keys["ES256"], I.claims(sub="alice@example.test"))
        self.run_socat(token, extra_env={"AUDITED_SOCAT_TICKET": "OPS-9"})
        shown = subprocess.run([h.toolbox_path(), "show", "--log-dir", self.logs],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=h.scaled(h.EXIT_TIMEOUT))
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(f"  identity      attested alice@example.test by {I.ISSUER}, with MFA via "
                      "environment; ticket OPS-9\n", shown.stdout)

    # --- configuration errors -----------------------------------------------------------------

    def test_bad_identity_configuration_names_file_line_and_fix(self):
        cases = [
            ('[identity]\nrequire_attested = "yes"\n', "2:1: 'require_attested' must be true or false"),
            ('[[identity.oidc]]\nissuer = "x"\naudience = "y"\njwks = "http://example.com/k"\n',
             "4:1: 'jwks' must be an absolute path or an https:// URL: http:// is accepted only "
             "for a loopback host"),
            ('[[identity.oidc]]\nissuer = "x"\njwks = "/k"\n',
             "1:1: [[identity.oidc]] needs 'audience'"),
            ('[[identity.oidc]]\nissuer = "x"\naudience = "y"\njwks = "/k"\nbind = { pid = "p" }\n',
             "5:10: cannot bind a token to 'pid'"),
            ('[ticket]\npattern = "(["\n', "2:1: 'pattern' is not a valid regular expression"),
            ('[identity]\nfavourite = 1\n', "2:1: unknown key 'identity.favourite'"),
        ]
        marker = os.path.join(self.dir, "ran")
        for text, expected in cases:
            with self.subTest(expected):
                self.configure(text)
                result = audit.run_wrapper(audit.marker_args(marker), env=self.env, cwd=self.dir)
                self.assertEqual(result.returncode, 125)
                stderr = result.stderr.decode()
                self.assertEqual(stderr.count("\n"), 1, stderr)
                self.assertIn(os.path.join(self.dir, "config.toml") + ":" + expected, stderr)
                self.assertFalse(os.path.exists(marker))
        # Across tables: an approver must be an accepted issuer.
        self.configure('[ticket]\napproval_issuer = "https://nobody"\n')
        result = audit.run_wrapper(audit.marker_args(marker), env=self.env, cwd=self.dir)
        self.assertEqual((result.returncode, result.stderr.decode()), (125,
                         'audited-socat: ticket.approval_issuer "https://nobody" names no '
                         "[[identity.oidc]] issuer; add one for it; socat not started\n"))
        self.assertFalse(os.path.exists(marker))


if __name__ == "__main__":
    audit.main()
