#include "evidence/checkpoint.hpp"

#include <charconv>
#include <cstring>

#include "util/base64.hpp"

namespace asocat::evidence {

std::string Checkpoint::body() const {
    std::string text = origin + "\n" + std::to_string(size) + "\n" +
                       util::base64_encode(std::string_view(
                           reinterpret_cast<const char*>(root.data()), root.size())) +
                       "\n";
    for (const auto& line : extensions) {
        text += line + "\n";
    }
    return text;
}

util::Expected<Checkpoint> parse_checkpoint(std::string_view body) {
    std::vector<std::string_view> lines;
    while (!body.empty()) {
        const auto end = body.find('\n');
        if (end == std::string_view::npos) {
            return util::Error("checkpoint does not end in a newline");
        }
        if (end == 0) {
            return util::Error("checkpoint has an empty line");
        }
        lines.push_back(body.substr(0, end));
        body.remove_prefix(end + 1);
    }
    if (lines.size() < 3) {
        return util::Error("checkpoint needs origin, size and root lines");
    }
    Checkpoint checkpoint;
    checkpoint.origin = std::string(lines[0]);
    const auto size_text = lines[1];
    const auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), checkpoint.size);
    if (ec != std::errc() || end != size_text.data() + size_text.size() ||
        (size_text.size() > 1 && size_text[0] == '0')) {
        return util::Error("checkpoint size \"" + std::string(size_text) +
                           "\" is not a decimal number");
    }
    const auto root = util::base64_decode(lines[2]);
    if (!root || root->size() != checkpoint.root.size()) {
        return util::Error("checkpoint root is not the base64 of 32 bytes");
    }
    std::memcpy(checkpoint.root.data(), root->data(), checkpoint.root.size());
    for (std::size_t i = 3; i < lines.size(); ++i) {
        checkpoint.extensions.emplace_back(lines[i]);
    }
    return checkpoint;
}

} // namespace asocat::evidence
