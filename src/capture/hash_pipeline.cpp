#include "capture/hash_pipeline.hpp"

#include <sched.h>

#include <utility>

namespace asocat::capture {

HashPipeline::HashPipeline(bool threaded) {
    if (threaded) {
        m_thread = std::thread([this] { run(); });
    }
}

HashPipeline::~HashPipeline() {
    if (!m_thread.joinable()) {
        return;
    }
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_work.notify_one();
    m_thread.join();
}

bool HashPipeline::worth_a_thread() {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    return ::sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 1;
}

void HashPipeline::apply(Job& job) {
    if (job.before != nullptr) {
        job.before->copy_state(*job.state);
    }
    job.state->update(job.bytes);
}

void HashPipeline::update(util::Sha256& state, std::string_view bytes, util::Sha256* before) {
    if (!m_thread.joinable()) {
        if (before != nullptr) {
            before->copy_state(state);
        }
        state.update(bytes);
        return;
    }
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [&] { return m_queue.size() < kMaxQueued; });
    std::string buffer;
    if (!m_spare.empty()) {
        buffer = std::move(m_spare.back());
        m_spare.pop_back();
    }
    buffer.assign(bytes);
    m_queue.push_back(Job{&state, before, std::move(buffer)});
    const bool idle = !m_applying && m_queue.size() == 1;
    lock.unlock();
    if (idle) {
        m_work.notify_one();
    }
}

void HashPipeline::settle() {
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [&] { return m_queue.empty() && !m_applying; });
    if (m_failure) {
        std::rethrow_exception(std::exchange(m_failure, nullptr));
    }
}

void HashPipeline::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty()) {
            return; // stopping, with nothing left to apply
        }
        Job job = std::move(m_queue.front());
        m_queue.pop_front();
        m_applying = true;
        lock.unlock();
        try {
            apply(job);
        } catch (...) {
            // Reported to the owner at its next settle(); the state is then unusable anyway.
            const std::lock_guard failed(m_mutex);
            m_failure = std::current_exception();
        }
        lock.lock();
        m_applying = false;
        if (m_spare.size() < kMaxQueued) {
            m_spare.push_back(std::move(job.bytes));
        }
        m_done.notify_all();
    }
}

} // namespace asocat::capture
