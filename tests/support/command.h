#pragma once
// Running one of the project's executables from a test, as a technician would from a shell.

#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <utility>

namespace nafitha::test {

// What `command` printed on standard output and its exit status (-1 when it could not be started). Standard error is
// discarded, or kept in the same text with `with_stderr`.
inline std::pair<int, std::string> run_command(const std::string& command, bool with_stderr = false)
{
    std::string out;
    FILE* p = popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    if (!p)
        return {-1, out};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace nafitha::test
