#include "evidence/log_records.hpp"

#include <memory>

#include "record/record_members.hpp"
#include "util/base64.hpp"

namespace asocat::evidence {
namespace {

using record::JsonWriter;
using record::RawFields;

void write_event(JsonWriter& w, const char* kind, const char* category, const char* type,
                 const char* action) {
    record::begin_event(w, {kind, {category}, {type}, action, nullptr, "audited_socat.log"});
    w.end_object();
}

} // namespace

std::string to_base64(const util::Digest256& digest) {
    return util::base64_encode(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

record::RecordDraft log_header_record(util::WallTime time, std::string host, std::string origin,
                                      SignerInfo signer, std::optional<PreviousLog> previous) {
    struct Facts {
        std::string host;
        std::string origin;
        SignerInfo signer;
        std::optional<PreviousLog> previous;
    };
    auto facts = std::make_shared<const Facts>(
        Facts{std::move(host), std::move(origin), std::move(signer), std::move(previous)});
    return record::RecordDraft(
        time,
        [facts](JsonWriter& w, RawFields& raw) {
            write_event(w, "event", "configuration", "creation", "log-open");
            w.key("host").begin_object().key("name");
            raw.text(w, "host.name", facts->host);
            w.end_object();
        },
        [facts](JsonWriter& w, RawFields& raw) {
            w.key("type").text("log.header");
            w.key("origin");
            raw.text(w, "asocat.origin", facts->origin);
            w.key("signer").begin_object();
            w.key("name");
            raw.text(w, "asocat.signer.name", facts->signer.name);
            w.key("key_id").text(facts->signer.key_id);
            w.end_object();
            w.key("previous");
            if (!facts->previous) {
                w.null();
                return;
            }
            const auto& p = *facts->previous;
            w.begin_object();
            w.key("file");
            raw.text(w, "asocat.previous.file", p.file);
            if (p.log) {
                w.key("log").text(*p.log);
            }
            if (p.size) {
                w.key("size").integer(static_cast<std::int64_t>(*p.size));
            }
            if (p.root) {
                w.key("root").text(to_base64(*p.root));
            }
            if (p.checkpoint) {
                w.key("checkpoint");
                raw.text(w, "asocat.previous.checkpoint", *p.checkpoint);
            }
            if (p.anomaly) {
                w.key("anomaly");
                raw.text(w, "asocat.previous.anomaly", *p.anomaly);
            }
            w.end_object();
        });
}

record::RecordDraft checkpoint_record(util::WallTime time, CheckpointFacts facts) {
    auto shared = std::make_shared<const CheckpointFacts>(std::move(facts));
    return record::RecordDraft(
        time,
        [](JsonWriter& w, RawFields&) {
            write_event(w, "state", "configuration", "info", "checkpoint");
        },
        [shared](JsonWriter& w, RawFields& raw) {
            const auto& c = *shared;
            w.key("type").text("checkpoint");
            w.key("reason").text(c.reason);
            w.key("size").integer(static_cast<std::int64_t>(c.size));
            w.key("root").text(to_base64(c.root));
            w.key("frontier").begin_array();
            for (const auto& hash : c.frontier) {
                w.text(to_base64(hash));
            }
            w.end_array();
            w.key("note");
            raw.text(w, "asocat.note", c.note);
        });
}

record::RecordDraft recovery_record(util::WallTime time, TornLine torn) {
    return record::RecordDraft(
        time,
        [](JsonWriter& w, RawFields&) {
            write_event(w, "event", "configuration", "error", "log-recovery");
        },
        [torn](JsonWriter& w, RawFields&) {
            w.key("type").text("log.recovery");
            w.key("torn").begin_object();
            w.key("offset").integer(static_cast<std::int64_t>(torn.offset));
            w.key("length").integer(static_cast<std::int64_t>(torn.length));
            w.key("sha256").text(util::to_hex(torn.sha256));
            w.end_object();
        });
}

} // namespace asocat::evidence
