// Track an application: type the reference on the numeric pad, or scan the receipt's QR code.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_track(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.track.title"));
    Session& ses = ctx.session;
    float m = margin(ctx);
    Rect c = body.inset(m);
    bool wide = !ctx.portrait();
    if (wide)
        c = from_start(ctx, c, 0, c.w * 0.55f);
    float y = c.y;
    label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.track.prompt"), ctx.font(38), p.text);
    y += ctx.u(80);
    float fh = std::max(ctx.u(120), touch_min(ctx));
    float gap = ctx.u(20);
    float scan_w = ctx.u(300);
    Rect row{c.x, y, c.w, fh};
    Rect field = from_start(ctx, row, 0, c.w - scan_w - gap);
    EditState& st = ses.edits["track"];
    text_field(ctx, field, ses.track_input, st, true, !ses.track_error.empty());
    if (icon_button(ctx, from_end(ctx, row, 0, scan_w), "qr", ctx.tr("ui.track.scan"), Look::Secondary)) {
        start_scan(ctx);
        return;
    }
    y += fh + ctx.u(30);

    if (!ses.track_error.empty()) {
        error_banner(ctx, Rect{c.x, y, c.w, ctx.u(100)}, ctx.tr(ses.track_error));
        y += ctx.u(120);
    } else if (ses.tracked) {
        const TrackedApplication& a = *ses.tracked;
        float ch = ctx.u(300);
        card(ctx, Rect{c.x, y, c.w, ch});
        float pad = ctx.u(30);
        std::string_view service = a.service_code;
        if (ctx.catalogue) {
            if (const auto* s = ctx.catalogue->service(a.service_code))
                service = s->name.in(ctx.lang);
        }
        label(ctx, Rect{c.x + pad, y + pad, c.w - 2 * pad, ctx.u(60)}, service, ctx.font(40), p.text);
        label(ctx, Rect{c.x + pad, y + pad + ctx.u(70), c.w - 2 * pad, ctx.u(50)}, a.reference, ctx.font(34), p.text_muted);
        std::string_view status = ctx.tr(status_key(a.status));
        label(ctx, Rect{c.x + pad, y + pad + ctx.u(140), c.w - 2 * pad, ctx.u(70)}, status, ctx.font(52), p.primary);
        if (!a.note.empty())
            label(ctx, Rect{c.x + pad, y + pad + ctx.u(210), c.w - 2 * pad, ctx.u(50)}, a.note, ctx.font(30), p.text_muted);
        y += ch + ctx.u(20);
    }

    // The numeric pad takes the lower part of the screen.
    float kb_h = std::min(ctx.size.y * 0.38f, ctx.u(600));
    Rect kb{0, ctx.size.y - kb_h, ctx.size.x, kb_h};
    if (wide)
        kb = from_end(ctx, Rect{0, body.y, ctx.size.x, body.h}, 0, ctx.size.x * 0.4f);
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
        if (ev.kind == KeyEvent::Kind::Insert && (digits == 4 || digits == 10) &&
            ses.track_input.back() != '-' && ses.track_input.find_first_not_of("0123456789-") == std::string::npos) {
            ses.track_input += '-';
            st.caret = st.anchor = ses.track_input.size();
        }
        ses.track_error.clear();
        ses.tracked.reset();
    }
}


} // namespace nafitha::ui
