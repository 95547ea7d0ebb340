#include "kiosk/ui/flow.h"

#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <cstdio>

namespace nafitha::ui {

const char* icon_for_category(std::string_view code)
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
        if (code.find(p.word) != std::string_view::npos)
            return p.icon;
    }
    return "document";
}

const services::Category* category_grid(Ctx& ctx, const Rect& area)
{
    const auto& cats = ctx.catalogue->categories;
    int cols = ctx.portrait() ? 2 : 4;
    float gap = ctx.u(32);
    float tw = (area.w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    float th = touch_min(ctx) * 3;
    for (const auto& c : cats)
        th = std::max(th, tile_height(ctx, tw, c.name.in(ctx.lang)));
    Rect view = begin_scroll(ctx, area);
    const services::Category* tapped = nullptr;
    float top = view.y - ctx.scroller.offset();
    for (size_t i = 0; i < cats.size(); ++i) {
        int col = static_cast<int>(i % static_cast<size_t>(cols));
        int row = static_cast<int>(i / static_cast<size_t>(cols));
        Rect r{view.x + static_cast<float>(col) * (tw + gap), top + static_cast<float>(row) * (th + gap), tw, th};
        r = mirror(ctx, r, view); // the first tile sits at the start side
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        if (tile(ctx, r, icon_for_category(cats[i].code), cats[i].name.in(ctx.lang)) && view.contains(ctx.touch.pos()))
            tapped = &cats[i];
    }
    int rows = static_cast<int>((cats.size() + static_cast<size_t>(cols) - 1) / static_cast<size_t>(cols));
    end_scroll(ctx, view, top + static_cast<float>(rows) * (th + gap) - gap);
    return tapped;
}

StepFrame step_frame(Ctx& ctx, const Rect& body, int step)
{
    Rect c = body.inset(margin(ctx));
    progress(ctx, Rect{c.x, c.y, c.w, ctx.u(30)}, step, kFlowSteps);
    float foot_h = button_h(ctx);
    Rect foot{c.x, c.y + c.h - foot_h, c.w, foot_h};
    Rect area{c.x, c.y + ctx.u(50), c.w, foot.y - ctx.u(24) - (c.y + ctx.u(50))};
    return {c, foot, area};
}

const services::Service* current_service(const Ctx& ctx)
{
    if (!ctx.catalogue || ctx.session.service_code.empty())
        return nullptr;
    return ctx.catalogue->service(ctx.session.service_code);
}

std::string_view field_display(const Ctx& ctx, const services::FormField& field, const std::string& value)
{
    if (field.type == services::FieldType::Choice) {
        for (const auto& o : field.options) {
            if (o.value == value)
                return o.label.in(ctx.lang);
        }
    }
    return value;
}

std::string_view value_display(Ctx& ctx, const services::FormField& field, const std::string& raw, std::string_view normalised)
{
    using services::FieldType;
    if (normalised.empty())
        return field_display(ctx, field, raw);
    switch (field.type) {
    case FieldType::Choice:
        return field_display(ctx, field, raw);
    case FieldType::Date:
        return ctx.date(normalised);
    case FieldType::NationalId:
    case FieldType::Phone:
    case FieldType::Number:
        return ctx.digits(normalised);
    case FieldType::Amount: {
        int64_t minor = 0;
        for (char c : normalised)
            if (c >= '0' && c <= '9')
                minor = minor * 10 + (c - '0');
        return ctx.money(minor);
    }
    default:
        return normalised;
    }
}

ImU32 status_colour(const Palette& p, services::AppStatus status)
{
    using services::AppStatus;
    switch (status) {
    case AppStatus::Approved:
    case AppStatus::Ready:
    case AppStatus::Delivered:
        return p.success;
    case AppStatus::Rejected:
        return p.danger;
    case AppStatus::Submitted:
    case AppStatus::Paid:
    case AppStatus::InReview:
        break;
    }
    return p.primary;
}

const char* status_key(services::AppStatus status)
{
    using services::AppStatus;
    switch (status) {
    case AppStatus::Submitted: return "ui.status.submitted";
    case AppStatus::Paid: return "ui.status.paid";
    case AppStatus::InReview: return "ui.status.in_review";
    case AppStatus::Approved: return "ui.status.approved";
    case AppStatus::Rejected: return "ui.status.rejected";
    case AppStatus::Ready: return "ui.status.ready";
    case AppStatus::Delivered: return "ui.status.delivered";
    }
    return "ui.status.submitted";
}

} // namespace nafitha::ui

// Lives in the session, so the visit's end wipes it with everything else. Holds the inputs of the last
// assessment and compares them field by field (no key to build, nothing allocated while they stay the same).
struct nafitha::ui::QuoteCache {
    bool valid = false;
    const services::Catalogue* catalogue = nullptr;
    int64_t catalogue_version = 0;
    std::string service_code;
    nafitha::ui::PayMethod method = nafitha::ui::PayMethod::Cash;
    std::string exemption;
    nafitha::services::FormValues values;
    nafitha::services::Assessment assessment;
    ~QuoteCache()
    {
        for (auto& [k, v] : values) {
            volatile char* p = v.data();
            for (size_t i = 0; i < v.size(); ++i)
                p[i] = 0;
        }
    }
};

namespace nafitha::ui {

const services::Assessment& current_quote(Ctx& ctx)
{
    if (!ctx.session.quote)
        ctx.session.quote = std::make_shared<QuoteCache>();
    QuoteCache& cache = *ctx.session.quote;
    const Session& s = ctx.session;
    const services::Catalogue* cat = ctx.catalogue.get();
    int64_t version = cat ? cat->version : 0;
    if (cache.valid && cache.catalogue == cat && cache.catalogue_version == version && cache.service_code == s.service_code &&
        cache.method == s.method && cache.exemption == s.exemption && cache.values == s.values)
        return cache.assessment;
    cache.valid = true;
    cache.catalogue = cat;
    cache.catalogue_version = version;
    cache.service_code = s.service_code;
    cache.method = s.method;
    cache.exemption = s.exemption;
    cache.values = s.values;
    if (!cat) {
        cache.assessment = services::Assessment{};
        return cache.assessment;
    }
    std::string_view exemption = s.method == PayMethod::Exemption ? std::string_view(s.exemption) : std::string_view();
    cache.assessment = services::assess(*cat, ctx.centre, s.service_code, s.values, exemption);
    return cache.assessment;
}

void start_payment_and_submit(Ctx& ctx)
{
    const services::Service* svc = current_service(ctx);
    if (!svc)
        return;
    Session& s = ctx.session;
    // The UI asked the validation authority; only a valid, quoted form reaches the payment devices.
    const services::Assessment& assessed = current_quote(ctx);
    if (!assessed.ok()) {
        s.errors = assessed.validation.problems;
        s.error = assessed.validation.ok() ? assessed.fee.error().code : std::string("ui.error.form");
        return;
    }
    s.busy_message = s.method == PayMethod::Cash ? "ui.busy.cash" : (s.method == PayMethod::Card ? "ui.busy.card" : "ui.busy.saving");
    s.error.clear();
    Backend* b = ctx.backend;
    std::string code = svc->code;
    FormValues values = s.values;
    PayMethod method = s.method;
    std::string exemption = method == PayMethod::Exemption ? s.exemption : std::string();
    int64_t due = assessed.fee->total;
    Lang lang = ctx.lang;
    Ctx* c = &ctx;
    std::optional<PaymentRequest> already = s.payment; // money already taken is never taken twice
    auto inserted = std::make_shared<std::atomic<int64_t>>(0);
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    s.cash_inserted = inserted;
    s.cash_cancel = cancel;
    s.cash_due = due;
    s.cash_returned = 0;
    ctx.worker->post([b, code, values, method, exemption, due, lang, c, already, inserted, cancel]() -> Worker::Completion {
        Result<PaymentRequest> payment = already ? Result<PaymentRequest>(*already)
                                                 : b->take_payment(method, due, exemption,
                                                                   [inserted](int64_t in) { inserted->store(in); }, cancel.get());
        if (!payment.ok()) {
            Error e = payment.error();
            int64_t returned = e.code == "ui.payment.cancelled" ? inserted->load() : 0;
            return [c, e, returned] {
                c->session.busy_message.clear();
                c->session.error = e.code;
                c->session.cash_returned = returned;
            };
        }
        // submit() re-checks the form once (the same authority) inside its transaction.
        auto sub = b->submit(code, values, *payment, lang);
        if (!sub.ok()) {
            Error e = sub.error();
            PaymentRequest p = *payment;
            return [c, e, p] {
                c->session.busy_message.clear();
                c->session.payment = p;
                c->session.error = e.code;
            };
        }
        PaymentRequest p = *payment;
        Submitted result = sub.release_value();
        return [c, p, result] {
            c->session.busy_message.clear();
            c->session.payment = p;
            c->session.submission = result;
            c->history.clear();
            c->screen = ScreenId::Done;
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
                c->go(ScreenId::Ticket);
            };
        }
        TakenTicket ticket = *t;
        return [c, ticket] {
            c->session.busy_message.clear();
            c->session.ticket = ticket;
            c->session.error.clear();
            c->go(ScreenId::Ticket);
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
            c->session.track_editing = false;
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
            c->session.track_editing = false;
        };
    });
}

void start_receipt_copy(Ctx& ctx, const std::string& reference)
{
    ctx.session.busy_message = "ui.busy.printing";
    ctx.session.reprint_message.clear();
    Backend* b = ctx.backend;
    Lang lang = ctx.lang;
    Ctx* c = &ctx;
    ctx.worker->post([b, c, reference, lang]() -> Worker::Completion {
        auto job = b->reprint_receipt(reference, lang);
        std::string key = !job.ok() ? job.error().code : (job->queued ? "ui.reprint.done" : job->error);
        return [c, key] {
            c->session.busy_message.clear();
            c->session.reprints += 1;
            c->session.reprint_message = key;
        };
    });
}

void start_survey(Ctx& ctx, int score)
{
    ctx.session.survey_done = true;
    if (!ctx.session.submission)
        return;
    Backend* b = ctx.backend;
    std::string ref = ctx.session.submission->submission.application.reference;
    std::vector<std::string> reasons = ctx.session.survey_reasons;
    ctx.worker->post([b, ref, score, reasons]() -> Worker::Completion {
        auto r = b->record_survey(ref, score, reasons);
        (void)r; // A lost survey answer is not worth troubling the citizen about; the backend logs it.
        return {};
    });
}

} // namespace nafitha::ui
