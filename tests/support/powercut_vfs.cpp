#include "tests/support/powercut_vfs.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <random>
#include <sqlite3.h>
#include <string>
#include <unistd.h>

namespace nafitha::testing::powercut {

namespace {

constexpr int64_t kPage = 4096;

// What a file held at its last sync, for the pages written since: the page's bytes then (shorter than a page,
// or empty, where the file ended), and the file's size then.
struct Pending {
    int64_t durable_size = 0;
    std::map<int64_t, std::string> before; // page number -> durable bytes
};

struct State {
    std::mutex mutex;
    std::map<std::string, Pending> pending; // by file name, shared by every connection to the file
    bool off = false;
    uint64_t operations = 0;
    uint64_t cut_at = 0; // 0: not armed
    std::mt19937_64 rng{1};
    Stats stats;
};

State& state()
{
    static State s;
    return s;
}

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

struct File {
    sqlite3_file base;
    sqlite3_file* real; // follows this struct in the same allocation
    std::string* name;  // empty for temporary files, which need no durability
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

// The power goes: every file with writes since its last sync is left as a disk would leave it.
void cut_locked(State& s)
{
    for (auto& [name, p] : s.pending) {
        int fd = ::open(name.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0)
            continue;
        int64_t current = ::lseek(fd, 0, SEEK_END);
        int64_t size = p.durable_size;
        std::map<int64_t, bool> keep;
        for (auto& [page, bytes] : p.before) {
            bool kept = (s.rng() & 1) != 0;
            keep[page] = kept;
            if (kept) {
                ++s.stats.pages_kept;
                // A kept page beyond the durable end carries the file's size with it.
                size = std::max(size, std::min(current, (page + 1) * kPage));
            } else {
                ++s.stats.pages_lost;
            }
        }
        for (auto& [page, bytes] : p.before) {
            if (keep[page])
                continue;
            int64_t at = page * kPage;
            if (at >= size)
                continue;
            // The page as it was at the last sync; past the durable end of the file, zeros (an unwritten
            // extent reads as zeros).
            std::string image = bytes;
            int64_t end = std::min(size, at + kPage);
            if (static_cast<int64_t>(image.size()) < end - at)
                image.resize(static_cast<size_t>(end - at), '\0');
            image.resize(static_cast<size_t>(end - at));
            if (::pwrite(fd, image.data(), image.size(), at) < 0) {
                // A test machine's disk does not fail here; if it did, the check after the cut would show it.
            }
        }
        if (::ftruncate(fd, size) != 0) {
            // As above.
        }
        ::close(fd);
    }
    s.pending.clear();
    s.off = true;
    ++s.stats.cuts;
}

// Counts one storage operation; true when the power goes at this one (the operation then does not happen).
bool count_locked(State& s)
{
    ++s.operations;
    if (s.cut_at != 0 && s.operations >= s.cut_at) {
        s.cut_at = 0;
        cut_locked(s);
        return true;
    }
    return false;
}

// Remembers the durable bytes of the pages [from, to) of `f` before they change.
int remember_locked(State& s, File* f, int64_t from, int64_t to)
{
    if (f->name->empty())
        return SQLITE_OK;
    sqlite3_int64 size = 0;
    int rc = f->real->pMethods->xFileSize(f->real, &size);
    if (rc != SQLITE_OK)
        return rc;
    auto [it, fresh] = s.pending.try_emplace(*f->name);
    Pending& p = it->second;
    if (fresh)
        p.durable_size = size;
    for (int64_t page = from / kPage; to > from && page <= (to - 1) / kPage; ++page) {
        if (p.before.count(page))
            continue;
        int64_t at = page * kPage;
        int64_t n = std::clamp<int64_t>(size - at, 0, kPage);
        std::string bytes(static_cast<size_t>(n), '\0');
        if (n > 0) {
            rc = f->real->pMethods->xRead(f->real, bytes.data(), static_cast<int>(n), at);
            if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
                return rc;
        }
        p.before.emplace(page, std::move(bytes));
    }
    return SQLITE_OK;
}

int x_close(sqlite3_file* f)
{
    auto* file = reinterpret_cast<File*>(f);
    int rc = file->real->pMethods ? file->real->pMethods->xClose(file->real) : SQLITE_OK;
    delete file->name;
    file->name = nullptr;
    return rc;
}

int x_read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off)
{
    {
        State& s = state();
        std::lock_guard lock(s.mutex);
        if (s.off)
            return SQLITE_IOERR_READ;
    }
    return real_of(f)->pMethods->xRead(real_of(f), buf, amt, off);
}

int x_write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off)
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (s.off || count_locked(s))
        return SQLITE_IOERR_WRITE;
    auto* file = reinterpret_cast<File*>(f);
    if (int rc = remember_locked(s, file, off, off + amt); rc != SQLITE_OK)
        return rc;
    return file->real->pMethods->xWrite(file->real, buf, amt, off);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size)
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (s.off || count_locked(s))
        return SQLITE_IOERR_TRUNCATE;
    auto* file = reinterpret_cast<File*>(f);
    sqlite3_int64 current = 0;
    if (int rc = file->real->pMethods->xFileSize(file->real, &current); rc != SQLITE_OK)
        return rc;
    if (int rc = remember_locked(s, file, size, std::max<int64_t>(current, size)); rc != SQLITE_OK)
        return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

int x_sync(sqlite3_file* f, int)
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (s.off || count_locked(s))
        return SQLITE_IOERR_FSYNC;
    // Durable from here on. The disk itself is not asked: the model decides what a cut keeps.
    auto* file = reinterpret_cast<File*>(f);
    if (!file->name->empty())
        s.pending.erase(*file->name);
    return SQLITE_OK;
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size)
{
    {
        State& s = state();
        std::lock_guard lock(s.mutex);
        if (s.off)
            return SQLITE_IOERR_FSTAT;
    }
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

int x_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int x_check_reserved(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }

int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out)
{
    {
        State& s = state();
        std::lock_guard lock(s.mutex);
        if (s.off)
            return SQLITE_IOERR_SHMMAP;
    }
    return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) { return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags); }
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags)
{
    auto* file = reinterpret_cast<File*>(f);
    file->base.pMethods = nullptr;
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    {
        State& s = state();
        std::lock_guard lock(s.mutex);
        if (s.off)
            return SQLITE_CANTOPEN;
    }
    int rc = g_real->xOpen(g_real, name, file->real, flags, out_flags);
    if (rc != SQLITE_OK)
        return rc;
    file->name = new std::string(name ? name : "");
    file->base.pMethods = &g_methods;
    return SQLITE_OK;
}

int v_delete(sqlite3_vfs*, const char* name, int sync_dir)
{
    {
        State& s = state();
        std::lock_guard lock(s.mutex);
        if (s.off)
            return SQLITE_IOERR_DELETE;
        s.pending.erase(name);
    }
    return g_real->xDelete(g_real, name, sync_dir);
}

int v_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int v_full(sqlite3_vfs*, const char* name, int n, char* out) { return g_real->xFullPathname(g_real, name, n, out); }
void* v_dlopen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void v_dlerror(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*v_dlsym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void v_dlclose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int v_random(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int v_time(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int v_last_error(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError ? g_real->xGetLastError(g_real, n, out) : 0; }
int v_time64(sqlite3_vfs*, sqlite3_int64* out) { return g_real->xCurrentTimeInt64(g_real, out); }

} // namespace

void install()
{
    static std::once_flag once;
    std::call_once(once, [] {
        g_real = sqlite3_vfs_find(nullptr);
        g_methods = {};
        g_methods.iVersion = 2; // no xFetch: memory-mapped reads would bypass the shim
        g_methods.xClose = x_close;
        g_methods.xRead = x_read;
        g_methods.xWrite = x_write;
        g_methods.xTruncate = x_truncate;
        g_methods.xSync = x_sync;
        g_methods.xFileSize = x_file_size;
        g_methods.xLock = x_lock;
        g_methods.xUnlock = x_unlock;
        g_methods.xCheckReservedLock = x_check_reserved;
        g_methods.xFileControl = x_file_control;
        g_methods.xSectorSize = x_sector_size;
        g_methods.xDeviceCharacteristics = x_device;
        g_methods.xShmMap = x_shm_map;
        g_methods.xShmLock = x_shm_lock;
        g_methods.xShmBarrier = x_shm_barrier;
        g_methods.xShmUnmap = x_shm_unmap;
        g_vfs = {};
        g_vfs.iVersion = 2;
        g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_real->szOsFile;
        g_vfs.mxPathname = g_real->mxPathname;
        g_vfs.zName = "nafitha-powercut";
        g_vfs.xOpen = v_open;
        g_vfs.xDelete = v_delete;
        g_vfs.xAccess = v_access;
        g_vfs.xFullPathname = v_full;
        g_vfs.xDlOpen = v_dlopen;
        g_vfs.xDlError = v_dlerror;
        g_vfs.xDlSym = v_dlsym;
        g_vfs.xDlClose = v_dlclose;
        g_vfs.xRandomness = v_random;
        g_vfs.xSleep = v_sleep;
        g_vfs.xCurrentTime = v_time;
        g_vfs.xGetLastError = v_last_error;
        g_vfs.xCurrentTimeInt64 = v_time64;
        sqlite3_vfs_register(&g_vfs, 1);
    });
}

void arm(uint64_t n, uint64_t seed)
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.operations = 0;
    s.cut_at = n;
    s.rng.seed(seed);
}

uint64_t operations()
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    return s.operations;
}

bool is_off()
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    return s.off;
}

void power_on()
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.off = false;
    s.cut_at = 0;
    s.pending.clear();
}

Stats stats()
{
    State& s = state();
    std::lock_guard lock(s.mutex);
    return s.stats;
}

} // namespace nafitha::testing::powercut
