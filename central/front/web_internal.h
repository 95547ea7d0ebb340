#pragma once
// Shared by the web listener's files (web.cpp: pages, sessions, login; web_api.cpp: the data behind the pages).

#include "base/i18n.h"
#include "central/front/web.h"
#include "central/indicators.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>
#include <variant>

namespace nafitha::central::front::web {

struct State {
    State(Context& ctx, WebStore& store, WebConfig config) : ctx(ctx), store(store), config(std::move(config)) {}
    Context& ctx;
    WebStore& store;
    WebConfig config;
    std::vector<indicators::Definition> definitions;
    std::unique_ptr<I18n> i18n;
    std::counting_semaphore<2> hashing{2}; // Argon2id takes 64 MiB each: at most two at once
};

struct Caller {
    WebUser user;
    WebSession session;
};

// A JSON refusal {"error": code, "detail": ...} through the context (counted and logged with the address).
Response refuse(State& s, const Request& req, int status, const std::string& code, const std::string& detail,
                const std::string& log_detail = {});
// The signed-in caller, or the refusal to send: 401 without a valid session; for `changes_state`, 403 without the
// session's CSRF token in X-CSRF-Token or with a foreign Origin.
std::variant<Caller, Response> caller(State& s, const Request& req, bool changes_state);
// A route for signed-in users only: `handler` runs with the caller once caller() let the request through (else
// the refusal is the answer).
Route signed_in_route(const std::shared_ptr<State>& s, const char* method, const char* path, bool changes_state,
                      std::function<Response(Request&, const Caller&)> handler);
// The request's body when it is a JSON object; nullopt otherwise (the route answers 400).
std::optional<nlohmann::json> json_object(const Request& req);
// A string member of a JSON object; empty when it is absent or not a string.
std::string text_field(const nlohmann::json& object, const char* key);
// Appends to the audit; false (and a log line) when the store cannot take it: the caller must then not answer
// with the personal data.
bool audit(State& s, const Request& req, const std::string& user, const std::string& action, const std::string& subject);

// %-decoding of a query value ('+' is a space); nullopt for a malformed escape.
std::optional<std::string> url_decode(std::string_view raw);
std::optional<std::string> param(const Request& req, std::string_view name);
Response no_store(Response r);

void add_api_routes(Listener& listener, const std::shared_ptr<State>& state);

} // namespace nafitha::central::front::web
