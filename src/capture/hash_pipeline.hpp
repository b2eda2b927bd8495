// Stream hashing on a thread of its own, when the process may use a second CPU: updates are
// applied in the order they were queued, while the supervisor answers the next calls. It pays
// off when hashing outweighs a call's round trips (1 GiB relayed with socat -b 131072: ~10%
// faster); at socat's 8 KiB calls the two notification round trips per chunk dominate and it
// measured neutral. A hash state with queued updates belongs to the pipeline: its owner calls
// settle() before reading, copying, moving or destroying it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/sha256.hpp"

namespace asocat::capture {

class HashPipeline {
public:
    // `threaded`: false hashes at once, on the caller's thread (with one CPU a second thread
    // would only add switches).
    explicit HashPipeline(bool threaded);
    HashPipeline(const HashPipeline&) = delete;
    HashPipeline& operator=(const HashPipeline&) = delete;
    ~HashPipeline();

    // Adds `bytes` (copied) to `state`, after saving the state before them in `*before` if
    // `before` is given.
    void update(util::Sha256& state, std::string_view bytes, util::Sha256* before = nullptr);
    // Returns once every queued update has been applied; rethrows a hashing failure.
    void settle();

    // Whether this machine has more than one CPU for this process.
    static bool worth_a_thread();

private:
    struct Job {
        util::Sha256* state;
        util::Sha256* before;
        std::string bytes;
    };
    // Bounds the memory of a pipeline that falls behind (~256 KiB of 8 KiB reads).
    static constexpr std::size_t kMaxQueued = 32;

    static void apply(Job& job);
    void run();

    std::mutex m_mutex;
    std::condition_variable m_work; // a job was queued, or the pipeline stops
    std::condition_variable m_done; // a job was applied
    std::deque<Job> m_queue;
    std::vector<std::string> m_spare; // buffers of applied jobs, reused
    bool m_applying = false;
    bool m_stopping = false;
    std::exception_ptr m_failure;
    std::thread m_thread; // last: it starts once the members above exist
};

} // namespace asocat::capture
