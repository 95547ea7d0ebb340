/* Random storage faults for the torture run, counted across processes.
 *
 * Preloaded after libfiu's POSIX preload library:
 *   LD_PRELOAD="/usr/lib/fiu/fiu_posix_preload.so .../libnafitha_fiu_faults.so"
 *   NAFITHA_FIU_PROBABILITY=0.01        chance that one call fails
 *   NAFITHA_FIU_COUNTER=/path/file      8-byte counter, shared by every process given the same file
 *   NAFITHA_FIU_POINTS=a,b,...          libfiu points (default: pread, pwrite, fsync, fdatasync, ftruncate)
 * Each failing call gets an error from libfiu (a random errno valid for that call, as the kernel could give).
 * The counter is a shared mapping, so that a process killed with SIGKILL has still counted its faults.
 * Short reads and writes ("/reduce" points) are left out: a regular file on a working disk does not return
 * a short read in the middle of the file, and SQLite, by design, zero-fills one. */

#define _GNU_SOURCE
/* Without FIU_ENABLE, fiu.h turns fiu_init() into a macro that does nothing. */
#define FIU_ENABLE 1
#include <fiu-control.h>
#include <fiu.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t* g_counter;
static uint64_t g_threshold; /* fail when a 64-bit random number is below this */
static __thread uint64_t t_state;

static uint64_t next_random(void)
{
    if (t_state == 0) {
        struct timespec ts;
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
        t_state = ((uint64_t)syscall(SYS_getpid) << 32) ^ (uint64_t)syscall(SYS_gettid) ^ (uint64_t)ts.tv_nsec
            ^ ((uint64_t)ts.tv_sec << 20) ^ 0x9E3779B97F4A7C15ull;
    }
    /* xorshift64* */
    t_state ^= t_state >> 12;
    t_state ^= t_state << 25;
    t_state ^= t_state >> 27;
    return t_state * 0x2545F4914F6CDD1Dull;
}

static int decide(const char* name, int* failnum, void** failinfo, unsigned int* flags)
{
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    if (next_random() >= g_threshold)
        return 0;
    if (g_counter)
        __atomic_fetch_add(g_counter, 1, __ATOMIC_RELAXED);
    return 1;
}

__attribute__((constructor)) static void nafitha_fiu_faults_init(void)
{
    const char* probability = getenv("NAFITHA_FIU_PROBABILITY");
    if (!probability)
        return;
    double p = atof(probability);
    if (p <= 0)
        return;
    g_threshold = p >= 1 ? UINT64_MAX : (uint64_t)(p * 18446744073709551615.0);
    const char* counter = getenv("NAFITHA_FIU_COUNTER");
    if (counter) {
        /* Raw system calls: this constructor may run before libfiu's POSIX wrappers have found the real
         * functions, and calling a wrapper then crashes. */
        int fd = (int)syscall(SYS_openat, AT_FDCWD, counter, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (syscall(SYS_ftruncate, fd, 8) == 0) {
                void* m = (void*)syscall(SYS_mmap, NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                if (m != MAP_FAILED)
                    g_counter = (uint64_t*)m;
            }
            syscall(SYS_close, fd);
        }
    }
    fiu_init(0);
    const char* points = getenv("NAFITHA_FIU_POINTS");
    char list[512];
    strncpy(list, points ? points
                         : "posix/io/rw/pread,posix/io/rw/pwrite,posix/io/sync/fsync,posix/io/sync/fdatasync,"
                           "posix/io/rw/ftruncate",
            sizeof list - 1);
    list[sizeof list - 1] = 0;
    char* save = NULL;
    for (char* name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save))
        fiu_enable_external(name, 1, NULL, 0, decide);
}
