// Replays a libFuzzer target's committed inputs in the normal build: its corpus and every crash input kept
// as a regression (fuzz/corpus/NAME/, fuzz/regressions/NAME/). Linked with fuzz/fuzz_NAME.cpp, which defines
// LLVMFuzzerTestOneInput; a crash, an abort or a sanitizer report fails the test.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

TEST_CASE("Fuzz target " NAFITHA_FUZZ_NAME " replays its corpus and every crash input kept")
{
    std::vector<std::filesystem::path> files;
    for (const char* kind : {"corpus", "regressions"}) {
        auto dir = std::filesystem::path(NAFITHA_FUZZ_DIR) / kind / NAFITHA_FUZZ_NAME;
        if (!std::filesystem::exists(dir))
            continue;
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            if (entry.is_regular_file())
                files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(!files.empty());
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        INFO(file.string());
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    SUCCEED(files.size() << " inputs replayed");
}
