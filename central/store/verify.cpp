#include "central/store/verify.h"

#include "sync/protocol/crypto.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace nafitha::central {

Result<std::string> check_signed_entry(const std::string& terminal_id, const protocol::PublicKey& key, int64_t seq,
                                       const std::string& prev_hash, const std::string& bytes, const std::string& signature)
{
    auto bad = [&](const std::string& what) {
        return Error::make("error.central.verify", "terminal " + terminal_id + " seq " + std::to_string(seq) + ": " + what);
    };
    auto j = nlohmann::json::parse(bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return bad("stored bytes are not a JSON object");
    auto field = [&](const char* k) -> const nlohmann::json* {
        auto it = j.find(k);
        return it == j.end() ? nullptr : &*it;
    };
    auto s = field("seq");
    auto t = field("terminal");
    auto p = field("prev");
    if (!s || !s->is_number_integer() || s->get<int64_t>() != seq)
        return bad("the signed seq is not the stored seq");
    if (!t || !t->is_string() || t->get<std::string>() != terminal_id)
        return bad("the signed terminal is another terminal");
    if (!p || !p->is_string() || p->get<std::string>() != prev_hash)
        return bad("does not chain to the entry before it");
    if (signature.empty())
        return protocol::sha256_hex(bytes); // unsigned: a later signed entry of the chain must cover it (the caller checks)
    if (!protocol::verify_raw(key, bytes, signature))
        return bad("bad signature");
    return protocol::sha256_hex(bytes);
}

namespace {

struct TerminalCheck {
    int64_t entries = 0;
    int64_t archived = 0;
    std::vector<std::string> problems;
};

TerminalCheck check_terminal(Store& store, const TerminalRecord& t, const std::vector<ArchivedRange>& archived)
{
    TerminalCheck out;
    auto key = protocol::decode_public_key(t.public_key);
    if (!key.ok()) {
        out.problems.push_back("terminal " + t.id + ": its public key does not decode");
        return out;
    }
    int64_t expect = 1;
    std::string prev = protocol::kGenesisHash;
    int64_t unsigned_since = 0; // the first of the unsigned entries not yet covered by a signed one
    // Archived ranges fill gaps: the chain enters the range with first_prev and leaves it with last_hash.
    auto skip_archived = [&](int64_t upto_seq) -> bool {
        bool moved = false;
        for (const auto& r : archived) {
            if (r.terminal_id == t.id && r.first_seq == expect && r.last_seq < upto_seq) {
                if (r.first_prev != prev)
                    out.problems.push_back("terminal " + t.id + ": archived range " + std::to_string(r.first_seq) + "-"
                                           + std::to_string(r.last_seq) + " does not chain to the entry before it");
                out.archived += r.last_seq - r.first_seq + 1;
                expect = r.last_seq + 1;
                prev = r.last_hash;
                moved = true;
            }
        }
        return moved;
    };
    auto r = store.scan_entries(t.id, 0, [&](const SignedEntry& e) -> Result<void> {
        while (e.seq > expect && skip_archived(e.seq)) {
        }
        if (e.seq != expect) {
            out.problems.push_back("terminal " + t.id + ": expected seq " + std::to_string(expect) + ", found " + std::to_string(e.seq));
            expect = e.seq;
            prev = "?";
        }
        auto hash = check_signed_entry(t.id, key.value(), e.seq, prev, e.bytes, e.signature);
        if (!hash.ok()) {
            if (out.problems.size() < 20)
                out.problems.push_back(hash.error().detail);
            else
                out.problems.push_back({});
            prev = protocol::sha256_hex(e.bytes);
        } else {
            prev = hash.value();
        }
        if (e.signature.empty()) {
            if (!unsigned_since)
                unsigned_since = e.seq;
        } else {
            unsigned_since = 0;
        }
        ++out.entries;
        ++expect;
        return {};
    });
    if (!r.ok()) {
        out.problems.push_back("terminal " + t.id + ": " + r.error().to_string());
        return out;
    }
    while (skip_archived(INT64_MAX)) {
    }
    if (unsigned_since)
        out.problems.push_back("terminal " + t.id + ": entries from seq " + std::to_string(unsigned_since)
                               + " on are unsigned and no signed entry follows them");
    if (expect - 1 != t.last_seq || prev != t.last_hash)
        out.problems.push_back("terminal " + t.id + ": the store ends at seq " + std::to_string(expect - 1)
                               + " but the terminal record says " + std::to_string(t.last_seq) + (prev != t.last_hash ? " (or another hash)" : ""));
    if (out.entries + out.archived != t.entries)
        out.problems.push_back("terminal " + t.id + ": " + std::to_string(out.entries + out.archived) + " entries found, "
                               + std::to_string(t.entries) + " counted");
    return out;
}

} // namespace

Result<VerifyReport> verify_store(Store& store, unsigned workers)
{
    auto terminals = TRY(store.terminals());
    auto months = TRY(store.archived_months());
    std::vector<ArchivedRange> archived;
    for (const auto& m : months)
        archived.insert(archived.end(), m.ranges.begin(), m.ranges.end());
    std::sort(archived.begin(), archived.end(), [](const auto& a, const auto& b) { return a.first_seq < b.first_seq; });
    if (workers == 0)
        workers = std::max(1u, std::thread::hardware_concurrency());
    workers = std::min<unsigned>(workers, static_cast<unsigned>(std::max<size_t>(1, terminals.size())));
    VerifyReport report;
    report.terminals = static_cast<int64_t>(terminals.size());
    std::mutex mutex;
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < terminals.size(); i = next++) {
            auto check = check_terminal(store, terminals[i], archived);
            std::lock_guard lock(mutex);
            report.entries += check.entries;
            report.archived += check.archived;
            for (auto& p : check.problems) {
                ++report.problems;
                if (!p.empty() && report.details.size() < 100)
                    report.details.push_back(std::move(p));
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned w = 1; w < workers; ++w)
        threads.emplace_back(work);
    work();
    for (auto& th : threads)
        th.join();
    return report;
}

} // namespace nafitha::central
