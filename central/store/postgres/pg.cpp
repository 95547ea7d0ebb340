#include "central/store/postgres/pg.h"

#include "base/crash_point.h"

#include <endian.h>

#include <cstring>

namespace nafitha::central::pg {

namespace {

void put32(std::string& out, uint32_t v)
{
    v = htobe32(v);
    out.append(reinterpret_cast<const char*>(&v), 4);
}

void put64(std::string& out, uint64_t v)
{
    v = htobe64(v);
    out.append(reinterpret_cast<const char*>(&v), 8);
}

std::string be64(int64_t v)
{
    std::string s;
    put64(s, static_cast<uint64_t>(v));
    return s;
}

std::string be32(int32_t v)
{
    std::string s;
    put32(s, static_cast<uint32_t>(v));
    return s;
}

} // namespace

// --- Array ---

Array& Array::add(int64_t v)
{
    ++m_count;
    switch (m_element) {
    case kInt2: {
        put32(m_data, 2);
        uint16_t x = htobe16(static_cast<uint16_t>(v));
        m_data.append(reinterpret_cast<const char*>(&x), 2);
        break;
    }
    case kInt4:
        put32(m_data, 4);
        put32(m_data, static_cast<uint32_t>(v));
        break;
    default:
        put32(m_data, 8);
        put64(m_data, static_cast<uint64_t>(v));
        break;
    }
    return *this;
}

Array& Array::add(std::string_view v)
{
    ++m_count;
    put32(m_data, static_cast<uint32_t>(v.size()));
    m_data.append(v);
    return *this;
}

Array& Array::add(const std::optional<int64_t>& v) { return v ? add(*v) : add_null(); }

Array& Array::add_null()
{
    ++m_count;
    m_nulls = true;
    put32(m_data, 0xffffffffu);
    return *this;
}

Oid Array::array_oid() const
{
    switch (m_element) {
    case kInt2: return kInt2Array;
    case kInt4: return kInt4Array;
    case kInt8: return kInt8Array;
    case kBytea: return kByteaArray;
    default: return kTextArray;
    }
}

std::string Array::encode() const
{
    std::string out;
    put32(out, m_count ? 1 : 0);
    put32(out, m_nulls ? 1 : 0);
    put32(out, m_element);
    if (m_count) {
        put32(out, static_cast<uint32_t>(m_count));
        put32(out, 1);
    }
    out += m_data;
    return out;
}

// --- Params ---

void Params::push(Oid type, std::string bytes, bool null)
{
    m_types.push_back(type);
    m_values.push_back(std::move(bytes));
    m_null.push_back(null);
}

Params& Params::add(int64_t v)
{
    push(kInt8, be64(v));
    return *this;
}

Params& Params::add_int4(int32_t v)
{
    push(kInt4, be32(v));
    return *this;
}

Params& Params::add(std::string_view text)
{
    push(kText, std::string(text));
    return *this;
}

Params& Params::add_bytea(std::string_view bytes)
{
    push(kBytea, std::string(bytes));
    return *this;
}

Params& Params::add(const std::optional<int64_t>& v) { return v ? add(*v) : add_null(kInt8); }

Params& Params::add_null(Oid type)
{
    push(type, {}, true);
    return *this;
}

Params& Params::add(const Array& array)
{
    push(array.array_oid(), array.encode());
    return *this;
}

Params::View Params::view() const
{
    View v;
    for (size_t i = 0; i < m_values.size(); ++i) {
        v.values.push_back(m_null[i] ? nullptr : m_values[i].data());
        v.lengths.push_back(static_cast<int>(m_values[i].size()));
        v.formats.push_back(1);
    }
    v.types = m_types.data();
    return v;
}

// --- Rows ---

int64_t Rows::integer(int row, int col) const
{
    const char* p = PQgetvalue(m_res.get(), row, col);
    switch (PQgetlength(m_res.get(), row, col)) {
    case 2: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return static_cast<int16_t>(be16toh(v));
    }
    case 4: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return static_cast<int32_t>(be32toh(v));
    }
    case 8: {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return static_cast<int64_t>(be64toh(v));
    }
    default:
        return 0;
    }
}

std::optional<int64_t> Rows::optional_integer(int row, int col) const
{
    if (null(row, col))
        return std::nullopt;
    return integer(row, col);
}

std::string Rows::text(int row, int col) const
{
    return std::string(PQgetvalue(m_res.get(), row, col), static_cast<size_t>(PQgetlength(m_res.get(), row, col)));
}

int64_t Rows::affected() const
{
    const char* n = m_res ? PQcmdTuples(m_res.get()) : "";
    return *n ? std::atoll(n) : 0;
}

// --- Conn ---

Result<Conn> Conn::connect(const std::string& url)
{
    PGconn* raw = PQconnectdb(url.c_str());
    Conn c(raw);
    if (!raw)
        return Error::make(kUnavailable, "out of memory connecting to PostgreSQL");
    if (PQstatus(raw) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(raw);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
            msg.pop_back();
        return Error::make(kUnavailable, "cannot connect to PostgreSQL: " + msg);
    }
    return c;
}

Conn& Conn::operator=(Conn&& o) noexcept
{
    if (this != &o) {
        if (m_conn)
            PQfinish(m_conn);
        m_conn = o.m_conn;
        o.m_conn = nullptr;
    }
    return *this;
}

Conn::~Conn()
{
    if (m_conn)
        PQfinish(m_conn);
}

Error Conn::error(std::string_view what, const PGresult* res) const
{
    std::string msg = res ? PQresultErrorMessage(res) : "";
    if (msg.empty() && m_conn)
        msg = PQerrorMessage(m_conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
        msg.pop_back();
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    // Lost connections, and servers shutting down or in recovery (a standby not yet promoted, read only).
    bool unavailable = !healthy() || (state && (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P", 3) == 0
                                                || std::strcmp(state, "25006") == 0));
    return Error::make(unavailable ? kUnavailable : "error.central.storage", std::string(what) + ": " + msg, state ? state : "");
}

// Crash points (base/crash_point.h): before each statement is sent and after a pipeline's results (its COMMIT)
// came back, so that fault tests can kill an instance in the middle of a batch.

Result<void> Conn::exec(const std::string& sql)
{
    crash_point();
    Rows r(PQexec(m_conn, sql.c_str()));
    auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return error("postgresql", r.get());
    return {};
}

Result<Rows> Conn::query(const std::string& sql, const Params& params)
{
    auto v = params.view();
    crash_point();
    Rows r(PQexecParams(m_conn, sql.c_str(), static_cast<int>(params.size()), v.types, v.values.data(), v.lengths.data(),
                        v.formats.data(), 1));
    auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return error("postgresql", r.get());
    return r;
}

Result<std::vector<Rows>> Conn::pipeline(const std::vector<Statement>& statements)
{
    if (statements.empty())
        return std::vector<Rows>();
    if (PQenterPipelineMode(m_conn) != 1)
        return error("pipeline");
    crash_point();
    std::optional<Error> failed;
    for (const auto& s : statements) {
        auto v = s.params.view();
        if (PQsendQueryParams(m_conn, s.sql.c_str(), static_cast<int>(s.params.size()), v.types, v.values.data(),
                              v.lengths.data(), v.formats.data(), 1)
            != 1) {
            failed = error("pipeline send");
            break;
        }
    }
    if (!failed && PQpipelineSync(m_conn) != 1)
        failed = error("pipeline sync");
    std::vector<Rows> out;
    if (!failed) {
        // One result (then a null) per statement, then the sync result.
        for (size_t i = 0; i <= statements.size(); ++i) {
            PGresult* res = PQgetResult(m_conn);
            if (!res) {
                failed = error("pipeline result");
                break;
            }
            Rows r(res);
            auto st = PQresultStatus(res);
            if (i == statements.size()) {
                if (st != PGRES_PIPELINE_SYNC && !failed)
                    failed = error("pipeline sync result", res);
                break;
            }
            if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && !failed)
                failed = error("postgresql", res);
            while (PGresult* extra = PQgetResult(m_conn)) // the null that ends this statement's results
                PQclear(extra);
            out.push_back(std::move(r));
        }
    }
    if (PQexitPipelineMode(m_conn) != 1 && healthy()) {
        // Something is still queued: the connection is in an unknown state, close it.
        PQfinish(m_conn);
        m_conn = nullptr;
        return failed ? *failed : Error::make(kUnavailable, "pipeline left unfinished");
    }
    if (failed)
        return *failed;
    crash_point();
    return out;
}

Result<int64_t> Conn::copy_in(const std::string& copy_sql, const std::string& binary_rows)
{
    Rows start(PQexec(m_conn, copy_sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN)
        return error("copy", start.get());
    std::string data("PGCOPY\n\377\r\n\0", 11);
    put32(data, 0); // flags
    put32(data, 0); // header extension
    data += binary_rows;
    data += std::string("\377\377", 2); // trailer: field count -1
    if (PQputCopyData(m_conn, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(m_conn, nullptr) != 1)
        return error("copy data");
    Rows end(PQgetResult(m_conn));
    while (PGresult* extra = PQgetResult(m_conn))
        PQclear(extra);
    if (PQresultStatus(end.get()) != PGRES_COMMAND_OK)
        return error("copy", end.get());
    return end.affected();
}

Result<std::vector<std::string>> Conn::copy_out(const std::string& copy_sql)
{
    Rows start(PQexec(m_conn, copy_sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_OUT)
        return error("copy", start.get());
    std::string data;
    for (;;) {
        char* buf = nullptr;
        int n = PQgetCopyData(m_conn, &buf, 0);
        if (n > 0) {
            data.append(buf, static_cast<size_t>(n));
            PQfreemem(buf);
        } else {
            break;
        }
    }
    Rows end(PQgetResult(m_conn));
    while (PGresult* extra = PQgetResult(m_conn))
        PQclear(extra);
    if (PQresultStatus(end.get()) != PGRES_COMMAND_OK)
        return error("copy", end.get());
    // Header: 11-byte signature, flags, extension length and extension; then tuples; then the int16 -1 trailer.
    auto be32 = [&](size_t at) {
        uint32_t v;
        std::memcpy(&v, data.data() + at, 4);
        return be32toh(v);
    };
    std::vector<std::string> tuples;
    if (data.size() < 19)
        return Error::make("error.central.storage", "copy: short binary stream");
    size_t pos = 19 + be32(15);
    while (pos + 2 <= data.size()) {
        uint16_t fields;
        std::memcpy(&fields, data.data() + pos, 2);
        fields = be16toh(fields);
        if (fields == 0xffff)
            break;
        size_t begin = pos;
        pos += 2;
        for (uint16_t f = 0; f < fields; ++f) {
            uint32_t len = be32(pos);
            pos += 4;
            if (len != 0xffffffffu)
                pos += len;
        }
        tuples.push_back(data.substr(begin, pos - begin));
    }
    return tuples;
}

// --- CopyRows ---

CopyRows& CopyRows::begin_row(int16_t fields)
{
    uint16_t v = htobe16(static_cast<uint16_t>(fields));
    m_data.append(reinterpret_cast<const char*>(&v), 2);
    ++m_rows;
    return *this;
}

CopyRows& CopyRows::int4(int32_t v)
{
    put32(m_data, 4);
    put32(m_data, static_cast<uint32_t>(v));
    return *this;
}

CopyRows& CopyRows::int8(int64_t v)
{
    put32(m_data, 8);
    put64(m_data, static_cast<uint64_t>(v));
    return *this;
}

CopyRows& CopyRows::bytes(std::string_view v)
{
    put32(m_data, static_cast<uint32_t>(v.size()));
    m_data.append(v);
    return *this;
}

CopyRows& CopyRows::null()
{
    put32(m_data, 0xffffffffu);
    return *this;
}

// --- Pool ---

Pool::~Pool() = default;

Pool::Lease::~Lease()
{
    if (m_pool && m_conn)
        m_pool->release(std::move(m_conn));
}

Result<Pool::Lease> Pool::acquire()
{
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_idle.empty() || m_open < m_max; });
        if (!m_idle.empty()) {
            auto c = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(this, std::move(c));
        }
        ++m_open;
    }
    auto c = Conn::connect(m_url);
    if (!c.ok()) {
        std::lock_guard lock(m_mutex);
        --m_open;
        m_cv.notify_one();
        return c.release_error();
    }
    return Lease(this, std::make_unique<Conn>(c.release_value()));
}

void Pool::release(std::unique_ptr<Conn> conn)
{
    if (conn->healthy() && !conn->idle()) {
        // A transaction left open by an error path: roll it back, or give the connection up.
        if (!conn->exec("ROLLBACK").ok() || !conn->idle())
            conn.reset();
    }
    std::lock_guard lock(m_mutex);
    if (conn && conn->healthy()) {
        m_idle.push_back(std::move(conn));
    } else {
        // The server went away (failover, restart): the idle connections point at it too.
        --m_open;
        m_open -= static_cast<int>(m_idle.size());
        m_idle.clear();
        ++m_generation;
    }
    m_cv.notify_all();
}

} // namespace nafitha::central::pg
