#include "tests/support/pg_cluster.h"

#include <libpq-fe.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace nafitha::testing {

namespace {

std::string script() { return std::string(NAFITHA_SOURCE_DIR) + "/installer/pg-cluster"; }

std::string quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out.push_back(c);
    }
    return out + "'";
}

void exec_sql(const std::string& url, const std::string& sql)
{
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(c);
        PQfinish(c);
        throw std::runtime_error("cannot connect to " + url + ": " + msg);
    }
    PGresult* r = PQexec(c, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    if (!ok)
        throw std::runtime_error(sql + ": " + msg);
}

} // namespace

std::string run_or_throw(const std::string& command)
{
    std::string out;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p)
        throw std::runtime_error("cannot run " + command);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(command + " failed: " + out);
    return out;
}

PgCluster::PgCluster(std::filesystem::path dir, Options options) : m_dir(std::move(dir)), m_options(std::move(options))
{
    std::string cmd = script() + " start " + quote(m_dir.string()) + " --port " + std::to_string(m_options.port);
    for (const auto& c : m_options.conf)
        cmd += " --conf " + quote(c);
    if (!m_options.standby_of.empty())
        cmd += " --standby-of " + quote(m_options.standby_of.string()) + " --name " + quote(m_options.name);
    run_or_throw(cmd);
    m_running = true;
}

PgCluster::~PgCluster()
{
    try {
        if (m_options.remove)
            run_or_throw(script() + " destroy " + quote(m_dir.string()));
        else if (m_running)
            run_or_throw(script() + " stop " + quote(m_dir.string()) + " --immediate");
    } catch (...) {
    }
}

std::string PgCluster::url(const std::string& db) const
{
    return "postgresql:///" + db + "?host=" + socket_dir() + "&port=" + std::to_string(m_options.port) + "&user=nafitha";
}

void PgCluster::stop()
{
    run_or_throw(script() + " stop " + quote(m_dir.string()));
    m_running = false;
}

void PgCluster::kill()
{
    run_or_throw(script() + " stop " + quote(m_dir.string()) + " --immediate");
    m_running = false;
}

void PgCluster::start_again()
{
    std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl -D " + quote((m_dir / "data").string()) + " -l "
        + quote((m_dir / "log").string()) + " -w -t 120 start";
    run_or_throw(getuid() == 0 ? "runuser -u postgres -- " + pg_ctl : pg_ctl);
    m_running = true;
}

void PgCluster::promote() { run_or_throw(script() + " promote " + quote(m_dir.string())); }

std::string PgCluster::create_database(const std::string& name) const
{
    exec_sql(url(), "CREATE DATABASE " + name);
    return url(name);
}

std::string test_database(const std::string& tag)
{
    static std::mutex mutex;
    static std::unique_ptr<PgCluster> own;
    static std::atomic<int> counter{0};
    std::string base;
    {
        std::lock_guard lock(mutex);
        std::string shared = std::string(NAFITHA_TEST_PG_DIR);
        std::string shared_url = "postgresql:///postgres?host=" + shared + "/sock&port=5432&user=nafitha";
        if (!own && std::filesystem::exists(shared + "/sock/.s.PGSQL.5432") && PQping(shared_url.c_str()) == PQPING_OK) {
            base = shared_url;
        } else {
            if (!own) {
                auto dir = std::filesystem::temp_directory_path() / ("nafitha-pg-" + std::to_string(getpid()));
                own = std::make_unique<PgCluster>(dir);
                // Removed at exit even when a test fails.
                std::atexit([] { own.reset(); });
            }
            base = own->url();
        }
    }
    std::string name;
    for (char c : tag)
        name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_');
    name = "t_" + name.substr(0, 30) + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    exec_sql(base, "CREATE DATABASE " + name);
    auto q = base.find('?');
    return "postgresql:///" + name + base.substr(q);
}

} // namespace nafitha::testing
