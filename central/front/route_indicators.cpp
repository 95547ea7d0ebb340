// GET /v1/indicators?from=YYYY-MM-DD&to=YYYY-MM-DD&by=DIM,DIM[&format=json|csv] — the indicators table of
// `nafitha-central indicators` (central/indicators.h), on the operators' listener only, for holders of the API
// token: `Authorization: Bearer TOKEN`, where serve --api-token-file names a file holding it (central keeps
// only its SHA-256 and compares in constant time). Without a configured token every request is refused.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/csv.h"
#include "central/indicators.h"

namespace nafitha::central::front {

namespace {

bool same_digest(const std::string& a, const std::string& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::string decode_commas(std::string v)
{
    for (size_t at; (at = v.find("%2C")) != std::string::npos || (at = v.find("%2c")) != std::string::npos;)
        v.replace(at, 3, ",");
    return v;
}

} // namespace

Route indicators_route(Context& ctx)
{
    Route r;
    r.method = "GET";
    r.path = "/v1/indicators";
    r.run_on = RunOn::Pool;
    auto definitions = std::make_shared<Result<std::vector<indicators::Definition>>>(indicators::builtin_definitions());
    r.handler = [&ctx, definitions](Request& req) {
        const std::string& expected = ctx.config.api_token_sha256;
        std::string_view auth = req.header("authorization");
        std::string token = auth.rfind("Bearer ", 0) == 0 ? std::string(auth.substr(7)) : std::string();
        if (expected.empty() || token.empty() || token.size() > 512 || !same_digest(protocol::sha256_hex(token), expected)) {
            auto res = ctx.refuse(req, refusal(401, "error.indicators.unauthorized", "an API token is required",
                                               expected.empty() ? "no --api-token-file configured" : "missing or wrong API token"));
            res.headers.push_back({"WWW-Authenticate", "Bearer"});
            return res;
        }
        if (!definitions->ok())
            return ctx.refuse(req, refusal(500, definitions->error().code, "the indicator definitions cannot be read",
                                           definitions->error().to_string()));
        indicators::Query q;
        q.now_ms = clock::unix_ms();
        q.from_ms = 0;
        q.to_ms = std::numeric_limits<int64_t>::max();
        auto bad = [&](const Error& e) { return ctx.refuse(req, refusal(400, e.code, e.detail)); };
        if (auto from = req.param("from")) {
            auto ms = indicators::parse_day(*from, "from");
            if (!ms.ok())
                return bad(ms.error());
            q.from_ms = ms.value();
        }
        if (auto to = req.param("to")) {
            auto ms = indicators::parse_day(*to, "to");
            if (!ms.ok())
                return bad(ms.error());
            q.to_ms = ms.value() + 86'400'000;
        }
        if (q.to_ms <= q.from_ms)
            return bad(Error::make("error.indicators.range", "from is after to", "from"));
        if (auto by = req.param("by"); by && !by->empty()) {
            std::string list = decode_commas(*by);
            if (list.size() > 200)
                return bad(Error::make("error.indicators.dimension", "by is too long", "by"));
            for (size_t start = 0;;) {
                auto comma = list.find(',', start);
                q.by.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
                if (comma == std::string::npos)
                    break;
                start = comma + 1;
            }
        }
        std::string format = req.param("format").value_or("json");
        if (format != "json" && format != "csv")
            return bad(Error::make("error.indicators.format", "format must be json or csv", "format"));
        auto rows = indicators::compute(ctx.store, definitions->value(), q);
        if (!rows.ok()) {
            if (rows.error().code.rfind("error.indicators.", 0) == 0)
                return bad(rows.error());
            return ctx.refuse(req, refusal(503, "error.central.storage_unavailable", "the store cannot answer now", rows.error().to_string()));
        }
        if (format == "csv") {
            auto res = Response::text(200, to_csv(rows.value()), "text/csv; charset=utf-8");
            res.headers.push_back({"Content-Disposition", "attachment; filename=\"indicators.csv\""});
            return res;
        }
        Response res;
        res.status = 200;
        res.body = rows.value().dump();
        return res;
    };
    return r;
}

} // namespace nafitha::central::front
