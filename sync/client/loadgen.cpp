#include "sync/client/loadgen.h"

#include "base/clock.h"
#include "base/fs.h"
#include "sync/client/central_client.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/messages.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <sstream>
#include <thread>

namespace nafitha::sync::load {

double Report::percentile_ms(std::vector<int64_t> ns, double p)
{
    if (ns.empty())
        return 0;
    size_t k = std::min(ns.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(ns.size())));
    std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
    return static_cast<double>(ns[k]) / 1e6;
}

std::string Report::summary() const
{
    char line[512];
    std::ostringstream out;
    std::snprintf(line, sizeof line, "requests %lld in %.1f s (%.0f/s), errors %lld\n", static_cast<long long>(requests),
                  elapsed_s, elapsed_s > 0 ? static_cast<double>(requests) / elapsed_s : 0.0, static_cast<long long>(errors));
    out << line;
    std::snprintf(line, sizeof line, "latency all: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", percentile_ms(all_latency_ns, 50),
                  percentile_ms(all_latency_ns, 99), percentile_ms(all_latency_ns, 100));
    out << line;
    for (const auto& [kind, ns] : latency_ns) {
        std::snprintf(line, sizeof line, "latency %s: %zu requests, p50 %.1f ms, p99 %.1f ms\n", kind.c_str(), ns.size(),
                      percentile_ms(ns, 50), percentile_ms(ns, 99));
        out << line;
    }
    for (const auto& [code, n] : errors_by_code)
        out << "errors " << code << ": " << n << "\n";
    std::snprintf(line, sizeof line, "draining terminals %lld, fully drained %lld; entries acknowledged %lld, lost %lld, duplicated %lld\n",
                  static_cast<long long>(drainers), static_cast<long long>(drained), static_cast<long long>(acknowledged),
                  static_cast<long long>(lost), static_cast<long long>(duplicated));
    out << line;
    return out.str();
}

Result<std::vector<journal::Identity>> enroll(const std::string& server_url, const std::vector<std::string>& codes,
                                              size_t threads, const HttpOptions& http)
{
    protocol::init_crypto();
    std::vector<journal::Identity> out(codes.size());
    std::vector<std::optional<Error>> errors(codes.size());
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (size_t t = 0; t < std::max<size_t>(1, std::min(threads, codes.size())); ++t) {
        pool.emplace_back([&] {
            for (size_t i; (i = next++) < codes.size();) {
                journal::Identity id;
                id.keys = protocol::generate_keypair();
                id.terminal_id = protocol::terminal_id_for(id.keys.public_key);
                CentralClient client(server_url, id, http);
                auto answer = client.enroll(codes[i]);
                if (!answer.ok())
                    errors[i] = answer.error();
                out[i] = std::move(id);
            }
        });
    }
    for (auto& t : pool)
        t.join();
    for (size_t i = 0; i < codes.size(); ++i)
        if (errors[i])
            return Error::make(errors[i]->code, "enrolling with code #" + std::to_string(i + 1) + ": " + errors[i]->detail);
    return out;
}

Result<std::vector<journal::Identity>> load_identities(const std::string& path)
{
    std::vector<journal::Identity> out;
    std::ifstream in(path);
    if (!in)
        return out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object())
            return Error::make("error.sync.message_malformed", "bad line in " + path);
        journal::Identity id;
        id.keys.secret_key = TRY(protocol::decode_secret_key(j.value("secret_key", "")));
        crypto_sign_ed25519_sk_to_pk(id.keys.public_key.data(), id.keys.secret_key.data());
        id.terminal_id = protocol::terminal_id_for(id.keys.public_key);
        out.push_back(std::move(id));
    }
    return out;
}

Result<void> save_identities(const std::string& path, const std::vector<journal::Identity>& ids)
{
    std::string text;
    for (const auto& id : ids)
        text += nlohmann::json{{"terminal_id", id.terminal_id}, {"secret_key", protocol::encode_secret_key(id.keys.secret_key)}}.dump()
            + "\n";
    return fs::write_file_atomic(path, text, 0600);
}

namespace {

nlohmann::json payload_for(int64_t seq, const std::string& tid)
{
    std::string ref = "LG-" + tid.substr(1, 4) + "-" + std::to_string(seq - seq % 3);
    switch (seq % 3) {
    case 0:
        return {{"reference", ref}, {"service_code", "civil.birth_extract"}, {"centre", "DAM-01"}, {"fee_minor", 200000},
                {"channel", "kiosk"}};
    case 1: return {{"reference", ref}, {"amount_minor", 200000}, {"method", "cash"}, {"centre", "DAM-01"}};
    default: return {{"reference", ref}, {"from", "paid"}, {"to", "in_review"}, {"actor", "kiosk"}};
    }
}

const char* type_for(int64_t seq)
{
    switch (seq % 3) {
    case 0: return "application.submitted";
    case 1: return "payment.recorded";
    default: return "application.status_changed";
    }
}

struct Sim {
    journal::Identity id;
    std::unique_ptr<CentralClient> client;
    bool drainer = false;
    bool resumed = false;
    // Draining.
    std::vector<protocol::Entry> chain;
    int64_t start_acked = -1; // central's seq when the run began
    int64_t acked = 0;        // what central acknowledged to us
    int64_t stored_sum = 0;   // central's "stored" over our batches
    int64_t target = 0;       // last seq of the backlog
    int failures = 0;
    std::unique_ptr<std::mutex> busy = std::make_unique<std::mutex>();
};

struct Job {
    int64_t due_ns;
    size_t terminal;
    bool operator>(const Job& o) const { return due_ns > o.due_ns; }
};

} // namespace

Result<Report> run(const std::vector<journal::Identity>& terminals, const Options& options)
{
    protocol::init_crypto();
    if (terminals.empty())
        return Error::make("error.sync.message_malformed", "no terminals to simulate");
    std::vector<Sim> sims(terminals.size());
    for (size_t i = 0; i < terminals.size(); ++i) {
        sims[i].id = terminals[i];
        sims[i].client = std::make_unique<CentralClient>(options.server_url, terminals[i], options.http);
        sims[i].drainer = options.fixed_rate <= 0 && i < options.drainers;
    }

    std::mutex mutex;
    std::condition_variable cv;
    std::priority_queue<Job, std::vector<Job>, std::greater<Job>> queue;
    std::mt19937_64 rng(std::random_device{}());
    int64_t start = clock::monotonic_ns();
    int64_t end = start + options.duration_ms * 1'000'000;
    int64_t interval_ns = options.pull_interval_ms * 1'000'000;
    // Fixed rate: request k is due at start + k / rate, for terminal k mod N.
    int64_t fixed_step_ns = options.fixed_rate > 0 ? static_cast<int64_t>(1e9 / options.fixed_rate) : 0;
    int64_t fixed_next = 0;
    if (fixed_step_ns == 0) {
        std::uniform_int_distribution<int64_t> spread(0, interval_ns), soon(0, 1'000'000'000);
        for (size_t i = 0; i < sims.size(); ++i)
            queue.push({start + (sims[i].drainer ? soon(rng) : spread(rng)), i});
    }
    bool stopping = false;

    Report report;
    report.drainers = static_cast<int64_t>(std::count_if(sims.begin(), sims.end(), [](const Sim& s) { return s.drainer; }));
    std::mutex report_mutex;

    auto record = [&](const char* kind, int64_t ns, const std::optional<Error>& error) {
        std::lock_guard lock(report_mutex);
        ++report.requests;
        report.latency_ns[kind].push_back(ns);
        report.all_latency_ns.push_back(ns);
        if (error) {
            ++report.errors;
            ++report.errors_by_code[error->code];
        }
    };
    // Times one call; `due` is when it should have started (fixed rate) or 0 (now).
    auto timed = [&](const char* kind, int64_t due, auto&& call) {
        int64_t t0 = due ? due : clock::monotonic_ns();
        auto result = call();
        record(kind, clock::monotonic_ns() - t0, result.ok() ? std::nullopt : std::optional<Error>(result.error()));
        return result;
    };

    // One job of terminal i; returns when it should run next (0 = never).
    auto work = [&](Sim& s, int64_t due, std::mt19937_64& local) -> int64_t {
        if (fixed_step_ns) {
            (void)timed("status", due, [&] { return s.client->status(0); });
            if (!options.keep_connections)
                s.client->close_connections();
            return 0;
        }
        if (!s.resumed) {
            auto state = timed("terminal", 0, [&] { return s.client->terminal_state(); });
            if (!state.ok()) {
                s.client->close_connections();
                int64_t backoff = std::min<int64_t>(60'000, 1000LL << std::min(s.failures++, 6));
                return clock::monotonic_ns() + backoff * 1'000'000;
            }
            s.resumed = true;
            s.failures = 0;
            if (s.start_acked < 0)
                s.start_acked = state->ack.seq;
            s.acked = state->ack.seq;
            if (s.drainer && s.chain.empty() && s.target == 0) {
                // The backlog: entries sealed by this terminal's key, chained to what central holds.
                std::string prev = state->ack.hash;
                for (int64_t seq = state->ack.seq + 1; seq <= state->ack.seq + options.backlog_entries; ++seq) {
                    protocol::Entry e;
                    e.seq = seq;
                    e.id = s.id.terminal_id + "-lg-" + std::to_string(seq);
                    e.terminal_id = s.id.terminal_id;
                    e.type = type_for(seq);
                    e.time = clock::now_iso8601();
                    e.payload = payload_for(seq, s.id.terminal_id);
                    e.prev_hash = prev;
                    (void)protocol::seal(e, s.id.keys.secret_key);
                    prev = e.hash;
                    s.chain.push_back(std::move(e));
                }
                s.target = state->ack.seq + options.backlog_entries;
            }
        }
        if (s.drainer && s.acked < s.target) {
            // The next batch from what central acknowledged.
            size_t from = static_cast<size_t>(s.acked - (s.target - options.backlog_entries));
            size_t n = std::min(options.batch_entries, s.chain.size() - from);
            std::vector<protocol::Entry> batch(s.chain.begin() + static_cast<std::ptrdiff_t>(from),
                                               s.chain.begin() + static_cast<std::ptrdiff_t>(from + n));
            auto answer = timed("ingest", 0, [&] { return s.client->ingest(batch); });
            if (answer.ok()) {
                s.acked = std::max(s.acked, answer->ack.seq);
                s.stored_sum += answer->stored;
                s.failures = 0;
                if (s.acked < s.target)
                    return clock::monotonic_ns(); // the next batch at once
                std::vector<protocol::Entry>().swap(s.chain);
            } else {
                s.resumed = false; // ask where central stands, then resend
                s.client->close_connections();
                int64_t backoff = std::min<int64_t>(60'000, 1000LL << std::min(s.failures++, 6));
                std::uniform_int_distribution<int64_t> jitter(backoff / 2, backoff);
                return clock::monotonic_ns() + jitter(local) * 1'000'000;
            }
        }
        // A pull: decisions, then the catalogue, on one connection; then the connection is closed.
        auto status = timed("status", 0, [&] { return s.client->status(0); });
        if (status.ok())
            (void)timed("catalogue", 0, [&] { return s.client->catalogue(1'000'000'000); });
        s.client->close_connections();
        std::uniform_int_distribution<int64_t> next(interval_ns * 3 / 4, interval_ns * 5 / 4);
        return clock::monotonic_ns() + next(local);
    };

    std::vector<std::thread> threads;
    for (size_t t = 0; t < std::max<size_t>(1, options.threads); ++t) {
        threads.emplace_back([&, t] {
            std::mt19937_64 local(std::random_device{}() + t);
            for (;;) {
                Job job{};
                {
                    std::unique_lock lock(mutex);
                    for (;;) {
                        if (stopping)
                            return;
                        int64_t now = clock::monotonic_ns();
                        if (fixed_step_ns) {
                            int64_t due = start + fixed_next * fixed_step_ns;
                            if (due >= end)
                                return;
                            if (due <= now) {
                                job = {due, static_cast<size_t>(fixed_next % static_cast<int64_t>(sims.size()))};
                                ++fixed_next;
                                break;
                            }
                            cv.wait_for(lock, std::chrono::nanoseconds(due - now));
                            continue;
                        }
                        if (!queue.empty() && queue.top().due_ns <= now) {
                            job = queue.top();
                            queue.pop();
                            break;
                        }
                        if (now >= end)
                            return;
                        int64_t wake = queue.empty() ? end : std::min(end, queue.top().due_ns);
                        cv.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(wake - now, 100'000)));
                    }
                }
                // In fixed-rate mode a terminal may come round again while still busy: one client, one request.
                Sim& s = sims[job.terminal];
                int64_t next;
                {
                    std::lock_guard busy(*s.busy);
                    next = work(s, job.due_ns, local);
                }
                if (next > 0 && next < end) {
                    std::lock_guard lock(mutex);
                    queue.push({next, job.terminal});
                    cv.notify_one();
                }
            }
        });
    }
    for (auto& t : threads)
        t.join();
    report.elapsed_s = static_cast<double>(clock::monotonic_ns() - start) / 1e9;

    // Where central stands for every draining terminal.
    for (auto& s : sims) {
        if (!s.drainer || s.start_acked < 0)
            continue;
        report.acknowledged += s.acked - s.start_acked;
        auto state = s.client->terminal_state();
        s.client->close_connections();
        if (!state.ok()) {
            ++report.errors_by_code["final check: " + state.error().code];
            continue;
        }
        if (state->ack.seq < s.acked)
            report.lost += s.acked - state->ack.seq;
        int64_t advanced = state->ack.seq - s.start_acked;
        if (s.stored_sum > advanced)
            report.duplicated += s.stored_sum - advanced;
        if (s.target > 0 && state->ack.seq >= s.target)
            ++report.drained;
    }
    return report;
}

} // namespace nafitha::sync::load
