#include "central/store/sqlite/shared_state.h"

#include "base/fs.h"

#include <optional>

namespace nafitha::central {

using db::Db;

namespace {

const char* kStateSchema = R"SQL(
CREATE TABLE IF NOT EXISTS nonces(
  terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_ms INTEGER NOT NULL,
  PRIMARY KEY(terminal_id, nonce)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_by_expiry ON nonces(expires_ms);
CREATE TABLE IF NOT EXISTS rate_windows(
  key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
)SQL";

} // namespace

struct SqliteSharedState::NonceRequest {
    const std::string* terminal_id;
    const std::string* nonce;
    int64_t expires_ms;
    int64_t now_ms;
    bool done = false;
    bool fresh = false;
    std::optional<Error> error;
};

Result<std::unique_ptr<SqliteSharedState>> SqliteSharedState::open(const std::filesystem::path& data_dir)
{
    std::unique_ptr<SqliteSharedState> s(new SqliteSharedState());
    auto path = data_dir / "central-state.db";
    s->m_db = TRY(Db::open(path));
    TRY(s->m_db.exec("PRAGMA journal_mode=WAL"));
    TRY(s->m_db.exec("PRAGMA synchronous=NORMAL"));
    TRY(s->m_db.exec(kStateSchema));
    s->m_count = TRY(s->m_db.prepare(
        "INSERT INTO rate_windows(key, window_start, window_end, count) VALUES(?1, ?2, ?3, 1) "
        "ON CONFLICT(key) DO UPDATE SET count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END, "
        "window_start = excluded.window_start, window_end = excluded.window_end RETURNING count"));
    s->m_add_counter = TRY(s->m_db.prepare(
        "INSERT INTO counters(name, value) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value"));

    s->m_nonce_db = TRY(Db::open(path));
    TRY(s->m_nonce_db.exec("PRAGMA synchronous=NORMAL"));
    s->m_upsert_nonce = TRY(s->m_nonce_db.prepare(
        "INSERT INTO nonces(terminal_id, nonce, expires_ms) VALUES(?1, ?2, ?3) "
        "ON CONFLICT(terminal_id, nonce) DO UPDATE SET expires_ms = excluded.expires_ms WHERE nonces.expires_ms <= ?4"));

    s->m_probe_db = TRY(Db::open(data_dir / "central.db"));
    TRY(s->m_probe_db.exec("PRAGMA synchronous=FULL"));
    TRY(s->m_probe_db.exec(
        "CREATE TABLE IF NOT EXISTS central_heartbeat(instance TEXT PRIMARY KEY, time_ms INTEGER NOT NULL)"));
    s->m_probe = TRY(s->m_probe_db.prepare(
        "INSERT INTO central_heartbeat(instance, time_ms) VALUES(?1, ?2) "
        "ON CONFLICT(instance) DO UPDATE SET time_ms = excluded.time_ms"));
    return s;
}

void SqliteSharedState::commit_nonces(const std::vector<NonceRequest*>& batch)
{
    auto fail_all = [&](const Error& e) {
        for (auto* r : batch)
            r->error = e;
    };
    auto begun = db::Transaction::begin(m_nonce_db);
    if (!begun.ok())
        return fail_all(begun.error());
    auto tx = begun.release_value();
    for (auto* r : batch) {
        m_upsert_nonce.bind(1, *r->terminal_id).bind(2, *r->nonce).bind(3, r->expires_ms).bind(4, r->now_ms);
        if (auto run = m_upsert_nonce.run(); !run.ok()) {
            m_upsert_nonce.reset();
            return fail_all(run.error());
        }
        r->fresh = m_nonce_db.changes() == 1;
    }
    if (auto c = tx.commit(); !c.ok()) {
        for (auto* r : batch)
            r->fresh = false;
        return fail_all(c.error());
    }
}

Result<bool> SqliteSharedState::use_nonce(const std::string& terminal_id, const std::string& nonce, int64_t expires_ms,
                                          int64_t now_ms)
{
    NonceRequest req{&terminal_id, &nonce, expires_ms, now_ms, false, false, std::nullopt};
    std::unique_lock lock(m_queue_mutex);
    m_queue.push_back(&req);
    while (!req.done) {
        if (m_leader) {
            m_queue_cv.wait(lock);
            continue;
        }
        // Lead: commit everything queued so far in one transaction.
        m_leader = true;
        std::vector<NonceRequest*> batch;
        batch.swap(m_queue);
        lock.unlock();
        commit_nonces(batch);
        lock.lock();
        for (auto* r : batch)
            r->done = true;
        m_leader = false;
        m_queue_cv.notify_all();
    }
    if (req.error)
        return *req.error;
    return req.fresh;
}

Result<RateWindow> SqliteSharedState::count_in_window(const std::string& key, int64_t window_ms, int64_t now_ms)
{
    std::lock_guard lock(m_mutex);
    int64_t start = now_ms - now_ms % window_ms;
    m_count.bind(1, key).bind(2, start).bind(3, start + window_ms);
    auto row = m_count.step();
    if (!row.ok()) {
        m_count.reset();
        return row.error();
    }
    RateWindow w{m_count.int64(0), start + window_ms};
    m_count.reset();
    return w;
}

Result<void> SqliteSharedState::add_counters(const std::vector<std::pair<std::string, int64_t>>& deltas)
{
    if (deltas.empty())
        return {};
    std::lock_guard lock(m_mutex);
    auto tx = TRY(db::Transaction::begin(m_db));
    for (const auto& [name, value] : deltas) {
        m_add_counter.bind(1, name).bind(2, value);
        if (auto r = m_add_counter.run(); !r.ok()) {
            m_add_counter.reset();
            return r;
        }
    }
    return tx.commit();
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteSharedState::counters()
{
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.prepare("SELECT name, value FROM counters ORDER BY name"));
    std::vector<std::pair<std::string, int64_t>> out;
    while (TRY(st.step()))
        out.emplace_back(st.text(0), st.int64(1));
    return out;
}

Result<void> SqliteSharedState::probe_write(const std::string& instance, int64_t now_ms)
{
    std::lock_guard lock(m_probe_mutex);
    m_probe.bind(1, instance).bind(2, now_ms);
    auto r = m_probe.run();
    if (!r.ok())
        m_probe.reset();
    return r;
}

Result<void> SqliteSharedState::expire_state(int64_t now_ms)
{
    // The nonce connection belongs to whoever leads: take the role, so that no commit runs meanwhile.
    {
        std::unique_lock lock(m_queue_mutex);
        m_queue_cv.wait(lock, [&] { return !m_leader; });
        m_leader = true;
    }
    auto r = [&]() -> Result<void> {
        auto del = TRY(m_nonce_db.prepare("DELETE FROM nonces WHERE expires_ms < ?1"));
        del.bind(1, now_ms);
        return del.run();
    }();
    {
        std::lock_guard lock(m_queue_mutex);
        m_leader = false;
    }
    m_queue_cv.notify_all();
    TRY(r);
    std::lock_guard lock(m_mutex);
    auto windows = TRY(m_db.prepare("DELETE FROM rate_windows WHERE window_end < ?1"));
    windows.bind(1, now_ms);
    return windows.run();
}

} // namespace nafitha::central
