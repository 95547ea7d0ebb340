// The indicators end to end, on both stores: real terminals (nafitha-ctl simulate: the kiosk's services, real
// SQLite journals) at several centres and entities sync to a real nafitha-central over loopback, go offline
// while central decides some of their applications, come back; `nafitha-central indicators --json` must then
// agree with an independent computation made here from the terminals' raw journals.

#include "tests/store/store_env.h"
#include "tests/support/command.h"

#include "base/clock.h"
#include "central/csv.h"
#include "central/indicators.h"
#include "central/server.h"
#include "db/sqlite.h"
#include "sync/client/http.h"
#include "sync/client/worker.h"
#include "sync/journal/identity.h"
#include "sync/protocol/crypto.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sys/wait.h>

using namespace nafitha;
using namespace nafitha::testing;
using nlohmann::json;

namespace {

std::pair<int, std::string> run(const std::string& cmd) { return test::run_command(cmd); }

// Exit status and stdout + stderr together.
std::pair<int, std::string> run_all(const std::string& cmd) { return test::run_command(cmd, true); }

struct Term {
    std::string enrolled;  // the centre of its enrollment code (authoritative)
    std::string simulated; // the centre its own configuration names (what its payloads claim)
    std::unique_ptr<TempDir> dir;
    std::string id;
};

// What the raw journal says about one queue ticket.
struct Tick {
    std::string centre, entity, category, terminal, status = "issued";
    int64_t issued_ms = 0;
    std::optional<int64_t> called_ms;
};

// What the raw journal says about one application.
struct App {
    std::string centre, channel, entity, terminal, service;
    bool claimed_other = false, exempted = false;
    bool abandoned = false; // a visit.abandoned entry (a visit that chose a service and submitted nothing)
    int64_t fee = 0, waived = 0, paid = 0, surveys = 0, rating_sum = 0, ratings = 0, submitted_ms = 0;
    std::map<int64_t, int64_t> by_rating;      // rating 1..5 -> surveys
    std::map<std::string, int64_t> by_reason;  // reason code -> surveys naming it
    std::optional<int64_t> decided_ms;
};

// What the raw journal says about one drawer close (drawer.z_report).
struct Close {
    std::string centre, terminal;
    int64_t day = 0; // the business day it closes (its "day"), as a day number
    int64_t difference = 0;
};

int64_t day_number(const std::string& ymd)
{
    return central::indicators::parse_day(ymd, "day").value() / 86400000;
}

// Reads every terminal's journal straight from its terminal.db and follows the entries, independently of
// central's projection code.
std::vector<App> from_journals(const std::vector<Term>& terms, std::vector<Tick>* ticks = nullptr, std::vector<Close>* closes = nullptr)
{
    std::vector<App> apps;
    for (const auto& t : terms) {
        std::map<int64_t, size_t> ticket_index;
        auto db = db::Db::open(t.dir->path() / "terminal.db").release_value();
        auto st = db.prepare("SELECT type, time, payload FROM journal ORDER BY seq").release_value();
        std::map<std::string, size_t> index;
        while (st.step().value()) {
            std::string type = st.text(0);
            int64_t time_ms = central::parse_time_ms(st.text(1)).value();
            json p = json::parse(st.text(2));
            std::string ref = p.value("reference", "");
            if (ticks && type == "ticket.issued") {
                Tick k;
                k.centre = t.enrolled;
                k.terminal = t.id;
                k.entity = p.value("entity", "");
                k.category = p.value("category", "");
                k.issued_ms = time_ms;
                ticket_index[p.value("ticket_id", int64_t{0})] = ticks->size();
                ticks->push_back(k);
            } else if (ticks && type.rfind("ticket.", 0) == 0 && ticket_index.count(p.value("ticket_id", int64_t{0}))) {
                auto& k = (*ticks)[ticket_index[p.value("ticket_id", int64_t{0})]];
                if (type == "ticket.called" || type == "ticket.recalled") {
                    if (!k.called_ms)
                        k.called_ms = time_ms;
                    k.status = "called";
                } else {
                    k.status = type.substr(7);
                }
            } else if (closes && type == "drawer.z_report") {
                closes->push_back({t.enrolled, t.id, day_number(p.value("day", "")),
                                   p.value("declared_minor", int64_t{0}) - p.value("computed_minor", int64_t{0})});
            } else if (type == "application.submitted") {
                App a;
                a.terminal = t.id;
                a.centre = t.enrolled;
                a.claimed_other = p.value("centre", "") != t.enrolled;
                a.channel = p.value("channel", "");
                a.service = p.value("service_code", "");
                a.entity = p.value("entity", "");
                a.fee = p.value("fee_minor", int64_t{0});
                a.waived = p.value("waived_minor", int64_t{0});
                a.exempted = !p.value("exemption", "").empty();
                a.submitted_ms = time_ms;
                index[ref] = apps.size();
                apps.push_back(a);
            } else if (type == "visit.abandoned") {
                App a;
                a.abandoned = true;
                a.terminal = t.id;
                a.centre = t.enrolled;
                a.channel = p.value("channel", "");
                a.service = p.value("service_code", "");
                a.entity = p.value("entity", "");
                a.submitted_ms = time_ms;
                apps.push_back(a);
            } else if (type == "payment.recorded" && index.count(ref)) {
                apps[index[ref]].paid += p.value("amount_minor", int64_t{0});
            } else if (type == "payment.refunded" && index.count(ref)) {
                apps[index[ref]].paid -= p.value("amount_minor", int64_t{0});
            } else if (type == "survey.recorded" && index.count(ref)) {
                auto& a = apps[index[ref]];
                ++a.surveys;
                int64_t r = p.value("rating", int64_t{0});
                if (r >= 1 && r <= 5) {
                    a.rating_sum += r;
                    ++a.ratings;
                    ++a.by_rating[r];
                }
                for (const auto& code : p.value("reasons", json::array()))
                    ++a.by_reason[code.get<std::string>()];
            } else if (type == "application.status_changed" && index.count(ref)) {
                auto& a = apps[index[ref]];
                std::string to = p.value("to", "");
                bool decides = to == "approved" || to == "rejected" || to == "ready" || to == "delivered";
                if (decides && !a.decided_ms) // a central decision is dated by central's clock, which it carries
                    a.decided_ms = p.value("actor", "") == "central" ? central::parse_time_ms(p.value("decided_at", "")).value()
                                                                      : time_ms;
            }
        }
    }
    return apps;
}

// Durations as the indicators report percentiles: the nearest-rank value's log-scale bucket (eight per doubling
// from one second: bucket b >= 1 starts at floor(1000 * 2^((b-1)/8))), reported as its lower bound * 2^(1/16);
// 500 ms for anything under a second. Written here again from the definition in docs/ARCHITECTURE.md.
int64_t bucketed(int64_t ms)
{
    if (ms < 1000)
        return 500;
    int b = 1;
    while (static_cast<int64_t>(std::floor(1000.0 * std::pow(2.0, b / 8.0))) <= ms)
        ++b;
    return std::llround(std::floor(1000.0 * std::pow(2.0, (b - 1) / 8.0)) * std::pow(2.0, 1.0 / 16.0));
}

// The local day of a moment at the test's centres: Asia/Damascus has kept UTC+3 all year since October 2022.
int64_t damascus_day(int64_t ms) { return (ms + 3 * 3600 * 1000) / 86400000; }

// Each service's published processing time (days) in the catalogue the test publishes (the seed's).
std::map<std::string, int64_t> published_days()
{
    std::ifstream in(std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json");
    auto cat = json::parse(in);
    std::map<std::string, int64_t> out;
    for (const auto& s : cat["services"])
        out[s["code"]] = s.value("processing_days", int64_t{0});
    return out;
}

// The nearest-rank percentile p of `values` as the indicators report it (bucketed); null when empty.
json rank_of(std::vector<int64_t> values, int p)
{
    if (values.empty())
        return nullptr;
    std::sort(values.begin(), values.end());
    size_t k = 0;
    while ((k + 1) * 100 < static_cast<size_t>(p) * values.size()) // smallest k+1 >= p% of n
        ++k;
    return bucketed(values[k]);
}

// The queue's expected fields of a group of tickets; `applies` false: a grouping tickets do not have (nulls).
json expected_queue(const std::vector<const Tick*>& g, bool applies)
{
    if (!applies)
        return {{"tickets_issued", nullptr}, {"queue_wait_median_ms", nullptr}, {"queue_wait_p90_ms", nullptr}, {"no_show_rate", nullptr}};
    int64_t called = 0, no_show = 0;
    std::vector<int64_t> waits;
    for (const Tick* k : g) {
        if (k->called_ms) {
            ++called;
            waits.push_back(*k->called_ms - k->issued_ms);
        }
        no_show += k->status == "no_show";
    }
    return {{"tickets_issued", static_cast<int64_t>(g.size())}, {"queue_wait_median_ms", rank_of(waits, 50)},
            {"queue_wait_p90_ms", rank_of(waits, 90)},
            {"no_show_rate", called ? json(double(no_show) / double(called)) : json(nullptr)}};
}

// The cash fields expected of a group of Z reports; `applies` false: a grouping that splits drawers (nulls).
json expected_cash(const std::vector<const Close*>& g, bool applies)
{
    if (!applies)
        return {{"z_reports", nullptr}, {"z_reports_with_difference", nullptr}, {"z_reports_with_difference_share", nullptr},
                {"cash_difference_minor", nullptr}, {"cash_difference_abs_minor", nullptr}};
    int64_t n = static_cast<int64_t>(g.size()), off = 0, sum = 0, abs_sum = 0;
    for (const Close* z : g) {
        off += z->difference != 0;
        sum += z->difference;
        abs_sum += std::abs(z->difference);
    }
    return {{"z_reports", n},
            {"z_reports_with_difference", off},
            {"z_reports_with_difference_share", n ? json(double(off) / double(n)) : json(nullptr)},
            {"cash_difference_minor", n ? json(sum) : json(nullptr)},
            {"cash_difference_abs_minor", n ? json(abs_sum) : json(nullptr)}};
}

// The expected indicator fields of a group of applications.
json expected(const std::vector<const App*>& g)
{
    static const auto days = published_days();
    int64_t within = 0;
    int64_t n = 0, kiosk = 0, counter = 0, due = 0, paid = 0, waived = 0, exempted = 0, decided = 0, open = 0, surveyed = 0,
            rsum = 0, rn = 0, flagged = 0, given_up = 0;
    std::vector<int64_t> durations;
    for (const App* a : g) {
        if (a->abandoned) {
            ++given_up;
            continue;
        }
        ++n;
        kiosk += a->channel == "kiosk";
        counter += a->channel == "counter";
        due += a->fee;
        paid += a->paid;
        waived += a->waived;
        exempted += a->exempted;
        surveyed += a->surveys > 0;
        rsum += a->rating_sum;
        rn += a->ratings;
        flagged += a->claimed_other;
        if (a->decided_ms) {
            ++decided;
            durations.push_back(*a->decided_ms - a->submitted_ms);
            // Within the published time (0 days counting as one) as the indicators count it: by the bucket's value.
            auto d = days.find(a->service);
            int64_t limit = std::max<int64_t>(1, d == days.end() ? 0 : d->second) * 86400000;
            within += bucketed(*a->decided_ms - a->submitted_ms) <= limit;
        } else {
            ++open;
        }
    }
    auto rank = [&](int p) { return rank_of(durations, p); };
    json e = {{"applications", n},      {"applications_kiosk", kiosk}, {"applications_counter", counter},
              {"fees_due_minor", due},  {"fees_collected_minor", paid}, {"fees_exempted_minor", waived},
              {"applications_exempted", exempted}, {"decided", decided}, {"backlog", open},
              {"centre_flagged", flagged}, {"decision_median_ms", rank(50)}, {"decision_p90_ms", rank(90)}};
    e["share_kiosk"] = n ? json(double(kiosk) / double(n)) : json(nullptr);
    e["satisfaction_average"] = rn ? json(double(rsum) / double(rn)) : json(nullptr);
    e["survey_response_rate"] = n ? json(double(surveyed) / double(n)) : json(nullptr);
    e["decided_within_published_share"] = decided ? json(double(within) / double(decided)) : json(nullptr);
    // The distribution of ratings and the reasons named, as shares of the ratings.
    for (int k = 1; k <= 5; ++k) {
        int64_t n_k = 0;
        for (const App* a : g)
            n_k += a->by_rating.count(k) ? a->by_rating.at(k) : 0;
        e["satisfaction_" + std::to_string(k) + "_share"] = rn ? json(double(n_k) / double(rn)) : json(nullptr);
    }
    for (const char* code : {"long_wait", "unclear_steps", "fees", "staff", "machine_problem", "other"}) {
        int64_t n_code = 0;
        for (const App* a : g)
            n_code += a->by_reason.count(code) ? a->by_reason.at(code) : 0;
        e[std::string("reason_") + code + "_share"] = rn ? json(double(n_code) / double(rn)) : json(nullptr);
    }
    e["visits_abandoned"] = given_up;
    e["completion_rate"] = n + given_up ? json(double(n) / double(n + given_up)) : json(nullptr);
    return e;
}

using Key = std::vector<std::string>;

// `ticket_key` (empty: the grouping has no queue measures) groups the tickets as `key_of` the applications.
// `close_key` (empty: the grouping splits drawers) groups the Z reports likewise.
void check_rows(const json& rows, const std::vector<std::string>& dims, const std::vector<App>& apps,
                const std::function<Key(const App&)>& key_of, const std::vector<Tick>& ticks = {},
                const std::function<Key(const Tick&)>& ticket_key = {}, const std::vector<Close>& closes = {},
                const std::function<Key(const Close&)>& close_key = {})
{
    std::map<Key, std::vector<const App*>> groups;
    for (const auto& a : apps)
        groups[key_of(a)].push_back(&a);
    std::map<Key, std::vector<const Tick*>> queues;
    if (ticket_key)
        for (const auto& k : ticks) {
            queues[ticket_key(k)].push_back(&k);
            groups[ticket_key(k)]; // (the simulated tickets' visits all become applications of the same group)
        }
    std::map<Key, std::vector<const Close*>> drawers;
    if (close_key)
        for (const auto& z : closes) {
            drawers[close_key(z)].push_back(&z);
            groups[close_key(z)]; // a drawer closed on a day without applications is a row too
        }
    REQUIRE(rows.is_array());
    CHECK(rows.size() == groups.size());
    for (const auto& row : rows) {
        std::vector<std::string> key;
        for (const auto& d : dims)
            key.push_back(row.at(d).get<std::string>());
        INFO("group " << json(key).dump());
        REQUIRE(groups.count(key));
        json want = expected(groups[key]);
        want.update(expected_queue(queues[key], static_cast<bool>(ticket_key)));
        want.update(expected_cash(drawers[key], static_cast<bool>(close_key)));
        for (const auto& [field, value] : want.items()) {
            INFO("indicator " << field << ": central " << row.at(field).dump() << ", journals " << value.dump());
            if (value.is_number_float())
                CHECK(std::abs(row.at(field).get<double>() - value.get<double>()) < 1e-9);
            else
                CHECK(row.at(field) == value);
        }
    }
}

} // namespace

STORE_TEST("Indicators of real terminals at several centres with an offline period and decisions agree with their raw journals")
{
    const std::string ctl = (bin_dir() / "nafitha-ctl").string();
    const std::string central_bin = (bin_dir() / "nafitha-central").string();
    auto loc = env.location();
    TempDir central_dir("ind-central");
    std::filesystem::path data = loc.is_postgres() ? central_dir.path() : loc.data_dir;
    std::vector<std::string> extra;
    std::string store_arg = "--data " + data.string();
    if (loc.is_postgres()) {
        extra = {"--store", loc.url};
        store_arg = "--store '" + loc.url + "'";
    }
    // Four terminals at three centres; the fourth was enrolled for HMS-01 but is configured as DAM-01.
    std::vector<Term> terms;
    for (auto [enrolled, simulated] : std::vector<std::pair<std::string, std::string>>{
             {"DAM-01", "DAM-01"}, {"DAM-01", "DAM-01"}, {"ALP-01", "ALP-01"}, {"HMS-01", "DAM-01"}})
        terms.push_back({enrolled, simulated, std::make_unique<TempDir>("ind-t"), {}});
    std::vector<std::string> codes;
    {
        auto store = env.open();
        for (const auto& t : terms)
            codes.push_back(central::create_enrollment_code(*store, t.enrolled, "kiosk", clock::unix_ms()).value());
    }
    // Each simulation ends with the drawer closed (a Z report) declaring the computed cash plus a difference.
    auto simulate = [&](Term& t, int n, int seed, int64_t cash_difference) {
        auto r = run(ctl + " simulate --data " + t.dir->path().string() + " --transactions " + std::to_string(n) + " --seed "
                     + std::to_string(seed) + " --centre " + t.simulated + " --no-show-every 3 --abandon-every 3 --close-day "
                     + std::to_string(cash_difference));
        REQUIRE(r.first == 0);
    };
    const int64_t differences[] = {-2500, 0, 1500, -700};
    for (size_t i = 0; i < terms.size(); ++i)
        simulate(terms[i], 12, static_cast<int>(i + 1), differences[i]);
    // The ministry publishes the catalogue (the seed's, as version 2) with its organisation hierarchy
    // (governorate -> district -> centre); the terminals install it at their next sync.
    const auto seed = std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json";
    json published;
    {
        std::ifstream in(seed);
        published = json::parse(in);
    }
    published["version"] = 2;
    const auto published_file = central_dir / "catalogue-v2.json";
    {
        std::ofstream out(published_file);
        out << published.dump();
    }
    REQUIRE(run(central_bin + " catalogue import " + store_arg + " " + published_file.string()).first == 0);
    CentralProcess central(data, extra);
    central.start();
    auto sync = [&](Term& t) {
        CHECK(run(ctl + " sync --data " + t.dir->path().string() + " --once --server " + central.url()).first == 0);
    };
    for (size_t i = 0; i < terms.size(); ++i) {
        REQUIRE(run(ctl + " enroll --data " + terms[i].dir->path().string() + " --server " + central.url() + " --code " + codes[i]).first
                == 0);
        terms[i].id = journal::load_identity(terms[i].dir->path()).value().terminal_id;
        sync(terms[i]);
    }
    // Offline: central is down while two terminals go on serving citizens and central's officers decide.
    central.stop();
    simulate(terms[0], 8, 11, 300);
    simulate(terms[2], 8, 13, 0);
    std::vector<std::pair<std::string, std::string>> decided; // (terminal, reference)
    {
        auto store = env.open();
        const char* statuses[] = {"approved", "rejected", "ready"};
        int k = 0;
        for (size_t i : {size_t{0}, size_t{2}, size_t{3}}) {
            auto db = db::Db::open(terms[i].dir->path() / "terminal.db").release_value();
            auto st = db.prepare("SELECT json_extract(payload, '$.reference') FROM journal WHERE type = 'application.submitted' "
                                 "ORDER BY seq LIMIT 3").release_value();
            while (st.step().value()) {
                REQUIRE(store->add_decision(st.text(0), statuses[k++ % 3], "", clock::unix_ms(), terms[i].id).ok());
                decided.emplace_back(terms[i].id, st.text(0));
            }
        }
    }
    // Back online: the offline work goes up, the decisions come down and their echoes go up again.
    central.start();
    for (auto& t : terms) {
        sync(t);
        sync(t);
        auto status = json::parse(run(ctl + " status --data " + t.dir->path().string() + " --json").second);
        CHECK(status["pending"] == 0);
    }
    // Health: every pull sent a signed report. The second terminal's kiosk now says it is out of service (no paper):
    // its sync worker reports it at the next pull.
    {
        sync::SyncCallbacks cb;
        cb.device_health = [] {
            sync::DeviceReport d;
            d.printer = "failed";
            d.paper = "out";
            d.out_of_service = true;
            d.reasons = {"ui.oos.no_paper"};
            return d;
        };
        sync::SyncOptions so;
        so.data_dir = terms[1].dir->path();
        so.server_url = central.url();
        auto worker = sync::SyncWorker::create(so, cb).value();
        REQUIRE(worker->run_once().ok());
        CHECK(worker->progress().health_reports == 1);
    }
    central.stop();
    {
        auto listed = run(central_bin + " terminals " + store_arg + " --json");
        REQUIRE(listed.first == 0);
        auto list = json::parse(listed.second);
        REQUIRE(list.size() == terms.size());
        const int64_t now = clock::unix_ms();
        for (const auto& t : list) {
            INFO(t.dump());
            REQUIRE(t["health"].is_object());
            const auto& h = t["health"];
            CHECK(h["signature_valid"] == true);
            CHECK(h["report"]["terminal"] == t["id"]);
            CHECK(h["report"]["pending"] == 0);
            CHECK(h["report"]["oldest_pending_ms"] == -1);
            CHECK(h["report"]["catalogue_version"] == 2);
            CHECK(h["report"]["software_version"] == NAFITHA_VERSION);
            CHECK(h["report"]["disk_free_bytes"].get<int64_t>() > 0);
            bool broken = t["id"] == terms[1].id;
            CHECK(h["report"]["out_of_service"] == broken);
            CHECK(h["report"]["printer"] == (broken ? "failed" : "unknown"));
            // Its state: from the report while it is recent (central's rule: kHealthGapMs), offline after.
            auto received = clock::parse_iso8601_ms(h["received_at"].get<std::string>()).value();
            if (now - received <= central::kHealthGapMs)
                CHECK(t["state"] == (broken ? "broken" : "online"));
            else
                CHECK(t["state"] == "offline");
            CHECK(t["state_name"]["ar"].get<std::string>() != t["state_name"]["en"].get<std::string>());
        }
    }

    std::vector<Tick> ticks;
    std::vector<Close> closes;
    auto apps = from_journals(terms, &ticks, &closes);
    // Six drawers closed, some with a difference, some without.
    REQUIRE(closes.size() == 6);
    CHECK(std::count_if(closes.begin(), closes.end(), [](const Close& z) { return z.difference != 0; }) >= 2);
    CHECK(std::count_if(closes.begin(), closes.end(), [](const Close& z) { return z.difference == 0; }) >= 1);
    // Every third visit of each simulation is preceded by one abandoned at the form (visit.abandoned).
    REQUIRE(std::count_if(apps.begin(), apps.end(), [](const App& a) { return !a.abandoned; }) == 4 * 12 + 2 * 8);
    REQUIRE(std::count_if(apps.begin(), apps.end(), [](const App& a) { return a.abandoned; }) == 4 * 4 + 2 * 2);
    // Some visits went through the queue, and some tickets' holders did not answer.
    CHECK(std::count_if(ticks.begin(), ticks.end(), [](const Tick& k) { return k.status == "no_show"; }) > 0);
    CHECK(std::count_if(ticks.begin(), ticks.end(), [](const Tick& k) { return k.status == "served"; }) > 0);
    // Some surveys named reasons (the simulated citizens who were not satisfied).
    CHECK(std::count_if(apps.begin(), apps.end(), [](const App& a) { return !a.by_reason.empty(); }) > 0);
    CHECK(std::count_if(apps.begin(), apps.end(), [](const App& a) { return a.decided_ms.has_value(); }) == 9);
    auto indicators = [&](const std::string& by) {
        auto r = run(central_bin + " indicators " + store_arg + (by.empty() ? "" : " --by " + by) + " --json");
        REQUIRE(r.first == 0);
        return json::parse(r.second);
    };
    check_rows(indicators("centre,channel"), {"centre", "channel"}, apps, [](const App& a) {
        return std::vector<std::string>{a.centre, a.channel};
    });
    check_rows(indicators("terminal"), {"terminal"}, apps, [](const App& a) { return Key{a.terminal}; }, ticks,
               [](const Tick& k) { return Key{k.terminal}; }, closes, [](const Close& z) { return Key{z.terminal}; });
    // Every terminal exchanged with central during this test: no day without a sync yet.
    for (const auto& row : indicators("terminal"))
        CHECK(row["days_since_last_sync"] == 0);
    for (const auto& row : indicators("centre,service"))
        CHECK(row["terminal_availability"].is_null());
    check_rows(indicators("entity"), {"entity"}, apps, [](const App& a) { return Key{a.entity}; }, ticks,
               [](const Tick& k) { return Key{k.entity}; });
    check_rows(indicators("entity,service"), {"entity", "service"}, apps, [](const App& a) { return Key{a.entity, a.service}; });
    check_rows(indicators(""), {}, apps, [](const App&) { return Key{}; }, ticks, [](const Tick&) { return Key{}; }, closes,
               [](const Close&) { return Key{}; });
    // Governorates and districts from the catalogue's hierarchy, read here from the seed file itself.
    std::map<std::string, std::pair<std::string, std::string>> place; // centre -> (governorate, district)
    {
        std::ifstream in(seed);
        auto cat = json::parse(in);
        std::map<std::string, std::string> gov;
        for (const auto& d : cat["districts"])
            gov[d["code"]] = d["governorate"];
        for (const auto& c : cat["centres"])
            place[c["code"]] = {gov[c["district"]], c["district"]};
    }
    check_rows(
        indicators("governorate,district,month"), {"governorate", "district", "month"}, apps,
        [&](const App& a) {
            return Key{place.at(a.centre).first, place.at(a.centre).second,
                       central::indicators::period_label("month", damascus_day(a.submitted_ms))};
        },
        ticks,
        [&](const Tick& k) {
            return Key{place.at(k.centre).first, place.at(k.centre).second,
                       central::indicators::period_label("month", damascus_day(k.issued_ms))};
        },
        closes,
        [&](const Close& z) {
            return Key{place.at(z.centre).first, place.at(z.centre).second, central::indicators::period_label("month", z.day)};
        });
    check_rows(
        indicators("day,centre"), {"day", "centre"}, apps,
        [&](const App& a) { return Key{central::indicators::period_label("day", damascus_day(a.submitted_ms)), a.centre}; }, ticks,
        [&](const Tick& k) { return Key{central::indicators::period_label("day", damascus_day(k.issued_ms)), k.centre}; }, closes,
        [&](const Close& z) { return Key{central::indicators::period_label("day", z.day), z.centre}; });
    // Costs given per entity and per centre and month: the cost per transaction is the cost over the applications
    // of that scope and month, null where no cost is given (or the grouping cannot carry one).
    const std::string month = central::indicators::period_label("month", damascus_day(clock::unix_ms()));
    auto month_of = [](const App& a) { return central::indicators::period_label("month", damascus_day(a.submitted_ms)); };
    std::map<std::string, int64_t> per_entity;
    for (const auto& a : apps)
        per_entity[a.entity] += !a.abandoned;
    const std::string busiest =
        std::max_element(per_entity.begin(), per_entity.end(), [](const auto& x, const auto& y) { return x.second < y.second; })->first;
    auto costs = [&](const std::string& args) { return run_all(central_bin + " costs " + args); };
    auto costs_listed = [&] { return run(central_bin + " costs list " + store_arg + " --json").second; };
    REQUIRE(costs("set " + store_arg + " --entity " + busiest + " --month " + month + " --amount-minor 1234567").first == 0);
    REQUIRE(costs("set " + store_arg + " --entity " + busiest + " --month " + month + " --amount-minor 1200000").first == 0); // replaces
    REQUIRE(costs("set " + store_arg + " --centre DAM-01 --month " + month + " --amount-minor 900000").first == 0);
    REQUIRE(costs("set " + store_arg + " --centre ALP-01 --month 2025-01 --amount-minor 500").first == 0); // a month without applications
    const std::string listed = costs_listed();
    {
        auto list = json::parse(listed);
        REQUIRE(list.size() == 3);
        CHECK(list[0]["scope"] == "centre");
        CHECK(list[0]["code"] == "ALP-01");
        CHECK(list[2]["code"] == busiest);
        CHECK(list[2]["amount_minor"] == 1200000);
    }
    // Bad input: exit 1, the error in Arabic then English (from the translations), nothing changed.
    for (const std::string& bad_args : {std::string("--entity ") + busiest + " --month 2026-13 --amount-minor 5",
                                        std::string("--entity ") + busiest + " --month " + month + " --amount-minor -5",
                                        std::string("--entity ") + busiest + " --month " + month + " --amount-minor 1.5",
                                        std::string("--entity ") + busiest + " --month " + month + " --amount-minor 1000000000000001",
                                        std::string("--entity ") + busiest + " --centre DAM-01 --month " + month + " --amount-minor 5",
                                        std::string("--month ") + month + " --amount-minor 5",
                                        std::string("--entity nosuch --month ") + month + " --amount-minor 5",
                                        std::string("--centre 'DAM 01' --month ") + month + " --amount-minor 5"}) {
        INFO("costs set " << bad_args);
        auto r = costs("set " + store_arg + " " + bad_args);
        CHECK(r.first == 1);
        CHECK(r.second.find("nafitha-central: error.costs.") != std::string::npos);
        auto lines = r.second.substr(0, r.second.find('\n'));
        CHECK(std::any_of(lines.begin(), lines.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xd8; })); // Arabic first
    }
    CHECK(costs_listed() == listed);
    auto given = [&](const std::function<bool(const App&)>& in_scope, int64_t amount) -> json {
        int64_t n = 0;
        for (const auto& a : apps)
            n += !a.abandoned && in_scope(a) && month_of(a) == month;
        return n ? json(double(amount) / double(n)) : json(nullptr);
    };
    auto near = [](const json& got, const json& want) {
        if (want.is_null())
            return got.is_null();
        return got.is_number() && std::abs(got.get<double>() - want.get<double>()) < 1e-9;
    };
    for (const auto& row : indicators("entity")) {
        INFO(row.dump());
        json want = row["entity"] == busiest ? given([&](const App& a) { return a.entity == busiest; }, 1200000) : json(nullptr);
        CHECK(near(row["cost_per_transaction_minor"], want));
        if (row["entity"] == busiest)
            CHECK(!want.is_null());
    }
    for (const auto& row : indicators("month,entity")) {
        INFO(row.dump());
        bool costed = row["entity"] == busiest && row["month"] == month;
        CHECK(near(row["cost_per_transaction_minor"],
                   costed ? given([&](const App& a) { return a.entity == busiest; }, 1200000) : json(nullptr)));
    }
    bool seen_dam = false;
    for (const auto& row : indicators("centre")) {
        INFO(row.dump());
        seen_dam = seen_dam || row["centre"] == "DAM-01";
        CHECK(near(row["cost_per_transaction_minor"],
                   row["centre"] == "DAM-01" ? given([](const App& a) { return a.centre == "DAM-01"; }, 900000) : json(nullptr)));
    }
    CHECK(seen_dam);
    for (const auto& row : indicators("governorate,year")) {
        INFO(row.dump()); // the governorate's cost is DAM-01's, over DAM-01's applications
        bool dam = row["governorate"] == place.at("DAM-01").first && row["year"] == month.substr(0, 4);
        CHECK(near(row["cost_per_transaction_minor"], dam ? given([](const App& a) { return a.centre == "DAM-01"; }, 900000) : json(nullptr)));
    }
    for (const char* by : {"", "entity,service", "week,entity", "centre,channel", "terminal", "entity,centre"})
        for (const auto& row : indicators(by)) {
            INFO("by " << by << ": " << row.dump());
            CHECK(row["cost_per_transaction_minor"].is_null());
        }
    {
        // A range that holds the whole month, and one that starts after its first day (its cost is not split).
        int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2));
        int64_t first = central::indicators::parse_day(month + "-01", "from").value() / 86400000;
        int64_t next = m == 12 ? central::indicators::parse_day(std::to_string(y + 1) + "-01-01", "to").value() / 86400000
                               : central::indicators::parse_day(month.substr(0, 5) + (m + 1 < 10 ? "0" : "") + std::to_string(m + 1) + "-01", "to")
                                         .value() / 86400000;
        auto range = [&](const std::string& from, int64_t last_day) {
            auto r = run(central_bin + " indicators " + store_arg + " --by entity --from " + from + " --to "
                         + central::indicators::period_label("day", last_day) + " --json");
            REQUIRE(r.first == 0);
            return json::parse(r.second);
        };
        for (const auto& row : range(month + "-01", next - 1))
            if (row["entity"] == busiest)
                CHECK(near(row["cost_per_transaction_minor"], given([&](const App& a) { return a.entity == busiest; }, 1200000)));
        for (const auto& row : range(central::indicators::period_label("day", first + 1), next - 1))
            CHECK(row["cost_per_transaction_minor"].is_null());
    }
    // The rollup (kept at ingest and at each decision) and a computation over the applications themselves agree on
    // every table, with whole months and single days mixed (a range that starts mid-month and ends mid-month).
    {
        auto store = env.open();
        auto defs = central::indicators::builtin_definitions().value();
        int64_t today = damascus_day(clock::unix_ms());
        int64_t now_ms = clock::unix_ms();
        for (auto range : std::vector<std::pair<int64_t, int64_t>>{{today - 50, today + 40}, {today, today + 1}, {0, today + 400}})
            for (const auto& by : std::vector<std::vector<std::string>>{
                     {}, {"month"}, {"day"}, {"week", "terminal"}, {"quarter", "centre", "channel"}, {"entity", "service", "category"},
                     {"governorate", "district"}, {"year", "terminal", "service"}, {"quarter", "entity"}, {"month", "centre"}}) {
                central::indicators::Query q{range.first * 86400000, range.second * 86400000, by, now_ms};
                auto from_rollup = central::indicators::compute(*store, defs, q).value();
                q.raw = true;
                auto from_rows = central::indicators::compute(*store, defs, q).value();
                INFO("by " << json(by).dump() << " days " << range.first << ".." << range.second);
                CHECK(json(from_rollup) == json(from_rows));
                CHECK(!from_rollup.empty());
            }
    }
    // Every application of the terminal configured as DAM-01 counts at HMS-01, its enrolled centre, and is flagged.
    auto by_centre = indicators("centre");
    bool seen_hms = false;
    for (const auto& row : by_centre) {
        if (row["centre"] == "HMS-01") {
            seen_hms = true;
            CHECK(row["applications"] == 12);
            CHECK(row["centre_flagged"] == 12);
        } else {
            CHECK(row["centre_flagged"] == 0);
        }
    }
    CHECK(seen_hms);
    // A decided application keeps central's decision and the terminal's echo in its history.
    auto store = env.open();
    auto history = store->application_history(decided[0].first, decided[0].second).value();
    REQUIRE(history.size() >= 3);
    CHECK(history.front().status == "submitted");
    CHECK(std::count_if(history.begin(), history.end(), [](const auto& h) { return h.actor == "central"; }) == 2);
    // Bad input: a clear error in both languages, exit 1, nothing printed on stdout.
    auto bad = run(central_bin + " indicators " + store_arg + " --by colour --json");
    CHECK(bad.first == 1);
    CHECK(bad.second.empty());
    auto cli_csv = run(central_bin + " indicators " + store_arg + " --by centre --csv");
    CHECK(cli_csv.first == 0);
    CHECK(std::count(cli_csv.second.begin(), cli_csv.second.end(), '\n') == static_cast<long>(by_centre.size()) + 1);

    // The same table through the operators' API with its token, and as CSV; nothing without the token, and
    // nothing on the terminals' listener.
    const auto token_file = central_dir / "api-token";
    const std::string token = protocol::sha256_hex(std::to_string(clock::unix_ms()) + data.string());
    {
        std::ofstream out(token_file);
        out << token << "\n";
    }
    // Central refuses a token file that others can read.
    std::filesystem::permissions(token_file, std::filesystem::perms(0644));
    CHECK(run(central_bin + " serve " + store_arg + " --listen 127.0.0.1:0 --admin-listen none --api-token-file "
              + token_file.string()).first == 1);
    std::filesystem::permissions(token_file, std::filesystem::perms(0600));
    auto with_api = extra;
    with_api.push_back("--api-token-file");
    with_api.push_back(token_file.string());
    store.reset();
    CentralProcess api(data, with_api);
    api.start();
    sync::HttpClient http({});
    auto get = [&](const std::string& url, const std::string& bearer) {
        std::vector<std::string> headers;
        if (!bearer.empty())
            headers.push_back("Authorization: Bearer " + bearer);
        auto r = http.request("GET", url, headers, "");
        REQUIRE(r.ok());
        return r.release_value();
    };
    auto without_age = [](json rows) {
        for (auto& row : rows)
            row.erase("backlog_oldest_age_ms"); // measured from "now", which differs between the two calls
        return rows;
    };
    auto answer = get(api.admin_url() + "/v1/indicators?by=centre%2Cchannel", token);
    REQUIRE(answer.status == 200);
    CHECK(without_age(json::parse(answer.body)) == without_age(indicators("centre,channel")));
    auto by_entity = get(api.admin_url() + "/v1/indicators?by=entity", token);
    REQUIRE(by_entity.status == 200);
    CHECK(without_age(json::parse(by_entity.body)) == without_age(indicators("entity"))); // costs and Z reports too
    auto by_day = get(api.admin_url() + "/v1/indicators?by=day%2Cterminal", token);
    REQUIRE(by_day.status == 200);
    CHECK(without_age(json::parse(by_day.body)) == without_age(indicators("day,terminal")));
    auto whole = get(api.admin_url() + "/v1/indicators?by=governorate&from=2000-01-01&to=2199-12-31", token);
    CHECK(whole.status == 200);
    CHECK(json::parse(whole.body).size() == 3);
    CHECK(get(api.admin_url() + "/v1/indicators", "").status == 401);
    CHECK(get(api.admin_url() + "/v1/indicators", token + "0").status == 401);
    CHECK(get(api.admin_url() + "/v1/indicators?by=colour", token).status == 400);
    CHECK(get(api.admin_url() + "/v1/indicators?from=2026-02-30", token).status == 400);
    CHECK(get(api.admin_url() + "/v1/indicators?format=xml", token).status == 400);
    CHECK(get(api.url() + "/v1/indicators", token).status == 404);
    auto csv = get(api.admin_url() + "/v1/indicators?by=centre&format=csv", token);
    CHECK(csv.status == 200);
    CHECK(csv.body.rfind("centre,applications,applications_kiosk,", 0) == 0);
    CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == static_cast<long>(by_centre.size()) + 1);
    api.stop();
}

STORE_TEST("Z reports stored before the store projected them are projected once when it is next opened")
{
    auto z = [](const std::string& day, int64_t declared, int64_t computed) {
        return std::pair<std::string, json>{"drawer.z_report", {{"day", day}, {"declared_minor", declared}, {"computed_minor", computed},
                                                                 {"difference_minor", declared - computed}, {"currency", "SYP"}}};
    };
    TestTerminal t;
    std::vector<protocol::Entry> chain;
    {
        auto old = env.open({.target_version = 14});
        REQUIRE(old->schema_version() == 14);
        t = enroll_terminal(*old, "DAM-01");
        chain = seal_chain(t, 1, protocol::kGenesisHash,
                           {z("2026-03-02", 1000, 1200), {"survey.recorded", {{"rating", 4}}}, z("2026-03-03", 500, 500)},
                           "2026-03-03T18:00:00.000Z");
        ingest_ok(*old, t.id, chain, clock::unix_ms());
    }
    auto defs = central::indicators::builtin_definitions().value();
    auto table = [&](central::Store& store) {
        // March 2026 only: the terminal, enrolled now, also has today's opening hours (a row from 08:00 local time).
        central::indicators::Query q{20513LL * 86400000, 20544LL * 86400000, {"day", "terminal"}, clock::unix_ms()};
        json out = json::object();
        auto rows = central::indicators::compute(store, defs, q).value();
        for (const auto& row : rows)
            out[row["day"].get<std::string>()] = {row["z_reports"], row["z_reports_with_difference"], row["cash_difference_minor"],
                                                  row["cash_difference_abs_minor"]};
        return out;
    };
    {
        auto store = env.open();
        CHECK(table(*store) == json{{"2026-03-02", {1, 1, -200, 200}}, {"2026-03-03", {1, 0, 0, 0}}});
        // Reports ingested after the migration are projected at ingest; a closed day without a "day" counts on the
        // local day of its time.
        auto more = seal_chain(t, 4, chain.back().hash, {z("2026-03-04", 700, 600), {"drawer.z_report", {{"declared_minor", 5}, {"computed_minor", 9}}}},
                               "2026-03-05T10:00:00.000Z");
        ingest_ok(*store, t.id, more, clock::unix_ms());
    }
    auto store = env.open(); // opened again: nothing projected twice
    CHECK(table(*store) == json{{"2026-03-02", {1, 1, -200, 200}}, {"2026-03-03", {1, 0, 0, 0}}, {"2026-03-04", {1, 1, 100, 100}},
                                {"2026-03-05", {1, 1, -4, 4}}});
}

TEST_CASE("CSV export quotes what needs quoting and never lets a cell run as a spreadsheet formula")
{
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    rows.push_back({{"centre", "=HYPERLINK(\"http://x\")"}, {"service", "a,b"}, {"applications", 3}, {"share", 0.5}, {"none", nullptr}});
    rows.push_back({{"centre", "-1+1"}, {"service", "@SUM(A1)"}, {"applications", 0}, {"share", nullptr}, {"none", "line\nbreak"}});
    CHECK(central::to_csv(rows) == "centre,service,applications,share,none\r\n"
                                   "\"'=HYPERLINK(\"\"http://x\"\")\",\"a,b\",3,0.5,\r\n"
                                   "'-1+1,'@SUM(A1),0,,\"line\nbreak\"\r\n");
    CHECK(central::to_csv(nlohmann::ordered_json::array()).empty());
}
