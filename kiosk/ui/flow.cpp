#include "kiosk/ui/flow.h"

#include "base/utf8.h"

#include <algorithm>

namespace nafitha::ui {

std::string format_money(int64_t minor)
{
    bool neg = minor < 0;
    uint64_t v = neg ? static_cast<uint64_t>(-minor) : static_cast<uint64_t>(minor);
    uint64_t whole = v / 100, frac = v % 100;
    std::string digits = std::to_string(whole);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    if (frac) {
        out += '.';
        out += static_cast<char>('0' + frac / 10);
        out += static_cast<char>('0' + frac % 10);
    }
    return neg ? "-" + out : out;
}

std::string icon_for_category(const std::string& code)
{
    struct Pair {
        const char* word;
        const char* icon;
    };
    static const Pair table[] = {
        {"passport", "passport"}, {"travel", "passport"}, {"vehicle", "car"},   {"traffic", "car"},
        {"transport", "car"},     {"driv", "car"},        {"property", "home"}, {"housing", "home"},
        {"real", "home"},         {"land", "home"},       {"family", "family"}, {"civil", "id_card"},
        {"identity", "id_card"},  {"business", "business"}, {"commerce", "business"}, {"trade", "business"},
        {"health", "health"},     {"education", "education"}, {"school", "education"}, {"certif", "certificate"},
        {"electric", "bolt"},     {"water", "drop"},      {"telecom", "phone"}, {"phone", "phone"},
        {"court", "scales"},      {"justice", "scales"},  {"municip", "building"}, {"finance", "money"},
        {"tax", "money"},
    };
    for (const Pair& p : table) {
        if (code.find(p.word) != std::string::npos)
            return p.icon;
    }
    return "document";
}

std::string display_digits(const Ctx& ctx, const std::string& s)
{
    if (ctx.lang != Lang::Ar)
        return s;
    std::string out;
    size_t pos = 0;
    while (pos < s.size()) {
        char32_t cp = utf8::decode_next(s, pos);
        if (cp >= '0' && cp <= '9')
            cp = 0x0660 + (cp - '0');
        else if (cp == ',')
            cp = 0x066C; // Arabic thousands separator
        else if (cp == '.')
            cp = 0x066B; // Arabic decimal separator
        utf8::append(out, cp);
    }
    return out;
}

std::string money_text(const Ctx& ctx, int64_t minor)
{
    return ctx.tr("ui.money", {{"amount", display_digits(ctx, format_money(minor))}});
}

const services::Service* current_service(const Ctx& ctx)
{
    if (!ctx.catalogue || ctx.session.service_code.empty())
        return nullptr;
    return ctx.catalogue->service(ctx.session.service_code);
}

std::string field_display(const Ctx& ctx, const services::FormField& field, const std::string& value)
{
    if (field.type == services::FieldType::Choice) {
        for (const auto& o : field.options) {
            if (o.value == value)
                return o.label.in(ctx.lang);
        }
    }
    return value;
}

} // namespace nafitha::ui

// Lives in the session, so the visit's end wipes it with everything else.
struct nafitha::ui::QuoteCache {
    std::string key;
    Quote quote;
    ~QuoteCache()
    {
        volatile char* p = key.data();
        for (size_t i = 0; i < key.size(); ++i)
            p[i] = 0;
    }
};

namespace nafitha::ui {

const Quote& current_quote(Ctx& ctx)
{
    if (!ctx.session.quote)
        ctx.session.quote = std::make_shared<QuoteCache>();
    QuoteCache& cache = *ctx.session.quote;
    const services::Service* svc = current_service(ctx);
    std::string key = ctx.catalogue ? std::to_string(ctx.catalogue->version) : "none";
    key += '\x1f' + ctx.session.service_code + '\x1f' + std::to_string(static_cast<int>(ctx.session.method)) + '\x1f' +
           ctx.session.exemption;
    for (const auto& [k, v] : ctx.session.values)
        key += '\x1f' + k + '=' + v;
    if (key == cache.key)
        return cache.quote;
    cache.key = key;
    cache.quote = Quote{};
    if (!svc)
        return cache.quote;
    cache.quote.validation = services::validate_form(*svc, ctx.session.values);
    if (cache.quote.validation.ok()) {
        std::string exemption = ctx.session.method == PayMethod::Exemption ? ctx.session.exemption : std::string();
        cache.quote.fee = services::quote_fee(*svc, cache.quote.validation.values, exemption);
        cache.quote.full_fee = services::quote_fee(*svc, cache.quote.validation.values, {});
    }
    return cache.quote;
}

void start_payment_and_submit(Ctx& ctx)
{
    const services::Service* svc = current_service(ctx);
    if (!svc)
        return;
    Session& s = ctx.session;
    s.busy_message = s.method == PayMethod::Cash ? "ui.busy.cash" : (s.method == PayMethod::Card ? "ui.busy.card" : "ui.busy.saving");
    s.error.clear();
    Backend* b = ctx.backend;
    std::string code = svc->code;
    FormValues values = s.values;
    PayMethod method = s.method;
    std::string exemption = method == PayMethod::Exemption ? s.exemption : std::string();
    Lang lang = ctx.lang;
    Ctx* c = &ctx;
    std::optional<Payment> already = s.payment; // money already taken is never taken twice
    auto inserted = std::make_shared<std::atomic<int64_t>>(0);
    s.cash_inserted = inserted;
    s.cash_due = current_quote(ctx).fee.ok() ? current_quote(ctx).fee->total : 0;
    ctx.worker->post([b, code, values, method, exemption, lang, c, already, inserted]() -> Worker::Completion {
        auto validation = b->validate(code, values);
        if (!validation.ok()) {
            std::vector<Error> problems = validation.problems;
            return [c, problems] {
                c->session.busy_message.clear();
                c->session.errors = problems;
                c->session.error = "ui.error.form";
            };
        }
        auto fee = b->quote(code, validation.values, exemption);
        if (!fee.ok()) {
            Error e = fee.error();
            return [c, e] {
                c->session.busy_message.clear();
                c->session.error = e.code;
            };
        }
        Result<Payment> payment = already ? Result<Payment>(*already)
                                          : b->take_payment(method, fee->total, exemption,
                                                            [inserted](int64_t in) { inserted->store(in); });
        if (!payment.ok()) {
            Error e = payment.error();
            return [c, e] {
                c->session.busy_message.clear();
                c->session.error = e.code;
            };
        }
        auto sub = b->submit(code, values, *payment, lang);
        if (!sub.ok()) {
            Error e = sub.error();
            Payment p = *payment;
            return [c, e, p] {
                c->session.busy_message.clear();
                c->session.payment = p;
                c->session.error = e.code;
            };
        }
        Payment p = *payment;
        Submission result = sub.release_value();
        return [c, p, result] {
            c->session.busy_message.clear();
            c->session.payment = p;
            c->session.submission = result;
            c->history.clear();
            c->screen = "done";
        };
    });
}

void start_ticket(Ctx& ctx)
{
    ctx.session.busy_message = "ui.busy.ticket";
    Backend* b = ctx.backend;
    Lang lang = ctx.lang;
    Ctx* c = &ctx;
    std::string category = ctx.session.category;
    ctx.worker->post([b, lang, c, category]() -> Worker::Completion {
        auto t = b->take_ticket(category, lang);
        if (!t.ok()) {
            Error e = t.error();
            return [c, e] {
                c->session.busy_message.clear();
                c->session.error = e.code;
                c->go("ticket");
            };
        }
        Ticket ticket = *t;
        return [c, ticket] {
            c->session.busy_message.clear();
            c->session.ticket = ticket;
            c->session.error.clear();
            c->go("ticket");
        };
    });
}

void start_track(Ctx& ctx)
{
    ctx.session.busy_message = "ui.busy.track";
    ctx.session.track_error.clear();
    ctx.session.tracked.reset();
    Backend* b = ctx.backend;
    Ctx* c = &ctx;
    std::string ref = ctx.session.track_input;
    ctx.worker->post([b, c, ref]() -> Worker::Completion {
        auto t = b->track(ref);
        if (!t.ok()) {
            Error e = t.error();
            return [c, e] {
                c->session.busy_message.clear();
                c->session.track_error = e.code;
            };
        }
        TrackedApplication app = *t;
        return [c, app] {
            c->session.busy_message.clear();
            c->session.tracked = app;
        };
    });
}

void start_scan(Ctx& ctx)
{
    ctx.session.busy_message = "ui.busy.scan";
    ctx.session.track_error.clear();
    ctx.session.tracked.reset();
    Backend* b = ctx.backend;
    Ctx* c = &ctx;
    ctx.worker->post([b, c]() -> Worker::Completion {
        auto code = b->scan();
        if (!code.ok()) {
            Error e = code.error();
            return [c, e] {
                c->session.busy_message.clear();
                c->session.track_error = e.code;
            };
        }
        std::string payload = *code;
        auto t = b->track(payload);
        if (!t.ok()) {
            Error e = t.error();
            return [c, e, payload] {
                c->session.busy_message.clear();
                c->session.track_input = payload;
                c->session.track_error = e.code;
            };
        }
        TrackedApplication app = *t;
        return [c, app] {
            c->session.busy_message.clear();
            c->session.track_input = app.reference;
            c->session.tracked = app;
        };
    });
}

void start_survey(Ctx& ctx, int score)
{
    ctx.session.survey_done = true;
    if (!ctx.session.submission)
        return;
    Backend* b = ctx.backend;
    std::string ref = ctx.session.submission->reference;
    ctx.worker->post([b, ref, score]() -> Worker::Completion {
        auto r = b->record_survey(ref, score);
        (void)r; // A lost survey answer is not worth troubling the citizen about; the backend logs it.
        return {};
    });
}

} // namespace nafitha::ui
