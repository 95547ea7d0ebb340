// One service: what it is, the fee and the expected time, what to bring; then start the form. The page scrolls
// (with a cue) when it is longer than the screen.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

// A fact card: an icon, its title and its value (wrapped). Returns the card's height for `w`.
float fact_height(Ctx& ctx, float w, std::string_view title, std::string_view value)
{
    float tw = w - ctx.u(130);
    return ctx.u(20) + paragraph_height(ctx, tw, title, ctx.font(30)) + ctx.u(8) + paragraph_height(ctx, tw, value, ctx.font(42)) +
           ctx.u(24);
}

void fact(Ctx& ctx, const Rect& r, const char* icon, std::string_view title, std::string_view value)
{
    const Palette& p = ctx.pal();
    card(ctx, r);
    float is = ctx.u(64);
    draw_icon(ctx, icon, from_start(ctx, Rect{r.x, r.y + ctx.u(24), r.w, is}, ctx.u(24), is), p.primary);
    Rect t = from_start(ctx, r, ctx.u(110), r.w - ctx.u(130));
    float th = paragraph_height(ctx, t.w, title, ctx.font(30));
    paragraph(ctx, Rect{t.x, r.y + ctx.u(20), t.w, th}, title, ctx.font(30), p.text_muted);
    paragraph(ctx, Rect{t.x, r.y + ctx.u(28) + th, t.w, r.h - th - ctx.u(52)}, value, ctx.font(42), p.text);
}

} // namespace

void draw_service(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, s ? s->name.in(ctx.lang) : ctx.tr("ui.service.title"));
    if (!s)
        return;
    auto [c, foot, area] = step_frame(ctx, body, 0);

    Rect view = begin_scroll(ctx, area);
    float y = view.y - ctx.scroller.offset();
    float pad = ctx.u(30);
    float tw = view.w - 2 * pad;
    // What the service is.
    float dh = paragraph_height(ctx, tw, s->description.in(ctx.lang), ctx.font(36));
    card(ctx, Rect{view.x, y, view.w, dh + 2 * pad});
    paragraph(ctx, Rect{view.x + pad, y + pad, tw, dh}, s->description.in(ctx.lang), ctx.font(36), p.text);
    y += dh + 2 * pad + ctx.u(24);
    // The fee and the time: side by side when both fit, else one above the other.
    std::string_view fee = s->fee.kind == services::FeeKind::Fixed ? ctx.money(s->fee.amount) : ctx.tr("ui.service.fee_varies");
    std::string_view days = s->processing_days == 0 ? ctx.tr("ui.service.same_day") : ctx.count("ui.service.days", s->processing_days);
    float gap = ctx.u(24);
    float half = (view.w - gap) * 0.5f;
    bool side = ctx.labels->measure(fee, ctx.font(42)).x <= half - ctx.u(130) &&
                ctx.labels->measure(days, ctx.font(42)).x <= half - ctx.u(130);
    float fw = side ? half : view.w;
    float fh = std::max(fact_height(ctx, fw, ctx.tr("ui.service.fee"), fee), fact_height(ctx, fw, ctx.tr("ui.service.time"), days));
    Rect row{view.x, y, view.w, fh};
    fact(ctx, side ? from_start(ctx, row, 0, half) : row, "money", ctx.tr("ui.service.fee"), fee);
    if (!side) {
        y += fh + gap;
        row.y = y;
    }
    fact(ctx, side ? from_end(ctx, row, 0, half) : row, "clock", ctx.tr("ui.service.time"), days);
    y += fh + gap;
    // What to bring.
    float lh = std::max(ctx.u(70), text_h(ctx, ctx.font(34)) + ctx.u(12));
    float title_h = text_h(ctx, ctx.font(38));
    float is = ctx.u(40);
    float docs_h = pad + title_h + ctx.u(12);
    for (const auto& d : s->documents)
        docs_h += std::max(lh, paragraph_height(ctx, tw - is - ctx.u(20), d.in(ctx.lang), ctx.font(34)) + ctx.u(12));
    if (s->documents.empty())
        docs_h += lh;
    docs_h += pad;
    card(ctx, Rect{view.x, y, view.w, docs_h});
    label(ctx, Rect{view.x + pad, y + pad, tw, title_h}, ctx.tr("ui.service.documents"), ctx.font(38), p.primary);
    float dy = y + pad + title_h + ctx.u(12);
    if (s->documents.empty())
        label(ctx, Rect{view.x + pad, dy, tw, lh}, ctx.tr("ui.service.no_documents"), ctx.font(34), p.text_muted);
    for (const auto& d : s->documents) {
        float h = std::max(lh, paragraph_height(ctx, tw - is - ctx.u(20), d.in(ctx.lang), ctx.font(34)) + ctx.u(12));
        Rect line{view.x + pad, dy, tw, h};
        draw_icon(ctx, "document", from_start(ctx, Rect{line.x, line.y + (lh - is) * 0.5f, line.w, is}, 0, is), p.primary);
        Rect t = from_start(ctx, line, is + ctx.u(20), line.w - is - ctx.u(20));
        paragraph(ctx, Rect{t.x, dy + ctx.u(6), t.w, h - ctx.u(12)}, d.in(ctx.lang), ctx.font(34), p.text);
        dy += h;
    }
    y += docs_h;
    end_scroll(ctx, view, y);

    bool back = false;
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
