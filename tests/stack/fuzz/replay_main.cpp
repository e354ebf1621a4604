// Replays a fuzz corpus through a fuzz target without libFuzzer (any compiler): the corpus in the tree
// is then a regression test in every build, and the clang/libFuzzer run explores from it.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help") {
        std::printf("usage: %s CORPUS_DIR...\nRuns every file of each corpus directory through the fuzz target once.\n",
                    argv[0]);
        return argc < 2 ? 2 : 0;
    }
    size_t n = 0;
    for (int i = 1; i < argc; ++i) {
        DIR* d = opendir(argv[i]);
        if (!d) {
            std::fprintf(stderr, "cannot open corpus %s\n", argv[i]);
            return 1;
        }
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::string path = std::string(argv[i]) + "/" + e->d_name;
            std::ifstream f(path, std::ios::binary);
            std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            LLVMFuzzerTestOneInput(b.data(), b.size());
            ++n;
        }
        closedir(d);
    }
    std::printf("replayed %zu inputs\n", n);
    return n ? 0 : 1;
}
