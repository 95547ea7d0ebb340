#pragma once
// Power cuts for SQLite, the way SQLite's own crash tests do it (src/test6.c): a VFS shim between SQLite and
// the unix VFS that remembers every write not yet made durable by a sync. At a chosen moment, the power goes:
// each page written since the file's last sync independently reaches the disk or not (4 KiB pages, as the
// page cache writes them back; a sync makes everything before it durable), a file grown since its last sync
// keeps its old size unless a kept page needs the new one, and from then on every call fails, like a machine
// that is off. The program then drops its connections, calls power_on(), and opens the databases again to see
// what a real machine would find after the reboot.
//
// The moment is a count of storage operations (writes, syncs, truncations) from arm(): where the cut lands
// depends on the work done, not on the machine's speed. Syncs are recorded, not passed to the disk: the
// model, not the kernel, decides what survives, and the run stays fast.
//
// Assumptions, as SQLite's default unix VFS makes them: a page write is atomic (no torn pages: powersafe
// overwrite), and creating, renaming or deleting a file is durable at once. Files written outside SQLite
// (base/fs's atomic files) are not covered.

#include <cstdint>

namespace nafitha::testing::powercut {

// Registers the shim as SQLite's default VFS (once; later calls do nothing). Every connection opened after
// this goes through it, the terminal's and central's alike.
void install();

// The power goes off at the `n`-th storage operation from now (1 = the next one); 0 disarms. `seed` decides
// which unsynced pages survive.
void arm(uint64_t n, uint64_t seed);

// Storage operations counted since the last arm() (to learn how many a piece of work takes).
uint64_t operations();

// True once the armed cut happened (until power_on()).
bool is_off();

// Power back on: calls work again and nothing is pending. Call it after closing every connection that was
// open at the cut.
void power_on();

struct Stats {
    uint64_t cuts = 0;
    uint64_t pages_lost = 0;  // pages written but not synced that did not reach the disk
    uint64_t pages_kept = 0;  // pages written but not synced that did
};
Stats stats();

} // namespace nafitha::testing::powercut
