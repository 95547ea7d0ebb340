// The web application's tables (central/store/web_store.h, migration 9) on both stores: users and lockout,
// sessions and their expiry, the append-only audit, applications filtered by entity, centre and status.

#include "tests/store/store_env.h"

#include "base/clock.h"
#include "central/front/web.h"
#include "central/store/web_store.h"
#include "db/sqlite.h"

using namespace nafitha;
using namespace nafitha::testing;

namespace {

std::unique_ptr<central::WebStore> open_web(StoreEnv& env)
{
    auto w = central::open_web_store(env.location());
    REQUIRE(w.ok());
    return w.release_value();
}

} // namespace

STORE_TEST("Web users sessions audit and applications")
{
    auto store = env.open();
    auto web = open_web(env);

    // Users: Argon2id hashes, names unique.
    auto hash = central::front::hash_password("correct horse battery").value();
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(central::front::verify_password(hash, "correct horse battery"));
    CHECK_FALSE(central::front::verify_password(hash, "correct horse batterY"));
    CHECK(central::front::hash_password("short").error().code == "error.web.password_short");
    REQUIRE(web->add_user({"officer", "entity", "civil", "", hash, 0, 0, 1000, false}).ok());
    CHECK(web->add_user({"officer", "ministry", "", "", hash, 0, 0, 1000, false}).error().code == "error.web.user_exists");
    auto found = web->find_user("officer").value();
    REQUIRE(found);
    CHECK(found->role == "entity");
    CHECK(found->entity == "civil");
    CHECK_FALSE(web->find_user("nobody").value());

    // Lockout: the third consecutive failure locks; success resets the count.
    CHECK(web->login_failed("officer", 10'000, 3, 60'000).value().locked_until_ms == 0);
    REQUIRE(web->login_succeeded("officer").ok());
    CHECK(web->find_user("officer").value()->failed == 0);
    web->login_failed("officer", 10'000, 3, 60'000).value();
    web->login_failed("officer", 10'000, 3, 60'000).value();
    auto locked = web->login_failed("officer", 10'000, 3, 60'000).value();
    CHECK(locked.failed == 3);
    CHECK(locked.locked_until_ms == 70'000);

    // Sessions: found until they expire, gone after logout or expiry.
    REQUIRE(web->add_session({"aa", "officer", "csrf1", 0, 5000}).ok());
    REQUIRE(web->add_session({"bb", "officer", "csrf2", 0, 9000}).ok());
    CHECK(web->find_session("aa", 4999).value()->csrf == "csrf1");
    CHECK_FALSE(web->find_session("aa", 5000).value());
    REQUIRE(web->expire_sessions(6000).ok());
    CHECK_FALSE(web->find_session("aa", 0).value());
    REQUIRE(web->delete_session("bb").ok());
    CHECK_FALSE(web->find_session("bb", 0).value());

    // The idle timeout: a session in use gets a later expiry, never an earlier one.
    REQUIRE(web->add_session({"cc", "officer", "csrf3", 0, 5000}).ok());
    REQUIRE(web->extend_session("cc", 8000).ok());
    CHECK(web->find_session("cc", 7999).value()->expires_ms == 8000);
    REQUIRE(web->extend_session("cc", 6000).ok());
    CHECK(web->find_session("cc", 7999).value()->expires_ms == 8000);
    CHECK_FALSE(web->find_session("cc", 8000).value());
    central::front::WebConfig config;
    config.session_ms = 10'000;
    config.idle_ms = 3'000;
    CHECK(central::front::session_expiry(1'000, 2'000, config) == 5'000);  // idle first
    CHECK(central::front::session_expiry(1'000, 9'500, config) == 11'000); // then the session's longest life

    // Disable: the user's sessions end at once and the flag stays until enabled again; reset-password: a new hash,
    // the lock cleared, every session ended. Unknown names are refused.
    REQUIRE(web->add_session({"dd", "officer", "csrf4", 0, 90'000}).ok());
    REQUIRE(web->set_disabled("officer", true).ok());
    CHECK(web->find_user("officer").value()->disabled);
    CHECK_FALSE(web->find_session("dd", 0).value());
    CHECK(web->users().value().front().disabled);
    REQUIRE(web->set_disabled("officer", false).ok());
    CHECK_FALSE(web->find_user("officer").value()->disabled);
    CHECK(web->set_disabled("nobody", true).error().code == "error.web.unknown_user");
    REQUIRE(web->add_session({"ee", "officer", "csrf5", 0, 90'000}).ok());
    auto fresh = central::front::hash_password("a new long password").value();
    REQUIRE(web->set_password("officer", fresh).ok());
    auto reset = web->find_user("officer").value();
    CHECK(reset->password_hash == fresh);
    CHECK(reset->failed == 0);
    CHECK(reset->locked_until_ms == 0);
    CHECK_FALSE(web->find_session("ee", 0).value());
    CHECK(web->set_password("nobody", fresh).error().code == "error.web.unknown_user");

    // The audit keeps every row, newest first, and refuses changes.
    REQUIRE(web->add_audit({0, 1, "officer", "application.read", "t/ref-1", "127.0.0.1"}).ok());
    REQUIRE(web->add_audit({0, 2, "officer", "decide", "t/ref-1 approved", "127.0.0.1"}).ok());
    if (env.kind() == "sqlite") {
        auto db = db::Db::open(env.location().data_dir / "central.db").release_value();
        CHECK_FALSE(db.exec("UPDATE web_audit SET user = 'someone else'").ok());
        CHECK_FALSE(db.exec("DELETE FROM web_audit").ok());
    } else
        env.sql("UPDATE web_audit SET \"user\" = 'someone else'; DELETE FROM web_audit");
    auto rows = web->audit(10).value();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].action == "decide");
    CHECK(rows[1].user == "officer");

    // Applications as central projected them, filtered for the back office.
    auto t1 = enroll_terminal(*store, "DAM-01");
    auto t2 = enroll_terminal(*store, "ALP-01");
    std::string time = clock::iso8601_utc(clock::unix_ms());
    ingest_ok(*store, t1.id,
              seal_chain(t1, 1, protocol::kGenesisHash,
                         {{"application.submitted", {{"reference", "R-1"}, {"service_code", "civil.id"}, {"entity", "civil"}, {"channel", "kiosk"}, {"fee_minor", 900}}},
                          {"application.submitted", {{"reference", "R-2"}, {"service_code", "water.new"}, {"entity", "water"}, {"channel", "counter"}, {"fee_minor", 0}}}},
                         time),
              clock::unix_ms());
    ingest_ok(*store, t2.id,
              seal_chain(t2, 1, protocol::kGenesisHash,
                         {{"application.submitted", {{"reference", "R-3"}, {"service_code", "civil.id"}, {"entity", "civil"}, {"channel", "kiosk"}, {"fee_minor", 900}}}},
                         time),
              clock::unix_ms());
    central::ApplicationFilter civil;
    civil.entity = "civil";
    civil.status = "open";
    CHECK(web->applications(civil).value().size() == 2);
    civil.centre = "ALP-01";
    auto alp = web->applications(civil).value();
    REQUIRE(alp.size() == 1);
    CHECK(alp[0].reference == "R-3");
    CHECK(alp[0].terminal_id == t2.id);
    REQUIRE(store->add_decision("R-3", "approved", "", clock::unix_ms(), t2.id).ok());
    CHECK(web->applications(civil).value().empty());
    civil.status = "approved";
    CHECK(web->applications(civil).value().size() == 1);
    auto one = web->application(t1.id, "R-2").value();
    REQUIRE(one);
    CHECK(one->entity == "water");
    CHECK(one->fee_minor == 0);
    CHECK_FALSE(web->application(t2.id, "R-2").value());
}
