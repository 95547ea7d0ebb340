// The counter's services without any UI: roles enforced in the services, decisions with reasons and what
// happens to the fee, reversals within the window, journalled views and reprints, search through the blind
// index, the cash drawer and the Z close, central's policy on days without a sync, the unsynced items.

#include "helpers.h"

#include "base/clock.h"
#include "kiosk/services/projection.h"
#include "sync/journal/journal.h"
#include "sync/protocol/signed.h"

using namespace nafitha;
using namespace nafitha::services;

namespace {

struct Counter {
    test::TempDir dir;
    int64_t clock_ms = 1'790'000'000'000; // 2026-09-21, moved by the test
    std::unique_ptr<Terminal> t;
    StaffAccount clerk, supervisor, tech;

    explicit Counter(const char* name) : dir(name)
    {
        auto o = test::options(dir.path);
        o.now_ms = [this] { return clock_ms; };
        t = Terminal::open(o).release_value();
        clerk = t->create_staff({"lina", "لينا", Role::Clerk, "1111"}).value();
        supervisor = t->create_staff({"sami", "سامي", Role::Supervisor, "2222"}).value();
        tech = t->create_staff({"tech", "فني", Role::Technician, "3333"}).value();
    }
    int64_t last_seq() { return t->journal_status().value().last_seq; }
    // The payload of the newest journal entry of `type`.
    nlohmann::json last_entry(const std::string& type)
    {
        auto st = t->database().prepare("SELECT payload FROM journal WHERE type = ?1 ORDER BY seq DESC LIMIT 1").value();
        st.bind(1, type);
        REQUIRE(st.step().value());
        return nlohmann::json::parse(st.text(0));
    }
    Submission visit(std::optional<PaymentRequest> pay, FormValues values = test::birth_extract_values())
    {
        SubmitRequest r{"civil.birth_extract", std::move(values)};
        r.channel = Channel::Counter;
        r.staff_id = clerk.id;
        auto s = t->submit(r, pay);
        if (!s.ok())
            FAIL(s.error().to_string());
        return s.release_value();
    }
};

DecisionRequest decision(const std::string& ref, AppStatus to, int64_t staff, std::string reason, std::string note = {},
                         bool confirmed = true)
{
    return DecisionRequest{ref, to, staff, std::move(reason), std::move(note), confirmed};
}

} // namespace

// The counter's writes keep the tables equal to the journal's projection, and the journal verifies (issue 14).
static void check_journal_and_tables(Terminal& t)
{
    auto chain = journal::verify(t.database(), t.identity().keys.public_key).value();
    CHECK(chain.ok());
    auto tables = check_projection(t.database(), t.identity().terminal_id).value();
    INFO(tables.first_difference);
    CHECK(tables.ok());
    CHECK(tables.rows > 0);
}

TEST_CASE("Roles are enforced in the services")
{
    CHECK(role_allows(Role::Clerk, Action::Register));
    CHECK(role_allows(Role::Clerk, Action::TakePayment));
    CHECK(role_allows(Role::Clerk, Action::Queue));
    CHECK_FALSE(role_allows(Role::Clerk, Action::Decide));
    CHECK_FALSE(role_allows(Role::Clerk, Action::Reverse));
    CHECK_FALSE(role_allows(Role::Clerk, Action::Refund));
    CHECK_FALSE(role_allows(Role::Clerk, Action::ZReport));
    CHECK(role_allows(Role::Supervisor, Action::Decide));
    CHECK(role_allows(Role::Supervisor, Action::ZReport));
    CHECK(role_allows(Role::Technician, Action::Devices));
    for (Action a : {Action::Register, Action::TakePayment, Action::ViewCitizen, Action::Search, Action::Reprint,
                     Action::Decide, Action::CashDrawer})
        CHECK_FALSE(role_allows(Role::Technician, a));

    Counter c("roles");
    auto sub = c.visit(PaymentRequest::cash(200000, c.clerk.id));
    const auto& ref = sub.application.reference;
    auto before = c.last_seq();
    // A clerk may not decide, reverse, refund or close the day; a technician sees no citizen data.
    CHECK(c.t->decide(decision(ref, AppStatus::Approved, c.clerk.id, "documents_complete")).error().code == "error.staff.forbidden");
    CHECK(c.t->reverse_decision(ref, c.clerk.id, "").error().code == "error.staff.forbidden");
    CHECK(c.t->refund(ref, c.clerk.id, "خطأ").error().code == "error.staff.forbidden");
    CHECK(c.t->close_day("", 0, c.clerk.id).error().code == "error.staff.forbidden");
    CHECK(c.t->view_application(ref, c.tech.id).error().code == "error.staff.forbidden");
    CHECK(c.t->search("محمد", c.tech.id).error().code == "error.staff.forbidden");
    CHECK(c.t->record_reprint(ref, c.tech.id).error().code == "error.staff.forbidden");
    CHECK(c.t->drawer_move(DrawerMove::Float, 100, c.tech.id, "").error().code == "error.staff.forbidden");
    SubmitRequest by_tech{"civil.birth_extract", test::birth_extract_values()};
    by_tech.channel = Channel::Counter;
    by_tech.staff_id = c.tech.id;
    CHECK(c.t->submit(by_tech, PaymentRequest::cash(200000, c.tech.id)).error().code == "error.staff.forbidden");
    SubmitRequest nobody{"civil.birth_extract", test::birth_extract_values()};
    nobody.channel = Channel::Counter;
    CHECK(c.t->submit(nobody, PaymentRequest::cash(200000)).error().code == "error.staff.required");
    CHECK(c.t->require(999, Action::Register).error().code == "error.staff.unknown");
    CHECK(c.last_seq() == before); // nothing refused was journalled
    CHECK(c.t->application(ref).value().status == AppStatus::Paid);
}

TEST_CASE("A counter visit journals channel counter and the clerk")
{
    Counter c("visit");
    auto values = test::birth_extract_values();
    values["phone"] = "0933 123 456";
    auto sub = c.visit(PaymentRequest::cash(500000, c.clerk.id), values);
    CHECK(sub.application.channel == Channel::Counter);
    REQUIRE(sub.payment);
    CHECK(sub.payment->change_minor == 300000);
    auto submitted = c.last_entry("application.submitted");
    CHECK(submitted["channel"] == "counter");
    CHECK(submitted["staff_id"] == c.clerk.id);
    CHECK(submitted["role"] == "clerk");
    auto paid = c.last_entry("payment.recorded");
    CHECK(paid["channel"] == "counter");
    CHECK(paid["staff_id"] == c.clerk.id);
    CHECK(paid["change_minor"] == 300000);
    // A counter visit brings its own ticket (or none): none is issued with it.
    CHECK_FALSE(sub.ticket);

    // An exemption at the counter needs the supporting document, stored sealed; the journal only says it was noted.
    auto exempt = PaymentRequest::exempt("disability", c.clerk.id);
    SubmitRequest r{"civil.birth_extract", test::birth_extract_values()};
    r.channel = Channel::Counter;
    r.staff_id = c.clerk.id;
    CHECK(c.t->submit(r, exempt).error().code == "error.payment.document_required");
    exempt.document = "بطاقة إعاقة رقم 5521";
    auto ex = c.t->submit(r, exempt).value();
    CHECK(ex.payment->waived_minor == 200000);
    auto noted = c.last_entry("payment.recorded");
    CHECK(noted["exemption_document_noted"] == true);
    CHECK(noted.dump().find("5521") == std::string::npos);
    auto st = c.t->database().prepare("SELECT document FROM payments ORDER BY id DESC LIMIT 1").value();
    REQUIRE(st.step().value());
    CHECK(st.blob(0).find("5521") == std::string::npos);
}

TEST_CASE("A decision takes a reason and a confirmation and says what happens to the fee")
{
    Counter c("decide");
    auto a = c.visit(PaymentRequest::cash(200000, c.clerk.id)).application.reference;
    auto b = c.visit(PaymentRequest::card("AUTH77", c.clerk.id)).application.reference;
    auto s = c.supervisor.id;
    auto before = c.last_seq();
    CHECK(c.t->decide(decision(a, AppStatus::Rejected, s, "")).error().code == "error.decision.reason_required");
    CHECK(c.t->decide(decision(a, AppStatus::Rejected, s, "documents_complete")).error().code == "error.decision.reason_unknown");
    CHECK(c.t->decide(decision(a, AppStatus::Rejected, s, "rejected_other")).error().code == "error.decision.note_required");
    CHECK(c.t->decide(decision(a, AppStatus::Rejected, s, "documents_missing", "", false)).error().code ==
          "error.decision.unconfirmed");
    CHECK(c.last_seq() == before);

    // Rejected for missing documents: the fee is kept.
    auto kept = c.t->decide(decision(a, AppStatus::Rejected, s, "documents_missing", "لا يوجد إخراج قيد")).value();
    CHECK(kept.application.status == AppStatus::Rejected);
    CHECK(kept.fee == FeeOutcome::Kept);
    CHECK(kept.refunded_minor == 0);
    CHECK(kept.reversible_until_ms == c.clock_ms + kReversalWindowMs);
    auto entry = c.last_entry("application.status_changed");
    CHECK(entry["reason"] == "documents_missing");
    CHECK(entry["fee_outcome"] == "kept");
    CHECK(entry["staff_id"] == s);
    CHECK(entry["channel"] == "counter");
    CHECK(entry["note"] == "لا يوجد إخراج قيد");
    CHECK(c.t->application(a).value().history.back().reason == "documents_missing");

    // Rejected as not eligible: the card payment is refunded in the same transaction.
    auto refunded = c.t->decide(decision(b, AppStatus::Rejected, s, "not_eligible")).value();
    CHECK(refunded.fee == FeeOutcome::Refunded);
    CHECK(refunded.refunded_minor == 200000);
    CHECK(refunded.application.refunded_minor == 200000);
    CHECK(refunded.reversible_until_ms == 0);
    auto refund = c.last_entry("payment.refunded");
    CHECK(refund["method"] == "card");
    CHECK(refund["amount_minor"] == 200000);
    CHECK(c.t->reverse_decision(b, s, "").error().code == "error.decision.refunded");
    auto day = c.t->day_totals().value();
    CHECK(day.refunds == 1);
    CHECK(day.refunded_card_minor == 200000);
    CHECK(day.decisions == 2);
    check_journal_and_tables(*c.t);
}

TEST_CASE("A decision is reversed within the window as a new entry")
{
    Counter c("reverse");
    auto ref = c.visit(PaymentRequest::cash(200000, c.clerk.id)).application.reference;
    auto s = c.supervisor.id;
    CHECK(c.t->reverse_decision(ref, s, "").error().code == "error.decision.nothing_to_reverse");
    c.t->decide(decision(ref, AppStatus::Approved, s, "documents_complete")).value();
    auto seq = c.last_seq();
    c.clock_ms += 5 * 60 * 1000;
    auto back = c.t->reverse_decision(ref, s, "اخترت الطلب الخطأ").value();
    CHECK(back.status == AppStatus::Paid); // where it was before the decision (in review, approved)
    CHECK(c.last_seq() == seq + 1);        // one new entry; the decision's entries stay
    auto e = c.last_entry("application.status_changed");
    CHECK(e["from"] == "approved");
    CHECK(e["to"] == "paid");
    CHECK(e["reason"] == "reversal");
    CHECK(e.contains("reverses"));
    CHECK(c.t->reverse_decision(ref, s, "").error().code == "error.decision.nothing_to_reverse");
    CHECK(c.t->inbox().value().size() == 1); // back in the inbox
    // Decided again; the window passes; the decision stands.
    c.t->decide(decision(ref, AppStatus::Rejected, s, "information_mismatch")).value();
    c.clock_ms += kReversalWindowMs + 1;
    CHECK(c.t->reverse_decision(ref, s, "").error().code == "error.decision.window_passed");
    auto day = c.t->day_totals().value();
    CHECK(day.reversals == 1);
    CHECK(day.decisions == 2);
    check_journal_and_tables(*c.t);
}

TEST_CASE("Views of personal data and reprints are journalled")
{
    Counter c("views");
    auto ref = c.visit(PaymentRequest::cash(200000, c.clerk.id)).application.reference;
    auto app = c.t->view_application(ref, c.clerk.id).value();
    CHECK(app.applicant.national_id == "01020304050");
    auto v = c.last_entry("application.viewed");
    CHECK(v["reference"] == ref);
    CHECK(v["staff_id"] == c.clerk.id);
    CHECK(v["role"] == "clerk");
    CHECK(v.dump().find("01020304050") == std::string::npos);
    CHECK(c.t->record_reprint(ref, c.clerk.id).value() == 1);
    CHECK(c.t->record_reprint(ref, c.supervisor.id).value() == 2);
    CHECK(c.last_entry("receipt.reprinted")["copy"] == 2);
}

TEST_CASE("Search by reference national id phone and name through the blind index")
{
    Counter c("search");
    auto v1 = test::birth_extract_values();
    v1["phone"] = "0933123456";
    auto first = c.visit(PaymentRequest::cash(200000, c.clerk.id), v1).application.reference;
    auto v2 = test::birth_extract_values();
    v2["full_name"] = "سلمى أحمد الخطيب";
    v2["national_id"] = "09080706050";
    auto second = c.visit(PaymentRequest::cash(200000, c.clerk.id), v2).application.reference;
    auto id = c.clerk.id;

    auto by_ref = c.t->search(first, id).value();
    REQUIRE(by_ref.size() == 1);
    CHECK(by_ref[0].reference == first);
    CHECK(by_ref[0].matched == "reference");
    auto by_nid = c.t->search("٠٩٠٨٠٧٠٦٠٥٠", id).value(); // typed in Arabic-Indic digits
    REQUIRE(by_nid.size() == 1);
    CHECK(by_nid[0].reference == second);
    CHECK(by_nid[0].applicant_hint == "…6050");
    auto by_phone = c.t->search("0933 123 456", id).value();
    REQUIRE(by_phone.size() == 1);
    CHECK(by_phone[0].reference == first);
    CHECK(c.t->search("الخطيب", id).value().size() == 2);
    auto both_words = c.t->search("سلمى الخطيب", id).value();
    REQUIRE(both_words.size() == 1);
    CHECK(both_words[0].reference == second);
    CHECK(c.t->search("إحمد", id).value().size() == 2); // folded: إ -> ا
    CHECK(c.t->search("خالد", id).value().empty());
    CHECK(c.t->search("  ", id).error().code == "error.search.empty");
    CHECK(c.t->search("م", id).error().code == "error.search.too_short");
    // The index holds keyed hashes only: no name, number or phone in clear.
    auto st = c.t->database().prepare("SELECT group_concat(hash) FROM search_index").value();
    REQUIRE(st.step().value());
    auto hashes = st.text(0);
    CHECK(hashes.find("0933123456") == std::string::npos);
    CHECK(hashes.find("09080706050") == std::string::npos);

    // A terminal from before the index builds it when it opens.
    c.t->database().exec("DELETE FROM search_index; DELETE FROM meta WHERE key = 'search_index'").value();
    c.t.reset();
    auto o = test::options(c.dir.path);
    c.t = Terminal::open(o).release_value();
    CHECK(c.t->search("الخطيب", id).value().size() == 2);
}

TEST_CASE("The cash drawer: float, cash in and out, and a Z close with the difference journalled")
{
    Counter c("drawer");
    CHECK(c.t->drawer_move(DrawerMove::CashIn, 0, c.clerk.id, "").error().code == "error.drawer.bad_amount");
    CHECK(c.t->drawer_move(DrawerMove::CashIn, -5, c.clerk.id, "").error().code == "error.drawer.bad_amount");
    c.t->drawer_move(DrawerMove::Float, 1'000'000, c.clerk.id, "").value();
    c.visit(PaymentRequest::cash(500000, c.clerk.id));           // 2,000 SYP kept, 3,000 change
    c.visit(PaymentRequest::card("AUTH1", c.clerk.id));
    c.t->drawer_move(DrawerMove::CashIn, 50'000, c.clerk.id, "فكة").value();
    c.t->drawer_move(DrawerMove::CashOut, 20'000, c.clerk.id, "قرطاسية").value();
    auto moved = c.last_entry("drawer.movement");
    CHECK(moved["kind"] == "cash_out");
    CHECK(moved["staff_id"] == c.clerk.id);
    auto day = c.t->day_totals().value();
    CHECK(day.opening_float_minor == 1'000'000);
    CHECK(day.cash_minor == 200'000);
    CHECK(day.card_minor == 200'000);
    CHECK(day.expected_cash_minor == 1'000'000 + 200'000 + 50'000 - 20'000);
    CHECK(day.counter_applications == 2);
    CHECK_FALSE(day.declared_minor);
    auto z = c.t->close_day("", 1'225'000, c.supervisor.id).value();
    CHECK(z.computed_minor == 1'230'000);
    CHECK(z.difference_minor == -5'000);
    auto e = c.last_entry("drawer.z_report");
    CHECK(e["declared_minor"] == 1'225'000);
    CHECK(e["computed_minor"] == 1'230'000);
    CHECK(e["difference_minor"] == -5'000);
    CHECK(e["staff_id"] == c.supervisor.id);
    auto after = c.t->day_totals().value();
    REQUIRE(after.declared_minor);
    CHECK(*after.difference_minor == -5'000);
    CHECK(c.t->drawer_moves().value().size() == 3);
    check_journal_and_tables(*c.t);
}

TEST_CASE("Central's policy warns and then stops payments after days without a sync")
{
    Counter c("policy");
    auto signed_policy = [](int64_t version, int64_t warn, int64_t stop) {
        return protocol::Signed{protocol::statement_of(protocol::Policy{version, 1'789'000'000'000, warn, stop}), ""};
    };
    // Central acknowledged the journal (as a sync does): days without a sync count from central's time in it.
    auto synced_at = [&](int64_t ms) {
        protocol::Ack ack{c.t->identity().terminal_id, 0, protocol::kGenesisHash, ms};
        journal::record_ack(c.t->database(), ack, protocol::Signed{protocol::statement_of(ack), ""}).value();
    };
    CHECK_FALSE(c.t->policy_state().value().has_policy);
    REQUIRE(c.t->install_policy(signed_policy(2, 3, 5)).ok());
    synced_at(c.clock_ms);
    auto h = c.t->policy_state().value();
    REQUIRE(h.has_policy);
    CHECK(h.version == 2);
    CHECK_FALSE(h.warn);
    CHECK(h.days_until_stop == 5);
    c.clock_ms += 3 * 86'400'000LL;
    h = c.t->policy_state().value();
    CHECK(h.days_without_sync == 3);
    CHECK(h.warn);
    CHECK_FALSE(h.stop_payments);
    CHECK(h.days_until_stop == 2);
    c.clock_ms += 2 * 86'400'000LL;
    h = c.t->policy_state().value();
    CHECK(h.stop_payments);
    auto before = c.last_seq();
    SubmitRequest r{"civil.birth_extract", test::birth_extract_values()};
    r.channel = Channel::Counter;
    r.staff_id = c.clerk.id;
    CHECK(c.t->submit(r, PaymentRequest::cash(200000, c.clerk.id)).error().code == "error.policy.payments_stopped");
    CHECK(c.t->submit(r, PaymentRequest::card("AUTH9", c.clerk.id)).error().code == "error.policy.payments_stopped");
    CHECK(c.last_seq() == before); // the whole visit was refused
    // An exemption still settles; a sync lifts the stop.
    auto ex = PaymentRequest::exempt("disability", c.clerk.id);
    ex.document = "بطاقة";
    CHECK(c.t->submit(r, ex).ok());
    synced_at(c.clock_ms);
    CHECK(c.t->submit(r, PaymentRequest::cash(200000, c.clerk.id)).ok());
}

TEST_CASE("The unsynced items come oldest first with their age")
{
    Counter c("unsynced");
    c.visit(PaymentRequest::cash(200000, c.clerk.id));
    auto items = c.t->unsynced(500).value();
    REQUIRE(items.size() >= 3);
    for (size_t i = 1; i < items.size(); ++i)
        CHECK(items[i - 1].seq < items[i].seq);
    bool has_ref = false;
    for (auto& i : items)
        has_ref = has_ref || (i.type == "application.submitted" && !i.reference.empty());
    CHECK(has_ref);
    journal::set_acked_seq(c.t->database(), items.back().seq).value();
    CHECK(c.t->unsynced().value().empty());
}

TEST_CASE("The office's day is the local day in the centre's time zone: a visit after local midnight counts on the next day")
{
    Counter c("localday");
    // 2026-11-28T22:30Z is 01:30 on the 29th in Damascus (UTC+3, the seed catalogue's zone).
    c.clock_ms = 1'795'905'000'000;
    REQUIRE(clock::iso8601_utc(c.clock_ms).rfind("2026-11-28T22:30:00", 0) == 0);
    c.t->drawer_move(DrawerMove::Float, 100'000, c.clerk.id, "").value();
    auto s = c.visit(PaymentRequest::cash(500000, c.clerk.id));
    REQUIRE(s.payment);
    CHECK(s.payment->day == "2026-11-29");
    CHECK(c.last_entry("payment.recorded")["day"] == "2026-11-29");
    auto today = c.t->day_totals().value();
    CHECK(today.day == "2026-11-29");
    CHECK(today.applications == 1);
    CHECK(today.counter_applications == 1);
    CHECK(today.cash_minor == 200'000);
    CHECK(today.opening_float_minor == 100'000);
    c.t->decide(decision(s.application.reference, AppStatus::Approved, c.supervisor.id, "documents_complete")).value();
    CHECK(c.t->day_totals().value().decisions == 1);
    // The UTC day before holds nothing of it.
    auto before = c.t->day_totals("2026-11-28").value();
    CHECK(before.applications == 0);
    CHECK(before.count == 0);
    CHECK(before.decisions == 0);
    CHECK(before.opening_float_minor == 0);
    // The last minute of the local day still counts on it; the next minute is the next day.
    c.clock_ms = 1'795'985'940'000; // 2026-11-29T20:59Z = 23:59 local
    c.visit(PaymentRequest::cash(500000, c.clerk.id));
    c.clock_ms += 60'000;           // 00:00 local on the 30th
    c.visit(PaymentRequest::cash(500000, c.clerk.id));
    CHECK(c.t->day_totals("2026-11-29").value().applications == 2);
    CHECK(c.t->day_totals("2026-11-30").value().applications == 1);
    CHECK(c.t->day_totals().value().day == "2026-11-30");
}
