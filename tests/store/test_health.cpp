// Terminal health at central (docs/PROTOCOL.md "Terminal health"), on both stores: the latest signed report of each
// terminal, the spans kept bounded, the terminal's state, and the terminals' indicators over opening hours checked
// against a computation written again here, minute by minute, from the reports the test sent.

#include "base/clock.h"
#include "central/indicators.h"
#include "central/store/store.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/health.h"
#include "tests/store/store_env.h"

#include <catch2/catch.hpp>

#include <map>

using namespace nafitha;
using namespace nafitha::testing;
using json = nlohmann::json;

namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 86'400'000;

// Asia/Damascus has kept UTC+3 all year since October 2022: the UTC moment of a local day's minute.
int64_t local_ms(int64_t local_day, int hour, int minute) { return local_day * kDay - 3 * 3600'000 + (hour * 60 + minute) * kMinute; }

central::HealthSample report(const TestTerminal& t, int64_t received_ms, bool out_of_service, int64_t pending = 0)
{
    protocol::HealthReport h;
    h.terminal_id = t.id;
    h.time_ms = received_ms;
    h.software_version = "0.1.0";
    h.catalogue_version = 1;
    h.pending = pending;
    h.printer = out_of_service ? "failed" : "ok";
    h.paper = out_of_service ? "out" : "ok";
    h.disk_free_bytes = 1 << 30;
    h.out_of_service = out_of_service;
    if (out_of_service)
        h.reasons = {"ui.oos.no_paper"};
    auto s = protocol::sign_health(h, t.keys.secret_key).value();
    return {t.id, received_ms, out_of_service, protocol::canonical_json(s.document).value(), s.signature};
}

// One report a minute from (h1:m1) to (h2:m2) inclusive, local time of `day`.
void reports(central::Store& store, const TestTerminal& t, int64_t day, int h1, int m1, int h2, int m2, bool oos,
             std::vector<std::pair<int64_t, bool>>& sent)
{
    for (int64_t ms = local_ms(day, h1, m1); ms <= local_ms(day, h2, m2); ms += kMinute) {
        REQUIRE(store.record_health(report(t, ms, oos)).ok());
        sent.push_back({ms, oos});
    }
}

// The test's own reading of the rules: each minute of the opening hours [open, close) is available when a report in
// service was received at most kHealthReportCoverMs before it began and no later report (before the minute ends) said
// otherwise... computed here over the sorted reports: a minute [m, m+1) counts for the state of the last report at or
// before m, if that report is at most a minute old, or if the next report of the same state follows within the gap.
struct Expect {
    int64_t open = 0, available = 0, out = 0;
};
Expect expect(const std::vector<std::pair<int64_t, bool>>& sent, int64_t day, int open_h, int close_h, int64_t now_ms)
{
    Expect e;
    for (int64_t m = local_ms(day, open_h, 0); m < local_ms(day, close_h, 0) && m + kMinute <= now_ms; m += kMinute) {
        ++e.open;
        // The last report at or before m.
        const std::pair<int64_t, bool>* last = nullptr;
        const std::pair<int64_t, bool>* next = nullptr;
        for (const auto& r : sent) {
            if (r.first <= m)
                last = &r;
            else if (!next)
                next = &r;
        }
        if (!last)
            continue;
        bool joined = next && next->second == last->second && next->first - last->first <= central::kHealthGapMs;
        if (joined || m - last->first < central::indicators::kHealthReportCoverMs)
            (last->second ? e.out : e.available) += 1;
    }
    return e;
}

} // namespace

STORE_TEST("Terminal health: spans stay bounded and the terminals' indicators follow opening hours in the centre's zone")
{
    auto store = env.open();
    auto t1 = enroll_terminal(*store, "DAM-01");
    auto t2 = enroll_terminal(*store, "ALP-01");
    auto t3 = enroll_terminal(*store, "DAM-01"); // never reports
    json all_days = json::array({"sun", "mon", "tue", "wed", "thu", "fri", "sat"});
    json cat = {{"version", 1},
                {"time_zone", "Asia/Damascus"},
                {"opening_hours", {{"days", all_days}, {"open", "08:00"}, {"close", "15:00"}}},
                {"centres", json::array({{{"code", "ALP-01"}, {"opening_hours", {{"days", all_days}, {"open", "09:00"}, {"close", "10:00"}}}},
                                         {{"code", "DAM-01"}}})}};
    REQUIRE(store->import_catalogue(cat, clock::unix_ms()).ok());

    // A local day after the enrolments (the day after tomorrow, in Damascus).
    const int64_t day = (clock::unix_ms() + 3 * 3600'000) / kDay + 2;
    std::vector<std::pair<int64_t, bool>> sent1, sent2;
    reports(*store, t1, day, 7, 30, 10, 0, false, sent1);  // in service from before opening
    reports(*store, t1, day, 11, 0, 11, 30, true, sent1);  // silent an hour, then out of service half an hour
    reports(*store, t1, day, 11, 31, 16, 0, false, sent1); // back in service until after closing
    reports(*store, t2, day, 9, 30, 9, 30, false, sent2);  // one report
    // A late report (older than the spans' end) moves nothing.
    REQUIRE(store->record_health(report(t1, local_ms(day, 9, 0) + 1, true)).ok());

    auto spans = store->health_spans(local_ms(day, 0, 0), local_ms(day + 1, 0, 0)).value();
    std::map<std::string, std::vector<central::HealthSpan>> by;
    for (const auto& s : spans)
        by[s.terminal_id].push_back(s);
    REQUIRE(by[t1.id].size() == 3);
    CHECK(by[t1.id][0].reports == 151);
    CHECK(by[t1.id][1].out_of_service);
    CHECK(by[t1.id][1].reports == 31);
    CHECK(by[t1.id][2].end_ms == local_ms(day, 16, 0));
    REQUIRE(by[t2.id].size() == 1);
    CHECK(by.count(t3.id) == 0);
    // Each span keeps the report that opened it, as signed: it verifies with the terminal's key.
    for (const auto& s : by[t1.id]) {
        protocol::SignedHealth sh{json::parse(s.document), s.signature};
        CHECK(protocol::verify_health(sh, t1.keys.public_key).ok());
        CHECK_FALSE(protocol::verify_health(sh, t2.keys.public_key).ok());
    }
    // An hour's silence splits a span of one state.
    REQUIRE(store->record_health(report(t2, local_ms(day, 11, 0), false)).ok());
    CHECK(store->health_spans(local_ms(day, 0, 0), local_ms(day + 1, 0, 0)).value().size() == 5);
    sent2.push_back({local_ms(day, 11, 0), false});

    // The latest report per terminal: the newest, not the late one.
    auto latest = store->latest_health().value();
    REQUIRE(latest.size() == 2);
    for (const auto& h : latest)
        CHECK(h.received_ms == (h.terminal_id == t1.id ? local_ms(day, 16, 0) : local_ms(day, 11, 0)));

    // The terminals' state now.
    auto record = [&](const std::string& id) { return store->find_terminal(id).value().value(); };
    const central::HealthSample* l1 = latest[0].terminal_id == t1.id ? &latest[0] : &latest[1];
    CHECK(central::indicators::terminal_state(record(t1.id), l1, local_ms(day, 16, 2)) == "online");
    CHECK(central::indicators::terminal_state(record(t1.id), l1, local_ms(day, 16, 6)) == "offline");
    CHECK(central::indicators::terminal_state(record(t3.id), nullptr, local_ms(day, 16, 2)) == "unknown");
    auto broken = report(t1, local_ms(day, 16, 1), true);
    CHECK(central::indicators::terminal_state(record(t1.id), &broken, local_ms(day, 16, 2)) == "broken");
    auto sending = report(t1, local_ms(day, 16, 1), false, 7);
    CHECK(central::indicators::terminal_state(record(t1.id), &sending, local_ms(day, 16, 2)) == "sending");

    // Indicators, with "now" in the evening of that day.
    auto defs = central::indicators::builtin_definitions().value();
    const int64_t now_ms = local_ms(day, 20, 0);
    auto table = [&](std::vector<std::string> dims, int64_t now) {
        central::indicators::Query q{day * kDay, (day + 1) * kDay, std::move(dims), now};
        return json(central::indicators::compute(*store, defs, q).value());
    };
    auto e1 = expect(sent1, day, 8, 15, now_ms);
    auto e2 = expect(sent2, day, 9, 10, now_ms);
    CHECK(e1.open == 420);
    CHECK(e1.available == 121 + 209);
    CHECK(e1.out == 31);
    CHECK(e2.available == 1);
    auto rows = table({"terminal", "day"}, now_ms);
    REQUIRE(rows.size() == 3);
    for (const auto& r : rows) {
        INFO(r.dump());
        CHECK(r["day"] == central::indicators::period_label("day", day));
        CHECK(r["applications"] == 0);
        if (r["terminal"] == t1.id) {
            CHECK(r["opening_minutes"] == e1.open);
            CHECK(r["out_of_service_minutes"] == e1.out);
            CHECK(r["terminal_availability"].get<double>() == Approx(double(e1.available) / double(e1.open)));
            CHECK(r["days_since_last_sync"] == 0);
        } else if (r["terminal"] == t2.id) {
            CHECK(r["opening_minutes"] == 60);
            CHECK(r["terminal_availability"].get<double>() == Approx(double(e2.available) / 60.0));
            CHECK(r["out_of_service_minutes"] == 0);
        } else {
            CHECK(r["terminal"] == t3.id);
            CHECK(r["opening_minutes"] == 420);
            CHECK(r["terminal_availability"] == 0.0);
            CHECK(r["days_since_last_sync"].is_null());
        }
    }
    // By centre: the terminals' minutes add up.
    for (const auto& r : table({"centre"}, now_ms)) {
        INFO(r.dump());
        if (r["centre"] == "DAM-01") {
            CHECK(r["opening_minutes"] == 840);
            CHECK(r["terminal_availability"].get<double>() == Approx(double(e1.available) / 840.0));
            CHECK(r["out_of_service_minutes"] == e1.out);
        } else {
            CHECK(r["centre"] == "ALP-01");
            CHECK(r["opening_minutes"] == 60);
        }
    }
    // Before the opening hours end, only the minutes gone count; three days later, the silence shows.
    auto midday = table({"terminal"}, local_ms(day, 12, 0));
    for (const auto& r : midday)
        if (r["terminal"] == t1.id) {
            auto e = expect(sent1, day, 8, 15, local_ms(day, 12, 0));
            CHECK(r["opening_minutes"] == e.open);
            CHECK(r["out_of_service_minutes"] == e.out);
            CHECK(r["terminal_availability"].get<double>() == Approx(double(e.available) / double(e.open)));
        }
    for (const auto& r : table({"terminal"}, local_ms(day + 3, 17, 0)))
        if (r["terminal"] == t1.id)
            CHECK(r["days_since_last_sync"] == 3);
    // Dimensions a terminal does not have leave its measures undefined.
    for (const auto& r : table({"centre", "service"}, now_ms))
        CHECK(r["terminal_availability"].is_null());
}

TEST_CASE("Health reports: the document is bounded and its signature covers every field")
{
    auto keys = protocol::generate_keypair();
    protocol::HealthReport h;
    h.terminal_id = "T0123456789ab";
    h.software_version = "0.1.0";
    h.reasons = {"ui.oos.no_paper"};
    auto s = protocol::sign_health(h, keys.secret_key).value();
    REQUIRE(protocol::verify_health(s, keys.public_key).ok());
    auto wire = json::parse(protocol::to_json(s).dump());
    auto back = protocol::signed_health_from_json(wire).value();
    CHECK(protocol::health_report_from_json(back.document).value().reasons == h.reasons);
    back.document["pending"] = 99;
    CHECK(protocol::verify_health(back, keys.public_key).error().code == "error.sync.health_signature");
    auto doc = protocol::document_of(h);
    doc["printer"] = "on fire";
    CHECK(protocol::health_report_from_json(doc).error().code == "error.sync.message_malformed");
    doc = protocol::document_of(h);
    doc["extra"] = 1;
    CHECK(!protocol::health_report_from_json(doc).ok());
    doc = protocol::document_of(h);
    doc["reasons"] = json::array();
    for (int i = 0; i < 17; ++i)
        doc["reasons"].push_back("r");
    CHECK(!protocol::health_report_from_json(doc).ok());
}
