#pragma once
// A thin owner of libpq: connections, parameterised statements with binary parameters and results, binary
// arrays (for one-statement batches through unnest), pipelines, and a small connection pool that forgets
// every idle connection once one of them has lost its server (after a failover they all point at the old one).
//
// Every statement is parameterised; SQL text never contains a value.

#include "base/result.h"

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::central::pg {

// error.central.storage_unavailable: the connection was lost or could not be made (retry elsewhere / later).
// error.central.storage: the server refused the statement (`field` holds the SQLSTATE).
inline constexpr const char* kUnavailable = "error.central.storage_unavailable";

enum Oid : unsigned {
    kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
    kInt2Array = 1005, kInt4Array = 1007, kTextArray = 1009, kByteaArray = 1001, kInt8Array = 1016,
};

// A one-dimensional array in PostgreSQL's binary format.
class Array {
public:
    explicit Array(Oid element) : m_element(element) {}
    Array& add(int64_t v);          // int8 (or int4 / int2 when the element type says so)
    Array& add(std::string_view v); // text or bytea
    Array& add(const std::optional<int64_t>& v);
    Array& add_null();
    size_t size() const { return m_count; }
    Oid array_oid() const;
    std::string encode() const;

private:
    Oid m_element;
    size_t m_count = 0;
    bool m_nulls = false;
    std::string m_data;
};

class Params {
public:
    Params& add(int64_t v);                 // int8
    Params& add_int4(int32_t v);            // int4
    Params& add(std::string_view text);     // text
    Params& add(const std::string& text) { return add(std::string_view(text)); }
    Params& add(const char* text) { return add(std::string_view(text)); }
    Params& add_bytea(std::string_view bytes);
    Params& add(const std::optional<int64_t>& v);
    Params& add_null(Oid type);
    Params& add(const Array& array);
    size_t size() const { return m_types.size(); }

    // Pointers for libpq (valid while the Params lives and is not changed).
    struct View {
        std::vector<const char*> values;
        std::vector<int> lengths, formats;
        const unsigned* types = nullptr;
    };
    View view() const;

private:
    void push(Oid type, std::string bytes, bool null = false);
    std::vector<unsigned> m_types;
    std::vector<std::string> m_values;
    std::vector<bool> m_null;
};

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

// One result, binary columns.
class Rows {
public:
    Rows() = default;
    explicit Rows(PGresult* r) : m_res(r) {}
    int count() const { return m_res ? PQntuples(m_res.get()) : 0; }
    bool null(int row, int col) const { return PQgetisnull(m_res.get(), row, col); }
    int64_t integer(int row, int col) const; // int2, int4 or int8
    std::optional<int64_t> optional_integer(int row, int col) const;
    std::string text(int row, int col) const; // text or bytea, raw bytes
    int64_t affected() const;                 // rows changed by INSERT / UPDATE / DELETE
    PGresult* get() const { return m_res.get(); }

private:
    std::unique_ptr<PGresult, ResultDeleter> m_res;
};

struct Statement {
    std::string sql;
    Params params;
};

class Conn {
public:
    static Result<Conn> connect(const std::string& url);
    Conn() = default;
    Conn(Conn&& o) noexcept : m_conn(o.m_conn) { o.m_conn = nullptr; }
    Conn& operator=(Conn&& o) noexcept;
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;
    ~Conn();

    bool healthy() const { return m_conn && PQstatus(m_conn) == CONNECTION_OK; }
    bool idle() const { return m_conn && PQtransactionStatus(m_conn) == PQTRANS_IDLE; }
    PGconn* get() const { return m_conn; }

    // Plain SQL without parameters (DDL, BEGIN, several statements).
    Result<void> exec(const std::string& sql);
    Result<Rows> query(const std::string& sql, const Params& params = {});
    // Sends every statement, then one Sync, then reads every result: one round trip. The first failure is
    // returned (the statements after it were skipped by the server).
    Result<std::vector<Rows>> pipeline(const std::vector<Statement>& statements);

    // COPY … FROM STDIN in binary format: `binary_rows` is the tuples without the file header and trailer.
    Result<int64_t> copy_in(const std::string& copy_sql, const std::string& binary_rows);
    // COPY … TO STDOUT (FORMAT binary): the tuples, one string each (without the file header and trailer).
    Result<std::vector<std::string>> copy_out(const std::string& copy_sql);

    Error error(std::string_view what, const PGresult* res = nullptr) const;

private:
    explicit Conn(PGconn* c) : m_conn(c) {}
    PGconn* m_conn = nullptr;
};

// Binary COPY row building (for bulk loads and benchmarks).
class CopyRows {
public:
    CopyRows& begin_row(int16_t fields);
    CopyRows& int4(int32_t v);
    CopyRows& int8(int64_t v);
    CopyRows& bytes(std::string_view v); // text or bytea
    CopyRows& null();
    const std::string& data() const { return m_data; }
    size_t rows() const { return m_rows; }
    void clear() { m_data.clear(); m_rows = 0; }

private:
    std::string m_data;
    size_t m_rows = 0;
};

class Pool {
public:
    Pool(std::string url, int max_connections) : m_url(std::move(url)), m_max(max_connections) {}
    ~Pool();

    class Lease {
    public:
        Lease(Pool* pool, std::unique_ptr<Conn> conn) : m_pool(pool), m_conn(std::move(conn)) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Conn& operator*() { return *m_conn; }
        Conn* operator->() { return m_conn.get(); }

    private:
        Pool* m_pool;
        std::unique_ptr<Conn> m_conn;
    };

    Result<Lease> acquire();
    const std::string& url() const { return m_url; }

private:
    void release(std::unique_ptr<Conn> conn);

    std::string m_url;
    int m_max;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::unique_ptr<Conn>> m_idle;
    int m_open = 0;
    uint64_t m_generation = 0; // bumped when a lost connection shows the server went away
};

} // namespace nafitha::central::pg
