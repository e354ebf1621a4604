// libFuzzer entry point (Clang only): see fuzz_tcp.h. A finding aborts with the reason.
#include "fuzz_tcp.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string e = nic::test::tcp_fuzz_one(data, size);
    if (!e.empty()) {
        std::fprintf(stderr, "tcp fuzz: %s\n", e.c_str());
        std::abort();
    }
    return 0;
}
