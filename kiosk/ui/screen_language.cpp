// Choose the language (Arabic first), and the reading aids. Both languages are on screen: the citizen has not
// chosen yet.

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
    Rect view = begin_scroll(ctx, body.inset(m));
    float y = view.y - ctx.scroller.offset();
    Lang other = ctx.lang == Lang::Ar ? Lang::En : Lang::Ar;
    float oh = text_h(ctx, ctx.font(40));
    paragraph_in(ctx, other, Rect{view.x, y, view.w, oh}, ctx.tr_in(other, "ui.language.title"), ctx.font(40), p.text_muted,
                 Align::Center);
    y += oh + ctx.u(30);
    float bw = std::min(view.w, ctx.u(820));
    float x = view.x + (view.w - bw) * 0.5f;
    float name_h = text_h(ctx, ctx.font(68)), sub_h = text_h(ctx, ctx.font(32));
    float bh = name_h + sub_h + ctx.u(50);
    bool wide = !ctx.portrait() && view.w >= 2 * ctx.u(700);
    float gap = ctx.u(40);
    auto choice = [&](Lang lang, const Rect& r) {
        bool h = ctx.touch.held(r);
        fill(ctx, r, h ? p.primary_pressed : p.primary, ctx.u(26));
        paragraph_in(ctx, lang, Rect{r.x, r.y + ctx.u(22), r.w, name_h}, ctx.tr_in(lang, "ui.language.self"), ctx.font(68),
                     p.on_primary, Align::Center);
        paragraph_in(ctx, lang, Rect{r.x + ctx.u(16), r.y + ctx.u(22) + name_h, r.w - ctx.u(32), sub_h},
                     ctx.tr_in(lang, "ui.language.continue"), ctx.font(32), p.on_primary, Align::Center);
        ctx.target(ctx.tr_in(lang, "ui.language.self"), r);
        return ctx.touch.tap(r) && view.contains(ctx.touch.pos());
    };
    // Portrait: one above the other; landscape: side by side, Arabic at the start.
    Rect ar_r{x, y, bw, bh}, en_r{x, y + bh + gap, bw, bh};
    if (wide) {
        float w2 = (view.w - gap) * 0.5f;
        Rect row{view.x, y, view.w, bh};
        ar_r = from_start(ctx, row, 0, w2);
        en_r = from_end(ctx, row, 0, w2);
    }
    if (choice(Lang::Ar, ar_r)) {
        ctx.lang = Lang::Ar;
        ctx.go(ScreenId::Categories);
        end_scroll(ctx, view, y);
        return;
    }
    if (choice(Lang::En, en_r)) {
        ctx.lang = Lang::En;
        ctx.go(ScreenId::Categories);
        end_scroll(ctx, view, y);
        return;
    }
    y = en_r.y + bh + ctx.u(60);
    float th = text_h(ctx, ctx.font(40));
    label(ctx, Rect{view.x, y, view.w, th}, ctx.tr("ui.access.title"), ctx.font(40), p.text, Align::Center);
    y += th + ctx.u(20);
    float bh2 = std::max(button_h(ctx), text_h(ctx, ctx.font(40)) + ctx.u(40));
    bool two = bw >= 2 * ctx.u(380);
    float tw = two ? (bw - ctx.u(30)) * 0.5f : bw;
    Rect row{x, y, bw, bh2};
    Rect c_r = two ? from_start(ctx, row, 0, tw) : row;
    Rect t_r = two ? from_end(ctx, row, 0, tw) : Rect{x, y + bh2 + ctx.u(20), bw, bh2};
    if (icon_button(ctx, c_r, "contrast", ctx.tr("ui.access.contrast"), ctx.theme.contrast == Contrast::High ? Look::Primary : Look::Secondary))
        ctx.theme.contrast = ctx.theme.contrast == Contrast::High ? Contrast::Normal : Contrast::High;
    if (icon_button(ctx, t_r, "text_size", ctx.tr("ui.access.large_text"),
                    ctx.theme.text_size == TextSize::Large ? Look::Primary : Look::Secondary))
        ctx.theme.text_size = ctx.theme.text_size == TextSize::Large ? TextSize::Normal : TextSize::Large;
    end_scroll(ctx, view, t_r.y + bh2);
}

} // namespace nafitha::ui
