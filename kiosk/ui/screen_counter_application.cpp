// Counter: the whole application in front of the decider (its personal data opened as a journalled view),
// its history with the reasons, and the decision: approve or reject, a reason from the list, free text, and a
// confirmation that says what happens to the fee. A decision can be reversed within 15 minutes. Reprint.

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

const char* fee_key(services::FeeOutcome f)
{
    switch (f) {
    case services::FeeOutcome::Kept: return "ui.counter.fee.kept";
    case services::FeeOutcome::Refunded: return "ui.counter.fee.refunded";
    case services::FeeOutcome::None: break;
    }
    return "ui.counter.fee.none";
}

std::string_view reason_text(Ctx& ctx, std::string_view code)
{
    std::string& key = ctx.text.next();
    key.append("decision.reason.").append(code);
    return ctx.tr(key);
}

} // namespace

void draw_counter_application(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.counter.app.title"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx) * 0.6f;
    Rect c = area.inset(m);
    CounterView& cv = ctx.counter;
    if (!cv.app)
        return;
    const services::Application& app = *cv.app;
    const services::Service* svc = ctx.catalogue ? ctx.catalogue->service(app.service_code) : nullptr;

    // Start side: the application, personal data included (this view was journalled).
    // Landscape (the counter): side by side. Portrait: the application above, the decision below.
    float half = (c.w - m) * 0.5f;
    Rect left = from_start(ctx, c, 0, half);
    Rect right = from_end(ctx, c, 0, half);
    if (ctx.portrait()) {
        left = Rect{c.x, c.y, c.w, (c.h - m) * 0.42f};
        right = Rect{c.x, left.y + left.h + m, c.w, c.h - left.h - m};
    }
    card(ctx, left);
    Rect in = left.inset(ctx.u(22));
    // Line heights from the text sizes (large text makes them taller).
    float rh = std::max(ctx.u(44), text_h(ctx, ctx.font(30)) + ctx.u(6));
    float hh = std::max(ctx.u(56), text_h(ctx, ctx.font(44)) + ctx.u(6));
    float y = in.y;
    label(ctx, Rect{in.x, y, in.w, hh}, ltr(ctx, app.reference), ctx.font(44), p.text);
    label(ctx, Rect{in.x, y, in.w, hh}, ctx.tr(status_key(app.status)), ctx.font(32), p.warning_text, Align::End);
    y += hh + ctx.u(6);
    label(ctx, Rect{in.x, y, in.w, rh}, svc ? svc->name.in(ctx.lang) : std::string_view(app.service_code), ctx.font(30), p.text);
    y += rh;
    label(ctx, Rect{in.x, y, in.w, rh}, ctx.tr("ui.counter.app.submitted", {{"time", ctx.date_time(app.submitted_at)}}), ctx.font(24),
          p.text_muted);
    label(ctx, Rect{in.x, y, in.w, rh}, ctx.tr(app.channel == services::Channel::Counter ? "ui.counter.app.at_counter" : "ui.counter.app.at_kiosk"),
          ctx.font(24), p.text_muted, Align::End);
    y += rh;
    label(ctx, Rect{in.x, y, in.w, rh}, ctx.tr("ui.counter.app.fee"), ctx.font(26), p.text_muted);
    label(ctx, Rect{in.x, y, in.w, rh}, ctx.money(app.paid_minor), ctx.font(28), p.text, Align::End);
    y += rh;
    if (app.refunded_minor > 0) {
        label(ctx, Rect{in.x, y, in.w, rh}, ctx.tr("ui.counter.app.refunded"), ctx.font(26), p.text_muted);
        label(ctx, Rect{in.x, y, in.w, rh}, ctx.money(app.refunded_minor), ctx.font(28), p.text, Align::End);
        y += rh;
    }
    canvas(ctx)->AddLine(ImVec2(in.x, y + ctx.u(4)), ImVec2(in.x + in.w, y + ctx.u(4)), p.border, 2);
    y += ctx.u(12);
    if (svc) {
        for (const auto& f : svc->form) {
            auto it = app.values.find(f.name);
            if (it == app.values.end() || it->second.empty() || y + rh > in.y + in.h * 0.72f)
                continue;
            label(ctx, Rect{in.x, y, in.w * 0.45f, rh}, f.label.in(ctx.lang), ctx.font(24), p.text_muted);
            // Codes (national id, phone) stay Western and left to right; a date reads day first and a number in
            // the language's digits, like every quantity (locale/README.md).
            std::string_view v = field_display(ctx, f, it->second);
            if (f.type == services::FieldType::Date)
                v = ctx.date(it->second);
            else if (f.type == services::FieldType::Number && !v.empty() && v.size() < 16 &&
                     v.find_first_not_of("0123456789") == std::string_view::npos)
                v = ctx.number(std::stoll(std::string(v)));
            bool code = f.type == services::FieldType::NationalId || f.type == services::FieldType::Phone;
            label(ctx, Rect{in.x, y, in.w, rh}, code ? ltr(ctx, v) : v, ctx.font(26), p.text, Align::End);
            y += rh;
        }
    }
    // The history, newest last, with reasons.
    y = std::max(y, in.y + in.h * 0.72f);
    canvas(ctx)->AddLine(ImVec2(in.x, y), ImVec2(in.x + in.w, y), p.border, 2);
    y += ctx.u(8);
    size_t shown = 0;
    size_t max_rows = static_cast<size_t>(std::max(1.0f, (in.y + in.h - y) / (rh * 0.8f)));
    size_t first = app.history.size() > max_rows ? app.history.size() - max_rows : 0;
    for (size_t i = first; i < app.history.size() && shown < max_rows; ++i, ++shown) {
        const auto& h = app.history[i];
        Rect r{in.x, y, in.w, rh * 0.8f};
        label(ctx, r, ctx.tr(status_key(h.status)), ctx.font(22), p.text);
        std::string_view why = h.reason.empty() ? std::string_view() : (h.reason == "reversal" ? ctx.tr("ui.counter.app.reversal") : reason_text(ctx, h.reason));
        if (!why.empty())
            label(ctx, Rect{r.x + r.w * 0.3f, r.y, r.w * 0.4f, r.h}, why, ctx.font(20), p.text_muted, ctx.rtl() ? Align::End : Align::Start);
        label(ctx, r, ctx.date_time(h.time), ctx.font(20), p.text_muted, Align::End);
        y += rh * 0.8f;
    }

    // End side: the decision.
    card(ctx, right);
    Rect d = right.inset(ctx.u(22));
    y = d.y;
    bool open = app.status == services::AppStatus::Submitted || app.status == services::AppStatus::Paid ||
                app.status == services::AppStatus::InReview;
    float bh = std::max(ctx.u(70), touch_min(ctx) * 0.9f);
    float gap = ctx.u(14);
    if (open && !cv.outcome) {
        float vw = (d.w - gap) * 0.5f;
        struct Verdict {
            services::AppStatus status;
            const char* key;
            Look look;
        };
        static constexpr Verdict kVerdicts[] = {{services::AppStatus::Approved, "ui.counter.app.approve", Look::Primary},
                                                {services::AppStatus::Rejected, "ui.counter.app.reject", Look::Danger}};
        for (size_t k = 0; k < 2; ++k) {
            bool on = cv.verdict == kVerdicts[k].status;
            if (button(ctx, from_start(ctx, Rect{d.x, y, d.w, bh}, static_cast<float>(k) * (vw + gap), vw), ctx.tr(kVerdicts[k].key),
                       on ? kVerdicts[k].look : Look::Quiet) && !on) {
                cv.verdict = kVerdicts[k].status;
                cv.reason = -1;
                cv.confirming = false;
            }
        }
        y += bh + gap;
        label(ctx, Rect{d.x, y, d.w, ctx.u(40)}, ctx.tr("ui.counter.app.reason"), ctx.font(26), p.text_muted);
        y += ctx.u(44);
        auto reasons = services::decision_reasons();
        float rrh = std::max(ctx.u(54), touch_min(ctx) * 0.75f);
        for (size_t k = 0; k < reasons.size(); ++k) {
            // While confirming, only the chosen reason stays: the confirmation takes the room.
            if (reasons[k].decision != cv.verdict || (cv.confirming && cv.reason != static_cast<int>(k)))
                continue;
            Rect r{d.x, y, d.w, rrh - ctx.u(6)};
            bool on = cv.reason == static_cast<int>(k);
            fill(ctx, r, on ? p.surface_pressed : p.surface, ctx.u(8));
            outline(ctx, r, on ? p.primary : p.border, ctx.u(8), ctx.u(on ? 3 : 1));
            std::string_view text = reason_text(ctx, reasons[k].code);
            label(ctx, r.inset(ctx.u(12)), text, ctx.font(24), p.text);
            if (reasons[k].decision == services::AppStatus::Rejected && reasons[k].fee == services::FeeOutcome::Refunded)
                label(ctx, r.inset(ctx.u(12)), ctx.tr("ui.counter.fee.refund_tag"), ctx.font(20), p.warning_text, Align::End);
            ctx.target(text, r);
            if (ctx.touch.tap(r)) {
                cv.reason = static_cast<int>(k);
                cv.confirming = false;
            }
            y += rrh;
        }
        y += ctx.u(6);
        label(ctx, Rect{d.x, y, d.w, ctx.u(36)}, ctx.tr("ui.counter.app.note"), ctx.font(24), p.text_muted);
        y += ctx.u(38);
        Rect nf{d.x, y, d.w, ctx.u(76)};
        if (text_field(ctx, nf, cv.note, cv.note_edit, cv.note_focused, false))
            cv.note_focused = true;
        ctx.target(ctx.tr("ui.counter.app.note"), nf);
        y += ctx.u(88);
    } else if (cv.outcome) {
        label(ctx, Rect{d.x, y, d.w, ctx.u(50)}, ctx.tr(status_key(app.status)), ctx.font(36), p.text);
        y += ctx.u(56);
        paragraph(ctx, Rect{d.x, y, d.w, ctx.u(90)}, ctx.tr(fee_key(cv.outcome->fee)), ctx.font(26), p.text_muted);
        y += ctx.u(96);
    }
    if (!cv.message.empty()) {
        paragraph(ctx, Rect{d.x, y, d.w, ctx.u(80)}, ctx.tr(cv.message), ctx.font(24), cv.message_ok ? p.success : p.danger);
    }

    Rect row{d.x, d.y + d.h - bh, d.w, bh};
    float bw = (d.w - gap) * 0.5f;
    if (cv.confirming) {
        // The confirmation names the decision and what happens to the fee.
        Rect box{d.x, y, d.w, std::max(ctx.u(80), row.y - y - ctx.u(12))};
        fill(ctx, box, p.surface_pressed, ctx.u(10));
        auto reasons = services::decision_reasons();
        services::FeeOutcome fee = cv.reason >= 0 && app.paid_minor > app.refunded_minor ? reasons[static_cast<size_t>(cv.reason)].fee
                                                                                         : services::FeeOutcome::None;
        paragraph(ctx, box.inset(ctx.u(12)),
                  ctx.tr(cv.verdict == services::AppStatus::Approved ? "ui.counter.app.confirm_approve" : "ui.counter.app.confirm_reject",
                         {{"ref", ltr(ctx, app.reference)}, {"fee", ctx.tr(fee_key(fee))}}),
                  ctx.font(24), p.text);
        if (button(ctx, from_start(ctx, row, 0, bw), ctx.tr("ui.counter.app.confirm"),
                   cv.verdict == services::AppStatus::Rejected ? Look::Danger : Look::Primary))
            start_decide(ctx);
        if (button(ctx, from_end(ctx, row, 0, bw), ctx.tr("ui.counter.app.cancel"), Look::Quiet))
            cv.confirming = false;
        return;
    }
    if (open && !cv.outcome) {
        if (button(ctx, from_start(ctx, row, 0, bw), ctx.tr("ui.counter.app.decide"), cv.reason >= 0 ? Look::Primary : Look::Quiet)) {
            if (cv.reason < 0) {
                cv.message = "error.decision.reason_required";
                cv.message_ok = false;
            } else {
                cv.confirming = true;
                cv.message.clear();
            }
        }
    } else if (!open && !app.history.empty() && !app.history.back().reason.empty() && app.history.back().reason != "reversal" &&
               !(cv.outcome && cv.outcome->reversible_until_ms == 0)) {
        // The services refuse a decision older than the window, or one whose fee was given back.
        if (button(ctx, from_start(ctx, row, 0, bw), ctx.tr("ui.counter.app.reverse"), Look::Secondary))
            start_reverse(ctx);
    }
    if (button(ctx, from_end(ctx, row, 0, bw), ctx.tr("ui.counter.reprint"), Look::Quiet))
        start_reprint(ctx, app.reference);
}

} // namespace nafitha::ui
