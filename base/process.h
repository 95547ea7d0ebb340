#pragma once
// Running another program (Debian's tools: apt-ftparchive, gpg, gpgv, apt-get, tar) and collecting what it
// printed. No shell: the arguments go to the program as they are.

#include "base/result.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace nafitha::process {

struct Options {
    std::filesystem::path cwd;                              // empty: the caller's
    std::vector<std::pair<std::string, std::string>> env;   // added to (or replacing in) the caller's environment
    std::string stdin_data;                                 // written to the program's standard input
    size_t max_output_bytes = 8 << 20;                      // each of stdout/stderr; the rest is dropped
    bool inherit_stderr = false;                            // let the program's stderr through (progress for a person)
};

// Options that only set the working folder.
inline Options in(std::filesystem::path cwd)
{
    Options o;
    o.cwd = std::move(cwd);
    return o;
}

struct Outcome {
    int exit_code = -1;  // the exit status; 128 + signal when killed by one
    std::string out;
    std::string err;
    bool ok() const { return exit_code == 0; }
};

// Runs argv[0] (looked up in PATH) with argv and waits for it. An error only when it could not be started.
Result<Outcome> run(const std::vector<std::string>& argv, const Options& options = {});

} // namespace nafitha::process
