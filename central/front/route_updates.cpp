// GET /updates/... — the apt repository of signed updates (central/updates.h): files as they are on disk. Not
// signed per answer like the protocol's routes: apt checks InRelease's OpenPGP signature against the keyring the
// terminal package installs, and every other file against the hashes InRelease lists.

#include "central/front/routes.h"

#include "base/fs.h"
#include "central/updates.h"

namespace nafitha::central::front {

Route updates_route(Context& ctx, std::filesystem::path repo)
{
    Route r;
    r.method = "GET";
    r.path = "/updates/";
    r.label = "/updates/";
    r.run_on = RunOn::Pool;
    r.handler = [&ctx, repo = std::move(repo)](Request& req) {
        // apt percent-encodes what it asks for ("+" of a version such as 0.1.0+2.gabc is "%2b"): decoded first,
        // then the name is checked as it is on disk (updates::servable); a malformed escape is not found.
        std::string relative;
        std::string_view raw = std::string_view(req.path).substr(sizeof("/updates/") - 1);
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '%') {
                relative.push_back(raw[i]);
                continue;
            }
            int hi = i + 2 < raw.size() ? hex(raw[i + 1]) : -1, lo = i + 2 < raw.size() ? hex(raw[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return ctx.refuse(req, refusal(404, "error.central.not_found", "no such file"));
            relative.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        }
        // apt asks a flat repository ("Suites: ./") for /updates/./InRelease.
        while (relative.rfind("./", 0) == 0)
            relative.erase(0, 2);
        if (!updates::servable(relative))
            return ctx.refuse(req, refusal(404, "error.central.not_found", "no such file"));
        auto body = fs::read_file(repo / relative, 512u << 20);
        if (!body.ok())
            return ctx.refuse(req, refusal(404, "error.central.not_found", "no such file"));
        Response res;
        res.status = 200;
        res.body = body.release_value();
        if (relative.ends_with(".deb"))
            res.content_type = "application/vnd.debian.binary-package";
        else if (relative.ends_with(".gz"))
            res.content_type = "application/gzip";
        else
            res.content_type = "text/plain; charset=utf-8";
        res.headers.emplace_back("Cache-Control", "no-cache");
        return res;
    };
    return r;
}

} // namespace nafitha::central::front
