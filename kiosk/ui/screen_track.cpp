// Track an application: type the reference on the numeric pad, or scan the receipt's QR code. The answer says
// where the application stands (in the colour of its meaning), why (the decision's reason), when it will be
// ready (with the Hijri date), what to bring, and what happens to the fee; a scanned receipt can be printed
// again (marked "copy").

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <cmath>

namespace nafitha::ui {

namespace {

// The answer's card; returns its bottom.
float tracked_card(Ctx& ctx, const Rect& col, float y, const TrackedApplication& a, const Rect& view)
{
    const Palette& p = ctx.pal();
    Session& ses = ctx.session;
    float pad = ctx.u(30);
    float tw = col.w - 2 * pad;
    const services::Service* svc = ctx.catalogue ? ctx.catalogue->service(a.service_code) : nullptr;
    std::string_view service = svc ? svc->name.in(ctx.lang) : std::string_view(a.service_code);
    // Lines of the card: (text, size, colour).
    struct Line {
        std::string_view text;
        float px;
        ImU32 colour;
    };
    Line lines[12];
    size_t n = 0;
    lines[n++] = {service, ctx.font(40), p.text};
    lines[n++] = {a.reference, ctx.font(32), p.text_muted};
    lines[n++] = {ctx.tr(status_key(a.status)), ctx.font(52), status_colour(p, a.status)};
    if (!a.updated_at.empty())
        lines[n++] = {ctx.tr("ui.track.updated", {{"time", ctx.date_time(a.updated_at)}}), ctx.font(30), p.text_muted};
    if (!a.reason_key.empty())
        lines[n++] = {ctx.tr("ui.track.reason", {{"reason", ctx.tr(a.reason_key)}}), ctx.font(34), p.text};
    // The decider's words (or the latest note when there was no decision).
    if (const std::string& words = a.reason_key.empty() ? a.note : a.reason; !words.empty())
        lines[n++] = {ctx.tr("ui.track.note", {{"note", words}}), ctx.font(32), p.text};
    bool finished = a.status == services::AppStatus::Rejected || a.status == services::AppStatus::Delivered;
    if (!a.ready_date.empty() && !finished) {
        lines[n++] = {ctx.tr(a.status == services::AppStatus::Ready ? "ui.track.ready_since" : "ui.track.ready_on",
                             {{"date", ctx.date_long(a.ready_date)}}),
                      ctx.font(34), p.text};
        lines[n++] = {ctx.tr("ui.done.ready_hijri", {{"date", ctx.hijri(a.ready_date)}}), ctx.font(30), p.text_muted};
    }
    // The fee: kept, refunded (how much), or nothing was paid.
    if (a.fee_outcome == "refunded")
        lines[n++] = {ctx.tr("ui.track.fee_refunded", {{"amount", ctx.money(a.refunded_minor)}}), ctx.font(32), p.text};
    else if (a.fee_outcome == "kept" && a.status == services::AppStatus::Rejected)
        lines[n++] = {ctx.tr("ui.track.fee_kept_rejected", {{"amount", ctx.money(a.paid_minor)}}), ctx.font(32), p.text};
    else if (a.fee_outcome == "kept")
        lines[n++] = {ctx.tr("ui.track.fee_kept", {{"amount", ctx.money(a.paid_minor)}}), ctx.font(32), p.text};
    else if (a.fee_outcome == "none")
        lines[n++] = {ctx.tr("ui.track.fee_none"), ctx.font(32), p.text_muted};
    float h = pad;
    for (size_t i = 0; i < n; ++i)
        h += paragraph_height(ctx, tw, lines[i].text, lines[i].px) + ctx.u(10);
    // What to bring: the service's documents, when the citizen still has to come.
    bool bring = svc && !svc->documents.empty() && (a.status == services::AppStatus::Ready || a.status == services::AppStatus::Approved);
    float bring_title_h = bring ? text_h(ctx, ctx.font(34)) + ctx.u(6) : 0;
    if (bring) {
        h += bring_title_h;
        for (const auto& d : svc->documents)
            h += paragraph_height(ctx, tw - ctx.u(40), d.in(ctx.lang), ctx.font(32)) + ctx.u(6);
    }
    h += pad;
    card(ctx, Rect{col.x, y, col.w, h});
    float ly = y + pad;
    for (size_t i = 0; i < n; ++i) {
        float lh = paragraph_height(ctx, tw, lines[i].text, lines[i].px);
        paragraph(ctx, Rect{col.x + pad, ly, tw, lh}, lines[i].text, lines[i].px, lines[i].colour);
        ly += lh + ctx.u(10);
    }
    if (bring) {
        label(ctx, Rect{col.x + pad, ly, tw, bring_title_h - ctx.u(6)}, ctx.tr("ui.track.bring"), ctx.font(34), p.primary);
        ly += bring_title_h;
        for (const auto& d : svc->documents) {
            float dh = paragraph_height(ctx, tw - ctx.u(40), d.in(ctx.lang), ctx.font(32));
            Rect line = from_start(ctx, Rect{col.x + pad, ly, tw, dh}, ctx.u(40), tw - ctx.u(40));
            draw_icon(ctx, "document", from_start(ctx, Rect{col.x + pad, ly + ctx.u(4), tw, ctx.u(30)}, 0, ctx.u(30)), p.primary);
            paragraph(ctx, line, d.in(ctx.lang), ctx.font(32), p.text);
            ly += dh + ctx.u(6);
        }
    }
    y += h + ctx.u(20);
    // A receipt that was scanned (signed, so the citizen holds it) can be printed again, once a visit.
    if (a.from_receipt) {
        float bh = button_h(ctx);
        if (ses.reprints == 0) {
            if (icon_button(ctx, Rect{col.x, y, col.w, bh}, "printer", ctx.tr("ui.done.reprint"), Look::Secondary) &&
                view.contains(ctx.touch.pos()))
                start_receipt_copy(ctx, a.reference);
            y += bh + ctx.u(16);
        } else if (!ses.reprint_message.empty()) {
            float mh = paragraph_height(ctx, col.w, ctx.tr(ses.reprint_message), ctx.font(32));
            paragraph(ctx, Rect{col.x, y, col.w, mh}, ctx.tr(ses.reprint_message), ctx.font(32),
                      ses.reprint_message == "ui.reprint.done" ? p.text : p.danger);
            y += mh + ctx.u(16);
        }
    }
    return y;
}

} // namespace

void draw_track(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.track.title"));
    Session& ses = ctx.session;
    float m = margin(ctx);
    Rect c = body.inset(m);
    bool pad_up = ses.track_editing || !ses.tracked;
    bool wide = !ctx.portrait();
    // The numeric pad: the lower part in portrait, the end side in landscape.
    float kb_h = pad_up ? std::min(ctx.size.y * 0.36f, ctx.u(600)) : 0;
    Rect kb{0, ctx.size.y - kb_h, ctx.size.x, kb_h};
    if (wide && pad_up) {
        kb = from_end(ctx, Rect{0, body.y, ctx.size.x, body.h}, 0, ctx.size.x * 0.4f);
        c = from_start(ctx, c, 0, ctx.size.x * 0.6f - 2 * m);
    } else if (pad_up) {
        c.h -= kb_h;
    }
    float y = c.y;
    float ph = paragraph_height(ctx, c.w, ctx.tr("ui.track.prompt"), ctx.font(36));
    paragraph(ctx, Rect{c.x, y, c.w, ph}, ctx.tr("ui.track.prompt"), ctx.font(36), p.text);
    y += ph + ctx.u(16);
    // The row on whole pixels: outlines there give the same picture whatever the arithmetic's last bits.
    y = std::round(y);
    float fh = std::round(std::max({ctx.u(110), touch_min(ctx), text_h(ctx, ctx.font(40)) + ctx.u(24)}));
    float gap = ctx.u(20);
    // The scan button as wide as its label needs (large text), up to half the row.
    float scan_need = ctx.labels->measure(ctx.tr("ui.track.scan"), ctx.font(40)).x + ctx.u(24) * 3 + std::min(fh * 0.55f, ctx.u(64)) + ctx.u(12);
    float scan_w = std::round(std::min(c.w * 0.5f, std::max(ctx.u(320), scan_need))); // whole pixels: stable icon outlines
    Rect row{c.x, y, c.w, fh};
    Rect field = from_start(ctx, row, 0, c.w - scan_w - gap);
    EditState& st = ses.edits["track"];
    ctx.target(ctx.tr("ui.track.field"), field);
    if (text_field(ctx, field, ses.track_input, st, pad_up, !ses.track_error.empty()))
        ses.track_editing = true;
    if (icon_button(ctx, from_end(ctx, row, 0, scan_w), "qr", ctx.tr("ui.track.scan"), Look::Secondary)) {
        start_scan(ctx);
        return;
    }
    y += fh + ctx.u(24);

    Rect view = begin_scroll(ctx, Rect{c.x, y, c.w, c.y + c.h - y - ctx.u(10)});
    float vy = view.y - ctx.scroller.offset();
    if (!ses.track_error.empty()) {
        std::string_view msg = ctx.tr(ses.track_error);
        float eh = error_banner_h(ctx, view.w, msg);
        error_banner(ctx, Rect{view.x, vy, view.w, eh}, msg);
        vy += eh + ctx.u(20);
    } else if (ses.tracked) {
        vy = tracked_card(ctx, view, vy, *ses.tracked, view);
    }
    end_scroll(ctx, view, vy);

    if (!pad_up)
        return;
    KeyEvent ev = draw_keyboard(ctx, kb, true);
    if (ev.kind == KeyEvent::Kind::Done) {
        if (!ses.track_input.empty())
            start_track(ctx);
    } else if (ev.kind != KeyEvent::Kind::None) {
        apply_key(ctx, ev, ses.track_input, st, 20);
        // References are TTTT-NNNNNN-C: the dashes appear by themselves.
        size_t digits = 0;
        for (char ch : ses.track_input) {
            if (ch != '-')
                ++digits;
        }
        if (ev.kind == KeyEvent::Kind::Insert && (digits == 4 || digits == 10) && ses.track_input.back() != '-' &&
            ses.track_input.find_first_not_of("0123456789-") == std::string::npos) {
            ses.track_input += '-';
            st.caret = st.anchor = ses.track_input.size();
        }
        ses.track_error.clear();
        ses.tracked.reset();
    }
}

} // namespace nafitha::ui
