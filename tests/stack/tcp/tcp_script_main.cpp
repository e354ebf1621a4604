// tcp_script: runs packetdrill-style TCP scripts (tcp_script.h) against the stack's TCP core on
// the virtual clock. Exit 0 when every script passes; on a failure prints the line, the reason
// and the trace of segments in and out.
//   tcp_script [--expect-failure REGEX] SCRIPT...
#include "tcp_script.h"

#include <cstdio>
#include <regex>

int main(int argc, char** argv) {
    std::string expect;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::printf("usage: %s [--expect-failure REGEX] SCRIPT...\n"
                        "Runs packetdrill-style TCP scripts (syntax: tests/stack/tcp/tcp_script.h) on the\n"
                        "virtual clock. With --expect-failure, each script must fail with a message matching\n"
                        "REGEX (to show that the interpreter catches what it should).\n",
                        argv[0]);
            return 0;
        }
        if (a == "--expect-failure") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "--expect-failure needs a regular expression\n");
                return 2;
            }
            expect = argv[++i];
            continue;
        }
        if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "unknown option %s (try --help)\n", a.c_str());
            return 2;
        }
        files.push_back(a);
    }
    if (files.empty()) {
        std::fprintf(stderr, "no script given (try --help)\n");
        return 2;
    }
    int bad = 0;
    for (const auto& f : files) {
        std::string e = nic::test::TcpScript::run_file(f);
        if (expect.empty()) {
            if (e.empty()) {
                std::printf("ok   %s\n", f.c_str());
            } else {
                std::printf("FAIL %s\n", e.c_str());
                ++bad;
            }
        } else if (e.empty()) {
            std::printf("FAIL %s passed, but it must fail with /%s/\n", f.c_str(), expect.c_str());
            ++bad;
        } else if (!std::regex_search(e, std::regex(expect))) {
            std::printf("FAIL %s failed for another reason than /%s/:\n%s\n", f.c_str(), expect.c_str(), e.c_str());
            ++bad;
        } else {
            std::printf("ok   %s failed as it must: %s\n", f.c_str(), e.substr(0, e.find('\n')).c_str());
        }
    }
    return bad ? 1 : 0;
}
