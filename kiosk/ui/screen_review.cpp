// Review: every answer and the fee, before paying.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_review(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, ctx.tr("ui.review.title"));
    if (!s)
        return;
    Session& ses = ctx.session;
    float m = margin(ctx);
    Rect c = body.inset(m);
    progress(ctx, Rect{c.x, c.y, c.w, ctx.u(30)}, 2, kFlowSteps);
    float foot_h = ctx.u(150);
    Rect foot{c.x, c.y + c.h - foot_h, c.w, foot_h};
    Rect view{c.x, c.y + ctx.u(50), c.w, foot.y - ctx.u(30) - (c.y + ctx.u(50))};

    const services::Assessment& q = current_quote(ctx);
    const services::Validation& v = q.validation;
    const Result<services::Fee>& fee = q.fee;

    ctx.scroller.update(ctx.touch, view, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    float y = view.y - ctx.scroller.offset();
    float pad = ctx.u(30);
    label(ctx, Rect{view.x, y, view.w, ctx.u(60)}, s->name.in(ctx.lang), ctx.font(44), p.primary);
    y += ctx.u(80);
    float row_h = ctx.u(100);
    float answers_h = static_cast<float>(s->form.size()) * row_h + 2 * pad;
    card(ctx, Rect{view.x, y, view.w, answers_h});
    float ry = y + pad;
    for (const auto& f : s->form) {
        Rect row{view.x + pad, ry, view.w - 2 * pad, row_h};
        float lw = row.w * 0.42f;
        label(ctx, from_start(ctx, row, 0, lw), f.label.in(ctx.lang), ctx.font(32), p.text_muted);
        auto it = ses.values.find(f.name);
        std::string_view value = it == ses.values.end() || it->second.empty() ? ctx.tr("ui.review.empty")
                                                                               : field_display(ctx, f, it->second);
        label(ctx, from_end(ctx, row, 0, row.w - lw - ctx.u(20)), value, ctx.font(38), p.text, Align::Start);
        canvas(ctx)->AddLine(ImVec2(row.x, row.y + row.h - 1), ImVec2(row.x + row.w, row.y + row.h - 1), p.border, 1);
        ry += row_h;
    }
    y += answers_h + ctx.u(24);
    if (fee.ok()) {
        float lines_h = static_cast<float>(fee->lines.size() + 1) * ctx.u(80) + 2 * pad;
        card(ctx, Rect{view.x, y, view.w, lines_h});
        float fy = y + pad;
        for (const auto& line : fee->lines) {
            Rect row{view.x + pad, fy, view.w - 2 * pad, ctx.u(80)};
            label(ctx, row, line.label.in(ctx.lang), ctx.font(34), p.text, Align::Start);
            label(ctx, row, ctx.money(line.amount), ctx.font(34), p.text, Align::End);
            fy += ctx.u(80);
        }
        Rect total{view.x + pad, fy, view.w - 2 * pad, ctx.u(80)};
        label(ctx, total, ctx.tr("ui.review.total"), ctx.font(40), p.primary, Align::Start);
        label(ctx, total, ctx.money(fee->total), ctx.font(44), p.primary, Align::End);
        y += lines_h;
    } else {
        error_banner(ctx, Rect{view.x, y, view.w, ctx.u(90)}, ctx.message(fee.error()));
        y += ctx.u(90);
    }
    ctx.scroller.measure(y + ctx.scroller.offset() - view.y);
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();

    bool back = false;
    if (footer_nav(ctx, foot, ctx.tr("ui.review.pay"), v.ok() && fee.ok(), back))
        ctx.go(ScreenId::Payment);
    else if (back)
        ctx.back();
}


} // namespace nafitha::ui
