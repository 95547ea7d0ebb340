// Thirty days offline: a counter terminal runs 30 simulated days (an injected clock) with 200 counter visits a
// day and no link. Central's policy warns on the right days and stops payments after its limit; then the
// terminal syncs to a real central (HTTP on loopback): every entry arrives, none twice. The commit time of a
// visit on day 30 against day 1 is printed (a `bench` line; the figure is not asserted: timings belong in bench/).

#include "harness.h"

#include "base/clock.h"
#include "central/store.h"
#include "kiosk/services/terminal.h"
#include "sync/client/config.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"
#include "sync/journal/journal.h"
#include "sync/protocol/signed.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>

using namespace nafitha;
using namespace nafitha::testing;
using services::PaymentRequest;

namespace {

constexpr int64_t kDay = 86'400'000;

services::FormValues visitor(int day, int n)
{
    // A national id and a phone per visitor, names from a short list (Arabic, as typed at the counter).
    static const char* const first[] = {"محمد", "سلمى", "أحمد", "ريم", "خالد", "هالة", "عمر", "نور"};
    static const char* const last[] = {"الخطيب", "حداد", "العلي", "الأيوبي", "السيد"};
    char nid[16], phone[16];
    std::snprintf(nid, sizeof nid, "%02d%03d%06d", day % 100, n % 1000, day * 1000 + n);
    std::snprintf(phone, sizeof phone, "09%08d", day * 1000 + n);
    return {{"full_name", std::string(first[n % 8]) + " " + last[(n / 8) % 5]},
            {"national_id", nid},
            {"father_name", "أحمد"},
            {"mother_name", "فاطمة"},
            {"birth_date", "1990-05-17"},
            {"copies", "1"},
            {"phone", phone}};
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

TEST_CASE("Thirty days offline at the counter then one sync: policy warnings on the right days and nothing lost or doubled")
{
    TempDir c("month-c");
    // The terminal's folder on tmpfs when there is one: 6,000 visits of fsyncs would otherwise measure the disk
    // of a shared machine; the ratio of day 30 to day 1 is about the database's growth.
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                      : std::filesystem::temp_directory_path();
    auto dir = base / ("nafitha-month-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    struct Cleanup {
        std::filesystem::path p;
        ~Cleanup() { std::filesystem::remove_all(p); }
    } cleanup{dir};

    InProcessCentral central(c.path());
    // The month ends about now: central's clock (real) acknowledges the final sync on day 32 of the simulation.
    // Each day's office opens at 08:00 in Damascus (05:00 UTC), so a day's 200 visits stay on one local day.
    int64_t start = (clock::unix_ms() - 32 * kDay) / kDay * kDay + 5 * 3'600'000;
    int64_t now = start;
    services::TerminalOptions o;
    o.data_dir = dir;
    o.seed_catalogue = std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json";
    o.pin_cost = services::PinCost::test();
    o.now_ms = [&now] { return now; };
    auto t = services::Terminal::open(o).release_value();
    REQUIRE(sync::enroll(dir, central.url(), central.add_code(), {}).ok());
    auto clerk = t->create_staff({"lina", "لينا", services::Role::Clerk, "1111"}).value();
    auto supervisor = t->create_staff({"sami", "سامي", services::Role::Supervisor, "2222"}).value();
    // Day 0, the last exchange before the link went down: central's policy (warn after 25 days without a sync,
    // stop payments after 32) and its signed acknowledgement, signed with central's own key as it would.
    auto central_key = central::load_or_create_server_key(c.path()).value();
    auto policy = protocol::sign_statement(protocol::statement_of(protocol::Policy{1, start, 25, 32}), central_key.secret_key).value();
    REQUIRE(t->install_policy(policy).ok());
    protocol::Ack ack{t->identity().terminal_id, 0, protocol::kGenesisHash, start};
    auto signed_ack = protocol::sign_statement(protocol::statement_of(ack), central_key.secret_key).value();
    REQUIRE(journal::record_ack(t->database(), ack, signed_ack).ok());

    constexpr int kDays = 30, kVisits = 200;
    std::vector<double> first_day_ms, last_day_ms;
    int64_t expected_cash_total = 0;
    int warned_first = -1;
    for (int day = 1; day <= kDays; ++day) {
        now = start + int64_t(day - 1) * kDay;
        auto health = t->policy_state().value();
        CHECK(health.days_without_sync == day - 1);
        if (health.warn && warned_first < 0)
            warned_first = day - 1;
        CHECK(health.warn == (day - 1 >= 25));
        CHECK_FALSE(health.stop_payments);
        CHECK(health.days_until_stop == 32 - (day - 1));
        REQUIRE(t->drawer_move(services::DrawerMove::Float, 1'000'000, clerk.id, "").ok());
        std::vector<std::string> refs;
        for (int n = 0; n < kVisits; ++n) {
            now += 60'000; // a visit a minute
            services::SubmitRequest r{"civil.birth_extract", visitor(day, n)};
            r.channel = services::Channel::Counter;
            r.staff_id = clerk.id;
            PaymentRequest pay = n % 10 == 0   ? PaymentRequest::card("AUTH" + std::to_string(n), clerk.id)
                                 : n % 25 == 1 ? PaymentRequest::exempt("disability", clerk.id)
                                               : PaymentRequest::cash(n % 2 ? 500000 : 200000, clerk.id);
            if (pay.method == services::PayMethod::Exemption)
                pay.document = "بطاقة " + std::to_string(n);
            int64_t t0 = clock::monotonic_ns();
            auto s = t->submit(r, pay);
            double ms = static_cast<double>(clock::monotonic_ns() - t0) / 1e6;
            REQUIRE(s.ok());
            if (day == 1)
                first_day_ms.push_back(ms);
            if (day == kDays)
                last_day_ms.push_back(ms);
            refs.push_back(s->application.reference);
        }
        // The supervisor decides ten of the day's applications and reverses one decision.
        for (int k = 0; k < 10; ++k) {
            services::DecisionRequest d{refs[size_t(k) * 7], k % 3 ? services::AppStatus::Approved : services::AppStatus::Rejected,
                                        supervisor.id, k % 3 ? "documents_complete" : "documents_missing", "", true};
            REQUIRE(t->decide(d).ok());
        }
        REQUIRE(t->reverse_decision(refs[63], supervisor.id, "خطأ").ok());
        auto totals = t->day_totals().value();
        CHECK(totals.applications == kVisits);
        CHECK(totals.counter_applications == kVisits);
        CHECK(totals.decisions == 10);
        CHECK(totals.reversals == 1);
        expected_cash_total += totals.expected_cash_minor;
        REQUIRE(t->close_day("", totals.expected_cash_minor - (day == 12 ? 5000 : 0), supervisor.id).ok());
    }
    CHECK(warned_first == 25);
    // Two days past the month the policy bites: no money is taken until a sync.
    now = start + 32 * kDay;
    auto stopped = t->policy_state().value();
    CHECK(stopped.stop_payments);
    services::SubmitRequest late{"civil.birth_extract", visitor(99, 1)};
    late.channel = services::Channel::Counter;
    late.staff_id = clerk.id;
    CHECK(t->submit(late, PaymentRequest::cash(200000, clerk.id)).error().code == "error.policy.payments_stopped");

    // The link returns: one sync sends everything.
    auto status = t->journal_status().value();
    CHECK(status.acked_seq == 0);
    sync::SyncOptions so;
    so.data_dir = dir;
    so.batch_max_entries = 2000;
    so.http.connect_timeout_ms = 5000;
    so.http.transfer_timeout_ms = 60000;
    auto worker = sync::SyncWorker::create(so, {}).release_value();
    REQUIRE(worker->run_once().ok());
    CHECK(worker->progress().pending == 0);
    auto tid = t->identity().terminal_id;
    auto local = journal_hashes(dir);
    auto remote = central_hashes(central.store(), tid);
    REQUIRE(local.size() == static_cast<size_t>(status.last_seq));
    CHECK(remote == local);
    // A second pass sends nothing and central still holds each entry once.
    REQUIRE(worker->run_once().ok());
    CHECK(central_hashes(central.store(), tid).size() == local.size());
    // Central's new acknowledgement (its clock: day 32) lifts the stop.
    now = std::max(now, clock::unix_ms());
    CHECK(t->policy_state().value().days_without_sync == 0);
    CHECK_FALSE(t->policy_state().value().stop_payments);
    CHECK(t->submit(late, PaymentRequest::cash(200000, clerk.id)).ok());

    double d1 = median(first_day_ms), d30 = median(last_day_ms);
    std::printf("offline month: %d visits, %zu journal entries; commit median day 1 %.3f ms, day 30 %.3f ms\n",
                kDays * kVisits, local.size(), d1, d30);
    std::printf("bench services.day30_commit_ratio %.3f ratio\n", d1 > 0 ? d30 / d1 : 0.0);
}
