#include "sync/client/worker.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "sync/client/central_client.h"
#include "sync/client/config.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"

#include <random>

namespace nafitha::sync {

namespace {

std::filesystem::path alarm_file(const std::filesystem::path& dir) { return dir / "sync_alarm.json"; }

} // namespace

struct SyncWorker::Impl {
    SyncOptions options;
    SyncCallbacks callbacks;
    SyncConfig config;            // as enrollment wrote it: the worker writes back only cursors and versions
    protocol::PublicKey central_key{}; // pinned at enrollment
    std::unique_ptr<CentralClient> client;
    std::optional<journal::Reader> reader;

    // Where the next batch starts (the server's acknowledged seq); learnt from the server after a start.
    bool resumed = false;
    int64_t cursor = 0;
    size_t batch_limit = 0;
    int64_t next_pull_ms = 0;    // unix ms; 0 = at the next pass
    int64_t retry_after_ms = 0;  // the server asked to wait at least this long (429, 503)

    mutable std::mutex mutex; // guards progress
    SyncProgress progress;

    std::mutex run_mutex;
    std::condition_variable wake;
    std::mutex wake_mutex;
    bool wake_flag = false;
    std::atomic<bool> stopping{false};
    std::thread thread;
    std::mt19937_64 rng{std::random_device{}()};

    void set_progress(const std::function<void(SyncProgress&)>& fn)
    {
        std::lock_guard lock(mutex);
        fn(progress);
        ++progress.version;
    }

    void refresh_counts()
    {
        auto last = reader->last_seq();
        auto acked = reader->acked_seq();
        if (last.ok() && acked.ok())
            set_progress([&](SyncProgress& p) {
                p.last_seq = last.value();
                p.acked_seq = acked.value();
                p.pending = last.value() - acked.value();
                p.clock_offset_ms = client->clock_offset_ms();
                p.wire_bytes = client->wire_bytes_sent();
            });
    }

    Error raise_alarm(Error error)
    {
        log::error("sync", "queue stopped: " + error.to_string());
        nlohmann::json j = {{"error", error.code}, {"detail", error.detail}, {"time", clock::now_iso8601()}};
        (void)fs::write_file_atomic(alarm_file(options.data_dir), j.dump(2) + "\n", 0600);
        set_progress([&](SyncProgress& p) {
            p.alarm = true;
            p.state = SyncState::Stopped;
            p.last_error = error;
        });
        return error;
    }

    // Central's signed word on what it holds, checked against the journal. A different hash at the acknowledged
    // seq is a fork: the alarm is raised here and reported to central, which records it too. An ack below the kept
    // one means central lost what it acknowledged (a restore from backup): the entries are sent again.
    Result<void> accept_ack(const CheckedAck& a)
    {
        auto last = TRY(reader->last_seq());
        if (a.ack.seq > last)
            return raise_alarm(Error::make("error.sync.central_ahead", "central acknowledged seq " + std::to_string(a.ack.seq)
                                                                           + " but the journal ends at " + std::to_string(last)));
        auto own = TRY(reader->hash_at(a.ack.seq));
        if (!own || *own != a.ack.hash) {
            (void)client->report_alarm({"fork", a.ack.seq, own.value_or(""), a.ack.hash});
            return raise_alarm(Error::make("error.sync.fork", "entry " + std::to_string(a.ack.seq)
                                                                  + " of this terminal is not the one central acknowledged"));
        }
        if (auto kept = TRY(reader->kept_ack()); kept && kept->ack.seq > a.ack.seq)
            log::warn("sync", "central acknowledges up to " + std::to_string(a.ack.seq) + " but had signed for "
                                  + std::to_string(kept->ack.seq) + ": sending again from there");
        return reader->record_ack(a.ack, a.signed_ack);
    }

    // The kept acknowledgement against the journal, before anything is sent: entries central acknowledged must
    // still be there, unchanged.
    Result<void> check_kept_ack()
    {
        auto kept = TRY(reader->kept_ack());
        if (!kept)
            return {};
        if (!protocol::verify_statement(kept->signed_ack, central_key, "ack").ok())
            return raise_alarm(Error::make("error.sync.answer_forged", "the kept acknowledgement is not signed by central"));
        auto own = TRY(reader->hash_at(kept->ack.seq));
        if (!own)
            return raise_alarm(Error::make("error.sync.journal_truncated", "central acknowledged seq " + std::to_string(kept->ack.seq)
                                                                                + " but the journal no longer holds it"));
        if (*own != kept->ack.hash) {
            (void)client->report_alarm({"fork", kept->ack.seq, *own, kept->ack.hash});
            return raise_alarm(Error::make("error.sync.fork", "entry " + std::to_string(kept->ack.seq)
                                                                  + " was changed after central acknowledged it"));
        }
        return {};
    }

    // An error of a request: raises the alarm when it will not heal, else hands it back to be retried later.
    Error fail(Error error)
    {
        if (classify(error, client->last_refusal()) == Retry::Never)
            return raise_alarm(std::move(error));
        return error;
    }

    // Sends everything pending. Errors that will not heal raise the alarm.
    Result<void> drain()
    {
        auto last = TRY(reader->last_seq());
        if (!resumed) {
            TRY(check_kept_ack());
            auto state = client->terminal_state();
            if (!state.ok())
                return fail(state.release_error());
            TRY(accept_ack(state.value()));
            cursor = state->ack.seq;
            resumed = true;
            set_progress([&](SyncProgress& p) { p.last_success_ms = clock::unix_ms(); });
        }
        int gap_retries = 0;
        while (!stopping) {
            size_t max_entries = std::min(options.batch_max_entries, batch_limit ? batch_limit : options.batch_max_entries);
            max_entries = std::min(max_entries, protocol::kMaxBatchEntries);
            auto entries = TRY(reader->entries_after(cursor, max_entries, options.batch_max_bytes));
            if (entries.empty())
                break;
            auto answer = client->ingest(entries);
            if (answer.ok()) {
                if (answer->ack.seq < entries.back().seq) {
                    resumed = false;
                    return Error::make("error.sync.server_error", "central acknowledged less than it was sent");
                }
                TRY(accept_ack(answer.value()));
                cursor = answer->ack.seq;
                batch_limit = 0;
                set_progress([&](SyncProgress& p) {
                    p.last_success_ms = clock::unix_ms();
                    p.entries_sent += static_cast<int64_t>(entries.size());
                });
                refresh_counts();
                continue;
            }
            Error error = answer.release_error();
            const auto& refusal = client->last_refusal();
            if (error.code == "error.central.gap" && refusal.expected_seq && *refusal.expected_seq - 1 <= last
                && *refusal.expected_seq >= 1 && ++gap_retries < 4) {
                // Central holds less than we thought (restored from a backup, or a lost answer): resend from there.
                cursor = *refusal.expected_seq - 1;
                continue;
            }
            if ((error.code == "error.sync.batch_too_large" || error.code == "error.sync.body_too_large")
                && entries.size() > 1) {
                batch_limit = std::max<size_t>(1, entries.size() / 2);
                continue;
            }
            if (classify(error, refusal) == Retry::Never)
                return raise_alarm(std::move(error));
            // The answer may have been lost after central stored the batch: ask again where it stands.
            resumed = false;
            return error;
        }
        return {};
    }

    Result<void> pull()
    {
        if (callbacks.apply_decision) {
            for (int page = 0; page < 100 && !stopping; ++page) {
                auto answer = client->status(config.status_cursor);
                if (!answer.ok())
                    return fail(answer.release_error());
                if (answer->empty())
                    break;
                for (const auto& d : answer.value()) {
                    TRY(callbacks.apply_decision(d));
                    config.status_cursor = d.decision.cursor;
                }
                TRY(save_config(options.data_dir, config));
            }
        }
        if (callbacks.install_catalogue && !stopping) {
            auto answer = client->catalogue(config.catalogue_version);
            if (!answer.ok())
                return fail(answer.release_error());
            if (answer->up_to_date && answer->version < config.catalogue_version)
                log::warn("sync", "central's latest catalogue is version " + std::to_string(answer->version) + ", older than "
                                      + std::to_string(config.catalogue_version) + " installed here");
            if (!answer->up_to_date) {
                const auto& st = answer->statement;
                // No rollback: central signed an older (or the same) version than the one installed from it.
                if (st.version <= config.catalogue_version)
                    return raise_alarm(Error::make("error.sync.catalogue_rollback",
                                                   "catalogue version " + std::to_string(st.version) + " offered, "
                                                       + std::to_string(config.catalogue_version) + " installed"));
                if (st.expires_ms <= clock::unix_ms()) {
                    log::warn("sync", "catalogue version " + std::to_string(st.version) + " expired: not installed");
                } else {
                    TRY(callbacks.install_catalogue(answer.value()));
                    config.catalogue_version = st.version;
                    TRY(save_config(options.data_dir, config));
                    log::info("sync", "catalogue version " + std::to_string(st.version) + " installed");
                }
            }
        }
        if (callbacks.install_policy && !stopping) {
            auto answer = client->policy(config.policy_version);
            if (!answer.ok())
                return fail(answer.release_error());
            if (!answer->up_to_date) {
                if (answer->policy.version <= config.policy_version)
                    return raise_alarm(Error::make("error.sync.policy_rollback",
                                                   "policy version " + std::to_string(answer->policy.version) + " offered, "
                                                       + std::to_string(config.policy_version) + " installed"));
                TRY(callbacks.install_policy(answer.value()));
                config.policy_version = answer->policy.version;
                TRY(save_config(options.data_dir, config));
                log::info("sync", "policy version " + std::to_string(answer->policy.version) + " installed");
            }
        }
        if (!stopping)
            TRY(send_health());
        // The next pull comes after the interval with ±25 % jitter, so that terminals that came back together
        // (after an outage, a power cut) do not keep pulling in the same second.
        std::uniform_int_distribution<int64_t> jitter(options.pull_interval_ms * 3 / 4, options.pull_interval_ms * 5 / 4);
        next_pull_ms = clock::unix_ms() + jitter(rng);
        return {};
    }

    // The signed health report of this pull (sync/protocol/health.h).
    Result<void> send_health()
    {
        protocol::HealthReport h;
        h.time_ms = clock::unix_ms();
        h.software_version = NAFITHA_VERSION;
        h.catalogue_version = config.catalogue_version;
        h.policy_version = config.policy_version;
        h.last_seq = TRY(reader->last_seq());
        h.acked_seq = TRY(reader->acked_seq());
        h.pending = std::max<int64_t>(0, h.last_seq - h.acked_seq);
        if (h.pending > 0) {
            auto first = TRY(reader->entries_after(h.acked_seq, 1, protocol::kMaxEntryPayloadBytes * 2));
            if (!first.empty())
                if (auto t = clock::parse_iso8601_ms(first.front().time))
                    h.oldest_pending_ms = std::max<int64_t>(0, h.time_ms - *t);
        }
        std::error_code ec;
        auto space = std::filesystem::space(options.data_dir, ec);
        if (!ec)
            h.disk_free_bytes = static_cast<int64_t>(space.available);
        if (callbacks.device_health) {
            auto d = callbacks.device_health();
            h.printer = d.printer;
            h.paper = d.paper;
            h.out_of_service = d.out_of_service;
            h.reasons = std::move(d.reasons);
            if (h.reasons.size() > protocol::kMaxHealthReasons)
                h.reasons.resize(protocol::kMaxHealthReasons);
        }
        auto sent = client->send_health(std::move(h));
        if (!sent.ok()) {
            // Never a reason to stop the journal's queue: the next pull sends a fresh report (a central that does
            // not know the route yet answers 404).
            log::warn("sync", "health report not taken: " + sent.error().to_string());
            return {};
        }
        set_progress([](SyncProgress& p) { ++p.health_reports; });
        return {};
    }

    Result<void> pass(bool with_pull)
    {
        std::lock_guard lock(run_mutex);
        {
            std::lock_guard p(mutex);
            ++progress.passes;
            ++progress.version;
            if (progress.alarm)
                return *progress.last_error;
        }
        set_progress([](SyncProgress& p) { p.state = SyncState::Syncing; });
        auto result = drain();
        if (result.ok() && with_pull) {
            result = pull();
            // Decisions just recorded are journal entries of their own: send them too.
            if (result.ok())
                result = drain();
        }
        refresh_counts();
        keep_clock_offset();
        // Hold nothing open at central between passes.
        client->close_connections();
        retry_after_ms = result.ok() ? 0 : client->last_refusal().retry_after_s * 1000;
        if (result.ok()) {
            set_progress([](SyncProgress& p) {
                p.state = SyncState::Idle;
                p.last_success_ms = clock::unix_ms();
                p.last_error.reset();
                p.failures = 0;
            });
        } else if (!progress_alarm()) {
            set_progress([&](SyncProgress& p) {
                p.last_error = result.error();
                ++p.failures;
            });
        }
        return result;
    }

    // The offset to central's clock the client measured on the answers of this pass: used for this process's
    // records at once, and kept in sync.json for the next start (only when it moved beyond the noise).
    void keep_clock_offset()
    {
        int64_t measured = client->clock_offset_ms();
        clock::set_reference_offset_ms(measured);
        if (measured == config.clock_offset_ms)
            return;
        config.clock_offset_ms = measured;
        if (auto r = save_config(options.data_dir, config); !r.ok())
            log::warn("sync", "clock offset not kept: " + r.error().to_string()); // measured again next time
    }

    int64_t backoff_ms()
    {
        int64_t failures;
        {
            std::lock_guard lock(mutex);
            failures = progress.failures;
        }
        int64_t delay = options.backoff_initial_ms;
        for (int64_t i = 1; i < failures && delay < options.backoff_max_ms; ++i)
            delay *= 2;
        delay = std::min(delay, options.backoff_max_ms);
        // Jitter: somewhere between half and the whole delay, so that terminals do not retry in step; never
        // sooner than the server asked (Retry-After), with jitter on top of that too.
        std::uniform_int_distribution<int64_t> dist(delay / 2, delay);
        int64_t wait = dist(rng);
        if (retry_after_ms > 0) {
            std::uniform_int_distribution<int64_t> extra(0, retry_after_ms / 2);
            wait = std::max(wait, retry_after_ms + extra(rng));
        }
        return wait;
    }

    void sleep_for(int64_t ms)
    {
        std::unique_lock lock(wake_mutex);
        wake.wait_for(lock, std::chrono::milliseconds(ms), [&] { return wake_flag || stopping.load(); });
        wake_flag = false;
    }

    void loop()
    {
        while (!stopping) {
            bool pull_due = clock::unix_ms() >= next_pull_ms;
            auto result = pass(pull_due);
            if (stopping)
                break;
            bool alarm = progress_alarm();
            int64_t wait = alarm ? 3600'000 : result.ok() ? options.poll_interval_ms : backoff_ms();
            if (!result.ok() && !alarm) {
                log::warn("sync", "attempt failed, next in " + std::to_string(wait) + " ms: " + result.error().to_string());
                set_progress([&](SyncProgress& p) {
                    p.state = SyncState::Waiting;
                    p.next_attempt_ms = clock::unix_ms() + wait;
                });
            }
            sleep_for(wait);
        }
    }

    bool progress_alarm() const
    {
        std::lock_guard lock(mutex);
        return progress.alarm;
    }
};

SyncWorker::SyncWorker(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

SyncWorker::~SyncWorker() { stop(); }

Result<std::unique_ptr<SyncWorker>> SyncWorker::create(SyncOptions options, SyncCallbacks callbacks)
{
    auto impl = std::make_unique<Impl>();
    impl->config = TRY(load_config(options.data_dir));
    // --server moves this run only: sync.json keeps the enrolled server (moving a terminal is a re-enrollment).
    std::string url = options.server_url.empty() ? impl->config.server_url : options.server_url;
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    if (options.http.ca_file.empty())
        options.http.ca_file = impl->config.ca_file;
    auto key = protocol::decode_public_key(impl->config.server_public_key);
    if (!key.ok())
        return Error::make("error.sync.config_invalid", "sync.json holds no valid central key: enroll this terminal again");
    impl->central_key = key.value();
    auto identity = TRY(journal::load_identity(options.data_dir));
    if (identity.terminal_id != impl->config.terminal_id)
        return Error::make("error.sync.enroll_mismatch", "sync.json names another terminal than identity.json");
    impl->reader.emplace(TRY(journal::Reader::open(journal::database_file(options.data_dir))));
    impl->client = std::make_unique<CentralClient>(url, identity, options.http, impl->central_key);
    impl->client->set_abort(&impl->stopping);
    // Records carry central's time from the start, with the offset last measured.
    impl->client->set_clock_offset_ms(impl->config.clock_offset_ms);
    clock::set_reference_offset_ms(impl->config.clock_offset_ms);
    if (std::filesystem::exists(alarm_file(options.data_dir))) {
        auto text = fs::read_file(alarm_file(options.data_dir), 64 * 1024);
        auto j = nlohmann::json::parse(text.ok() ? text.value() : std::string("{}"), nullptr, false);
        std::string code = j.is_object() ? j.value("error", "error.sync.alarm") : "error.sync.alarm";
        std::string detail = j.is_object() ? j.value("detail", "") : "";
        impl->progress.alarm = true;
        impl->progress.state = SyncState::Stopped;
        impl->progress.last_error = Error::make(code, detail);
    }
    impl->options = std::move(options);
    impl->callbacks = std::move(callbacks);
    impl->refresh_counts();
    return std::unique_ptr<SyncWorker>(new SyncWorker(std::move(impl)));
}

void SyncWorker::start()
{
    if (m_impl->thread.joinable())
        return;
    m_impl->stopping = false;
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->loop(); });
}

void SyncWorker::stop()
{
    if (!m_impl || !m_impl->thread.joinable())
        return;
    {
        std::lock_guard lock(m_impl->wake_mutex);
        m_impl->stopping = true;
    }
    m_impl->wake.notify_all();
    m_impl->thread.join();
}

void SyncWorker::sync_now()
{
    {
        std::lock_guard lock(m_impl->wake_mutex);
        m_impl->wake_flag = true;
    }
    m_impl->wake.notify_all();
}

SyncProgress SyncWorker::progress() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->progress;
}

bool SyncWorker::progress_if_changed(uint64_t& seen, SyncProgress& out) const
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->progress.version == seen)
        return false;
    out = m_impl->progress;
    seen = out.version;
    return true;
}

Result<void> SyncWorker::run_once() { return m_impl->pass(true); }

Result<void> SyncWorker::clear_alarm(const std::filesystem::path& data_dir)
{
    std::error_code ec;
    std::filesystem::remove(alarm_file(data_dir), ec);
    if (ec)
        return Error::make("error.fs.write_failed", ec.message());
    return fs::fsync_dir(data_dir);
}

} // namespace nafitha::sync
