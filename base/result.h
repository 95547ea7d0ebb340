#pragma once
// Errors are values across module boundaries: Result<T> holds either a T or an Error.
// TRY(expr) returns the error from the enclosing function, or yields the value.

#include <string>
#include <utility>
#include <variant>

namespace nafitha {

// An error for a person and for the log. `code` is a translation key ("error.db.write_failed") that the UI
// turns into Arabic or English through base/i18n; `detail` is technical English for the log (never secrets
// or personal data); `field` names the input that is wrong, when there is one.
struct Error {
    std::string code;
    std::string detail;
    std::string field;

    static Error make(std::string code, std::string detail = {}, std::string field = {})
    {
        return Error{std::move(code), std::move(detail), std::move(field)};
    }
    // "code: detail" for logs and command-line tools.
    std::string to_string() const { return detail.empty() ? code : code + ": " + detail; }
};

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T release_value() { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }

    const Error& error() const { return std::get<1>(m_v); }
    Error release_error() { return std::get<1>(std::move(m_v)); }

private:
    std::variant<T, Error> m_v;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    void value() const {}
    void release_value() {}
    const Error& error() const { return m_error; }
    Error release_error() { return std::move(m_error); }

private:
    Error m_error;
    bool m_ok = true;
};

} // namespace nafitha

// Statement expressions are a GNU extension that GCC and Clang both support; __extension__ keeps
// -Wpedantic quiet.
#define TRY(expr)                                                                                            \
    __extension__({                                                                                          \
        auto _nafitha_try = (expr);                                                                          \
        if (!_nafitha_try.ok())                                                                              \
            return _nafitha_try.release_error();                                                             \
        _nafitha_try.release_value();                                                                        \
    })
