#pragma once
// Crash points: a test hook that lets fault tests kill a process at a chosen point of its work instead of
// after a sleep, so that where a kill lands does not depend on the machine's speed.
//
// With NAFITHA_CRASH_AT=N in the environment, the N-th call to crash_point() in the process sends it SIGKILL.
// With NAFITHA_CRASH_COUNT set, the number of points passed is written to standard error at exit as
// "crash points: N". Without either variable a call costs one predictable branch.
//
// The storage layer calls crash_point() before every statement step, every exec and on both sides of every
// commit, and the durable-file helpers around their writes and renames.

namespace nafitha {

void crash_point();

} // namespace nafitha
