#include "base/fatal_signal.h"

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <unistd.h>

namespace nafitha::fatal_signal {

namespace {

char g_program[64] = "nafitha";
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS};

const char* signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGSYS: return "SIGSYS";
    default: return "signal";
    }
}

// Appends text or a decimal number to a fixed buffer (no allocation, no locale).
struct Line {
    char buf[256];
    size_t n = 0;
    void add(const char* s)
    {
        while (*s && n < sizeof buf - 1)
            buf[n++] = *s++;
    }
    void add(uint64_t v)
    {
        char digits[24];
        size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v && k < sizeof digits);
        while (k && n < sizeof buf - 1)
            buf[n++] = digits[--k];
    }
};

void on_fatal(int sig, siginfo_t* info, void*)
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    Line line;
    line.add(g_program);
    line.add(": FATAL: ");
    line.add(signal_name(sig));
    line.add(" (signal ");
    line.add(static_cast<uint64_t>(sig));
    line.add(") at unix ms ");
    line.add(static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000);
    if (info && (sig == SIGSEGV || sig == SIGBUS)) {
        line.add(", address ");
        line.add(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(info->si_addr)));
    }
    if (info && info->si_code <= 0) {
        line.add(", sent by pid ");
        line.add(static_cast<uint64_t>(info->si_pid));
    }
    line.add("\n");
    ssize_t ignored = write(STDERR_FILENO, line.buf, line.n);
    (void)ignored;
    // Default action: dies with the same signal (and a core dump where enabled).
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
    raise(sig);
}

struct AltStack {
    std::unique_ptr<char[]> memory;
    AltStack()
    {
        size_t size = 64 * 1024;
        memory.reset(new char[size]);
        stack_t ss{};
        ss.ss_sp = memory.get();
        ss.ss_size = size;
        sigaltstack(&ss, nullptr);
    }
    ~AltStack()
    {
        stack_t ss{};
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, nullptr);
    }
};

} // namespace

void init_thread() { thread_local AltStack stack; }

void install(const char* program)
{
    std::strncpy(g_program, program, sizeof g_program - 1);
    init_thread();
    struct sigaction sa {};
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int sig : kSignals)
        sigaction(sig, &sa, nullptr);
}

} // namespace nafitha::fatal_signal
