#include <catch2/catch.hpp>

#include "record/json_writer.hpp"
#include "record/session_records.hpp"

using namespace asocat;

namespace {

session::SessionStart sample_start() {
    session::SessionStart s;
    s.id = "0f0e0d0c-0b0a-4908-8706-050403020100";
    s.time = {1796423008, 678532000};
    s.host_name = "build-7";
    s.wrapper = {"0.1.0", 4242, std::string("/usr/bin/audited-socat"), true};
    s.settings = {{"/etc/audited-socat/config.toml"},
                  {},
                  "/var/log/audited-socat/audit.jsonl",
                  false,
                  "default"};
    s.socat = {"/usr/bin/socat", std::string(64, 'a')};
    s.socat_pid = 4243;
    s.args = {"socat", "-d", "TCP-LISTEN:8080,fork", "OPEN:\xFF"};
    s.working_directory = "/home/alice";
    s.identity.uid = {1000, std::string("alice")};
    s.identity.euid = {0, std::string("root")};
    s.identity.gid = {1000, std::nullopt};
    s.identity.egid = {0, std::string("root")};
    s.identity.groups = {{0, std::string("root")}};
    s.identity.loginuid = 1000;
    s.identity.audit_session = std::nullopt;
    s.identity.tty = std::string("/dev/pts/3");
    s.identity.parent = {
        4000, std::string("/usr/bin/sudo"), std::string("sudo"), {"sudo", "audited-socat"}};
    s.identity.ancestors = {{3990, std::string("/usr/bin/bash"), std::string("bash"), {"-bash"}},
                            {3980, std::nullopt, std::nullopt, {}}};
    s.identity.session_leader = 3980;
    s.identity.cgroup = std::string("/user.slice/user-1000.slice/session-4.scope");
    s.identity.systemd_unit = std::string("session-4.scope");
    s.identity.machine_id = std::string(32, 'e');
    s.identity.boot_id = std::nullopt;
    s.claimed.sudo = session::SudoClaim{std::string("al\xFFice"),
                                        1000,
                                        std::nullopt,
                                        std::string("/usr/bin/audited-socat -V"),
                                        true,
                                        true};
    s.claimed.ssh = session::SshClaim{"SSH_CLIENT",
                                      "192.0.2.7 51234 22",
                                      session::NetworkEndpoint{std::string("192.0.2.7"), 51234},
                                      session::NetworkEndpoint{std::nullopt, 22},
                                      true,
                                      false};
    s.claimed.ci =
        session::CiClaim{"gitlab-ci",      std::string("g/p"), std::nullopt, std::nullopt,
                         std::string("9"), std::string("8"),   std::nullopt};
    s.claimed.truncated = {"SUDO_COMMAND"};
    return s;
}

constexpr const char* kLogId = "11111111-2222-4333-8444-555555555555";
const std::string kChain = std::string(R"("format":2,"log":")") + kLogId +
                           R"(","seq":7,"prev":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",)";

std::string render(const record::RecordDraft& draft) {
    asocat::util::Digest256 prev;
    prev.fill(1);
    return draft.render({kLogId, 7, prev});
}

} // namespace

TEST_CASE("session.start is byte-exact to the documented layout") {
    CHECK(render(record::session_start_record(sample_start())) ==
          R"({"@timestamp":"2026-12-04T22:23:28.678532000Z","ecs":{"version":"8.11.0"},)"
          R"("event":{"kind":"event","category":["session","process"],"type":["start"],)"
          R"("action":"session-start","dataset":"audited_socat.session",)"
          R"("start":"2026-12-04T22:23:28.678532000Z"},"host":{"name":"build-7"},)"
          R"("process":{"pid":4243,"name":"socat","executable":"/usr/bin/socat",)"
          R"("args":["socat","-d","TCP-LISTEN:8080,fork","OPEN:)"
          "\xEF\xBF\xBD"
          R"("],"args_count":4,"working_directory":"/home/alice",)"
          R"("hash":{"sha256":")" +
              std::string(64, 'a') +
              R"("},"parent":{"pid":4242,"name":"audited-socat",)"
              R"("executable":"/usr/bin/audited-socat"}},)"
              R"("user":{"id":"1000","name":"alice","effective":{"id":"0","name":"root"}},)"
              R"("group":{"id":"1000"},)"
              R"("asocat":{)" +
              kChain +
              R"("type":"session.start",)"
              R"("session":"0f0e0d0c-0b0a-4908-8706-050403020100",)"
              R"("wrapper":{"version":"0.1.0","privileged":true},)"
              R"("settings":{"config_files":["/etc/audited-socat/config.toml"],"environment":[],)"
              R"("log":"/var/log/audited-socat/audit.jsonl","fail_open":false,)"
              R"("socat_source":"default"},"capture":"off",)"
              R"("identity":{"kernel":{"uid":{"id":1000,"name":"alice"},)"
              R"("euid":{"id":0,"name":"root"},"gid":{"id":1000,"name":null},)"
              R"("egid":{"id":0,"name":"root"},"groups":[{"id":0,"name":"root"}],)"
              R"("loginuid":1000,"audit_session":null,"tty":"/dev/pts/3",)"
              R"("parent":{"pid":4000,"executable":"/usr/bin/sudo","name":"sudo",)"
              R"("args":["sudo","audited-socat"]},)"
              R"("ancestors":[{"pid":3990,"executable":"/usr/bin/bash","name":"bash",)"
              R"("args":["-bash"]},{"pid":3980,"executable":null,"name":null,"args":[]}],)"
              R"("session_leader":3980,)"
              R"("cgroup":"/user.slice/user-1000.slice/session-4.scope",)"
              R"("systemd_unit":"session-4.scope","machine_id":")" +
              std::string(32, 'e') +
              R"(","boot_id":null},)"
              R"("claimed":{"sudo":{"user":"al)"
              "\xEF\xBF\xBD"
              R"(ice","uid":1000,"gid":null,)"
              R"("command":"/usr/bin/audited-socat -V","sudo_in_chain":true,)"
              R"("uid_is_loginuid":true},)"
              R"("ssh":{"variable":"SSH_CLIENT","value":"192.0.2.7 51234 22",)"
              R"("well_formed":true,"client":{"address":"192.0.2.7","port":51234},)"
              R"("server":{"address":null,"port":22},"sshd_in_chain":false},)"
              R"("ci":{"system":"gitlab-ci","repository":"g/p","ref":null,"actor":null,)"
              R"("job":"9","run":"8","url":null},"truncated":["SUDO_COMMAND"]},)"
              R"("attested":null,"ticket":null},)"
              R"("raw":[{"field":"process.args","index":3,"base64":"T1BFTjr/"},)"
              R"({"field":"asocat.identity.claimed.sudo.user","base64":"YWz/aWNl"}]}})"
              "\n");
}

TEST_CASE("the attested identity and the ticket are byte-exact to the documented layout") {
    auto start = sample_start();
    session::AttestedIdentity attested;
    attested.status = session::AttestationStatus::rejected;
    attested.source = "file";
    attested.location = std::string("/run/token\xFF");
    attested.reason = std::string("binding-mismatch");
    attested.detail = std::string("host is build-7 but claim \"host\" says other");
    attested.token_sha256 = std::string(64, 'b');
    attested.issuer = "https://issuer.example";
    attested.audience = "audited-socat";
    attested.algorithm = "ES256";
    attested.kid = std::string("k1");
    attested.expires = 1796423608;
    attested.mfa = true;
    attested.amr = {"pwd", "otp"};
    attested.claims = R"({"iss":"https://issuer.example","host":"other","n":[1,{"a":null}]})";
    attested.binding = {{"host", "host", std::string("build-7"), false},
                        {"loginuid", "luid", std::nullopt, false}};
    start.attested = attested;
    start.ticket = session::Ticket{"CHG-1", false,       "environment", std::string("CHG-[0-9]+"),
                                   true,    std::nullopt};
    const auto line = render(record::session_start_record(start));
    const auto from = line.find(R"("attested":)");
    REQUIRE(from != std::string::npos);
    CHECK(line.substr(from) ==
          R"("attested":{"status":"rejected","source":"file","location":"/run/token)"
          "\xEF\xBF\xBD"
          R"(","reason":"binding-mismatch",)"
          R"("detail":"host is build-7 but claim \"host\" says other",)"
          R"("token_sha256":")" +
              std::string(64, 'b') +
              R"(",)"
              R"("token":{"issuer":"https://issuer.example","subject":null,)"
              R"("audience":"audited-socat","algorithm":"ES256","kid":"k1","expires":1796423608,)"
              R"("issued_at":null,"mfa":true,"amr":["pwd","otp"],"acr":null,)"
              R"("claims":{"iss":"https://issuer.example","host":"other","n":[1,{"a":null}]}},)"
              R"("binding":[{"fact":"host","claim":"host","actual":"build-7","matched":false},)"
              R"({"fact":"loginuid","claim":"luid","actual":null,"matched":false}]},)"
              R"("ticket":{"id":"CHG-1","truncated":false,"source":"environment",)"
              R"("pattern":"CHG-[0-9]+","matches":true,"approval":null}},)"
              R"("raw":[{"field":"process.args","index":3,"base64":"T1BFTjr/"},)"
              R"({"field":"asocat.identity.claimed.sudo.user","base64":"YWz/aWNl"},)"
              R"({"field":"asocat.identity.attested.location","base64":"L3J1bi90b2tlbv8="}]}})"
              "\n");
}

TEST_CASE("session.end describes an exit, a signal death and a failed exec") {
    session::SessionEnd e;
    e.id = "0f0e0d0c-0b0a-4908-8706-050403020100";
    e.start = {1796423008, 0};
    e.end = {1796423010, 500000000};
    e.duration_ns = 2500000000;
    e.socat_pid = 4243;
    e.exec_check = session::ExecCheck::matched;
    const std::string head =
        R"({"@timestamp":"2026-12-04T22:23:30.500000000Z","ecs":{"version":"8.11.0"},)"
        R"("event":{"kind":"event","category":["session","process"],"type":["end"],)"
        R"("action":"session-end",)";
    const std::string times = R"("dataset":"audited_socat.session",)"
                              R"("start":"2026-12-04T22:23:28.000000000Z",)"
                              R"("end":"2026-12-04T22:23:30.500000000Z","duration":2500000000},)";
    const std::string session = R"("asocat":{)" + kChain +
                                R"("type":"session.end",)"
                                R"("session":"0f0e0d0c-0b0a-4908-8706-050403020100",)";

    SECTION("exit 0 is a success") {
        CHECK(render(record::session_end_record(e)) ==
              head + R"("outcome":"success",)" + times +
                  R"("process":{"pid":4243,"exit_code":0},)" + session +
                  R"("end":{"reason":"exited","exit_code":0,"exec_check":"matched",)"
                  R"("wrapper_status":0}}})"
                  "\n");
    }
    SECTION("death by SIGTERM") {
        e.reason = session::EndReason::signaled;
        e.signal = 15;
        e.wrapper_status = 143;
        CHECK(render(record::session_end_record(e)) ==
              head + R"("outcome":"failure",)" + times + R"("process":{"pid":4243},)" + session +
                  R"("end":{"reason":"signaled","signal":"SIGTERM","signal_number":15,)"
                  R"("core_dumped":false,"exec_check":"matched","wrapper_status":143}}})"
                  "\n");
    }
    SECTION("exec failure carries the error") {
        e.reason = session::EndReason::exec_failed;
        e.exit_code = 126;
        e.error = "cannot execute /usr/bin/socat: Permission denied (EACCES)";
        e.exec_check = session::ExecCheck::not_checked;
        e.wrapper_status = 126;
        CHECK(render(record::session_end_record(e)) ==
              head + R"("outcome":"failure",)" + times + R"("process":{"pid":4243},)" + session +
                  R"("end":{"reason":"exec-failed",)"
                  R"x("error":"cannot execute /usr/bin/socat: Permission denied (EACCES)",)x"
                  R"("exec_check":"not-checked","wrapper_status":126}}})"
                  "\n");
    }
    SECTION("a duration beyond the exact integer range is left out, start/end remain") {
        e.duration_ns = record::kMaxExactInteger + 1;
        CHECK_THAT(render(record::session_end_record(e)), !Catch::Contains("\"duration\""));
        CHECK_THAT(render(record::session_end_record(e)), Catch::Contains("\"end\":\"2026-12-04T"));
    }
}
