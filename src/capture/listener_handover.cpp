#include "capture/listener_handover.hpp"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <linux/futex.h>
#include <string>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <utility>

namespace asocat::capture {
namespace {

constexpr std::uint32_t kPending = 0;   // the child has not installed yet
constexpr std::uint32_t kPublished = 1; // installed; waiting for the parent to take it
constexpr std::uint32_t kFailed = 2;    // the child could not install
constexpr std::uint32_t kTaken = 3;     // the parent holds its duplicate: the child may go on
constexpr std::uint32_t kRefused = 4;   // the parent could not take it: the child must stop

// How long a child waits for its parent to take the listener before it gives up.
constexpr int kTakeWaitSlices = 100;
constexpr timespec kSlice{0, 100'000'000};

long futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value, const timespec* timeout) {
    return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, timeout, nullptr,
                     0);
}

// Whether the process behind `pidfd` has ended (without reaping it).
bool has_ended(int pidfd) {
    siginfo_t info{};
    return ::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid != 0;
}

} // namespace

util::Expected<ListenerHandover> ListenerHandover::create() {
    void* page =
        ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        return util::Error::from_errno("cannot map the listener hand-over page");
    }
    auto* shared = new (page) Shared{};
    shared->state.store(kPending);
    shared->listener = -1;
    return ListenerHandover(shared);
}

ListenerHandover::ListenerHandover(ListenerHandover&& other) noexcept
    : m_shared(std::exchange(other.m_shared, nullptr)) {}

ListenerHandover::~ListenerHandover() {
    if (m_shared != nullptr) {
        m_shared->~Shared();
        ::munmap(m_shared, sizeof(Shared));
    }
}

int ListenerHandover::install_and_publish(const NotifyFilter& filter) const noexcept {
    const auto installed = filter.install();
    m_shared->listener = installed.listener;
    m_shared->error = installed.error;
    m_shared->step = installed.step;
    m_shared->state.store(installed.listener >= 0 ? kPublished : kFailed);
    futex(&m_shared->state, FUTEX_WAKE, 1, nullptr); // shared, not private: another process
    if (installed.listener < 0) {
        return installed.error;
    }
    // Until the parent holds its duplicate, this copy is the only one: going on (an exec that
    // is not trapped would close it) could leave the parent with nothing to take.
    for (int slice = 0; slice < kTakeWaitSlices; ++slice) {
        const std::uint32_t state = m_shared->state.load();
        if (state == kTaken) {
            return 0;
        }
        if (state != kPublished) {
            return ECANCELED;
        }
        futex(&m_shared->state, FUTEX_WAIT, kPublished, &kSlice);
    }
    return ETIMEDOUT;
}

util::Expected<util::ScopedFd> ListenerHandover::take(int child_pidfd) const {
    std::uint32_t state = m_shared->state.load();
    while (state == kPending) {
        if (has_ended(child_pidfd)) {
            return util::Error("the child ended before installing its seccomp filter", ECHILD);
        }
        futex(&m_shared->state, FUTEX_WAIT, kPending, &kSlice); // then recheck the child
        state = m_shared->state.load();
    }
    if (state == kFailed) {
        return util::Error::from_errno(std::string("cannot install the seccomp filter: ") +
                                           (m_shared->step != nullptr ? m_shared->step : "?"),
                                       m_shared->error);
    }
    util::ScopedFd listener(
        static_cast<int>(::syscall(SYS_pidfd_getfd, child_pidfd, m_shared->listener, 0)));
    const int taken_errno = errno;
    m_shared->state.store(listener ? kTaken : kRefused);
    futex(&m_shared->state, FUTEX_WAKE, 1, nullptr);
    if (!listener) {
        return util::Error::from_errno("cannot take the seccomp listener from the child",
                                       taken_errno);
    }
    return listener;
}

} // namespace asocat::capture
