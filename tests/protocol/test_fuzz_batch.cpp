// Replays every committed input of the batch fuzz target (fuzz/corpus/batch/ and the crash inputs kept in
// fuzz/regressions/batch/) through the same LLVMFuzzerTestOneInput, in the normal GCC build: a crash input
// fixed once stays fixed.

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

TEST_CASE("Every committed batch fuzz input and crash regression runs clean")
{
    size_t replayed = 0;
    for (const char* sub : {"fuzz/corpus/batch", "fuzz/regressions/batch"}) {
        auto dir = std::filesystem::path(NAFITHA_SOURCE_DIR) / sub;
        if (!std::filesystem::exists(dir))
            continue;
        for (const auto& f : std::filesystem::directory_iterator(dir)) {
            if (!f.is_regular_file())
                continue;
            std::ifstream in(f.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            std::string bytes = ss.str();
            INFO(f.path().string());
            CHECK(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) == 0);
            ++replayed;
        }
    }
    CHECK(replayed >= 10);
}
