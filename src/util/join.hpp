// The items of a range of strings, joined by a separator ("a, b, c"), for messages that list
// what would have been accepted.
#pragma once

#include <string>
#include <string_view>

namespace asocat::util {

template <class Range>
std::string join(const Range& items, std::string_view separator) {
    std::string joined;
    for (const auto& item : items) {
        if (!joined.empty()) {
            joined += separator;
        }
        joined += std::string_view(item);
    }
    return joined;
}

} // namespace asocat::util
