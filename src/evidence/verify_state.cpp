#include "evidence/verify_state.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "evidence/log_records.hpp"
#include "evidence/record_view.hpp"
#include "record/json_reader.hpp"
#include "record/json_writer.hpp"
#include "util/io.hpp"

namespace asocat::evidence {
namespace {

constexpr std::size_t kMaxStateSize = 64 << 20;

} // namespace

util::Expected<VerifyState> VerifyState::load(const std::string& path) {
    VerifyState state(path);
    auto text = util::read_small_file(AT_FDCWD, path, kMaxStateSize);
    if (!text) {
        if (text.error().errno_value() == ENOENT) {
            return state;
        }
        return text.error().with_context("state file");
    }
    record::JsonDocument document;
    std::string_view body(*text);
    if (!body.empty() && body.back() == '\n') {
        body.remove_suffix(1);
    }
    auto parsed = document.parse(body);
    const auto bad = [&](const std::string& why) {
        return util::Error("state file " + path + " is not a verify state (" + why + ")");
    };
    if (!parsed || parsed.root().kind() != record::JsonKind::object) {
        return bad(parsed ? "not an object" : parsed.error().describe());
    }
    const auto* format = parsed.root().find("format");
    const auto* logs = parsed.root().find("logs");
    const auto* files = parsed.root().find("files");
    if (format == nullptr || format->kind() != record::JsonKind::integer ||
        format->as_integer() != 1 || logs == nullptr || logs->kind() != record::JsonKind::object ||
        files == nullptr || files->kind() != record::JsonKind::object) {
        return bad("format 1 with logs and files expected");
    }
    for (std::size_t i = 0; i < logs->size(); ++i) {
        const auto& entry = logs->value(i);
        const auto* size = entry.kind() == record::JsonKind::object ? entry.find("size") : nullptr;
        const auto* root = entry.kind() == record::JsonKind::object ? entry.find("root") : nullptr;
        const auto digest = root != nullptr && root->kind() == record::JsonKind::string
                                ? decode_digest(root->as_string())
                                : std::nullopt;
        if (size == nullptr || size->kind() != record::JsonKind::integer ||
            size->as_integer() < 0 || !digest) {
            return bad("entry for log " + std::string(logs->key(i)) + " is malformed");
        }
        state.m_logs[std::string(logs->key(i))] =
            RememberedLog{static_cast<std::uint64_t>(size->as_integer()), *digest};
    }
    for (std::size_t i = 0; i < files->size(); ++i) {
        if (files->value(i).kind() != record::JsonKind::string) {
            return bad("entry for file " + std::string(files->key(i)) + " is malformed");
        }
        state.m_files[std::string(files->key(i))] = std::string(files->value(i).as_string());
    }
    return state;
}

util::Expected<void> VerifyState::save() const {
    record::JsonWriter w;
    w.begin_object().key("format").integer(1).key("logs").begin_object();
    for (const auto& [id, log] : m_logs) {
        w.key(id).begin_object();
        w.key("size").integer(static_cast<std::int64_t>(log.size));
        w.key("root").text(to_base64(log.root));
        w.end_object();
    }
    w.end_object().key("files").begin_object();
    for (const auto& [file, id] : m_files) {
        w.key(file).text(id);
    }
    w.end_object().end_object();
    const std::string text = w.take_line();

    std::string temporary = m_path + ".XXXXXX";
    util::ScopedFd fd(::mkostemp(temporary.data(), O_CLOEXEC));
    if (!fd) {
        return util::Error::from_errno("cannot write state file " + m_path);
    }
    auto written = util::write_all(fd.get(), text);
    if (!written || ::fsync(fd.get()) != 0 || ::rename(temporary.c_str(), m_path.c_str()) != 0) {
        const int err = written ? errno : written.error().errno_value();
        ::unlink(temporary.c_str());
        return util::Error::from_errno("cannot write state file " + m_path, err);
    }
    return {};
}

const RememberedLog* VerifyState::log(const std::string& log_id) const {
    const auto found = m_logs.find(log_id);
    return found == m_logs.end() ? nullptr : &found->second;
}

const std::string* VerifyState::log_at(const std::string& file) const {
    const auto found = m_files.find(file);
    return found == m_files.end() ? nullptr : &found->second;
}

void VerifyState::remember(const std::string& log_id, const RememberedLog& checkpoint) {
    auto& known = m_logs[log_id];
    if (checkpoint.size >= known.size) {
        known = checkpoint;
    }
}

void VerifyState::remember_file(const std::string& file, const std::string& log_id) {
    m_files[file] = log_id;
}

} // namespace asocat::evidence
