#include "devices/payment.h"

#include "base/clock.h"

#include <chrono>
#include <numeric>
#include <thread>

namespace nafitha::devices {

Result<void> CashAcceptorSimulator::enable(const std::set<int64_t>& denominations)
{
    if (denominations.empty())
        return Error::make("error.cash.no_denominations", "no note values to accept");
    for (auto d : denominations)
        if (d <= 0)
            return Error::make("error.cash.bad_denomination", std::to_string(d));
    std::lock_guard lock(m_mutex);
    m_accepted = denominations;
    m_enabled = true;
    return {};
}

void CashAcceptorSimulator::disable()
{
    std::lock_guard lock(m_mutex);
    m_enabled = false;
}

Result<void> CashAcceptorSimulator::stack()
{
    std::lock_guard lock(m_mutex);
    if (m_escrow.empty())
        return Error::make("error.cash.no_escrow", "no note in escrow");
    if (m_jammed)
        return Error::make("error.cash.jammed", "acceptor jammed");
    if (m_cashbox.size() + m_escrow.size() > m_capacity) {
        m_events.push_back({CashEvent::Kind::CashboxFull, 0});
        return Error::make("error.cash.full", "cashbox full");
    }
    for (int64_t note : m_escrow) {
        m_cashbox.push_back(note);
        m_events.push_back({CashEvent::Kind::Stacked, note});
    }
    m_escrow.clear();
    return {};
}

Result<void> CashAcceptorSimulator::return_escrow()
{
    std::lock_guard lock(m_mutex);
    if (m_escrow.empty())
        return Error::make("error.cash.no_escrow", "no note in escrow");
    for (int64_t note : m_escrow) {
        m_returned += note;
        m_events.push_back({CashEvent::Kind::Returned, note});
    }
    m_escrow.clear();
    return {};
}

std::optional<int64_t> CashAcceptorSimulator::escrow() const
{
    std::lock_guard lock(m_mutex);
    if (m_escrow.empty())
        return std::nullopt;
    return std::accumulate(m_escrow.begin(), m_escrow.end(), int64_t{0});
}

int64_t CashAcceptorSimulator::returned_total() const
{
    std::lock_guard lock(m_mutex);
    return m_returned;
}

std::optional<CashEvent> CashAcceptorSimulator::poll()
{
    std::lock_guard lock(m_mutex);
    if (m_events.empty())
        return std::nullopt;
    auto e = m_events.front();
    m_events.pop_front();
    return e;
}

std::string CashAcceptorSimulator::state_code() const
{
    std::lock_guard lock(m_mutex);
    if (m_jammed)
        return "device.cash.jammed";
    if (m_cashbox.size() >= m_capacity)
        return "device.cash.full";
    if (!m_enabled)
        return "device.cash.disabled";
    return "device.cash.ok";
}

void CashAcceptorSimulator::insert_note(int64_t amount_minor)
{
    std::lock_guard lock(m_mutex);
    // Not enabled, jammed, the escrow full or an unknown value: the note comes back.
    if (!m_enabled || m_jammed || m_escrow.size() >= kEscrowNotes || !m_accepted.count(amount_minor)) {
        m_events.push_back({CashEvent::Kind::Rejected, amount_minor});
        return;
    }
    m_escrow.push_back(amount_minor);
    m_events.push_back({CashEvent::Kind::Escrowed, amount_minor});
}

void CashAcceptorSimulator::insert_note_for(int64_t still_due_minor)
{
    int64_t note = 0;
    {
        std::lock_guard lock(m_mutex);
        for (int64_t n : m_accepted)
            if (note == 0 || n <= still_due_minor)
                note = n; // ascending: ends with the largest not above the amount due
    }
    if (note > 0)
        insert_note(note);
}

void CashAcceptorSimulator::jam()
{
    std::lock_guard lock(m_mutex);
    m_jammed = true;
    m_events.push_back({CashEvent::Kind::Jammed, 0});
}

void CashAcceptorSimulator::clear_jam()
{
    std::lock_guard lock(m_mutex);
    m_jammed = false;
}

int64_t CashAcceptorSimulator::cashbox_total() const
{
    std::lock_guard lock(m_mutex);
    return std::accumulate(m_cashbox.begin(), m_cashbox.end(), int64_t{0});
}

size_t CashAcceptorSimulator::cashbox_notes() const
{
    std::lock_guard lock(m_mutex);
    return m_cashbox.size();
}

Result<void> CardTerminalSimulator::start(int64_t amount_minor, std::string reference, int64_t timeout_ms)
{
    if (amount_minor <= 0)
        return Error::make("error.card.bad_amount", std::to_string(amount_minor), "amount");
    std::lock_guard lock(m_mutex);
    if (m_offline)
        return Error::make("error.card.offline", "card terminal not answering");
    if (m_busy)
        return Error::make("error.card.busy", "a payment is in progress");
    m_busy = true;
    m_amount = amount_minor;
    m_reference = std::move(reference);
    m_started_ms = -1;
    m_timeout_ms = timeout_ms;
    m_result.reset();
    return {};
}

void CardTerminalSimulator::cancel()
{
    std::lock_guard lock(m_mutex);
    if (!m_busy)
        return;
    m_busy = false;
    m_result = CardResult{CardResult::Outcome::Cancelled, m_amount, {}, "error.card.cancelled"};
}

std::optional<CardResult> CardTerminalSimulator::poll(int64_t now_ms)
{
    std::lock_guard lock(m_mutex);
    if (m_busy && m_started_ms < 0)
        m_started_ms = now_ms;
    if (m_busy && now_ms - m_started_ms >= m_timeout_ms) {
        m_busy = false;
        m_result = CardResult{CardResult::Outcome::TimedOut, m_amount, {}, "error.card.timeout"};
    }
    auto r = m_result;
    m_result.reset();
    return r;
}

bool CardTerminalSimulator::busy() const
{
    std::lock_guard lock(m_mutex);
    return m_busy;
}

std::string CardTerminalSimulator::state_code() const
{
    std::lock_guard lock(m_mutex);
    if (m_offline)
        return "device.card.offline";
    return m_busy ? "device.card.busy" : "device.card.ok";
}

void CardTerminalSimulator::present_card(Script script, int64_t)
{
    std::lock_guard lock(m_mutex);
    if (!m_busy)
        return;
    switch (script) {
    case Script::Approve: {
        m_busy = false;
        m_result = CardResult{CardResult::Outcome::Approved, m_amount, "A" + std::to_string(m_next_auth++), {}};
        break;
    }
    case Script::Decline:
        m_busy = false;
        m_result = CardResult{CardResult::Outcome::Declined, m_amount, {}, "error.card.declined"};
        break;
    case Script::NoCard: break; // The timeout will end it.
    }
}

void CardTerminalSimulator::set_link(Link link)
{
    std::lock_guard lock(m_mutex);
    m_offline = link == Link::Offline;
}

// Devices answer within milliseconds; polling at this pace costs nothing and keeps the loop simple.
static constexpr auto kDevicePoll = std::chrono::milliseconds(10);

Result<int64_t> take_cash(CashAcceptor& acceptor, int64_t amount_minor, const std::set<int64_t>& denominations,
                          const NoteWait& wait_for_note, const CashProgress& progress, const std::atomic<bool>* cancel)
{
    TRY(acceptor.enable(denominations));
    int64_t held = 0;   // in escrow: still the citizen's
    bool asked = false; // the citizen was asked for the next note and has not given it yet
    auto stop = [&](std::string code) {
        acceptor.disable();
        return Error::make(std::move(code), std::to_string(held) + " inserted of " + std::to_string(amount_minor));
    };
    while (held < amount_minor) {
        if (cancel && cancel->load()) {
            // The citizen changed their mind: every note goes back, nothing is taken.
            acceptor.disable();
            int64_t returned = 0;
            if (held > 0) {
                TRY(acceptor.return_escrow());
                while (returned < held) {
                    auto ev = acceptor.poll();
                    if (!ev) {
                        std::this_thread::sleep_for(kDevicePoll);
                        continue;
                    }
                    if (ev->kind == CashEvent::Kind::Returned)
                        returned += ev->amount_minor;
                    else if (ev->kind == CashEvent::Kind::Jammed)
                        return Error::make("error.cash.jammed", "jammed returning " + std::to_string(held));
                }
            }
            return Error::make("error.cash.cancelled", "returned " + std::to_string(returned));
        }
        auto ev = acceptor.poll();
        if (!ev) {
            if (!asked) {
                asked = true;
                if (wait_for_note)
                    wait_for_note(amount_minor - held);
            } else {
                std::this_thread::sleep_for(kDevicePoll);
            }
            continue;
        }
        switch (ev->kind) {
        case CashEvent::Kind::Escrowed:
            held += ev->amount_minor;
            asked = false;
            if (progress)
                progress(held);
            break;
        case CashEvent::Kind::Rejected:
        case CashEvent::Kind::Returned:
            asked = false;
            break;
        case CashEvent::Kind::Stacked:
            break;
        case CashEvent::Kind::Jammed:
            return stop("error.cash.jammed");
        case CashEvent::Kind::CashboxFull:
            return stop("error.cash.full");
        }
    }
    // Covered: the notes are kept.
    if (auto stacked = acceptor.stack(); !stacked.ok())
        return stop(stacked.error().code);
    int64_t in = 0;
    while (in < held) {
        auto ev = acceptor.poll();
        if (!ev) {
            std::this_thread::sleep_for(kDevicePoll);
            continue;
        }
        if (ev->kind == CashEvent::Kind::Stacked)
            in += ev->amount_minor;
        else if (ev->kind == CashEvent::Kind::Jammed)
            return stop("error.cash.jammed");
        else if (ev->kind == CashEvent::Kind::CashboxFull)
            return stop("error.cash.full");
    }
    acceptor.disable();
    return in;
}

Result<std::string> take_card(CardTerminal& terminal, int64_t amount_minor, std::string reference, int64_t timeout_ms,
                              const std::function<void()>& started)
{
    TRY(terminal.start(amount_minor, std::move(reference), timeout_ms));
    if (started)
        started();
    int64_t deadline = clock::monotonic_ns() / 1000000 + timeout_ms + 1000;
    for (;;) {
        if (auto r = terminal.poll(clock::unix_ms())) {
            if (r->outcome == CardResult::Outcome::Approved)
                return r->authorization;
            return Error::make(r->reason_code.empty() ? "error.card.declined" : r->reason_code, "card not approved");
        }
        if (clock::monotonic_ns() / 1000000 > deadline) {
            terminal.cancel();
            return Error::make("error.card.timeout", "the card terminal did not answer");
        }
        std::this_thread::sleep_for(kDevicePoll);
    }
}

} // namespace nafitha::devices
