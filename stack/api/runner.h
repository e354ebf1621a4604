// Runners drive the stacks while a blocking socket call waits: the "wait" in blocking I/O.
//   VirtualRunner: unit tests and the in-memory link. Polls every stack until no work is left, then
//                  jumps the virtual clock to the earliest deadline (stacks, links, extra sources).
//   WallRunner:    TAP. Polls the stacks, then sleeps in poll(2) on the device descriptors exactly
//                  until the stacks' next deadline (or a frame arrives).
// The socket API calls step(until) in a loop until its condition holds or `until` passes.
#pragma once

#include "base/clock.h"

#include <functional>
#include <vector>

namespace nic {

class Stack;

class Runner {
public:
    virtual ~Runner() = default;
    virtual Instant now() const = 0;
    // Does some work or waits, but not past `until`. Returns false when nothing can happen any more
    // before `until` (the clock is then at `until`, or, for a virtual world with no future events and
    // until == max, nothing will ever happen: the caller gives up instead of hanging).
    virtual bool step(Instant until) = 0;
    // Runs until `until` (virtual: processes every event up to then).
    void run_until(Instant until) {
        while (now() < until && step(until)) {
        }
    }
    void run_for(Duration d) { run_until(now() + d); }
    // Application code that runs between polls in a single-threaded world (a UDP echo server, a DNS
    // responder) while another application blocks. Returns true if it did something. A task must use
    // non-blocking calls only (a blocking call would re-enter the runner).
    void add_task(std::function<bool()> t) { tasks_.push_back(std::move(t)); }

protected:
    bool run_tasks() {
        bool did = false;
        for (auto& t : tasks_) did |= t();
        return did;
    }
    std::vector<std::function<bool()>> tasks_;
};

class VirtualRunner : public Runner {
public:
    explicit VirtualRunner(VirtualClock& clock) : clock_(clock) {}
    void add_stack(Stack& s) { stacks_.push_back(&s); }
    // Other things with deadlines (a MemLink, a fault injector not under a stack, an app timer).
    void add_deadline_source(std::function<Instant()> f) { sources_.push_back(std::move(f)); }
    Instant now() const override { return clock_.now(); }
    bool step(Instant until) override;
    uint64_t steps() const { return steps_; }

private:
    VirtualClock& clock_;
    std::vector<Stack*> stacks_;
    std::vector<std::function<Instant()>> sources_;
    uint64_t steps_ = 0;
};

class WallRunner : public Runner {
public:
    explicit WallRunner(const WallClock& clock) : clock_(clock) {}
    void add_stack(Stack& s) { stacks_.push_back(&s); }
    void add_fd(int fd) { fds_.push_back(fd); }  // readable => a frame is waiting (TAP)
    Instant now() const override { return clock_.now(); }
    bool step(Instant until) override;
    // Longest single sleep: bounds the reaction to things that have no descriptor (link state).
    Duration max_sleep = Duration::from_ms(50);

private:
    const WallClock& clock_;
    std::vector<Stack*> stacks_;
    std::vector<int> fds_;
};

}  // namespace nic
