// Plain I/O on owned descriptors: whole writes, bounded reads, close-on-exec pipes. Everything
// retries EINTR; nothing here follows symlinks the caller did not ask for.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::util {

Expected<Pipe> make_pipe();

// Writes all of `data` or fails; `*written` (if given) tells how much reached the fd.
Expected<void> write_all(int fd, std::string_view data, std::size_t* written = nullptr);

// Reads until EOF, failing if more than `limit` bytes arrive.
Expected<std::string> read_all(int fd, std::size_t limit);

// Reads a small file (procfs, config) relative to `dirfd` (or AT_FDCWD) without following a
// final symlink unless `follow` is set.
Expected<std::string> read_small_file(int dirfd, const std::string& path, std::size_t limit,
                                      bool follow = true);

// Reads a file that must be a regular one (a token, a JWKS): opened without blocking, so a FIFO
// or device planted at `path` is refused instead of read. Errors name `path`.
Expected<std::string> read_regular_file(const std::string& path, std::size_t limit);

// readlink(2) into a std::string.
Expected<std::string> read_link(int dirfd, const std::string& path);

} // namespace asocat::util
