// Queue tickets: issue, call next, recall, no-show, serve; estimated wait from recent service times.

#include "kiosk/services/queue.h"

#include "base/clock.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"

#include <cstdio>

namespace nafitha::services {

using nlohmann::json;

// When no ticket has been served yet, a service is assumed to take this long.
inline constexpr int64_t kDefaultServiceSeconds = 5 * 60;
inline constexpr int kRecentServed = 20;

std::string_view ticket_status_name(TicketStatus status)
{
    switch (status) {
    case TicketStatus::Waiting: return "waiting";
    case TicketStatus::Called: return "called";
    case TicketStatus::Served: return "served";
    case TicketStatus::NoShow: return "no_show";
    }
    return "waiting";
}

static TicketStatus parse_ticket_status(const std::string& s)
{
    return s == "called" ? TicketStatus::Called : s == "served" ? TicketStatus::Served
                                                : s == "no_show" ? TicketStatus::NoShow : TicketStatus::Waiting;
}

static constexpr const char* kTicketColumns =
    "SELECT id, number, category, centre, day, status, issued_ms, called_ms, served_ms, counter, recalls, staff_id FROM tickets ";

static Ticket row_ticket(const db::Statement& st)
{
    Ticket t;
    t.id = st.int64(0);
    t.number = st.text(1);
    t.category = st.text(2);
    t.centre = st.text(3);
    t.day = st.text(4);
    t.status = parse_ticket_status(st.text(5));
    t.issued_at = clock::iso8601_utc(st.int64(6));
    if (!st.is_null(7))
        t.called_at = clock::iso8601_utc(st.int64(7));
    if (!st.is_null(8))
        t.served_at = clock::iso8601_utc(st.int64(8));
    t.counter = static_cast<int>(st.int64(9));
    t.recalls = static_cast<int>(st.int64(10));
    t.staff_id = st.optional_int64(11);
    return t;
}

Result<Ticket> Terminal::ticket_locked(int64_t ticket_id) const
{
    auto st = TRY(m_db.cached(std::string(kTicketColumns) + "WHERE id = ?1"));
    st.bind(1, ticket_id);
    if (!TRY(st.step()))
        return Error::make("error.queue.unknown_ticket", "no ticket " + std::to_string(ticket_id), "ticket");
    return row_ticket(st);
}

Result<Ticket> Terminal::ticket(int64_t ticket_id) const
{
    std::lock_guard lock(m_mutex);
    return ticket_locked(ticket_id);
}

Result<std::optional<Ticket>> Terminal::ticket_of(std::string_view reference) const
{
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached(std::string(kTicketColumns) + "WHERE reference = ?1 ORDER BY id DESC LIMIT 1"));
    st.bind(1, reference);
    if (!TRY(st.step()))
        return std::optional<Ticket>();
    return std::optional<Ticket>(row_ticket(st));
}

Result<int64_t> Terminal::estimated_wait_s(std::string_view category_code) const
{
    std::lock_guard lock(m_mutex);
    return estimated_wait_locked(category_code, TRY(waiting_ahead_locked(category_code, today())));
}

Result<int64_t> Terminal::waiting_ahead_locked(std::string_view category_code, const std::string& day) const
{
    // Only today's waiting tickets, from the waiting index alone (schema migration 9).
    auto ahead = TRY(m_db.cached("SELECT COUNT(*) FROM tickets INDEXED BY tickets_waiting "
                                  "WHERE centre = ?1 AND day = ?2 AND category = ?3 AND status = 'waiting'"));
    ahead.bind(1, m_options.centre).bind(2, day).bind(3, category_code);
    TRY(ahead.step());
    return ahead.int64(0);
}

Result<int64_t> Terminal::estimated_wait_locked(std::string_view category_code, int64_t ahead) const
{
    // The last served tickets' service times and the counters that called in the last hour, each from its own
    // partial index: the estimate reads a few rows however long the terminal has lived.
    auto avg = TRY(m_db.cached("SELECT AVG(served_ms - called_ms), COUNT(*) FROM (SELECT served_ms, called_ms FROM tickets "
                                "INDEXED BY tickets_served WHERE centre = ?1 AND category = ?2 AND status = 'served' "
                                "ORDER BY served_ms DESC LIMIT ?3)"));
    avg.bind(1, m_options.centre).bind(2, category_code).bind(3, int64_t{kRecentServed});
    int64_t per_ticket_s = kDefaultServiceSeconds;
    if (TRY(avg.step()) && avg.int64(1) > 0)
        per_ticket_s = std::max<int64_t>(1, avg.int64(0) / 1000);
    auto counters = TRY(m_db.cached("SELECT COUNT(DISTINCT counter) FROM tickets INDEXED BY tickets_called "
                                     "WHERE centre = ?1 AND category = ?2 AND called_ms > ?3 AND counter > 0"));
    counters.bind(1, m_options.centre).bind(2, category_code).bind(3, now_ms() - 3600 * 1000);
    TRY(counters.step());
    int64_t open = std::max<int64_t>(1, counters.int64(0));
    return ahead * per_ticket_s / open;
}

Result<Ticket> Terminal::issue_ticket(std::string_view category_code)
{
    std::lock_guard lock(m_mutex);
    auto tx = TRY(db::Transaction::begin(m_db));
    auto t = TRY(issue_ticket_locked(category_code));
    TRY(journal::commit(m_db, m_identity, tx));
    return t;
}

Result<Ticket> Terminal::issue_ticket_locked(std::string_view category_code)
{
    auto cat = m_catalogue;
    auto category = cat->category(category_code);
    if (!category)
        return Error::make("error.queue.unknown_category", "no such category", "category");
    auto day = today();
    auto next = TRY(m_db.cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets WHERE centre = ?1 AND category = ?2 AND day = ?3"));
    next.bind(1, m_options.centre).bind(2, category->code).bind(3, day);
    TRY(next.step());
    int64_t seq = next.int64(0);
    int64_t ahead = TRY(waiting_ahead_locked(category->code, day));
    auto wait = TRY(estimated_wait_locked(category->code, ahead));
    char number[16];
    std::snprintf(number, sizeof number, "%s%03lld", category->queue_prefix.c_str(), static_cast<long long>(seq % 1000));
    auto now = now_ms();
    auto ins = TRY(m_db.cached("INSERT INTO tickets (number, category, centre, day, seq, status, issued_ms) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', ?6)"));
    ins.bind(1, number).bind(2, category->code).bind(3, m_options.centre).bind(4, day).bind(5, seq).bind(6, now);
    TRY(ins.run());
    int64_t id = m_db.last_insert_rowid();
    TRY(journal::append(m_db, m_identity, "ticket.issued",
                        {{"ticket_id", id}, {"number", number}, {"category", category->code}, {"entity", category->entity},
                         {"centre", m_options.centre}, {"day", day}, {"issued_at", clock::iso8601_utc(now)},
                         {"waiting_ahead", ahead}, {"estimated_wait_s", wait}}));
    auto t = TRY(ticket_locked(id));
    t.waiting_ahead = static_cast<int>(ahead);
    t.estimated_wait_s = wait;
    return t;
}

Result<std::optional<Ticket>> Terminal::call_next(std::string_view category_code, int counter, std::optional<int64_t> staff_id)
{
    if (counter < 1 || counter > 99)
        return Error::make("error.queue.bad_counter", "counter is 1..99", "counter");
    std::lock_guard lock(m_mutex);
    if (staff_id)
        TRY(require_locked(*staff_id, Action::Queue));
    auto tx = TRY(db::Transaction::begin(m_db));
    auto st = TRY(m_db.cached(std::string(kTicketColumns) +
                               "WHERE status = 'waiting' AND centre = ?1 AND day = ?2 AND (?3 = '' OR category = ?3) "
                               "ORDER BY issued_ms, id LIMIT 1"));
    st.bind(1, m_options.centre).bind(2, today()).bind(3, category_code);
    if (!TRY(st.step()))
        return std::optional<Ticket>();
    auto t = row_ticket(st);
    st = db::Statement();
    auto now = now_ms();
    auto upd = TRY(m_db.cached("UPDATE tickets SET status = 'called', called_ms = ?1, counter = ?2, staff_id = ?3 WHERE id = ?4"));
    upd.bind(1, now).bind(2, int64_t{counter}).bind(3, staff_id).bind(4, t.id);
    TRY(upd.run());
    json entry = {{"ticket_id", t.id}, {"number", t.number}, {"category", t.category}, {"centre", t.centre},
                  {"counter", counter}, {"called_at", clock::iso8601_utc(now)}};
    if (staff_id)
        entry["staff_id"] = *staff_id;
    TRY(journal::append(m_db, m_identity, "ticket.called", std::move(entry)));
    TRY(journal::commit(m_db, m_identity, tx));
    return std::optional<Ticket>(TRY(ticket_locked(t.id)));
}

Result<Ticket> Terminal::recall(int64_t ticket_id)
{
    std::lock_guard lock(m_mutex);
    auto t = TRY(ticket_locked(ticket_id));
    if (t.status != TicketStatus::Called)
        return Error::make("error.queue.not_called", "only a called ticket can be recalled", "ticket");
    auto tx = TRY(db::Transaction::begin(m_db));
    auto upd = TRY(m_db.cached("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?1"));
    upd.bind(1, ticket_id);
    TRY(upd.run());
    TRY(journal::append(m_db, m_identity, "ticket.recalled",
                        {{"ticket_id", t.id}, {"number", t.number}, {"category", t.category}, {"centre", t.centre},
                         {"counter", t.counter}, {"recalls", t.recalls + 1}, {"time", now_iso()}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return ticket_locked(ticket_id);
}

Result<Ticket> Terminal::no_show(int64_t ticket_id)
{
    std::lock_guard lock(m_mutex);
    auto t = TRY(ticket_locked(ticket_id));
    if (t.status != TicketStatus::Called)
        return Error::make("error.queue.not_called", "only a called ticket can be marked no-show", "ticket");
    auto tx = TRY(db::Transaction::begin(m_db));
    auto upd = TRY(m_db.cached("UPDATE tickets SET status = 'no_show' WHERE id = ?1"));
    upd.bind(1, ticket_id);
    TRY(upd.run());
    TRY(journal::append(m_db, m_identity, "ticket.no_show",
                        {{"ticket_id", t.id}, {"number", t.number}, {"category", t.category}, {"centre", t.centre},
                         {"counter", t.counter}, {"time", now_iso()}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return ticket_locked(ticket_id);
}

Result<Ticket> Terminal::serve(int64_t ticket_id, std::string_view reference)
{
    std::string ref;
    if (!reference.empty())
        ref = TRY(parse_reference(reference));
    std::lock_guard lock(m_mutex);
    auto t = TRY(ticket_locked(ticket_id));
    if (t.status != TicketStatus::Called)
        return Error::make("error.queue.not_called", "only a called ticket can be served", "ticket");
    auto tx = TRY(db::Transaction::begin(m_db));
    auto times = TRY(m_db.cached("SELECT issued_ms, called_ms FROM tickets WHERE id = ?1"));
    times.bind(1, ticket_id);
    TRY(times.step());
    int64_t issued = times.int64(0), called = times.int64(1);
    times = db::Statement();
    auto now = std::max(now_ms(), called);
    auto upd = TRY(m_db.cached("UPDATE tickets SET status = 'served', served_ms = ?1, reference = COALESCE(?2, reference) WHERE id = ?3"));
    upd.bind(1, now);
    if (ref.empty())
        upd.bind_null(2);
    else
        upd.bind(2, ref);
    upd.bind(3, ticket_id);
    TRY(upd.run());
    json entry = {{"ticket_id", t.id}, {"number", t.number}, {"category", t.category}, {"centre", t.centre},
                  {"counter", t.counter}, {"served_at", clock::iso8601_utc(now)}, {"waited_s", (called - issued) / 1000},
                  {"service_s", (now - called) / 1000}};
    if (!ref.empty())
        entry["reference"] = ref;
    if (t.staff_id)
        entry["staff_id"] = *t.staff_id;
    TRY(journal::append(m_db, m_identity, "ticket.served", std::move(entry)));
    TRY(journal::commit(m_db, m_identity, tx));
    return ticket_locked(ticket_id);
}

Result<std::vector<Ticket>> Terminal::waiting(std::string_view category_code) const
{
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached(std::string(kTicketColumns) +
                               "WHERE status = 'waiting' AND centre = ?1 AND day = ?2 AND (?3 = '' OR category = ?3) "
                               "ORDER BY issued_ms, id LIMIT 500"));
    st.bind(1, m_options.centre).bind(2, today()).bind(3, category_code);
    std::vector<Ticket> out;
    while (TRY(st.step()))
        out.push_back(row_ticket(st));
    return out;
}

} // namespace nafitha::services
