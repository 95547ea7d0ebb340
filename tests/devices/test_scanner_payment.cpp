// Scanners (keyboard wedge timing, serial lines), payment device simulators and health aggregation.

#include "devices/health.h"
#include "devices/payment.h"
#include "devices/scanner.h"
#include "devices/health.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::devices;

namespace {
constexpr int64_t ms = 1'000'000;
}

TEST_CASE("A keyboard-wedge burst ending in Enter is a scan and slow typing is not")
{
    WedgeDetector d;
    std::string code = "NF-2026-000123";
    int64_t t = 1000 * ms;
    for (char c : code) {
        CHECK(d.key(char32_t(c), t) == WedgeDetector::Verdict::Pending);
        t += 8 * ms;
    }
    REQUIRE(d.key(U'\n', t) == WedgeDetector::Verdict::Scanned);
    CHECK(d.scan() == code);

    // A person types 120 ms apart: each held key is released as typing when the next one comes late.
    std::u32string typed;
    t += 1000 * ms;
    for (char c : std::string("123456")) {
        auto v = d.key(char32_t(c), t);
        if (v == WedgeDetector::Verdict::Typed)
            typed += d.typed();
        t += 120 * ms;
    }
    if (d.tick(t) == WedgeDetector::Verdict::Typed)
        typed += d.typed();
    CHECK(typed == U"123456");

    // A fast but short burst (a person's quick double key) with Enter is typing, not a scan.
    t += 1000 * ms;
    d.key(U'4', t);
    d.key(U'2', t + 5 * ms);
    REQUIRE(d.key(U'\n', t + 10 * ms) == WedgeDetector::Verdict::Typed);
    CHECK(d.typed() == U"42\n");
}

TEST_CASE("A serial scanner delivers one scan per line and refuses overlong ones")
{
    int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    std::string slave = ::ptsname(master);
    auto address = parse_address("serial://" + slave + "?baud=9600");
    REQUIRE(address.ok());
    auto transport = open_transport(*address, Millis(500));
    REQUIRE(transport.ok());
    SerialScanner scanner(transport.release_value(), 32);
    std::string input = "NF-2026-000001\r\n" + std::string(100, 'X') + "\r\nNF-2026-000002\n";
    REQUIRE(::write(master, input.data(), input.size()) == ssize_t(input.size()));
    auto first = scanner.next(Millis(2000));
    REQUIRE(first.ok());
    REQUIRE(first->has_value());
    CHECK(**first == "NF-2026-000001");
    auto second = scanner.next(Millis(2000));
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == "error.scanner.too_long");
    auto third = scanner.next(Millis(2000));
    REQUIRE(third.ok());
    REQUIRE(third->has_value());
    CHECK(**third == "NF-2026-000002");
    auto none = scanner.next(Millis(50));
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    ::close(master);
}

TEST_CASE("The cash acceptor simulator keeps known notes in escrow and returns or stacks them together")
{
    CashAcceptorSimulator cash(2);
    cash.insert_note(500);
    REQUIRE(cash.poll()->kind == CashEvent::Kind::Rejected); // Not enabled yet.
    CHECK(cash.enable({}).error().code == "error.cash.no_denominations");
    REQUIRE(cash.enable({500, 1000, 5000}).ok());
    CHECK(cash.state_code() == "device.cash.ok");
    cash.insert_note(700);
    CHECK(cash.poll()->kind == CashEvent::Kind::Rejected);
    cash.insert_note(1000);
    auto e = cash.poll();
    REQUIRE(e);
    CHECK(e->kind == CashEvent::Kind::Escrowed);
    CHECK(e->amount_minor == 1000);
    cash.insert_note(500); // The escrow holds a bundle of notes.
    CHECK(cash.poll()->kind == CashEvent::Kind::Escrowed);
    CHECK(cash.escrow().value() == 1500);
    REQUIRE(cash.return_escrow().ok());
    CHECK(cash.poll()->kind == CashEvent::Kind::Returned);
    CHECK(cash.poll()->kind == CashEvent::Kind::Returned);
    CHECK(cash.returned_total() == 1500);
    CHECK_FALSE(cash.escrow().has_value());
    CHECK(cash.return_escrow().error().code == "error.cash.no_escrow");
    for (int64_t note : {5000, 500}) {
        cash.insert_note(note);
        cash.poll();
        REQUIRE(cash.stack().ok());
        CHECK(cash.poll()->kind == CashEvent::Kind::Stacked);
    }
    CHECK(cash.cashbox_total() == 5500);
    CHECK(cash.state_code() == "device.cash.full");
    cash.jam();
    CHECK(cash.state_code() == "device.cash.jammed");
}

TEST_CASE("The card terminal simulator approves declines and times out")
{
    CardTerminalSimulator card;
    CHECK(card.start(0, "R1", 1000).error().code == "error.card.bad_amount");
    REQUIRE(card.start(2500, "R1", 30000).ok());
    CHECK(card.start(100, "R2", 30000).error().code == "error.card.busy");
    CHECK_FALSE(card.poll(0).has_value());
    card.present_card(CardTerminalSimulator::Script::Approve, 10);
    auto r = card.poll(20);
    REQUIRE(r);
    CHECK(r->outcome == CardResult::Outcome::Approved);
    CHECK(r->amount_minor == 2500);
    CHECK_FALSE(r->authorization.empty());
    CHECK_FALSE(card.poll(30).has_value());

    REQUIRE(card.start(2500, "R3", 30000).ok());
    card.present_card(CardTerminalSimulator::Script::Decline, 0);
    CHECK(card.poll(5)->reason_code == "error.card.declined");

    REQUIRE(card.start(2500, "R4", 1000).ok());
    CHECK_FALSE(card.poll(100).has_value());
    auto t = card.poll(1200);
    REQUIRE(t);
    CHECK(t->outcome == CardResult::Outcome::TimedOut);
    CHECK_FALSE(card.busy());

    card.set_link(CardTerminalSimulator::Link::Offline);
    CHECK(card.state_code() == "device.card.offline");
    CHECK(card.start(100, "R5", 1000).error().code == "error.card.offline");
    CHECK(payment_health("card", DeviceKind::CardTerminal, Need::Optional, card.state_code()).severity == Severity::Failed);
}

TEST_CASE("Health aggregation decides out of service from required devices only")
{
    PrinterStatus ok;
    ok.online = true;
    auto all_ok = aggregate({printer_health("printer", Need::Required, ok, 0),
                             payment_health("cash", DeviceKind::CashAcceptor, Need::Optional, "device.cash.ok")});
    CHECK(all_ok.in_service);
    CHECK_FALSE(all_ok.needs_attention);

    PrinterStatus low = ok;
    low.paper_near_end = true;
    auto warn = aggregate({printer_health("printer", Need::Required, low, 0)});
    CHECK(warn.in_service);
    CHECK(warn.needs_attention);

    PrinterStatus out = ok;
    out.paper_out = true;
    auto down = aggregate({payment_health("cash", DeviceKind::CashAcceptor, Need::Optional, "device.cash.jammed"),
                           printer_health("printer", Need::Required, out, 3)});
    CHECK_FALSE(down.in_service);
    CHECK_FALSE(down.can_print);
    CHECK_FALSE(down.can_take_cash);
    CHECK(down.can_take_card);
    REQUIRE(down.reasons.size() == 2);

    auto cash_only = aggregate({payment_health("cash", DeviceKind::CashAcceptor, Need::Optional, "device.cash.jammed")});
    CHECK(cash_only.in_service);
    CHECK_FALSE(cash_only.can_take_cash);
    CHECK(aggregate({printer_health("p", Need::Required, std::nullopt, 2)}).in_service == false);
    auto no_scanner = aggregate({scanner_health("scanner", Need::Optional, Presence::Missing)});
    CHECK(no_scanner.in_service);
    CHECK_FALSE(no_scanner.can_scan);
    CHECK(no_scanner.reasons == std::vector<std::string>{"device.scanner.missing"});
}

TEST_CASE("Taking cash stacks notes until the amount is covered and stops on a jam")
{
    CashAcceptorSimulator cash;
    const std::set<int64_t> notes = {5000, 10000, 50000, 100000};
    std::vector<int64_t> progress;
    std::vector<int64_t> asked;
    auto taken = take_cash(
        cash, 165000, notes,
        [&](int64_t due) {
            asked.push_back(due);
            cash.insert_note_for(due);
        },
        [&](int64_t in) { progress.push_back(in); });
    REQUIRE(taken.ok());
    CHECK(*taken == 165000);
    CHECK(asked == std::vector<int64_t>{165000, 65000, 15000, 5000});
    CHECK(progress == std::vector<int64_t>{100000, 150000, 160000, 165000});
    CHECK(cash.cashbox_total() == 165000);
    CHECK(cash.state_code() == "device.cash.disabled"); // paused again between payments

    // Less than the smallest note due: the citizen pays with the smallest, and the rest is change.
    CHECK(take_cash(cash, 1, notes, [&](int64_t due) { cash.insert_note_for(due); }, {}).value() == 5000);

    // A jam stops the payment with what was stacked in the detail.
    int fed = 0;
    auto jammed = take_cash(
        cash, 200000, notes,
        [&](int64_t due) {
            if (++fed == 2)
                cash.jam();
            else
                cash.insert_note_for(due);
        },
        {});
    REQUIRE_FALSE(jammed.ok());
    CHECK(jammed.error().code == "error.cash.jammed");
    CHECK(jammed.error().detail.rfind("100000 inserted", 0) == 0);
}

TEST_CASE("Cancelling a cash payment gives every note back and takes nothing")
{
    CashAcceptorSimulator cash;
    const std::set<int64_t> notes = {5000, 10000, 50000, 100000};
    std::atomic<bool> cancel{false};
    int asked = 0;
    std::vector<int64_t> progress;
    auto r = take_cash(
        cash, 300000, notes,
        [&](int64_t due) {
            // Two notes, then the citizen presses cancel instead of giving a third.
            if (++asked <= 2)
                cash.insert_note_for(due);
            else
                cancel = true;
        },
        [&](int64_t in) { progress.push_back(in); }, &cancel);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.cash.cancelled");
    CHECK(r.error().detail == "returned 200000");
    CHECK(progress == std::vector<int64_t>{100000, 200000});
    CHECK(cash.returned_total() == 200000);
    CHECK(cash.cashbox_total() == 0);
    CHECK(cash.state_code() == "device.cash.disabled");
    // Cancelled before any note: nothing to return.
    std::atomic<bool> at_once{true};
    auto none = take_cash(cash, 5000, notes, {}, {}, &at_once);
    CHECK(none.error().code == "error.cash.cancelled");
    CHECK(none.error().detail == "returned 0");
    CHECK(cash.cashbox_total() == 0);
}

TEST_CASE("Taking a card payment returns the authorisation or the terminal's refusal")
{
    CardTerminalSimulator card;
    auto approved = take_card(card, 250000, "R1", 60000,
                              [&] { card.present_card(CardTerminalSimulator::Script::Approve, 0); });
    REQUIRE(approved.ok());
    CHECK(approved->rfind("A", 0) == 0);
    auto declined = take_card(card, 250000, "R2", 60000,
                              [&] { card.present_card(CardTerminalSimulator::Script::Decline, 0); });
    CHECK(declined.error().code == "error.card.declined");
    CHECK(take_card(card, 0, "R3", 60000, {}).error().code == "error.card.bad_amount");
    // Nobody presents a card: the terminal's own timeout ends it (a 0 ms timeout, so no waiting here).
    auto timed_out = take_card(card, 100, "R4", 0, {});
    CHECK(timed_out.error().code == "error.card.timeout");
    CHECK_FALSE(card.busy());
}
