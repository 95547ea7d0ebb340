// Choose the language (Arabic first), and the accessibility options.

#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_language(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr_in(ctx.lang, "ui.language.title"));
    float m = margin(ctx);
    Rect c = body.inset(m);
    // The other language's title too: the citizen has not chosen yet.
    Lang other = ctx.lang == Lang::Ar ? Lang::En : Lang::Ar;
    label(ctx, Rect{c.x, c.y, c.w, ctx.u(60)}, ctx.tr_in(other, "ui.language.title"), ctx.font(40), p.text_muted, Align::Center);
    float bw = std::min(c.w, ctx.u(820));
    float bh = ctx.u(200);
    float x = c.x + (c.w - bw) * 0.5f;
    float y = c.y + ctx.u(60);
    auto choice = [&](Lang lang, const char* sub_key) {
        Rect r{x, y, bw, bh};
        bool h = ctx.touch.held(r);
        fill(ctx, r, h ? p.primary_pressed : p.primary, ctx.u(26));
        label(ctx, Rect{r.x, r.y + ctx.u(30), r.w, ctx.u(90)}, ctx.tr_in(lang, "ui.language.self"), ctx.font(72),
              p.on_primary, Align::Center);
        label(ctx, Rect{r.x, r.y + ctx.u(130), r.w, ctx.u(50)}, ctx.tr_in(lang, sub_key), ctx.font(32), p.on_primary,
              Align::Center);
        y += bh + ctx.u(40);
        ctx.target(ctx.tr_in(lang, "ui.language.self"), r);
        return ctx.touch.tap(r);
    };
    if (choice(Lang::Ar, "ui.language.continue")) {
        ctx.lang = Lang::Ar;
        ctx.go(ScreenId::Categories);
        return;
    }
    if (choice(Lang::En, "ui.language.continue")) {
        ctx.lang = Lang::En;
        ctx.go(ScreenId::Categories);
        return;
    }
    y += ctx.u(30);
    label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.access.title"), ctx.font(40), p.text, Align::Center);
    y += ctx.u(80);
    float tw = (bw - ctx.u(30)) * 0.5f;
    Rect row{x, y, bw, ctx.u(130)};
    if (icon_button(ctx, from_start(ctx, row, 0, tw), "contrast", ctx.tr("ui.access.contrast"),
                    ctx.theme.contrast == Contrast::High ? Look::Primary : Look::Secondary))
        ctx.theme.contrast = ctx.theme.contrast == Contrast::High ? Contrast::Normal : Contrast::High;
    if (icon_button(ctx, from_end(ctx, row, 0, tw), "text_size", ctx.tr("ui.access.large_text"),
                    ctx.theme.text_size == TextSize::Large ? Look::Primary : Look::Secondary))
        ctx.theme.text_size = ctx.theme.text_size == TextSize::Large ? TextSize::Normal : TextSize::Large;
}

} // namespace nafitha::ui
