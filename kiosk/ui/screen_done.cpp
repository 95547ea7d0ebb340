// Done: the reference number (committed before it is shown), what was paid and the change, the expected day
// with its Hijri date, the receipt and a copy of it, the queue ticket when a counter visit is needed, then the
// one-tap survey or finish.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_done(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.done.title"), false);
    Session& ses = ctx.session;
    if (!ses.submission)
        return;
    const Submitted& done = *ses.submission;
    const services::Application& app = done.submission.application;
    auto [c, foot, area] = step_frame(ctx, body, 4);
    Rect view = begin_scroll(ctx, area);
    float top = view.y - ctx.scroller.offset();
    // Landscape: the reference on the start half, the details on the end half.
    bool wide = !ctx.portrait();
    Rect col = wide ? from_start(ctx, Rect{view.x, top, view.w, view.h}, 0, view.w * 0.5f - ctx.u(20)) : Rect{view.x, top, view.w, view.h};
    float y = top + ctx.u(10);
    float is = ctx.u(120);
    Rect ok{col.x + (col.w - is) * 0.5f, y, is, is};
    canvas(ctx)->AddCircleFilled(ok.centre(), is * 0.5f, p.success);
    draw_icon(ctx, "check", ok.inset(is * 0.2f), p.on_primary);
    y += is + ctx.u(20);
    float th = paragraph_height(ctx, col.w, ctx.tr("ui.done.thanks"), ctx.font(46));
    paragraph(ctx, Rect{col.x, y, col.w, th}, ctx.tr("ui.done.thanks"), ctx.font(46), p.text, Align::Center);
    y += th + ctx.u(24);
    float rt_h = text_h(ctx, ctx.font(34)), ref_h = text_h(ctx, ctx.font(76));
    float ch = ctx.u(20) + rt_h + ref_h + ctx.u(20);
    card(ctx, Rect{col.x, y, col.w, ch});
    label(ctx, Rect{col.x, y + ctx.u(20), col.w, rt_h}, ctx.tr("ui.done.reference"), ctx.font(34), p.text_muted, Align::Center);
    // Reference numbers stay in Western digits: they are printed, scanned and read out that way.
    label(ctx, Rect{col.x + ctx.u(16), y + ctx.u(20) + rt_h, col.w - ctx.u(32), ref_h}, app.reference, ctx.font(76), p.primary,
          Align::Center);
    y += ch + ctx.u(24);
    float left_bottom = y;
    if (wide) {
        col = from_end(ctx, Rect{view.x, top, view.w, view.h}, 0, view.w * 0.5f - ctx.u(20));
        y = top + ctx.u(10);
    }

    float line_px = ctx.font(36);
    float icon = ctx.u(50);
    auto line = [&](const char* name, std::string_view text, ImU32 colour) {
        Rect t = from_start(ctx, Rect{col.x, y, col.w, 1}, icon + ctx.u(20), col.w - icon - ctx.u(20));
        float h = std::max(icon, paragraph_height(ctx, t.w, text, line_px));
        draw_icon(ctx, name, from_start(ctx, Rect{col.x, y, col.w, icon}, 0, icon), colour);
        paragraph(ctx, Rect{t.x, y, t.w, h}, text, line_px, colour);
        y += h + ctx.u(18);
    };
    int64_t change = done.submission.payment ? done.submission.payment->change_minor : 0;
    line("money", ctx.tr("ui.done.paid", {{"amount", ctx.money(app.paid_minor)}}), p.text);
    if (change > 0)
        line("cash", ctx.tr("ui.done.change_given", {{"amount", ctx.money(change)}}), p.text);
    if (!app.expected_ready.empty()) {
        line("clock", ctx.tr("ui.done.ready", {{"date", ctx.date_long(app.expected_ready)}}), p.text);
        line("calendar", ctx.tr("ui.done.ready_hijri", {{"date", ctx.hijri(app.expected_ready)}}), p.text_muted);
    }
    if (done.receipt.queued)
        line("printer", ctx.tr("ui.done.receipt_printed"), p.text);
    else
        line("printer", ctx.tr(done.receipt.error.empty() ? std::string_view("ui.done.receipt_failed") : done.receipt.error), p.danger);
    if (done.submission.ticket) {
        float tt_h = text_h(ctx, ctx.font(32)), tn_h = text_h(ctx, ctx.font(68));
        float tch = ctx.u(16) + tt_h + tn_h + ctx.u(16);
        card(ctx, Rect{col.x, y, col.w, tch});
        label(ctx, Rect{col.x, y + ctx.u(16), col.w, tt_h}, ctx.tr("ui.done.ticket"), ctx.font(32), p.text_muted, Align::Center);
        label(ctx, Rect{col.x, y + ctx.u(16) + tt_h, col.w, tn_h}, done.submission.ticket->number, ctx.font(68), p.primary, Align::Center);
        y += tch + ctx.u(20);
    }
    // A copy of the receipt (once a visit; it says "copy" on the paper).
    float bh = button_h(ctx);
    if (ses.reprints == 0) {
        if (icon_button(ctx, Rect{col.x, y, col.w, bh}, "printer", ctx.tr("ui.done.reprint"), Look::Secondary) &&
            view.contains(ctx.touch.pos())) {
            start_receipt_copy(ctx, app.reference);
        }
        y += bh + ctx.u(16);
    } else if (!ses.reprint_message.empty()) {
        line("printer", ctx.tr(ses.reprint_message), ses.reprint_message == "ui.reprint.done" ? p.text : p.danger);
    }
    end_scroll(ctx, view, std::max(y, left_bottom));

    float gap = ctx.u(24);
    float half = (c.w - gap) * 0.5f;
    if (button(ctx, from_start(ctx, foot, 0, half), ctx.tr("ui.done.survey"), Look::Primary)) {
        ctx.go(ScreenId::Survey);
        return;
    }
    if (button(ctx, from_end(ctx, foot, 0, half), ctx.tr("ui.done.finish"), Look::Secondary))
        ctx.end_visit();
}

} // namespace nafitha::ui
