#pragma once
// nafitha-ctl subcommands register themselves here; each command group lives in its own file
// (installer/ctl/cmd_<group>.cpp) so that modules do not edit one shared list.
//
//   static int run_shape(nafitha::ctl::Args& args);
//   NAFITHA_CTL_COMMAND(shape, "shape", "shape --font PATH [--dir auto|rtl|ltr]  (UTF-8 lines on stdin)", run_shape)
//
// A multi-word command ("journal verify") is registered with its words separated by one space; the longest
// match wins.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::ctl {

// Arguments after the command words: --name value pairs, --flag switches, and positionals.
class Args {
public:
    explicit Args(std::vector<std::string> words) : m_words(std::move(words)) {}
    // The value after --name; nullopt when absent. Marks it used.
    std::optional<std::string> option(const std::string& name);
    // True when --name is present (as a switch). Marks it used.
    bool flag(const std::string& name);
    // The words that are not options, in order (call after reading every option and flag).
    std::vector<std::string> positionals();
    // Options or flags that no one asked for: the command should refuse to run with them.
    std::vector<std::string> unused() const;

private:
    std::vector<std::string> m_words;
    std::vector<bool> m_used = std::vector<bool>(m_words.size(), false);
};

using CommandFn = int (*)(Args&);

struct Command {
    std::string name;
    std::string usage;
    CommandFn fn;
};

std::vector<Command>& registry();

struct Registrar {
    Registrar(std::string name, std::string usage, CommandFn fn)
    {
        registry().push_back({std::move(name), std::move(usage), fn});
    }
};

// Prints "nafitha-ctl: <message>" to stderr and returns the exit code for a usage error (2).
int usage_error(const std::string& message);

} // namespace nafitha::ctl

#define NAFITHA_CTL_COMMAND(id, name, usage, fn) static ::nafitha::ctl::Registrar nafitha_ctl_registrar_##id(name, usage, fn)
