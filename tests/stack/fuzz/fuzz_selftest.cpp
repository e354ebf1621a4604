// A fuzz target that crashes on purpose for an input starting with "CRASH". The ctest entry
// stack_fuzz_runner_detects_crash runs run_fuzz.sh on it with a corpus holding such an input and
// wants a non-zero exit and libFuzzer's crash report: proof that a crash a real target finds fails
// its test instead of passing unnoticed.
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size >= 5 && std::memcmp(data, "CRASH", 5) == 0) __builtin_trap();
    return 0;
}
