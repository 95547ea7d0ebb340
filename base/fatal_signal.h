#pragma once
// One line in the log when the process dies of a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
// SIGSYS), written from the signal handler with async-signal-safe calls only (clock_gettime, write), on an
// alternate signal stack so that a stack overflow is reported too. The signal is then re-raised with the
// default action (core dump, exit status).
//
//   fatal_signal::install("nafitha-central");   // once, early in main()
//   fatal_signal::init_thread();                // first thing in every thread the program starts

namespace nafitha::fatal_signal {

void install(const char* program);
// Gives the calling thread its own alternate signal stack (each thread needs one; freed at thread exit).
void init_thread();

} // namespace nafitha::fatal_signal
