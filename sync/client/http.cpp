#include "sync/client/http.h"

#include "base/crash_point.h"
#include "sync/protocol/messages.h"

#include <cstring>
#include <curl/curl.h>
#include <mutex>

namespace nafitha::sync {

namespace {

void global_init()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct ResponseSink {
    std::string body;
    int64_t server_time_ms = 0;
    int64_t retry_after_s = 0;
    std::string answer_signature;
    size_t max_bytes = 64 * 1024 * 1024;
    bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user)
{
    auto* sink = static_cast<ResponseSink*>(user);
    if (sink->body.size() + size * n > sink->max_bytes) {
        sink->too_large = true;
        return 0;
    }
    sink->body.append(data, size * n);
    return size * n;
}

// The digits of header `name` in `line` ("Name: 123"), or -1 when the line is another header.
int64_t header_number(std::string_view line, std::string_view name)
{
    if (line.size() <= name.size() + 1 || strncasecmp(line.data(), name.data(), name.size()) != 0 || line[name.size()] != ':')
        return -1;
    int64_t v = 0;
    for (char c : line.substr(name.size() + 1))
        if (c >= '0' && c <= '9' && v < INT64_MAX / 10 - 10)
            v = v * 10 + (c - '0');
    return v;
}

size_t on_header(char* data, size_t size, size_t n, void* user)
{
    auto* sink = static_cast<ResponseSink*>(user);
    std::string_view line(data, size * n);
    if (auto v = header_number(line, protocol::kHeaderServerTime); v >= 0)
        sink->server_time_ms = v;
    if (auto v = header_number(line, "Retry-After"); v >= 0)
        sink->retry_after_s = std::min<int64_t>(v, 3600);
    std::string_view name = protocol::kHeaderAnswerSignature;
    if (line.size() > name.size() + 1 && line.size() < name.size() + 200 && strncasecmp(line.data(), name.data(), name.size()) == 0
        && line[name.size()] == ':') {
        std::string_view v = line.substr(name.size() + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.remove_prefix(1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
            v.remove_suffix(1);
        sink->answer_signature = std::string(v);
    }
    return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto* flag = static_cast<const std::atomic<bool>*>(user);
    return flag && flag->load() ? 1 : 0;
}

} // namespace

struct HttpClient::Handle {
    CURL* curl = nullptr;
    Handle() : curl(curl_easy_init()) {}
    ~Handle()
    {
        if (curl)
            curl_easy_cleanup(curl);
    }
};

HttpClient::HttpClient(HttpOptions options) : m_options(std::move(options))
{
    global_init();
    m_handle = std::make_unique<Handle>();
}

HttpClient::~HttpClient() = default;

void HttpClient::close_connections()
{
    // A new easy handle has an empty connection cache: the old connection is closed with the old handle.
    m_handle = std::make_unique<Handle>();
}

Result<HttpResponse> HttpClient::request(std::string_view method, const std::string& url,
                                         const std::vector<std::string>& headers, std::string_view body)
{
    CURL* c = m_handle->curl;
    if (!c)
        return Error::make("error.sync.network", "curl_easy_init failed");
    curl_easy_reset(c);
    ResponseSink sink;
    Slist list;
    for (const auto& h : headers)
        list.reset(curl_slist_append(list.release(), h.c_str()));
    // No "Expect: 100-continue" round trip for larger bodies.
    list.reset(curl_slist_append(list.release(), "Expect:"));
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout_ms));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.transfer_timeout_ms));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(m_options.stall_timeout_s));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!m_options.ca_file.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, m_options.ca_file.c_str());
    if (m_options.no_proxy)
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, m_abort);
    if (method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    // Crash points on both sides of the exchange: a kill before the request leaves, and one after central has
    // answered but before the terminal recorded the answer.
    crash_point();
    CURLcode rc = curl_easy_perform(c);
    crash_point();
    if (rc == CURLE_OK)
        m_bytes_sent += static_cast<int64_t>(body.size());
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return Error::make("error.sync.aborted", "the transfer was stopped");
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE
        || rc == CURLE_SSL_CERTPROBLEM)
        return Error::make("error.sync.tls", std::string("TLS: ") + curl_easy_strerror(rc));
    if (rc != CURLE_OK)
        return Error::make("error.sync.network", std::string(curl_easy_strerror(rc)) + " (" + url + ")");
    HttpResponse out;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    out.body = std::move(sink.body);
    out.server_time_ms = sink.server_time_ms;
    out.retry_after_s = sink.retry_after_s;
    out.answer_signature = std::move(sink.answer_signature);
    return out;
}

} // namespace nafitha::sync
