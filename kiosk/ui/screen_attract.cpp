// The attract screen: what a passer-by sees. Arabic first with English beneath; start, one-tap queue ticket,
// tracking. A two-second press on the emblem opens the staff login.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <cmath>

namespace nafitha::ui {

void draw_attract(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    fill(ctx, Rect{0, 0, ctx.size.x, ctx.size.y}, p.header);
    float m = margin(ctx);
    float w = ctx.size.x - 2 * m;
    float cx = ctx.size.x * 0.5f;

    // The emblem: a window of four panes. Held for two seconds, it opens the staff login.
    float es = ctx.u(ctx.portrait() ? 220 : 170);
    Rect emblem{cx - es * 0.5f, ctx.size.y * (ctx.portrait() ? 0.2f : 0.08f), es, es};
    fill(ctx, emblem, p.on_header, es * 0.12f);
    float pane = es * 0.36f, g = es * 0.09f;
    for (int i = 0; i < 4; ++i) {
        float px = emblem.x + g + static_cast<float>(i % 2) * (pane + g);
        float py = emblem.y + g + static_cast<float>(i / 2) * (pane + g);
        fill(ctx, Rect{px, py, pane, pane}, p.header, es * 0.04f);
    }
    if (long_press(ctx, "attract.emblem", emblem, 2.0)) {
        ctx.mode = Mode::Staff;
        ctx.go(ScreenId::StaffLogin);
        return;
    }

    float y = emblem.y + es + ctx.u(40);
    label(ctx, Rect{m, y, w, ctx.u(130)}, ctx.tr_in(Lang::Ar, "app.name"), ctx.font(110), p.on_header, Align::Center);
    y += ctx.u(150);
    label(ctx, Rect{m, y, w, ctx.u(60)}, ctx.tr_in(Lang::Ar, "ui.attract.tagline"), ctx.font(46), p.on_header, Align::Center);
    y += ctx.u(64);
    label(ctx, Rect{m, y, w, ctx.u(50)}, ctx.tr_in(Lang::En, "ui.attract.tagline"), ctx.font(36), p.on_header, Align::Center);
    y += ctx.u(100);

    // The start button pulses gently to invite a touch.
    float bw = std::min(w, ctx.u(820));
    float bh = ctx.u(170);
    Rect start{cx - bw * 0.5f, y, bw, bh};
    float pulse = 0.5f + 0.5f * static_cast<float>(std::sin(ctx.now * 2.5));
    fill(ctx, start.inset(-ctx.u(10) * pulse), p.accent, ctx.u(30));
    bool held = ctx.touch.held(start);
    fill(ctx, start, held ? p.surface_pressed : p.surface, ctx.u(26));
    label(ctx, Rect{start.x, start.y + ctx.u(18), start.w, ctx.u(80)}, ctx.tr_in(Lang::Ar, "ui.attract.start"), ctx.font(60),
          p.primary, Align::Center);
    label(ctx, Rect{start.x, start.y + ctx.u(100), start.w, ctx.u(50)}, ctx.tr_in(Lang::En, "ui.attract.start"),
          ctx.font(36), p.primary, Align::Center);
    ctx.target(ctx.tr_in(Lang::Ar, "ui.attract.start"), start);
    ctx.target(ctx.tr_in(Lang::En, "ui.attract.start"), start);
    if (ctx.touch.tap(start)) {
        ctx.session.wipe();
        ctx.go(ScreenId::Language);
        return;
    }
    y += bh + ctx.u(60);

    // Two quick actions side by side: a queue ticket in one tap, and tracking.
    float gap = ctx.u(30);
    float qw = std::min((w - gap) * 0.5f, ctx.u(520));
    float qh = ctx.u(150);
    Rect row{cx - qw - gap * 0.5f, y, 2 * qw + gap, qh};
    Rect ticket_r = from_start(ctx, row, 0, qw);
    Rect track_r = from_end(ctx, row, 0, qw);
    auto quick = [&](const Rect& r, const char* icon, const char* key) {
        bool h = ctx.touch.held(r);
        fill(ctx, r, h ? p.primary_pressed : p.header, ctx.u(22));
        outline(ctx, r, p.on_header, ctx.u(22), ctx.u(3));
        float is = ctx.u(56);
        draw_icon(ctx, icon, Rect{r.x + (r.w - is) * 0.5f, r.y + ctx.u(14), is, is}, p.on_header);
        label(ctx, Rect{r.x, r.y + ctx.u(74), r.w, ctx.u(40)}, ctx.tr_in(Lang::Ar, key), ctx.font(36), p.on_header,
              Align::Center);
        label(ctx, Rect{r.x, r.y + ctx.u(112), r.w, ctx.u(30)}, ctx.tr_in(Lang::En, key), ctx.font(26), p.on_header,
              Align::Center);
        ctx.target(ctx.tr_in(Lang::Ar, key), r);
        ctx.target(ctx.tr_in(Lang::En, key), r);
        return ctx.touch.tap(r);
    };
    if (quick(ticket_r, "ticket", "ui.attract.ticket")) {
        ctx.session.wipe();
        start_ticket(ctx);
        return;
    }
    if (quick(track_r, "search", "ui.attract.track")) {
        ctx.session.wipe();
        ctx.keyboard.reset_for(true, true);
        ctx.go(ScreenId::Track);
        return;
    }

    // Accessibility, bottom corners: high contrast and large text.
    float ab = std::max(touch_min(ctx), ctx.u(110));
    Rect bottom{m, ctx.size.y - m - ab, w, ab};
    Rect contrast_r = from_start(ctx, bottom, 0, ab);
    Rect size_r = from_start(ctx, bottom, ab + gap, ab);
    auto toggle = [&](const Rect& r, const char* icon, bool on) {
        bool h = ctx.touch.held(r);
        fill(ctx, r, on || h ? p.accent : p.header, ab * 0.5f);
        outline(ctx, r, p.on_header, ab * 0.5f, ctx.u(3));
        draw_icon(ctx, icon, r.inset(ab * 0.22f), p.on_header);
        return ctx.touch.tap(r);
    };
    if (toggle(contrast_r, "contrast", ctx.theme.contrast == Contrast::High))
        ctx.theme.contrast = ctx.theme.contrast == Contrast::High ? Contrast::Normal : Contrast::High;
    if (toggle(size_r, "text_size", ctx.theme.text_size == TextSize::Large))
        ctx.theme.text_size = ctx.theme.text_size == TextSize::Large ? TextSize::Normal : TextSize::Large;
    Rect hint = from_end(ctx, bottom, 0, w - 2 * (ab + gap));
    label(ctx, hint, ctx.tr_in(ctx.lang, "ui.attract.privacy"), ctx.font(26), p.on_header, Align::End);
}

} // namespace nafitha::ui
