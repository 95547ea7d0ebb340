// Out of service: said plainly, with the reasons; no money and no data are taken.

#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_out_of_service(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    fill(ctx, Rect{0, 0, ctx.size.x, ctx.size.y}, p.background);
    float m = margin(ctx);
    float w = ctx.size.x - 2 * m;
    float y = ctx.size.y * 0.18f;
    float is = ctx.u(200);
    Rect icon{(ctx.size.x - is) * 0.5f, y, is, is};
    canvas(ctx)->AddCircleFilled(icon.centre(), is * 0.5f, p.danger);
    draw_icon(ctx, "cross", icon.inset(is * 0.25f), p.on_primary);
    y += is + ctx.u(50);
    // Both languages: the citizen has not chosen one yet. Landscape: side by side, Arabic at the right.
    bool wide = !ctx.portrait();
    float top = y;
    float col_w = wide ? (w - m) * 0.5f : w;
    for (Lang lang : {Lang::Ar, Lang::En}) {
        if (wide) {
            y = top;
            m = lang == Lang::Ar ? margin(ctx) + col_w + margin(ctx) : margin(ctx);
            w = col_w;
        }
        label(ctx, Rect{m, y, w, ctx.u(90)}, ctx.tr_in(lang, "ui.oos.title"), ctx.font(lang == Lang::Ar ? 64 : 48), p.text,
              Align::Center);
        y += ctx.u(lang == Lang::Ar ? 100 : 80);
        for (const std::string& reason : ctx.health.out_of_service) {
            y += paragraph_in(ctx, lang, Rect{m, y, w, ctx.u(100)}, ctx.tr_in(lang, reason), ctx.font(lang == Lang::Ar ? 40 : 34),
                              p.text_muted, Align::Center) + ctx.u(10);
        }
        y += ctx.u(20);
        paragraph_in(ctx, lang, Rect{m, y, w, ctx.u(100)}, ctx.tr_in(lang, "ui.oos.no_money"), ctx.font(lang == Lang::Ar ? 36 : 30),
                     p.danger, Align::Center);
        y += ctx.u(120);
    }

    // Staff can still log in to fix it: a two-second press on the top corner.
    Rect corner{0, 0, ctx.u(200), ctx.u(200)};
    corner = mirror(ctx, corner, Rect{0, 0, ctx.size.x, ctx.size.y});
    if (long_press(ctx, "out_of_service.corner", corner, 2.0)) {
        ctx.mode = Mode::Staff;
        ctx.go(ScreenId::StaffLogin);
    }
}


} // namespace nafitha::ui
