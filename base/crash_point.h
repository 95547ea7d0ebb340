#pragma once
// Crash points: a test hook that lets fault tests kill a process at a chosen point of its work instead of
// after a sleep, so that where a kill lands does not depend on the machine's speed.
//
// With NAFITHA_CRASH_AT=N in the environment, the N-th call to crash_point() in the process sends it SIGKILL.
// With NAFITHA_CRASH_AFTER_READY set as well, the count starts at crash_point_ready() instead.
// With NAFITHA_CRASH_COUNT set, the number of points passed is written to standard error at exit as
// "crash points: N". Without either variable a call costs one predictable branch.
//
// The storage layer calls crash_point() before every statement step, every exec and on both sides of every
// commit, and the durable-file helpers around their writes and renames.

namespace nafitha {

void crash_point();

// Starts counting again from zero. A server calls it once it is ready to serve, so that NAFITHA_CRASH_AT=N
// lands on the N-th point of its work, not of its start-up (whose length depends on the database's state).
// Only when NAFITHA_CRASH_AFTER_READY is set as well; otherwise the count runs from the process's start.
void crash_point_ready();

} // namespace nafitha
