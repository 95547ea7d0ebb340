#pragma once
// Payment devices. The kiosk talks to these interfaces; the simulators implement them for development,
// tests and technician mode, and real device protocols (ccTalk, SSP, a bank's terminal API) can follow.
// Money is integer minor units. Calls never block: the UI polls events each frame.

#include "base/result.h"

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nafitha::devices {

// --- Cash acceptor: notes go to escrow first, then are stacked (kept) or returned. ---

struct CashEvent {
    enum class Kind { Escrowed, Rejected, Stacked, Returned, Jammed, CashboxFull };
    Kind kind;
    int64_t amount_minor = 0;   // the note's value (Escrowed, Stacked, Returned, Rejected)
};

class CashAcceptor {
public:
    virtual ~CashAcceptor() = default;
    // Accept only these note values (minor units); notes must be taken one at a time.
    virtual Result<void> enable(const std::set<int64_t>& denominations) = 0;
    virtual void disable() = 0;
    // Keep the note in escrow (error.cash.no_escrow when there is none).
    virtual Result<void> stack() = 0;
    // Give the note in escrow back to the citizen.
    virtual Result<void> return_escrow() = 0;
    virtual std::optional<int64_t> escrow() const = 0;
    // The next event, if any.
    virtual std::optional<CashEvent> poll() = 0;
    // "device.cash.ok", "device.cash.jammed", "device.cash.full", "device.cash.disabled".
    virtual std::string state_code() const = 0;
};

class CashAcceptorSimulator final : public CashAcceptor {
public:
    explicit CashAcceptorSimulator(size_t cashbox_capacity = 500) : m_capacity(cashbox_capacity) {}
    Result<void> enable(const std::set<int64_t>& denominations) override;
    void disable() override;
    Result<void> stack() override;
    Result<void> return_escrow() override;
    std::optional<int64_t> escrow() const override;
    std::optional<CashEvent> poll() override;
    std::string state_code() const override;

    // What a citizen or a technician does to the simulated device.
    void insert_note(int64_t amount_minor);
    void jam();
    void clear_jam();
    int64_t cashbox_total() const;
    size_t cashbox_notes() const;

private:
    mutable std::mutex m_mutex;
    std::set<int64_t> m_accepted;
    bool m_enabled = false;
    bool m_jammed = false;
    std::optional<int64_t> m_escrow;
    std::deque<CashEvent> m_events;
    std::vector<int64_t> m_cashbox;
    size_t m_capacity;
};

// --- Card terminal: one payment at a time, approved, declined or timed out. ---

struct CardResult {
    enum class Outcome { Approved, Declined, TimedOut, Cancelled };
    Outcome outcome;
    int64_t amount_minor = 0;
    std::string authorization;  // approval code (Approved)
    std::string reason_code;    // translation key (Declined, TimedOut, Cancelled)
};

class CardTerminal {
public:
    virtual ~CardTerminal() = default;
    // Starts a payment; error.card.busy while one is in progress, error.card.bad_amount for <= 0.
    virtual Result<void> start(int64_t amount_minor, std::string reference, int64_t timeout_ms) = 0;
    virtual void cancel() = 0;
    // The result once the payment ended (given once).
    virtual std::optional<CardResult> poll(int64_t now_ms) = 0;
    virtual bool busy() const = 0;
    virtual std::string state_code() const = 0;
};

class CardTerminalSimulator final : public CardTerminal {
public:
    Result<void> start(int64_t amount_minor, std::string reference, int64_t timeout_ms) override;
    void cancel() override;
    std::optional<CardResult> poll(int64_t now_ms) override;
    bool busy() const override;
    std::string state_code() const override;

    // The simulated card holder: what happens to the payment in progress.
    enum class Script { Approve, Decline, NoCard };
    void present_card(Script script, int64_t now_ms);
    enum class Link { Online, Offline };
    void set_link(Link link);

private:
    mutable std::mutex m_mutex;
    bool m_busy = false;
    bool m_offline = false;
    int64_t m_amount = 0;
    std::string m_reference;
    int64_t m_started_ms = -1;
    int64_t m_timeout_ms = 0;
    std::optional<CardResult> m_result;
    uint32_t m_next_auth = 100001;
};

} // namespace nafitha::devices
