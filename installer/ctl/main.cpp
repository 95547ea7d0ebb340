// nafitha-ctl: the operator's and technician's command-line tool.

#include "installer/ctl/command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace nafitha::ctl {

std::vector<Command>& registry()
{
    static std::vector<Command> commands;
    return commands;
}

std::optional<std::string> Args::option(const std::string& name)
{
    std::string key = "--" + name;
    for (size_t i = 0; i < m_words.size(); ++i) {
        if (m_words[i] == key && i + 1 < m_words.size()) {
            m_used[i] = m_used[i + 1] = true;
            return m_words[i + 1];
        }
        if (m_words[i].rfind(key + "=", 0) == 0) {
            m_used[i] = true;
            return m_words[i].substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

bool Args::flag(const std::string& name)
{
    std::string key = "--" + name;
    for (size_t i = 0; i < m_words.size(); ++i)
        if (m_words[i] == key) {
            m_used[i] = true;
            return true;
        }
    return false;
}

std::vector<std::string> Args::positionals()
{
    std::vector<std::string> out;
    for (size_t i = 0; i < m_words.size(); ++i)
        if (!m_used[i] && m_words[i].rfind("--", 0) != 0) {
            m_used[i] = true;
            out.push_back(m_words[i]);
        }
    return out;
}

std::vector<std::string> Args::unused() const
{
    std::vector<std::string> out;
    for (size_t i = 0; i < m_words.size(); ++i)
        if (!m_used[i])
            out.push_back(m_words[i]);
    return out;
}

int usage_error(const std::string& message)
{
    std::cerr << "nafitha-ctl: " << message << "\n";
    return 2;
}

} // namespace nafitha::ctl

static void print_help()
{
    auto commands = nafitha::ctl::registry();
    std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.name < b.name; });
    std::cout << "nafitha-ctl " NAFITHA_VERSION " — operate and diagnose a Nafitha terminal\n\n"
                 "usage: nafitha-ctl COMMAND [OPTIONS]\n\ncommands:\n";
    for (auto& c : commands)
        std::cout << "  " << c.usage << "\n";
    std::cout << "  --help      this text\n  --version   the version\n";
}

int main(int argc, char** argv)
{
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        print_help();
        return words.empty() ? 2 : 0;
    }
    if (words[0] == "--version") {
        std::cout << "nafitha-ctl " NAFITHA_VERSION "\n";
        return 0;
    }
    // Longest match of command words.
    const nafitha::ctl::Command* best = nullptr;
    size_t best_words = 0;
    for (auto& c : nafitha::ctl::registry()) {
        std::istringstream in(c.name);
        std::string w;
        size_t n = 0;
        bool match = true;
        while (in >> w) {
            if (n >= words.size() || words[n] != w) {
                match = false;
                break;
            }
            ++n;
        }
        if (match && n > best_words) {
            best = &c;
            best_words = n;
        }
    }
    if (!best)
        return nafitha::ctl::usage_error("unknown command '" + words[0] + "' (see nafitha-ctl --help)");
    nafitha::ctl::Args args(std::vector<std::string>(words.begin() + static_cast<long>(best_words), words.end()));
    if (args.flag("help")) {
        std::cout << "usage: nafitha-ctl " << best->usage << "\n";
        return 0;
    }
    return best->fn(args);
}
