// One service: what it is, what to bring, the fee and the expected time; then start the form.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_service(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, s ? s->name.in(ctx.lang) : ctx.tr("ui.service.title"));
    if (!s)
        return;
    float m = margin(ctx);
    Rect c = body.inset(m);
    progress(ctx, Rect{c.x, c.y, c.w, ctx.u(30)}, 0, kFlowSteps);
    float y = c.y + ctx.u(60);
    float bottom_h = ctx.u(150);
    Rect view{c.x, y, c.w, c.y + c.h - bottom_h - ctx.u(30) - y};

    // The content is measured while it is drawn; the scroller keeps last frame's height.
    ctx.scroller.update(ctx.touch, view, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    float yy = view.y - ctx.scroller.offset();
    float pad = ctx.u(30);
    float tw = view.w - 2 * pad;
    // Description card.
    float dh = ctx.labels->draw_wrapped(nullptr, ImVec2(0, 0), tw, s->description.in(ctx.lang), ctx.font(36), p.text,
                                        Align::Start, ctx.lang);
    card(ctx, Rect{view.x, yy, view.w, dh + 2 * pad});
    paragraph(ctx, Rect{view.x + pad, yy + pad, tw, dh}, s->description.in(ctx.lang), ctx.font(36), p.text);
    yy += dh + 2 * pad + ctx.u(24);
    // Fee and time, side by side.
    float half = (view.w - ctx.u(24)) * 0.5f;
    float fh = ctx.u(170);
    Rect row{view.x, yy, view.w, fh};
    auto fact = [&](const Rect& r, const char* icon, std::string_view title, std::string_view value) {
        card(ctx, r);
        float is = ctx.u(64);
        draw_icon(ctx, icon, from_start(ctx, Rect{r.x, r.y + ctx.u(24), r.w, is}, ctx.u(24), is), p.accent);
        Rect t = from_start(ctx, r, ctx.u(110), r.w - ctx.u(130));
        label(ctx, Rect{t.x, r.y + ctx.u(20), t.w, ctx.u(50)}, title, ctx.font(30), p.text_muted);
        label(ctx, Rect{t.x, r.y + ctx.u(80), t.w, ctx.u(64)}, value, ctx.font(42), p.text);
    };
    std::string_view fee =
        s->fee.kind == services::FeeKind::Fixed ? ctx.money(s->fee.amount) : ctx.tr("ui.service.fee_varies");
    std::string_view days = s->processing_days == 0
                           ? ctx.tr("ui.service.same_day")
                           : ctx.count("ui.service.days", s->processing_days);
    fact(from_start(ctx, row, 0, half), "money", ctx.tr("ui.service.fee"), fee);
    fact(from_end(ctx, row, 0, half), "clock", ctx.tr("ui.service.time"), days);
    yy += fh + ctx.u(24);
    // Documents to bring.
    float lh = ctx.u(70);
    float docs_h = ctx.u(90) + static_cast<float>(std::max<size_t>(1, s->documents.size())) * lh + pad;
    card(ctx, Rect{view.x, yy, view.w, docs_h});
    label(ctx, Rect{view.x + pad, yy + ctx.u(20), tw, ctx.u(60)}, ctx.tr("ui.service.documents"), ctx.font(38), p.primary);
    float dy = yy + ctx.u(90);
    if (s->documents.empty()) {
        label(ctx, Rect{view.x + pad, dy, tw, lh}, ctx.tr("ui.service.no_documents"), ctx.font(34), p.text_muted);
    }
    for (const auto& d : s->documents) {
        Rect line{view.x + pad, dy, tw, lh};
        float is = ctx.u(40);
        draw_icon(ctx, "document", from_start(ctx, Rect{line.x, line.y + (lh - is) * 0.5f, line.w, is}, 0, is), p.accent);
        label(ctx, from_start(ctx, line, is + ctx.u(20), line.w - is - ctx.u(20)), d.in(ctx.lang), ctx.font(34), p.text);
        dy += lh;
    }
    yy += docs_h;
    ctx.scroller.measure(yy + ctx.scroller.offset() - view.y);
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();

    bool back = false;
    Rect foot{c.x, c.y + c.h - bottom_h, c.w, bottom_h};
    if (footer_nav(ctx, foot, ctx.tr("ui.service.start"), true, back)) {
        ctx.session.values.clear();
        ctx.session.errors.clear();
        ctx.session.focused_field.clear();
        ctx.go(ScreenId::Form);
    } else if (back) {
        ctx.back();
    }
}


} // namespace nafitha::ui
