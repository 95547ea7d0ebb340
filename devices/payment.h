#pragma once
// Payment devices. The kiosk talks to these interfaces; the simulators implement them for development,
// tests and technician mode, and real device protocols (ccTalk, SSP, a bank's terminal API) can follow.
// Money is integer minor units. The device calls never block; take_cash() and take_card() at the end are the
// loops that drive a device through one payment (they block: run them on a worker thread).

#include "base/result.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <atomic>
#include <string>
#include <vector>

namespace nafitha::devices {

// --- Cash acceptor: notes wait in escrow (a bundle of up to kEscrowNotes) until the payment is covered, then are
// stacked (kept) all together, or returned all together when the citizen cancels. ---

inline constexpr size_t kEscrowNotes = 30;

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
    // Keep every note in escrow (a Stacked event each; error.cash.no_escrow when there is none).
    virtual Result<void> stack() = 0;
    // Give every note in escrow back to the citizen (a Returned event each).
    virtual Result<void> return_escrow() = 0;
    // The total in escrow, if any.
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
    // The simulated citizen pays `still_due`: inserts the largest accepted note not above it (the smallest
    // accepted note when every one is larger).
    void insert_note_for(int64_t still_due_minor);
    void jam();
    void clear_jam();
    int64_t cashbox_total() const;
    size_t cashbox_notes() const;
    // What went back to the citizen through the note slot, in total.
    int64_t returned_total() const;

private:
    mutable std::mutex m_mutex;
    std::set<int64_t> m_accepted;
    bool m_enabled = false;
    bool m_jammed = false;
    std::vector<int64_t> m_escrow;
    int64_t m_returned = 0;
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

// --- Taking one payment ---

// Told the total inserted so far (in escrow) after every note.
using CashProgress = std::function<void(int64_t inserted_minor)>;
// Called when the loop waits for the citizen's next note, with what is still due. A real acceptor needs
// nothing here; with the simulator, the simulated citizen inserts a note (insert_note_for).
using NoteWait = std::function<void(int64_t still_due_minor)>;

// Enables the acceptor for `denominations`, keeps every note in escrow until `amount_minor` is covered, stacks
// them all, disables it and returns the total taken (at least the amount; the change is the services' business).
// When `cancel` becomes true before the amount is covered, every note in escrow goes back to the citizen and
// the result is error.cash.cancelled (detail: "returned N"): nothing is taken. A jam or a full cashbox stops it:
// error.cash.jammed / error.cash.full (detail: what was inserted).
Result<int64_t> take_cash(CashAcceptor& acceptor, int64_t amount_minor, const std::set<int64_t>& denominations,
                          const NoteWait& wait_for_note, const CashProgress& progress,
                          const std::atomic<bool>* cancel = nullptr);

// Starts a card payment, calls `started` (the simulator's card holder presents a card there), and polls the
// terminal until it answers; past `timeout_ms` (plus a grace second for the terminal's own timeout) it
// cancels. Returns the authorisation code; error.card.declined, error.card.timeout or the terminal's
// reason otherwise.
Result<std::string> take_card(CardTerminal& terminal, int64_t amount_minor, std::string reference, int64_t timeout_ms,
                              const std::function<void()>& started);

} // namespace nafitha::devices
