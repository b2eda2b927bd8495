#include "evidence/inclusion.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include "evidence/checkpoint.hpp"
#include "evidence/log_records.hpp"
#include "evidence/merkle.hpp"
#include "evidence/record_view.hpp"
#include "record/json_reader.hpp"
#include "util/base64.hpp"
#include "util/line_reader.hpp"

namespace asocat::evidence {
namespace {

constexpr std::string_view kHeader = "c2sp.org/tlog-proof@v1";
constexpr std::size_t kMaxLine = 16 << 20;

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() ||
        (text.size() > 1 && text[0] == '0')) {
        return std::nullopt;
    }
    return value;
}

} // namespace

std::string encode_proof(const InclusionProof& proof) {
    std::string text(kHeader);
    text += "\nextra " + util::base64_encode(proof.record) + "\n";
    text += "index " + std::to_string(proof.index) + "\n";
    for (const auto& hash : proof.path) {
        text += to_base64(hash) + "\n";
    }
    text += "\n" + proof.checkpoint;
    return text;
}

util::Expected<InclusionProof> decode_proof(std::string_view text) {
    InclusionProof proof;
    const auto split = text.find("\n\n");
    if (split == std::string_view::npos) {
        return util::Error("not a tlog proof: no blank line before the checkpoint");
    }
    proof.checkpoint = std::string(text.substr(split + 2));
    std::string_view head = text.substr(0, split + 1);
    std::vector<std::string_view> lines;
    while (!head.empty()) {
        const auto end = head.find('\n');
        lines.push_back(head.substr(0, end));
        head.remove_prefix(end + 1);
    }
    if (lines.size() < 3 || lines[0] != kHeader || lines[1].substr(0, 6) != "extra " ||
        lines[2].substr(0, 6) != "index ") {
        return util::Error("not an audited-socat tlog proof (want the " + std::string(kHeader) +
                           " header, an extra line with the record, and an index line)");
    }
    const auto record = util::base64_decode(lines[1].substr(6));
    const auto index = parse_number(lines[2].substr(6));
    if (!record || !index) {
        return util::Error("malformed extra or index line");
    }
    proof.record = *record;
    proof.index = *index;
    for (std::size_t i = 3; i < lines.size(); ++i) {
        const auto hash = decode_digest(lines[i]);
        if (!hash) {
            return util::Error("malformed proof hash on line " + std::to_string(i + 1));
        }
        proof.path.push_back(*hash);
    }
    return proof;
}

util::Expected<InclusionProof> prove_inclusion(const std::string& log, std::uint64_t seq) try {
    InclusionProof proof;
    proof.index = seq;
    std::optional<std::uint64_t> size;
    bool found = false;
    record::JsonDocument document;
    // Pass 1: the record, and the first checkpoint that covers it.
    util::LineReader scan(log, kMaxLine);
    if (auto ok = scan.opened(); !ok) {
        return ok.error();
    }
    for (std::uint64_t at = 0; !size; ++at) {
        const auto line = scan.next();
        if (!line) {
            break;
        }
        if (at == seq) {
            proof.record = std::string(*line);
            found = true;
        }
        if (at <= seq || line->find("\"type\":\"checkpoint\"") == std::string_view::npos) {
            continue;
        }
        auto parsed = document.parse(*line);
        if (!parsed) {
            continue; // not a checkpoint after all; verify is the judge of the log
        }
        auto view = view_record(parsed.root());
        if (!view) {
            continue;
        }
        auto checkpoint = view_checkpoint(*view);
        if (checkpoint && checkpoint->size > seq) {
            size = checkpoint->size;
            proof.checkpoint = std::string(checkpoint->note);
        }
    }
    if (!found) {
        return util::Error(log + " has no record with seq " + std::to_string(seq));
    }
    if (!size) {
        return util::Error("no checkpoint in " + log + " covers record " + std::to_string(seq) +
                           " yet; prove it after the next checkpoint");
    }
    // Pass 2: the proof builder asks for leaf hashes in increasing order; read forward to each.
    util::LineReader leaves(log, kMaxLine);
    std::uint64_t next = 0;
    proof.path = inclusion_proof(seq, *size, [&](std::uint64_t index) {
        for (;; ++next) {
            const auto line = leaves.next();
            if (!line) {
                throw std::runtime_error(log + " ended before record " + std::to_string(index));
            }
            if (next == index) {
                ++next;
                return leaf_hash(*line);
            }
        }
    });
    return proof;
} catch (const std::runtime_error& error) {
    return util::Error(error.what());
}

util::Expected<ProofCheck> check_inclusion(const InclusionProof& proof, const PinnedKey& key) {
    const auto opened = open_note(proof.checkpoint, key);
    if (opened.verdict != NoteVerdict::verified) {
        return util::Error("checkpoint: " + opened.detail);
    }
    auto checkpoint = parse_checkpoint(opened.text);
    if (!checkpoint) {
        return checkpoint.error().with_context("checkpoint");
    }
    record::JsonDocument document;
    auto parsed = document.parse(proof.record);
    if (!parsed) {
        return util::Error("the record does not parse: " + parsed.error().describe());
    }
    auto view = view_record(parsed.root());
    if (!view) {
        return view.error().with_context("the record");
    }
    const std::string suffix = "/" + std::string(view->log);
    if (checkpoint->origin.size() < suffix.size() ||
        checkpoint->origin.compare(checkpoint->origin.size() - suffix.size(), suffix.size(),
                                   suffix) != 0) {
        return util::Error("the record belongs to log " + std::string(view->log) +
                           ", the checkpoint to " + checkpoint->origin);
    }
    if (view->seq != proof.index) {
        return util::Error("the record has seq " + std::to_string(view->seq) +
                           ", the proof is for index " + std::to_string(proof.index));
    }
    if (!verify_inclusion(proof.index, checkpoint->size, leaf_hash(proof.record), proof.path,
                          checkpoint->root)) {
        return util::Error("the inclusion path does not lead from the record to the "
                           "checkpoint's root");
    }
    return ProofCheck{checkpoint->size, checkpoint->origin, key.name().value_or("the pinned key")};
}

} // namespace asocat::evidence
