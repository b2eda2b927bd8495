#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "identity/jwk.hpp"
#include "identity/jwt.hpp"
#include "token_forge.hpp"
#include "util/sha256.hpp"

using asocat::identity::JwkSet;
using asocat::identity::SignatureAlgorithm;
using asocat::identity::TokenPolicy;
using asocat::identity::TokenRejection;
using asocat::identity::VerifiedToken;
using asocat::identity::verify_token;
using asocat::test::b64url;
using asocat::test::IssuerKey;
using asocat::test::jwks_of;
using asocat::test::signed_token;

namespace {

constexpr std::int64_t kNow = 1796423000;
const std::string kIssuer = "https://issuer.example";

// One issuer with a key of each accepted algorithm, published in one JWKS.
struct Issuer {
    IssuerKey rsa = IssuerKey::rsa("r1");
    IssuerKey ec = IssuerKey::ec("e1");
    IssuerKey ed = IssuerKey::ed25519("d1");
    JwkSet keys = parse(jwks_of({rsa.jwk(), ec.jwk(true), ed.jwk()}));
    TokenPolicy policy = [] {
        TokenPolicy p;
        p.issuers = {"https://other.example", kIssuer};
        p.audiences = {"audited-socat"};
        p.now = kNow;
        p.mfa_acr_values = {"phr"};
        return p;
    }();

    static JwkSet parse(const std::string& text) {
        auto set = JwkSet::parse(text);
        REQUIRE(set);
        REQUIRE(set->skipped.empty());
        return std::move(*set);
    }
};

std::string header_for(const IssuerKey& key) {
    return R"({"alg":")" + std::string(asocat::identity::algorithm_name(key.algorithm())) +
           R"(","typ":"JWT","kid":")" + key.kid() + R"("})";
}

std::string claims(const std::string& extra = "") {
    return R"({"iss":")" + kIssuer + R"(","sub":"alice@example","aud":"audited-socat",)" +
           R"("iat":)" + std::to_string(kNow - 10) + R"(,"exp":)" + std::to_string(kNow + 300) +
           extra + "}";
}

VerifiedToken accepted(const asocat::identity::TokenResult& result) {
    if (const auto* rejection = std::get_if<TokenRejection>(&result)) {
        FAIL("refused: " << rejection->reason << ": " << rejection->detail);
    }
    return std::get<VerifiedToken>(result);
}

std::string refusal(const asocat::identity::TokenResult& result) {
    REQUIRE(std::holds_alternative<TokenRejection>(result));
    return std::get<TokenRejection>(result).reason;
}

} // namespace

TEST_CASE("RS256, ES256 and EdDSA tokens verify against the issuer's JWKS", "[identity][jwt]") {
    Issuer issuer;
    for (const IssuerKey* key : {&issuer.rsa, &issuer.ec, &issuer.ed}) {
        CAPTURE(key->kid());
        const std::string token = signed_token(*key, header_for(*key), claims());
        const auto verified = accepted(verify_token(token, issuer.keys, issuer.policy));
        CHECK(verified.algorithm == key->algorithm());
        CHECK(verified.kid == key->kid());
        CHECK(verified.issuer == kIssuer);
        CHECK(verified.subject == "alice@example");
        CHECK(verified.audience == "audited-socat");
        CHECK(verified.expires == kNow + 300);
        CHECK(verified.issued_at == kNow - 10);
        CHECK_FALSE(verified.mfa.has_value()); // neither amr nor acr: unknown
        CHECK(verified.sha256 == asocat::util::to_hex(asocat::util::sha256(token)));
        CHECK(verified.claims == claims()); // canonical already: kept as signed
    }
}

TEST_CASE("a token's times are checked with a leeway of 60 s", "[identity][jwt]") {
    Issuer issuer;
    const auto with_times = [&](const std::string& times) {
        return signed_token(issuer.ed, header_for(issuer.ed),
                            R"({"iss":")" + kIssuer + R"(","aud":"audited-socat",)" + times + "}");
    };
    const auto at = [](std::int64_t t) { return std::to_string(t); };
    CHECK(refusal(verify_token(with_times(R"("exp":)" + at(kNow - 61)), issuer.keys,
                               issuer.policy)) == "expired");
    accepted(verify_token(with_times(R"("exp":)" + at(kNow - 60)), issuer.keys, issuer.policy));
    CHECK(refusal(
              verify_token(with_times(R"("exp":)" + at(kNow + 900) + R"(,"nbf":)" + at(kNow + 61)),
                           issuer.keys, issuer.policy)) == "not-yet-valid");
    accepted(verify_token(with_times(R"("exp":)" + at(kNow + 900) + R"(,"nbf":)" + at(kNow + 60)),
                          issuer.keys, issuer.policy));
    CHECK(refusal(verify_token(
              with_times(R"("exp":)" + at(kNow + 900) + R"(,"iat":)" + at(kNow + 3600)),
              issuer.keys, issuer.policy)) == "issued-in-future");
    CHECK(refusal(verify_token(with_times(R"("iat":)" + at(kNow)), issuer.keys,
                               issuer.policy)) == "missing-claim"); // no exp: never expires
    CHECK(refusal(verify_token(with_times(R"("exp":")" + at(kNow + 9) + R"(")"), issuer.keys,
                               issuer.policy)) == "malformed"); // a string, not a NumericDate
    CHECK(refusal(verify_token(with_times(R"("exp":1796423100.5)"), issuer.keys,
                               issuer.policy)) == "malformed"); // fractions are refused
}

TEST_CASE("the issuer and the audience must be accepted ones", "[identity][jwt]") {
    Issuer issuer;
    const auto token = [&](const std::string& iss, const std::string& aud) {
        return signed_token(issuer.rsa, header_for(issuer.rsa),
                            R"({"iss":)" + iss + R"(,"aud":)" + aud + R"(,"exp":)" +
                                std::to_string(kNow + 60) + "}");
    };
    CHECK(refusal(verify_token(token(R"("https://evil.example")", R"("audited-socat")"),
                               issuer.keys, issuer.policy)) == "wrong-issuer");
    CHECK(refusal(verify_token(token(R"("https://issuer.example/")", R"("audited-socat")"),
                               issuer.keys, issuer.policy)) == "wrong-issuer"); // exact match
    CHECK(refusal(verify_token(token(R"("https://issuer.example")", R"("other")"), issuer.keys,
                               issuer.policy)) == "wrong-audience");
    CHECK(refusal(verify_token(token(R"("https://issuer.example")", R"(["a","b"])"), issuer.keys,
                               issuer.policy)) == "wrong-audience");
    CHECK(accepted(verify_token(token(R"("https://issuer.example")", R"(["a","audited-socat"])"),
                                issuer.keys, issuer.policy))
              .audience == "audited-socat");
    CHECK(refusal(verify_token(token(R"(7)", R"("audited-socat")"), issuer.keys, issuer.policy)) ==
          "missing-claim");
}

TEST_CASE("unsigned, HMAC and unknown algorithms are refused before any key is used",
          "[identity][jwt]") {
    Issuer issuer;
    const std::string body = b64url(claims());
    CHECK(refusal(verify_token(b64url(R"({"alg":"none"})") + "." + body + ".", issuer.keys,
                               issuer.policy)) == "alg-none");
    CHECK(refusal(verify_token(b64url(R"({"alg":"nOnE","kid":"r1"})") + "." + body + ".",
                               issuer.keys, issuer.policy)) == "alg-none");
    // The classic confusion: HS256 keyed with the issuer's public key, which anyone has.
    const std::string hs_input = b64url(R"({"alg":"HS256","kid":"r1"})") + "." + body;
    const std::string public_jwk = issuer.rsa.jwk();
    CHECK(refusal(
              verify_token(hs_input + "." + b64url(asocat::test::hmac_sha256(public_jwk, hs_input)),
                           issuer.keys, issuer.policy)) == "alg-hmac");
    CHECK(refusal(verify_token(b64url(R"({"alg":"PS256","kid":"r1"})") + "." + body + ".AAAA",
                               issuer.keys, issuer.policy)) == "alg-unsupported");
    CHECK(refusal(verify_token(b64url(R"({"kid":"r1"})") + "." + body + ".AAAA", issuer.keys,
                               issuer.policy)) == "malformed");
    CHECK(refusal(verify_token(
              signed_token(issuer.rsa, R"({"alg":"RS256","kid":"r1","crit":["exp"]})", claims()),
              issuer.keys, issuer.policy)) == "critical-header");
}

TEST_CASE("the key is chosen by kid and must be of the token's algorithm", "[identity][jwt]") {
    Issuer issuer;
    // An RS256 header on the EC key's kid, signed by the RSA key: refused for the mismatch,
    // whatever the signature.
    CHECK(refusal(verify_token(signed_token(issuer.rsa, R"({"alg":"RS256","kid":"e1"})", claims()),
                               issuer.keys, issuer.policy)) == "alg-key-mismatch");
    CHECK(refusal(verify_token(signed_token(issuer.ec, R"({"alg":"ES256","kid":"gone"})", claims()),
                               issuer.keys, issuer.policy)) == "unknown-kid");
    // Without a kid, the one key of the algorithm is used; with two, none is guessed.
    accepted(verify_token(signed_token(issuer.ed, R"({"alg":"EdDSA"})", claims()), issuer.keys,
                          issuer.policy));
    const IssuerKey second = IssuerKey::ed25519("d2");
    const JwkSet two = Issuer::parse(jwks_of({issuer.ed.jwk(), second.jwk()}));
    CHECK(refusal(verify_token(signed_token(issuer.ed, R"({"alg":"EdDSA"})", claims()), two,
                               issuer.policy)) == "ambiguous-key");
    const JwkSet rsa_only = Issuer::parse(jwks_of({issuer.rsa.jwk()}));
    CHECK(refusal(verify_token(signed_token(issuer.ec, R"({"alg":"ES256"})", claims()), rsa_only,
                               issuer.policy)) == "no-key");
    // A key signed by another issuer's key under a known kid.
    const IssuerKey impostor = IssuerKey::ec("e1");
    CHECK(refusal(verify_token(signed_token(impostor, header_for(impostor), claims()), issuer.keys,
                               issuer.policy)) == "bad-signature");
}

TEST_CASE("a tampered, truncated or oversized token is refused", "[identity][jwt]") {
    Issuer issuer;
    for (const IssuerKey* key : {&issuer.rsa, &issuer.ec, &issuer.ed}) {
        CAPTURE(key->kid());
        const std::string token = signed_token(*key, header_for(*key), claims());
        const auto dot = token.find('.');
        const auto last = token.rfind('.');
        // The payload swapped for one that says more, the signature kept.
        const std::string tampered =
            token.substr(0, dot + 1) + b64url(claims(R"(,"amr":["mfa"])")) + token.substr(last);
        CHECK(refusal(verify_token(tampered, issuer.keys, issuer.policy)) == "bad-signature");
        // One bit of the signature flipped (its first character, so the encoding stays
        // canonical).
        std::string flipped = token;
        flipped[last + 1] = flipped[last + 1] == 'A' ? 'B' : 'A';
        CHECK(refusal(verify_token(flipped, issuer.keys, issuer.policy)) == "bad-signature");
        CHECK(refusal(verify_token(token.substr(0, last), issuer.keys, issuer.policy)) ==
              "malformed");
        CHECK(refusal(verify_token(token.substr(0, last + 1), issuer.keys, issuer.policy)) ==
              "bad-signature");
        CHECK(refusal(verify_token(token.substr(0, token.size() - 1), issuer.keys,
                                   issuer.policy)) != "");
        CHECK(refusal(verify_token(token + ".", issuer.keys, issuer.policy)) == "malformed");
        CHECK(refusal(verify_token(token + "=", issuer.keys, issuer.policy)) == "malformed");
    }
    const std::string huge = signed_token(issuer.ed, header_for(issuer.ed),
                                          claims(R"(,"pad":")" + std::string(20000, 'x') + R"(")"));
    CHECK(refusal(verify_token(huge, issuer.keys, issuer.policy)) == "too-large");
    CHECK(refusal(verify_token("", issuer.keys, issuer.policy)) == "malformed");
    CHECK(refusal(verify_token("..", issuer.keys, issuer.policy)) == "malformed");
}

TEST_CASE("a header or payload that is not strict JSON is refused", "[identity][jwt]") {
    Issuer issuer;
    // Duplicate claims are a classic way to make two parsers disagree.
    const std::string duplicate = R"({"iss":"https://evil.example","iss":")" + kIssuer +
                                  R"(","aud":"audited-socat","exp":)" + std::to_string(kNow + 60) +
                                  "}";
    CHECK(refusal(verify_token(signed_token(issuer.ed, header_for(issuer.ed), duplicate),
                               issuer.keys, issuer.policy)) == "malformed");
    CHECK(refusal(verify_token(signed_token(issuer.ed, R"({"alg":"EdDSA","alg":"none"})", claims()),
                               issuer.keys, issuer.policy)) == "malformed");
    CHECK(refusal(verify_token(signed_token(issuer.ed, header_for(issuer.ed), "[1,2]"), issuer.keys,
                               issuer.policy)) == "malformed");
}

TEST_CASE("amr and acr tell whether the login used more than one factor", "[identity][jwt]") {
    Issuer issuer;
    const auto mfa_of = [&](const std::string& extra) {
        return accepted(verify_token(signed_token(issuer.ed, header_for(issuer.ed), claims(extra)),
                                     issuer.keys, issuer.policy))
            .mfa;
    };
    CHECK(mfa_of(R"(,"amr":["pwd","mfa"])") == true);
    CHECK(mfa_of(R"(,"amr":["pwd","otp"])") == true);
    CHECK(mfa_of(R"(,"amr":["hwk","pin"])") == true);
    CHECK(mfa_of(R"(,"amr":["pwd"])") == false);
    CHECK(mfa_of(R"(,"amr":["otp","sms"])") == false); // two of a kind are one factor type
    CHECK(mfa_of(R"(,"amr":[])") == false);
    CHECK(mfa_of(R"(,"acr":"phr")") == true); // the policy names it
    CHECK(mfa_of(R"(,"acr":"1")") == false);
    CHECK_FALSE(mfa_of("").has_value());
}

TEST_CASE("a JWKS keeps the keys it can use and says why it skipped the others",
          "[identity][jwt]") {
    const IssuerKey weak = IssuerKey::rsa("weak", 1024);
    const IssuerKey good = IssuerKey::ec("good");
    const std::string off_curve = R"({"kid":"bad","kty":"EC","crv":"P-256","x":")" +
                                  b64url(std::string(32, '\x01')) + R"(","y":")" +
                                  b64url(std::string(32, '\x02')) + R"("})";
    const auto set = JwkSet::parse(
        jwks_of({weak.jwk(), good.jwk(), off_curve, R"({"kid":"sym","kty":"oct","k":"c2VjcmV0"})",
                 R"({"kid":"enc","kty":"OKP","crv":"Ed25519","use":"enc","x":"AAAA"})",
                 R"({"kid":"p384","kty":"EC","crv":"P-384","x":"AA","y":"AA"})",
                 R"({"kid":"lie","kty":"OKP","crv":"Ed25519","alg":"RS256","x":")" +
                     b64url(std::string(32, '\x07')) + R"("})",
                 R"({"kid":"pad","kty":"OKP","crv":"Ed25519","x":")" +
                     b64url(std::string(32, '\x07')) + R"(="})",
                 "7"}));
    REQUIRE(set);
    REQUIRE(set->keys.size() == 1);
    CHECK(set->keys[0].kid == "good");
    REQUIRE(set->skipped.size() == 8);
    CHECK_THAT(set->skipped[0], Catch::Contains("1024 bits; at least 2048"));
    CHECK_THAT(set->skipped[1], Catch::Contains("not on the curve"));
    CHECK_THAT(set->skipped[2], Catch::Contains("type oct"));
    CHECK_THAT(set->skipped[3], Catch::Contains("is for \"enc\""));
    CHECK_THAT(set->skipped[4], Catch::Contains("type EC P-384"));
    CHECK_THAT(set->skipped[5], Catch::Contains("names \"alg\" RS256"));
    CHECK_THAT(set->skipped[6], Catch::Contains("not canonical base64url"));
    CHECK_THAT(set->skipped[7], Catch::Contains("key 8 is not an object"));

    CHECK_FALSE(JwkSet::parse(R"({"keys":{}})"));
    CHECK_FALSE(JwkSet::parse(R"({"keys":[],"keys":[]})"));
    CHECK_FALSE(JwkSet::parse("[]"));
    CHECK_FALSE(JwkSet::parse(""));
}

TEST_CASE("base64url decoding is strict", "[util]") {
    using asocat::util::base64url_decode;
    CHECK(base64url_decode("") == "");
    CHECK(base64url_decode("-_8") == "\xfb\xff");
    CHECK(base64url_decode("AQ") == "\x01");
    CHECK_FALSE(base64url_decode("AQ=="));  // padding
    CHECK_FALSE(base64url_decode("+/8"));   // the standard alphabet
    CHECK_FALSE(base64url_decode("AR"));    // bits below the last byte set: not canonical
    CHECK_FALSE(base64url_decode("A"));     // impossible length
    CHECK_FALSE(base64url_decode("AQ AQ")); // whitespace
    CHECK(asocat::util::base64url_encode("\xfb\xff") == "-_8");
}
