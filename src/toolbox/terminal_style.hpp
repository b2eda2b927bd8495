// Colour for people, plain text for pipes: ANSI colour only when the stream is a terminal and
// NO_COLOR is unset (no-color.org).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace asocat::toolbox {

class TerminalStyle {
public:
    explicit TerminalStyle(std::FILE* stream);
    std::string green(std::string_view text) const { return paint("32", text); }
    std::string red(std::string_view text) const { return paint("31", text); }
    std::string yellow(std::string_view text) const { return paint("33", text); }
    std::string bold(std::string_view text) const { return paint("1", text); }

private:
    std::string paint(const char* code, std::string_view text) const;
    bool m_colour;
};

} // namespace asocat::toolbox
