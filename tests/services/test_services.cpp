#include "helpers.h"

#include "base/fs.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/simulator.h"
#include "kiosk/services/text_normalize.h"
#include "sync/journal/journal.h"

#include <random>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace nafitha;
using namespace nafitha::services;

static std::vector<protocol::Entry> all_entries(Terminal& t)
{
    return journal::entries_after(t.database(), 0, 100000, SIZE_MAX).value();
}

static unsigned mode_of(const std::filesystem::path& p)
{
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

TEST_CASE("Opening a terminal creates its data folder with private keys and the seed catalogue")
{
    test::TempDir dir("open");
    auto t = test::open_terminal(dir.path / "data");
    CHECK(mode_of(dir.path / "data") == 0700);
    CHECK(mode_of(dir.path / "data" / "terminal.key") == 0600);
    CHECK(mode_of(dir.path / "data" / "pii.key") == 0600);
    CHECK(std::filesystem::exists(dir.path / "data" / "identity.json"));
    auto cat = t->catalogue();
    REQUIRE(cat);
    CHECK(cat->version == 1);
    CHECK(cat->services.size() >= 25);
    CHECK(cat->entities.size() >= 6);
    for (auto& s : cat->services) {
        CHECK_FALSE(s.name.ar.empty());
        CHECK_FALSE(s.name.en.empty());
        CHECK_FALSE(s.description.ar.empty());
        CHECK_FALSE(s.documents.empty());
    }
    auto& db = t->database();
    CHECK(db.prepare("PRAGMA journal_mode").value().step().value());
    auto mode = db.prepare("PRAGMA journal_mode").value();
    REQUIRE(mode.step().value());
    CHECK(mode.text(0) == "wal");
    CHECK(db.scalar_int64("PRAGMA synchronous").value() == 2);
    CHECK(db.scalar_int64("PRAGMA foreign_keys").value() == 1);
    // The catalogue installation is itself journalled.
    auto entries = all_entries(*t);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].type == "catalogue.installed");
    // Reopening does not install the seed again.
    t.reset();
    auto again = test::open_terminal(dir.path / "data");
    CHECK(all_entries(*again).size() == 1);
}

TEST_CASE("Catalogue search folds Arabic letter variants and digits")
{
    test::TempDir dir("search");
    auto t = test::open_terminal(dir.path);
    auto cat = t->catalogue();
    auto codes = [&](std::string_view q, std::string_view centre = {}) {
        std::vector<std::string> out;
        for (auto* s : cat->search(q, centre))
            out.push_back(s->code);
        return out;
    };
    auto has = [](const std::vector<std::string>& v, const std::string& code) {
        return std::find(v.begin(), v.end(), code) != v.end();
    };
    CHECK(has(codes("اخراج قيد"), "civil.individual_extract"));
    CHECK(has(codes("إخراج قيد"), "civil.individual_extract"));
    CHECK(has(codes("جواز"), "passport.new"));
    CHECK(has(codes("PASSPORT renewal"), "passport.renewal"));
    CHECK(has(codes("فاتوره الكهرباء"), "electricity.bill"));
    CHECK(codes("no such thing at all").empty());
    // Availability per centre: passports are not issued at the rural office.
    CHECK_FALSE(has(codes("جواز", "RUR-01"), "passport.new"));
    CHECK(has(codes("", "RUR-01"), "civil.birth_extract"));
    CHECK(fold_for_search("الأَحْوَالُ المدنيّة ١٢") == "الاحوال المدنيه 12");
}

TEST_CASE("A citizen transaction commits application payment and journal together")
{
    test::TempDir dir("submit");
    auto t = test::open_terminal(dir.path);
    SubmitRequest req{"civil.birth_extract", test::birth_extract_values()};
    PaymentRequest cash;
    cash.method = PayMethod::Cash;
    cash.tendered_minor = 500000;
    auto sub = t->submit(req, cash);
    REQUIRE(sub.ok());
    auto& app = sub->application;
    CHECK(parse_reference(app.reference).value() == app.reference);
    CHECK(app.status == AppStatus::Paid);
    CHECK(app.fee.total == 200000);
    CHECK(app.paid_minor == 200000);
    REQUIRE(sub->payment);
    CHECK(sub->payment->change_minor == 300000);
    CHECK(app.applicant.national_id == "01020304050");
    CHECK(app.applicant.full_name == "محمد أحمد الخطيب");
    CHECK(app.values.at("copies") == "2");
    REQUIRE(app.history.size() == 2);
    CHECK(app.history[1].status == AppStatus::Paid);

    // The service has documents to check at a counter: its queue ticket came in the same transaction.
    REQUIRE(sub->ticket);
    CHECK(sub->ticket->category == "civil_records");
    CHECK(t->ticket_of(app.reference).value()->id == sub->ticket->id);

    auto entries = all_entries(*t);
    REQUIRE(entries.size() == 5);
    CHECK(entries[1].type == "application.submitted");
    CHECK(entries[1].payload["reference"] == app.reference);
    CHECK(entries[1].payload["fee_minor"] == 200000);
    CHECK(entries[2].type == "payment.recorded");
    CHECK(entries[2].payload["change_minor"] == 300000);
    CHECK(entries[3].type == "application.status_changed");
    CHECK(entries[3].payload["to"] == "paid");
    CHECK(entries[4].type == "ticket.issued");
    CHECK(entries[4].payload["number"] == sub->ticket->number);
    auto report = journal::verify(t->database(), t->identity().keys.public_key).value();
    CHECK(report.ok());

    // Lookup by reference in any digit form, and by national ID through the keyed hash.
    std::string arabic_ref;
    for (char c : app.reference)
        arabic_ref += (c >= '0' && c <= '9') ? std::string("\xD9") + char(0xA0 + (c - '0')) : std::string(1, c);
    CHECK(t->application(arabic_ref).value().id == app.id);
    auto mine = t->applications_of("01020304050").value();
    REQUIRE(mine.size() == 1);
    CHECK(mine[0].reference == app.reference);
    CHECK(t->applications_of("99999999999").value().empty());
    CHECK(t->journal_status().value().pending == 5);
}

TEST_CASE("Personal data is encrypted at rest and never journalled")
{
    test::TempDir dir("pii");
    std::string reference;
    {
        auto t = test::open_terminal(dir.path);
        SubmitRequest req{"civil.birth_extract", test::birth_extract_values()};
        req.values["phone"] = "+963 933 765 432";
        auto sub = t->submit(req, PaymentRequest{PayMethod::Card, 0, "AUTH1234", {}, {}, {}});
        REQUIRE(sub.ok());
        reference = sub->application.reference;
        CHECK(sub->application.applicant.phone == "0933765432");
        auto& db = t->database();
        auto st = db.prepare("SELECT values_json, pii, nid_hash FROM applications").value();
        REQUIRE(st.step().value());
        CHECK(st.text(0).find("01020304050") == std::string::npos);
        CHECK(st.text(0).find("محمد") == std::string::npos);
        CHECK(st.blob(1).find("01020304050") == std::string::npos);
        CHECK(st.text(2).size() == 64);
        CHECK(st.text(2).find("01020304050") == std::string::npos);
        for (auto& e : all_entries(*t)) {
            auto text = e.payload.dump();
            CHECK(text.find("01020304050") == std::string::npos);
            CHECK(text.find("0933765432") == std::string::npos);
            CHECK(text.find("الخطيب") == std::string::npos);
        }
    }
    // Closing the last connection checkpoints the WAL into the database file; read whatever is on disk.
    std::string raw = fs::read_file(dir.path / "terminal.db", 64 << 20).value();
    if (std::filesystem::exists(dir.path / "terminal.db-wal"))
        raw += fs::read_file(dir.path / "terminal.db-wal", 64 << 20).value();
    CHECK(raw.find("01020304050") == std::string::npos);
    CHECK(raw.find("0933765432") == std::string::npos);
    // Another terminal's key cannot read it: a different pii.key fails authentication.
    std::filesystem::remove(dir.path / "pii.key");
    auto t = test::open_terminal(dir.path);
    auto app = t->application(reference);
    REQUIRE_FALSE(app.ok());
    CHECK(app.error().code == "error.pii.decrypt_failed");
}

TEST_CASE("Form problems come back all at once and block submission")
{
    test::TempDir dir("invalid");
    auto t = test::open_terminal(dir.path);
    FormValues values = {{"full_name", "John Smith"}, {"national_id", "12345"}, {"birth_date", "2099-01-01"},
                         {"copies", "9"}, {"phone", "12"}};
    auto v = t->assess("civil.birth_extract", values).validation;
    CHECK_FALSE(v.ok());
    CHECK(v.problem("full_name")->code == "error.form.arabic_letters_only");
    CHECK(v.problem("national_id")->code == "error.form.national_id_length");
    CHECK(v.problem("father_name")->code == "error.form.required");
    CHECK(v.problem("mother_name")->code == "error.form.required");
    CHECK(v.problem("birth_date")->code == "error.form.date_future");
    CHECK(v.problem("copies")->code == "error.form.number_range");
    CHECK(v.problem("phone")->code == "error.form.phone_invalid");
    CHECK(v.problems.size() == 7);
    auto sub = t->submit({"civil.birth_extract", values});
    REQUIRE_FALSE(sub.ok());
    CHECK(sub.error().code == "error.form.invalid");
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM applications").value() == 0);
    CHECK(t->journal_status().value().last_seq == 1);
    CHECK(t->assess("no.such.service", {}).validation.problems.at(0).code == "error.service.unknown");
    auto rural = test::open_terminal(dir.path / "rural", "RUR-01");
    // The centre check is part of the one authority: the pure function the UI asks, the facade, and submit.
    auto offered = rural->assess("passport.new", {}).validation;
    CHECK(offered.problems.size() == 1);
    CHECK(offered.problems.at(0).code == "error.service.unavailable");
    CHECK(assess(*rural->catalogue(), "RUR-01", "passport.new", {}, "").validation.problems.at(0).code ==
          "error.service.unavailable");
    CHECK(assess(*rural->catalogue(), "DAM-01", "passport.new", {}, "").validation.problems.at(0).code == "error.form.required");
    auto refused = rural->submit({"passport.new", {}});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "error.service.unavailable");
    // A payment device result for a free application is not recorded as money.
    auto free_sub = t->submit(SubmitRequest{"civil.birth_extract", test::birth_extract_values(), "martyr_family"},
                              PaymentRequest::cash(0));
    REQUIRE(free_sub.ok());
    CHECK(free_sub->payment->method == PayMethod::Exemption);
}

TEST_CASE("Fee rules cover fixed by option by amount and exemptions")
{
    test::TempDir dir("fees");
    auto t = test::open_terminal(dir.path);
    FormValues passport = {{"full_name", "سارة يوسف"}, {"national_id", "01234567890"}, {"father_name", "يوسف"},
                           {"mother_name", "ليلى حداد"}, {"birth_date", "01/02/1985"}, {"urgency", "urgent"},
                           {"photo_scan", "SCN-0001-ABCD"}, {"phone", "0933000111"}};
    CHECK(t->assess("passport.new", passport, "").fee.value().total == 150000000);
    passport["urgency"] = "normal";
    CHECK(t->assess("passport.new", passport, "").fee.value().total == 30000000);

    FormValues bill = {{"subscriber_number", "123456"}, {"bill_amount", "12,500.50"}};
    auto fee = t->assess("electricity.bill", bill, "").fee.value();
    CHECK(fee.total == 1250050 + 50000);
    auto exempt = t->assess("electricity.bill", bill, "social_aid").fee.value();
    CHECK(exempt.total == 1250050);
    CHECK(exempt.waived == 50000);
    CHECK(t->assess("electricity.bill", bill, "not_a_real_one").fee.error().code == "error.fee.exemption_unknown");

    // An exemption that waives the whole fee settles the application at submission.
    SubmitRequest req{"civil.birth_extract", test::birth_extract_values(), "martyr_family"};
    auto sub = t->submit(req).value();
    CHECK(sub.application.status == AppStatus::Paid);
    CHECK(sub.application.fee.total == 0);
    REQUIRE(sub.payment);
    CHECK(sub.payment->method == PayMethod::Exemption);
    CHECK(sub.payment->waived_minor == 200000);
}

TEST_CASE("Payments check what is tendered and totals add up per staff and day")
{
    test::TempDir dir("pay");
    int64_t now = 1795900805123;
    auto t = test::open_clocked(dir.path, now);
    auto clerk = t->create_staff({"rana", "رنا العلي", Role::Clerk, "1234"}).value();

    auto a = t->submit({"civil.family_statement", {{"full_name", "خالد عمر"}, {"national_id", "11111111111"}, {"copies", "1"}}}).value();
    CHECK(a.application.status == AppStatus::Submitted);
    PaymentRequest low{PayMethod::Cash, 1000, {}, {}, clerk.id, {}};
    CHECK(t->pay(a.application.reference, low).error().code == "error.payment.insufficient");
    PaymentRequest ok{PayMethod::Cash, 500000, {}, {}, clerk.id, {}};
    auto p = t->pay(a.application.reference, ok).value();
    CHECK(p.amount_minor == 300000);
    CHECK(p.change_minor == 200000);
    CHECK(t->pay(a.application.reference, ok).error().code == "error.payment.already_paid");
    CHECK(t->payments_of(a.application.reference).value().size() == 1);

    auto b = t->submit({"finance.tax_clearance", {{"full_name", "هدى سليمان"}, {"national_id", "22222222222"}}},
                       PaymentRequest{PayMethod::Card, 0, "", {}, {}, {}});
    CHECK(b.error().code == "error.payment.card_authorisation");
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM applications").value() == 1);
    auto b2 = t->submit({"finance.tax_clearance", {{"full_name", "هدى سليمان"}, {"national_id", "22222222222"}}},
                        PaymentRequest{PayMethod::Card, 0, "A77", {}, {}, {}}).value();
    CHECK(b2.payment->amount_minor == 200000);

    auto totals = t->day_totals().value();
    CHECK(totals.day == "2026-11-29"); // 2026-11-28T21:20Z is 00:20 on the 29th in Damascus: the office's day
    CHECK(totals.count == 2);
    CHECK(totals.cash_minor == 300000);
    CHECK(totals.card_minor == 200000);
    CHECK(totals.change_minor == 200000);
    REQUIRE(totals.by_staff.size() == 2);
    CHECK_FALSE(totals.by_staff[0].staff_id); // the kiosk's own card payment
    CHECK(totals.by_staff[0].card_minor == 200000);
    CHECK(*totals.by_staff[1].staff_id == clerk.id);
    CHECK(totals.by_staff[1].staff_name == "رنا العلي");
    CHECK(totals.by_staff[1].cash_minor == 300000);
    CHECK(t->day_totals("2026-11-28").value().count == 0);
    CHECK(t->day_totals("2026-11-30").value().count == 0);
}

TEST_CASE("Applications follow their lifecycle and central decisions are idempotent")
{
    test::TempDir dir("lifecycle");
    auto t = test::open_terminal(dir.path);
    auto clerk = t->create_staff({"omar", "عمر", Role::Supervisor, "٤٤٤٤"}).value();
    auto sub = t->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest{PayMethod::Cash, 200000, {}, {}, {}, {}}).value();
    auto ref = sub.application.reference;
    CHECK(t->change_status(ref, AppStatus::Delivered, clerk.id, "").error().code == "error.application.bad_transition");
    CHECK(t->change_status(ref, AppStatus::InReview, 999, "").error().code == "error.staff.unknown");
    auto tech = t->create_staff({"tech", "فني", Role::Technician, "8888"}).value();
    CHECK(t->change_status(ref, AppStatus::InReview, tech.id, "").error().code == "error.staff.forbidden");
    REQUIRE(t->change_status(ref, AppStatus::InReview, clerk.id, "مراجعة").ok());
    auto before = t->journal_status().value().last_seq;
    REQUIRE(t->apply_central_decision(ref, "approved", "موافق", "2026-11-28T10:00:00.000Z", 41).ok());
    REQUIRE(t->apply_central_decision(ref, "approved", "موافق", "2026-11-28T10:00:00.000Z", 41).ok());
    CHECK(t->journal_status().value().last_seq == before + 1);
    // A stale decision (older than the current state) changes nothing.
    REQUIRE(t->apply_central_decision(ref, "in_review", "", "2026-11-28T09:00:00.000Z", 40).ok());
    CHECK(t->application(ref).value().status == AppStatus::Approved);
    REQUIRE(t->apply_central_decision(ref, "ready", "", "2026-11-28T11:00:00.000Z", 42).ok());
    REQUIRE(t->change_status(ref, AppStatus::Delivered, clerk.id, "").ok());
    auto app = t->application(ref).value();
    CHECK(app.status == AppStatus::Delivered);
    std::vector<AppStatus> seen;
    for (auto& h : app.history)
        seen.push_back(h.status);
    CHECK(seen == std::vector<AppStatus>{AppStatus::Submitted, AppStatus::Paid, AppStatus::InReview, AppStatus::Approved,
                                         AppStatus::Ready, AppStatus::Delivered});
    CHECK(app.history[3].actor == "central");
    auto inbox = t->applications_by_status({AppStatus::Paid, AppStatus::InReview}).value();
    CHECK(inbox.empty());
    auto second = t->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest::cash(200000)).value();
    inbox = t->applications_by_status({AppStatus::Paid, AppStatus::InReview}).value();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].reference == second.application.reference);
    CHECK(t->applications_by_status({}).value().size() == 2);
    CHECK(t->applications_by_status({}, 1).value().at(0).reference == second.application.reference);
    CHECK(t->apply_central_decision("0000-000000-0", "approved", "", "", 50).error().code == "error.application.unknown");
    CHECK(t->apply_central_decision(ref, "bogus", "", "", 51).error().code == "error.application.bad_status");
}

TEST_CASE("A central decision keeps its reason code when the terminal knows it for that decision")
{
    test::TempDir dir("central-reason");
    auto t = test::open_terminal(dir.path);
    auto a = t->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest::cash(200000)).value().application.reference;
    auto b = t->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest::cash(200000)).value().application.reference;
    REQUIRE(t->apply_central_decision(a, "rejected", "صورة الهوية غير واضحة", "2026-11-28T10:00:00.000Z", 61, {}, "documents_missing").ok());
    // An approval reason on a rejection (or an unknown code) is dropped; the decision itself stands.
    REQUIRE(t->apply_central_decision(b, "rejected", "", "2026-11-28T10:00:00.000Z", 62, {}, "documents_complete").ok());
    auto ra = t->application(a).value();
    CHECK(ra.status == AppStatus::Rejected);
    CHECK(ra.history.back().reason == "documents_missing");
    CHECK(ra.history.back().note == "صورة الهوية غير واضحة");
    CHECK(ra.history.back().actor == "central");
    auto rb = t->application(b).value();
    CHECK(rb.status == AppStatus::Rejected);
    CHECK(rb.history.back().reason.empty());
}

TEST_CASE("A staff decision walks the lifecycle in one transaction and the inbox lists what awaits a clerk")
{
    CHECK(decision_path(AppStatus::Paid, AppStatus::Approved) == std::vector<AppStatus>{AppStatus::InReview, AppStatus::Approved});
    CHECK(decision_path(AppStatus::Paid, AppStatus::Ready) ==
          std::vector<AppStatus>{AppStatus::InReview, AppStatus::Approved, AppStatus::Ready});
    CHECK(decision_path(AppStatus::InReview, AppStatus::Rejected) == std::vector<AppStatus>{AppStatus::Rejected});
    CHECK(decision_path(AppStatus::Submitted, AppStatus::Approved).empty()); // unpaid: only a payment moves it on
    CHECK(decision_path(AppStatus::Rejected, AppStatus::Approved).empty());
    CHECK(decision_path(AppStatus::Approved, AppStatus::Paid).empty());
    CHECK(decision_path(AppStatus::Ready, AppStatus::Ready).empty());

    test::TempDir dir("decide");
    auto t = test::open_terminal(dir.path);
    auto clerk = t->create_staff({"omar", "عمر", Role::Supervisor, "٤٤٤٤"}).value();
    auto tech = t->create_staff({"tech", "فني", Role::Technician, "8888"}).value();
    auto first = t->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest::cash(200000)).value();
    auto second = t->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest::cash(200000)).value();
    auto inbox = t->inbox().value();
    REQUIRE(inbox.size() == 2);
    CHECK(inbox[0].reference == second.application.reference); // newest first
    CHECK(inbox[0].status == AppStatus::Paid);
    CHECK(inbox[0].applicant_hint == "…4050"); // the national ID masked
    CHECK(inbox[0].service_code == "civil.birth_extract");

    auto before = t->journal_status().value().last_seq;
    auto decision = [&](const std::string& ref, AppStatus to, int64_t staff, std::string reason, std::string note) {
        return DecisionRequest{ref, to, staff, std::move(reason), std::move(note), true};
    };
    CHECK(t->decide(decision(first.application.reference, AppStatus::Ready, tech.id, "documents_complete", "")).error().code ==
          "error.staff.forbidden");
    CHECK(t->journal_status().value().last_seq == before);
    auto ready = t->decide(decision(first.application.reference, AppStatus::Ready, clerk.id, "documents_complete", "جاهز")).value();
    CHECK(ready.application.status == AppStatus::Ready);
    CHECK(t->journal_status().value().last_seq == before + 3); // in review, approved, ready
    CHECK(t->decide(decision(first.application.reference, AppStatus::Approved, clerk.id, "documents_complete", "")).error().code ==
          "error.application.bad_transition");
    CHECK(t->decide(decision(second.application.reference, AppStatus::Rejected, clerk.id, "documents_missing", "")).value()
              .application.status == AppStatus::Rejected);
    CHECK(t->inbox().value().empty());
    CHECK(t->last_reference().value() == second.application.reference);

    // The day's numbers for the Z report count applications and tickets too.
    auto day = t->day_totals().value();
    CHECK(day.count == 2);
    CHECK(day.applications == 2);
    CHECK(day.tickets == 2);
}

// Every field of two applications, so that a difference names the field.
static void check_same_application(const Application& a, const Application& b)
{
    CHECK(a.id == b.id);
    CHECK(a.reference == b.reference);
    CHECK(a.service_code == b.service_code);
    CHECK(a.centre == b.centre);
    CHECK(a.status == b.status);
    CHECK(a.channel == b.channel);
    CHECK(a.staff_id == b.staff_id);
    CHECK(a.fee.total == b.fee.total);
    CHECK(a.fee.exemption == b.fee.exemption);
    CHECK(a.fee.waived == b.fee.waived);
    REQUIRE(a.fee.lines.size() == b.fee.lines.size());
    for (size_t i = 0; i < a.fee.lines.size(); ++i) {
        CHECK(a.fee.lines[i].label.ar == b.fee.lines[i].label.ar);
        CHECK(a.fee.lines[i].label.en == b.fee.lines[i].label.en);
        CHECK(a.fee.lines[i].amount == b.fee.lines[i].amount);
    }
    CHECK(a.paid_minor == b.paid_minor);
    CHECK(a.refunded_minor == b.refunded_minor);
    CHECK(a.submitted_at == b.submitted_at);
    CHECK(a.expected_ready == b.expected_ready);
    CHECK(a.values == b.values);
    CHECK(a.applicant.full_name == b.applicant.full_name);
    CHECK(a.applicant.national_id == b.applicant.national_id);
    CHECK(a.applicant.phone == b.applicant.phone);
    CHECK(a.applicant.address == b.applicant.address);
    REQUIRE(a.history.size() == b.history.size());
    for (size_t i = 0; i < a.history.size(); ++i) {
        CHECK(a.history[i].status == b.history[i].status);
        CHECK(a.history[i].time == b.history[i].time);
        CHECK(a.history[i].note == b.history[i].note);
        CHECK(a.history[i].actor == b.history[i].actor);
        CHECK(a.history[i].reason == b.history[i].reason);
    }
    CHECK(a.catalogue_version == b.catalogue_version);
}

TEST_CASE("The application a submission returns is the one stored, for every service, paid or not, at the kiosk or the counter")
{
    test::TempDir dir("returned");
    auto t = test::open_terminal(dir.path);
    auto clerk = t->create_staff({"huda", "هدى", Role::Clerk, "٥٥٥٥"}).value();
    auto cat = t->catalogue();
    std::mt19937_64 rng(7);
    int submitted = 0;
    for (auto& service : cat->services) {
        for (int variant = 0; variant < 3; ++variant) {
            SubmitRequest req(service.code, simulated_form(service, rng));
            int64_t due = t->assess(service.code, req.values, req.exemption).fee.value().total;
            std::optional<PaymentRequest> payment;
            if (variant == 1)
                payment = PaymentRequest::cash(due + 50000);
            if (variant == 2) {
                req.channel = Channel::Counter;
                req.staff_id = clerk.id;
                payment = PaymentRequest::card("A123456", clerk.id);
            }
            auto sub = t->submit(req, payment);
            INFO(service.code << " variant " << variant << ": " << (sub.ok() ? std::string() : sub.error().to_string()));
            REQUIRE(sub.ok());
            check_same_application(sub->application, t->application(sub->application.reference).value());
            ++submitted;
        }
    }
    CHECK(submitted == 3 * static_cast<int>(cat->services.size()));
    CHECK(journal::verify(t->database(), t->identity().keys.public_key).value().ok());
}

TEST_CASE("A counter submission keeps the ticket it came with")
{
    test::TempDir dir("counter");
    auto t = test::open_terminal(dir.path);
    auto clerk = t->create_staff({"omar", "عمر", Role::Clerk, "٤٤٤٤"}).value();
    auto issued = t->issue_ticket("civil_records").value();
    auto called = t->call_next("civil_records", 1, clerk.id).value();
    REQUIRE(called);
    SubmitRequest req{"civil.birth_extract", test::birth_extract_values()};
    req.channel = Channel::Counter;
    req.staff_id = clerk.id;
    req.ticket_id = issued.id;
    auto sub = t->submit(req, PaymentRequest::cash(200000, clerk.id)).value();
    CHECK_FALSE(sub.ticket); // no second ticket
    CHECK(t->ticket_of(sub.application.reference).value()->id == issued.id);
    CHECK(t->day_totals().value().tickets == 1);
    CHECK(Terminal::open(test::options(dir.path / "empty")).value()->last_reference().error().code == "error.receipt.not_found");
}

TEST_CASE("Queue tickets are issued called recalled served and estimate waits")
{
    test::TempDir dir("queue");
    int64_t now = 1795900805000;
    auto t = test::open_clocked(dir.path, now);
    auto a1 = t->issue_ticket("civil_records").value();
    auto a2 = t->issue_ticket("civil_records").value();
    auto p1 = t->issue_ticket("passports").value();
    CHECK(a1.number == "A001");
    CHECK(a2.number == "A002");
    CHECK(p1.number == "P001");
    CHECK(a2.waiting_ahead == 1);
    CHECK(a2.estimated_wait_s == 300);
    CHECK(t->issue_ticket("nope").error().code == "error.queue.unknown_category");

    auto called = t->call_next("civil_records", 3, std::nullopt).value();
    REQUIRE(called);
    CHECK(called->id == a1.id);
    CHECK(called->counter == 3);
    CHECK(t->recall(a1.id).value().recalls == 1);
    now += 120 * 1000;
    auto served = t->serve(a1.id).value();
    CHECK(served.status == TicketStatus::Served);
    CHECK(t->serve(a1.id).error().code == "error.queue.not_called");
    // One waiting ticket ahead, recent service took 120 s.
    CHECK(t->estimated_wait_s("civil_records").value() == 120);
    auto next = t->call_next("", 1, std::nullopt).value();
    REQUIRE(next);
    CHECK(next->id == a2.id);
    CHECK(t->no_show(a2.id).value().status == TicketStatus::NoShow);
    CHECK(t->waiting("").value().size() == 1);
    CHECK(t->call_next("passports", 2, std::nullopt).value()->id == p1.id);
    CHECK_FALSE(t->call_next("", 2, std::nullopt).value());
    CHECK(t->call_next("", 0, std::nullopt).error().code == "error.queue.bad_counter");
    std::vector<std::string> types;
    for (auto& e : all_entries(*t))
        types.push_back(e.type);
    CHECK(std::count(types.begin(), types.end(), "ticket.issued") == 3);
    CHECK(std::count(types.begin(), types.end(), "ticket.called") == 3);
    CHECK(std::count(types.begin(), types.end(), "ticket.recalled") == 1);
    CHECK(std::count(types.begin(), types.end(), "ticket.served") == 1);
    CHECK(std::count(types.begin(), types.end(), "ticket.no_show") == 1);
    // The next day starts again at 001.
    now += 86400 * 1000;
    CHECK(t->issue_ticket("civil_records").value().number == "A001");
}

TEST_CASE("The queue's wait estimate counts today's waiting tickets the last served times and the counters of the last hour")
{
    // Days of history behind the estimate: it must use only the last 20 served tickets of the category, the waiting
    // tickets of today and the counters that called in the last hour (partial indexes of schema migration 9).
    test::TempDir dir("queue-history");
    int64_t now = 1795900805000;
    auto t = test::open_clocked(dir.path, now);
    for (int i = 0; i < 30; ++i) {
        auto tk = t->issue_ticket("civil_records").value();
        REQUIRE(t->call_next("civil_records", 1 + i % 3, std::nullopt).value());
        now += 600 * 1000;
        REQUIRE(t->serve(tk.id).ok());
    }
    // Yesterday left two waiting tickets behind, and a passport served in 10 s (another category).
    t->issue_ticket("civil_records").value();
    t->issue_ticket("civil_records").value();
    auto p = t->issue_ticket("passports").value();
    REQUIRE(t->call_next("passports", 7, std::nullopt).value());
    now += 10 * 1000;
    REQUIRE(t->serve(p.id).ok());
    now += 86400 * 1000; // the next day, more than an hour after counters 1-3 and 7 last called
    auto a = t->issue_ticket("civil_records").value();
    REQUIRE(t->call_next("civil_records", 5, std::nullopt).value()->id == a.id);
    now += 60 * 1000;
    REQUIRE(t->serve(a.id).ok());
    auto b = t->issue_ticket("civil_records").value();
    CHECK(b.waiting_ahead == 0);
    CHECK(b.estimated_wait_s == 0);
    // One waiting ahead (b), service time (19 x 600 s + 60 s) / 20, one counter open (5).
    CHECK(t->estimated_wait_s("civil_records").value() == (19 * 600 + 60) / 20);
    auto c = t->issue_ticket("civil_records").value();
    CHECK(c.waiting_ahead == 1);
    CHECK(c.estimated_wait_s == (19 * 600 + 60) / 20);
    REQUIRE(t->call_next("civil_records", 6, std::nullopt).value()->id == b.id);
    // Two counters open in the last hour (5 and 6), one waiting (c): half the service time.
    CHECK(t->estimated_wait_s("civil_records").value() == (19 * 600 + 60) / 20 / 2);
    CHECK(t->waiting("civil_records").value().size() == 1);
}

TEST_CASE("Surveys take a rating a checked reason and reason codes from the list")
{
    test::TempDir dir("survey");
    auto t = test::open_terminal(dir.path);
    auto ticket = t->issue_ticket("vehicles").value();
    CHECK(t->record_survey({"", ticket.id, 0, ""}).error().code == "error.survey.rating");
    CHECK(t->record_survey({"", ticket.id, 6, ""}).error().code == "error.survey.rating");
    CHECK(t->record_survey({"", std::nullopt, 4, ""}).error().code == "error.survey.no_subject");
    CHECK(t->record_survey({"", ticket.id, 2, "'); DROP TABLE surveys; --"}).error().code == "error.form.text_characters");
    CHECK(t->record_survey({"", ticket.id, 2, std::string(400, 'x')}).error().code == "error.form.too_long");
    REQUIRE(t->record_survey({"", ticket.id, 5, "خدمة سريعة، شكراً"}).ok());
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM surveys").value() == 1);
    auto e = all_entries(*t).back();
    CHECK(e.type == "survey.recorded");
    CHECK(e.payload["rating"] == 5);
    CHECK_FALSE(e.payload.contains("reason"));
    CHECK(e.payload["reasons"] == nlohmann::json::array());
    // Reason codes: known ones only (an unknown one changes nothing), journalled each once in the list's order.
    CHECK(t->record_survey({"", ticket.id, 2, "", {"long_wait", "free text"}}).error().code == "error.survey.reason_code");
    CHECK(t->record_survey({"", ticket.id, 2, "", {"'); DROP TABLE surveys; --"}}).error().code == "error.survey.reason_code");
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM surveys").value() == 1);
    REQUIRE(t->record_survey({"", ticket.id, 2, "", {"staff", "long_wait", "staff"}}).ok());
    e = all_entries(*t).back();
    CHECK(e.payload["reasons"] == nlohmann::json::array({"long_wait", "staff"}));
    CHECK(e.payload["has_reason"] == false);
}

TEST_CASE("Staff PINs are Argon2id hashes and repeated failures lock the account")
{
    test::TempDir dir("staff");
    int64_t now = 1795900805000;
    auto t = test::open_clocked(dir.path, now);
    auto s = t->create_staff({"layla", "ليلى", Role::Clerk, "2468"}).value();
    CHECK(t->create_staff({"layla", "x", Role::Clerk, "1357"}).error().code == "error.staff.login_taken");
    CHECK(t->create_staff({"Bad Login!", "x", Role::Clerk, "1357"}).error().code == "error.staff.bad_login");
    CHECK(t->create_staff({"abc", "x", Role::Clerk, "12"}).error().code == "error.staff.bad_pin");
    auto st = t->database().prepare("SELECT pin_hash FROM staff WHERE id = ?1").value();
    st.bind(1, s.id);
    REQUIRE(st.step().value());
    CHECK(st.text(0).rfind("$argon2id$", 0) == 0);
    CHECK(st.text(0).find("2468") == std::string::npos);

    auto session = t->login("layla", "٢٤٦٨");
    REQUIRE(session.ok());
    CHECK(session->role == Role::Clerk);
    CHECK(t->login("nobody", "2468").error().code == "error.staff.bad_credentials");
    for (int i = 0; i < kMaxPinFailures - 1; ++i)
        CHECK(t->login("layla", "0000").error().code == "error.staff.bad_credentials");
    CHECK(t->login("layla", "0000").error().code == "error.staff.locked");
    CHECK(t->login("layla", "2468").error().code == "error.staff.locked");
    now += (kLockoutSeconds + 1) * 1000;
    CHECK(t->login("layla", "2468").ok());
    REQUIRE(t->change_pin(s.id, "2468", "97531").ok());
    CHECK(t->login("layla", "97531").ok());
    CHECK(t->login("layla", "2468").error().code == "error.staff.bad_credentials");
}

TEST_CASE("A newer catalogue replaces the old one atomically and older ones are ignored")
{
    test::TempDir dir("catalogue");
    auto t = test::open_terminal(dir.path);
    auto old_snapshot = t->catalogue();
    auto doc = nlohmann::json::parse(fs::read_file(test::seed_file(), 1 << 22).value());
    doc["version"] = 2;
    doc["services"][0]["fee"]["amount"] = 250000;
    REQUIRE(t->install_catalogue(doc).ok());
    CHECK(t->catalogue()->version == 2);
    CHECK(t->catalogue()->service("civil.birth_extract")->fee.amount == 250000);
    CHECK(old_snapshot->service("civil.birth_extract")->fee.amount == 200000);
    auto seq = t->journal_status().value().last_seq;
    doc["version"] = 1;
    REQUIRE(t->install_catalogue(doc).ok());
    CHECK(t->catalogue()->version == 2);
    CHECK(t->journal_status().value().last_seq == seq);
    auto bad = doc;
    bad["version"] = 3;
    bad["services"][1]["category"] = "no_such_category";
    auto r = t->install_catalogue(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.catalogue.invalid");
    CHECK(t->catalogue()->version == 2);
    CHECK(t->journal_status().value().last_seq == seq);
    // The newer catalogue survives a restart and the older seed does not come back.
    t.reset();
    auto again = test::open_terminal(dir.path);
    CHECK(again->catalogue()->version == 2);
}

TEST_CASE("References carry a Damm check digit that catches typing errors")
{
    auto ref = make_reference("4821", 123);
    CHECK(ref.size() == 13);
    CHECK(parse_reference(ref).value() == ref);
    std::string digits = ref.substr(0, 4) + ref.substr(5, 6) + ref.substr(12, 1);
    for (size_t i = 0; i < digits.size(); ++i) {
        for (char d = '0'; d <= '9'; ++d) {
            if (d == digits[i])
                continue;
            auto wrong = digits;
            wrong[i] = d;
            CHECK_FALSE(parse_reference(wrong).ok());
        }
        if (i + 1 < digits.size() && digits[i] != digits[i + 1]) {
            auto swapped = digits;
            std::swap(swapped[i], swapped[i + 1]);
            CHECK_FALSE(parse_reference(swapped).ok());
        }
    }
    CHECK(parse_reference("abc").error().code == "error.reference.invalid");
    CHECK(parse_reference(std::string(100, '1')).error().code == "error.reference.invalid");
}

TEST_CASE("Processes starting together on a fresh folder share one identity and one personal data key")
{
    test::TempDir dir("race");
    constexpr int kChildren = 6;
    std::vector<pid_t> pids;
    for (int i = 0; i < kChildren; ++i) {
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            auto t = Terminal::open(test::options(dir.path));
            if (!t.ok()) {
                std::fprintf(stderr, "child: %s\n", t.error().to_string().c_str());
                ::_exit(10);
            }
            auto sub = t.value()->submit({"civil.birth_extract", test::birth_extract_values()}, PaymentRequest::cash(200000));
            ::_exit(sub.ok() ? 0 : 11);
        }
        pids.push_back(pid);
    }
    for (auto pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    auto t = test::open_terminal(dir.path);
    auto apps = t->applications_of("01020304050").value(); // every child's personal data decrypts here
    CHECK(apps.size() == kChildren);
    auto report = journal::verify(t->database(), t->identity().keys.public_key).value();
    CHECK(report.ok());
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM journal WHERE type = 'catalogue.installed'").value() == 1);
}

TEST_CASE("A visit abandoned before submission is journalled with its service and last step and nothing personal")
{
    test::TempDir dir("abandoned");
    auto t = test::open_terminal(dir.path);
    REQUIRE(t->record_visit_abandoned("civil.birth_extract", "form", "timeout").ok());
    REQUIRE(t->record_visit_abandoned("civil.birth_extract", "review", "cancel").ok());
    CHECK(t->record_visit_abandoned("no.such_service", "form", "timeout").error().code == "error.service.unknown");
    CHECK(t->record_visit_abandoned("civil.birth_extract", "Form!", "timeout").error().code == "error.visit.step");
    CHECK(t->record_visit_abandoned("civil.birth_extract", "form", "bored").error().code == "error.visit.step");
    auto st = t->database().prepare("SELECT payload FROM journal WHERE type = 'visit.abandoned' ORDER BY seq").value();
    std::vector<nlohmann::json> got;
    while (st.step().value())
        got.push_back(nlohmann::json::parse(st.text(0)));
    REQUIRE(got.size() == 2);
    CHECK(got[0]["service_code"] == "civil.birth_extract");
    CHECK(got[0]["entity"] == "civil");
    CHECK(got[0]["last_step"] == "form");
    CHECK(got[0]["reason"] == "timeout");
    CHECK(got[0]["channel"] == "kiosk");
    CHECK(got[0]["centre"] == "DAM-01");
    CHECK(got[1]["reason"] == "cancel");
    // Only these fields: nothing the citizen typed.
    std::set<std::string> keys;
    for (const auto& [k, v] : got[0].items())
        keys.insert(k);
    CHECK(keys == std::set<std::string>{"category", "centre", "channel", "entity", "last_step", "reason", "service_code", "time"});
}
