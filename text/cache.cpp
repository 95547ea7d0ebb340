// LRU cache of laid-out paragraphs.

#include "text/cache.h"

#include <bit>
#include <functional>

namespace nafitha::text {

namespace {

uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

uint64_t key_hash(std::string_view text, const LayoutOptions& o, uint64_t fonts)
{
    uint64_t h = std::hash<std::string_view>{}(text);
    h = mix(h, fonts);
    h = mix(h, uint64_t(o.direction) | uint64_t(o.weight) << 8 | uint64_t(o.align) << 16 | uint64_t(o.justify) << 24 |
                   uint64_t(o.overflow) << 32 | uint64_t(o.digits) << 40);
    h = mix(h, uint64_t(uint32_t(o.pixel_size)) | uint64_t(uint32_t(o.max_lines)) << 32);
    h = mix(h, uint64_t(std::bit_cast<uint32_t>(o.max_width)) | uint64_t(std::bit_cast<uint32_t>(o.line_spacing)) << 32);
    return h;
}

} // namespace

LayoutCache::LayoutCache(size_t capacity) : m_entries(std::max<size_t>(capacity, 1))
{
    m_map.reserve(m_entries.size() * 2);
}

void LayoutCache::unlink(uint32_t i)
{
    Entry& e = m_entries[i];
    if (e.prev != UINT32_MAX)
        m_entries[e.prev].next = e.next;
    else
        m_head = e.next;
    if (e.next != UINT32_MAX)
        m_entries[e.next].prev = e.prev;
    else
        m_tail = e.prev;
    e.prev = e.next = UINT32_MAX;
}

void LayoutCache::push_front(uint32_t i)
{
    Entry& e = m_entries[i];
    e.prev = UINT32_MAX;
    e.next = m_head;
    if (m_head != UINT32_MAX)
        m_entries[m_head].prev = i;
    m_head = i;
    if (m_tail == UINT32_MAX)
        m_tail = i;
}

const Layout& LayoutCache::get(std::string_view text, const LayoutOptions& options, const FontStack& fonts, Shaper& shaper)
{
    uint64_t h = key_hash(text, options, fonts.id());
    if (auto it = m_map.find(h); it != m_map.end()) {
        Entry& e = m_entries[it->second];
        if (e.fonts == fonts.id() && e.options == options && e.text == text) {
            ++m_hits;
            if (m_head != it->second) {
                unlink(it->second);
                push_front(it->second);
            }
            return e.layout;
        }
        // A hash collision: the slot is reused for the new key below.
        uint32_t i = it->second;
        m_map.erase(it);
        unlink(i);
        m_entries[i].used = false;
        ++m_misses;
        Entry& slot = m_entries[i];
        slot.hash = h;
        slot.fonts = fonts.id();
        slot.text.assign(text);
        slot.options = options;
        shaper.layout(text, fonts, options, slot.layout);
        slot.used = true;
        m_map.emplace(h, i);
        push_front(i);
        return slot.layout;
    }
    ++m_misses;
    uint32_t i;
    if (m_free < m_entries.size()) {
        i = m_free++;
    } else {
        i = m_tail;
        m_map.erase(m_entries[i].hash);
        unlink(i);
    }
    Entry& slot = m_entries[i];
    slot.hash = h;
    slot.fonts = fonts.id();
    slot.text.assign(text);
    slot.options = options;
    shaper.layout(text, fonts, options, slot.layout);
    slot.used = true;
    m_map.emplace(h, i);
    push_front(i);
    return slot.layout;
}

void LayoutCache::clear()
{
    for (Entry& e : m_entries) {
        e.used = false;
        e.prev = e.next = UINT32_MAX;
        e.text.clear();
        e.layout.clear();
    }
    m_map.clear();
    m_head = m_tail = UINT32_MAX;
    m_free = 0;
}

} // namespace nafitha::text
