// Counts every heap allocation in the process (C and C++, including HarfBuzz and FreeType), by interposing
// malloc and friends over glibc's own. Linked only into the test that proves a steady frame allocates nothing.

#include <atomic>
#include <cstddef>
#include <cstdint>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
}

namespace {
std::atomic<uint64_t> g_count{0};
}

uint64_t allocation_count() { return g_count.load(std::memory_order_relaxed); }

extern "C" {
void* malloc(size_t n)
{
    g_count.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(n);
}
void* calloc(size_t n, size_t size)
{
    g_count.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n)
{
    g_count.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
}
