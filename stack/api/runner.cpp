// Runners: what a blocking socket call does while it waits. VirtualRunner polls every stack until
// idle, then jumps the VirtualClock to the earliest deadline; WallRunner polls, then sleeps in
// poll(2) on the TAP descriptors until the stacks' next deadline (capped by max_sleep).
//   SocketApi::wait / poll -> Runner::step -> Stack::poll(now), Stack::next_deadline()
#include "api/runner.h"

#include "iface/stack.h"

#include <poll.h>

#include <algorithm>

namespace nic {

bool VirtualRunner::step(Instant until) {
    ++steps_;
    bool did = false;
    for (Stack* s : stacks_) did |= s->poll(clock_.now());
    did |= run_tasks();
    if (did) return true;
    Instant t = Instant::max();
    for (Stack* s : stacks_) t = min(t, s->next_deadline());
    for (auto& f : sources_) t = min(t, f());
    // Something claims to be due now but a poll found nothing to do (a deadline source nobody
    // polls, e.g. a link port a test reads by hand): move time on by one tick rather than spin.
    if (t <= clock_.now()) t = clock_.now() + Duration::from_us(1);
    if (t.is_max() && until.is_max()) return false;  // quiescent: nothing will ever happen
    if (t > until) {
        clock_.advance_to(until);
        return false;
    }
    clock_.advance_to(t);
    return true;
}

bool WallRunner::step(Instant until) {
    bool did = false;
    Instant now = clock_.now();
    for (Stack* s : stacks_) did |= s->poll(now);
    did |= run_tasks();
    if (did) return true;
    if (now >= until) return false;
    Instant t = until;
    for (Stack* s : stacks_) t = min(t, s->next_deadline());
    Duration wait = t - now;
    if (wait < Duration{}) wait = Duration{};
    if (wait > max_sleep) wait = max_sleep;
    std::vector<pollfd> p;
    for (int fd : fds_) p.push_back(pollfd{fd, POLLIN, 0});
    // Round up to whole milliseconds so we do not spin just short of a deadline.
    int ms = int((wait.ns + 999999) / 1000000);
    ::poll(p.data(), p.size(), ms);
    return true;
}

}  // namespace nic
