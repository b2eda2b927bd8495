#include "toolbox/terminal_style.hpp"

#include <unistd.h>

#include <cstdlib>

namespace asocat::toolbox {

TerminalStyle::TerminalStyle(std::FILE* stream)
    : m_colour(::isatty(::fileno(stream)) == 1 && std::getenv("NO_COLOR") == nullptr) {}

std::string TerminalStyle::paint(const char* code, std::string_view text) const {
    if (!m_colour) {
        return std::string(text);
    }
    return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
}

} // namespace asocat::toolbox
