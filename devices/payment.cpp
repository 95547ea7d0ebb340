#include "devices/payment.h"

#include <numeric>

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
    if (!m_escrow)
        return Error::make("error.cash.no_escrow", "no note in escrow");
    if (m_jammed)
        return Error::make("error.cash.jammed", "acceptor jammed");
    if (m_cashbox.size() >= m_capacity) {
        m_events.push_back({CashEvent::Kind::CashboxFull, 0});
        return Error::make("error.cash.full", "cashbox full");
    }
    m_cashbox.push_back(*m_escrow);
    m_events.push_back({CashEvent::Kind::Stacked, *m_escrow});
    m_escrow.reset();
    return {};
}

Result<void> CashAcceptorSimulator::return_escrow()
{
    std::lock_guard lock(m_mutex);
    if (!m_escrow)
        return Error::make("error.cash.no_escrow", "no note in escrow");
    m_events.push_back({CashEvent::Kind::Returned, *m_escrow});
    m_escrow.reset();
    return {};
}

std::optional<int64_t> CashAcceptorSimulator::escrow() const
{
    std::lock_guard lock(m_mutex);
    return m_escrow;
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
    // Not enabled, jammed, busy (a note already in escrow) or an unknown value: the note comes back.
    if (!m_enabled || m_jammed || m_escrow || !m_accepted.count(amount_minor)) {
        m_events.push_back({CashEvent::Kind::Rejected, amount_minor});
        return;
    }
    m_escrow = amount_minor;
    m_events.push_back({CashEvent::Kind::Escrowed, amount_minor});
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

} // namespace nafitha::devices
