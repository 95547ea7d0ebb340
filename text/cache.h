#pragma once
// An LRU of laid-out paragraphs keyed by everything that changes the result: the text bytes, the font stack
// and every LayoutOptions field. A hit does not shape and does not allocate (the key is compared in place;
// the lookup hashes the text without copying it).

#include "text/paragraph.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nafitha::text {

class LayoutCache {
public:
    explicit LayoutCache(size_t capacity = 512);

    // The layout of `text` with `options`, from the cache or made with `shaper` on a miss (evicting the least
    // recently used entry when full). The reference stays valid until the next call to get() or clear().
    const Layout& get(std::string_view text, const LayoutOptions& options, const FontStack& fonts, Shaper& shaper);

    uint64_t hits() const { return m_hits; }
    uint64_t misses() const { return m_misses; }
    size_t size() const { return m_map.size(); }
    size_t capacity() const { return m_entries.size(); }
    void clear();

private:
    struct Entry {
        uint64_t hash = 0;
        uint64_t fonts = 0;
        std::string text;
        LayoutOptions options;
        Layout layout;
        uint32_t prev = UINT32_MAX, next = UINT32_MAX;
        bool used = false;
    };
    void unlink(uint32_t i);
    void push_front(uint32_t i);

    std::vector<Entry> m_entries;
    std::unordered_map<uint64_t, uint32_t> m_map;  // Hash -> entry index.
    uint32_t m_head = UINT32_MAX, m_tail = UINT32_MAX;
    uint32_t m_free = 0;  // Entries [m_free, capacity) have never been used.
    uint64_t m_hits = 0, m_misses = 0;
};

} // namespace nafitha::text
