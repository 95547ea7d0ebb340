// Counter: the cash drawer. The opening float, cash put in and taken out, the day's numbers, and the Z report:
// the supervisor counts the cash and declares it; the difference against the computed drawer is journalled
// and the report printed through kiosk/documents (the same report nafitha-ctl prints).

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_counter_drawer(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.counter.drawer.title"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx) * 0.6f;
    Rect c = area.inset(m);
    CounterView& cv = ctx.counter;
    float half = (c.w - m) * 0.5f;
    Rect left = from_start(ctx, c, 0, half);
    Rect right = from_end(ctx, c, 0, half);
    if (ctx.portrait()) {
        left = Rect{c.x, c.y, c.w, (c.h - m) * 0.5f};
        right = Rect{c.x, left.y + left.h + m, c.w, c.h - left.h - m};
    }
    float gap = ctx.u(14);
    float bh = std::max(ctx.u(70), touch_min(ctx) * 0.9f);

    // Start side: the day's numbers.
    card(ctx, left);
    Rect in = left.inset(ctx.u(22));
    float y = in.y;
    if (!cv.totals) {
        label(ctx, Rect{in.x, y, in.w, ctx.u(60)}, ctx.tr("ui.busy.loading"), ctx.font(30), p.text_muted, Align::Center);
    } else {
        const services::DayTotals& t = *cv.totals;
        label(ctx, Rect{in.x, y, in.w, ctx.u(54)}, ctx.tr("ui.staff.payments.day", {{"day", ctx.date(t.day)}}),
              ctx.font(32), p.text);
        y += ctx.u(62);
        struct Line {
            const char* key;
            std::string_view value;
            bool strong;
        };
        const Line lines[] = {{"ui.counter.drawer.float", ctx.money(t.opening_float_minor), false},
                              {"ui.staff.payments.cash", ctx.money(t.cash_minor), false},
                              {"ui.counter.drawer.cash_in", ctx.money(t.cash_in_minor), false},
                              {"ui.counter.drawer.cash_out", ctx.money(t.cash_out_minor), false},
                              {"ui.counter.drawer.refunded", ctx.money(t.refunded_cash_minor), false},
                              {"ui.counter.drawer.expected", ctx.money(t.expected_cash_minor), true},
                              {"ui.staff.payments.card", ctx.money(t.card_minor), false},
                              {"ui.staff.payments.waived", ctx.money(t.waived_minor), false},
                              {"ui.staff.payments.count", ctx.number(t.count), false},
                              {"ui.counter.drawer.applications", ctx.number(t.applications), false}};
        float rh = std::min(ctx.u(48), (in.y + in.h - y - ctx.u(110)) / 10.0f);
        for (const Line& l : lines) {
            Rect r{in.x, y, in.w, rh};
            label(ctx, r, ctx.tr(l.key), ctx.font(l.strong ? 28 : 25), l.strong ? p.text : p.text_muted);
            label(ctx, r, l.value, ctx.font(l.strong ? 30 : 26), l.strong ? p.primary : p.text, Align::End);
            y += rh;
        }
        if (t.declared_minor) {
            y += ctx.u(8);
            Rect r{in.x, y, in.w, ctx.u(44)};
            label(ctx, r, ctx.tr("ui.counter.drawer.declared"), ctx.font(26), p.text);
            label(ctx, r, ctx.money(*t.declared_minor), ctx.font(28), p.text, Align::End);
            y += ctx.u(44);
            int64_t diff = t.difference_minor.value_or(0);
            Rect d{in.x, y, in.w, ctx.u(44)};
            label(ctx, d, ctx.tr("ui.counter.drawer.difference"), ctx.font(26), p.text);
            label(ctx, d, diff == 0 ? ctx.tr("ui.counter.drawer.balanced")
                                    : ctx.tr(diff < 0 ? "ui.counter.drawer.short" : "ui.counter.drawer.over",
                                             {{"amount", ctx.money(diff < 0 ? -diff : diff)}}),
                  ctx.font(28), diff == 0 ? p.success : p.danger, Align::End);
        }
    }

    // End side: drawer movements, then the close of the day.
    card(ctx, right);
    Rect d = right.inset(ctx.u(22));
    y = d.y;
    struct Move {
        services::DrawerMove kind;
        const char* key;
    };
    static constexpr Move kMoves[] = {{services::DrawerMove::Float, "ui.counter.drawer.float"},
                                      {services::DrawerMove::CashIn, "ui.counter.drawer.cash_in"},
                                      {services::DrawerMove::CashOut, "ui.counter.drawer.cash_out"}};
    float mw = (d.w - 2 * gap) / 3.0f;
    for (size_t k = 0; k < 3; ++k) {
        bool on = cv.move == kMoves[k].kind;
        if (button(ctx, from_start(ctx, Rect{d.x, y, d.w, bh}, static_cast<float>(k) * (mw + gap), mw), ctx.tr(kMoves[k].key),
                   on ? Look::Primary : Look::Quiet))
            cv.move = kMoves[k].kind;
    }
    y += bh + gap;
    label(ctx, Rect{d.x, y, d.w, ctx.u(36)}, ctx.tr("ui.counter.drawer.amount"), ctx.font(24), p.text_muted);
    y += ctx.u(38);
    Rect af = from_start(ctx, Rect{d.x, y, d.w, ctx.u(76)}, 0, d.w * 0.55f);
    if (text_field(ctx, af, cv.amount, cv.amount_edit, cv.focus == 0, false))
        cv.focus = 0;
    ctx.target(ctx.tr("ui.counter.drawer.amount"), af);
    if (button(ctx, from_end(ctx, Rect{d.x, y, d.w, ctx.u(76)}, 0, d.w * 0.4f), ctx.tr("ui.counter.drawer.record"), Look::Secondary))
        start_drawer_move(ctx);
    y += ctx.u(76) + ctx.u(24);
    canvas(ctx)->AddLine(ImVec2(d.x, y), ImVec2(d.x + d.w, y), p.border, 2);
    y += ctx.u(16);
    label(ctx, Rect{d.x, y, d.w, ctx.u(40)}, ctx.tr("ui.counter.drawer.count"), ctx.font(26), p.text);
    y += ctx.u(44);
    Rect df = from_start(ctx, Rect{d.x, y, d.w, ctx.u(76)}, 0, d.w * 0.55f);
    if (text_field(ctx, df, cv.declared, cv.declared_edit, cv.focus == 1, false))
        cv.focus = 1;
    ctx.target(ctx.tr("ui.counter.drawer.count"), df);
    if (button(ctx, from_end(ctx, Rect{d.x, y, d.w, ctx.u(76)}, 0, d.w * 0.4f), ctx.tr("ui.counter.drawer.close"), Look::Primary))
        start_close_day(ctx);
    y += ctx.u(80);
    if (!cv.message.empty())
        paragraph(ctx, Rect{d.x, y, d.w, ctx.u(70)}, ctx.tr(cv.message), ctx.font(24), cv.message_ok ? p.success : p.danger);
    // Any day's Z report: the day before, the next day, print.
    float qw = (d.w - 2 * gap) * 0.25f;
    // The print button's label on two lines when one does not fit (large text in landscape): a taller row.
    std::string_view print_z = ctx.tr("ui.counter.drawer.print_z");
    float zh = bh;
    if (ctx.labels->measure(print_z, ctx.font(40)).x > d.w - 2 * (qw + gap) - ctx.u(16))
        zh = std::max(bh, 2 * text_h(ctx, ctx.font(40)) + ctx.u(24));
    Rect row{d.x, d.y + d.h - zh, d.w, zh};
    if (button(ctx, from_start(ctx, row, 0, qw), ctx.tr("ui.counter.drawer.prev_day"), Look::Quiet) && cv.totals) {
        cv.day = services::add_days_to(cv.totals->day, -1);
        refresh_drawer(ctx);
    }
    if (button(ctx, from_start(ctx, row, qw + gap, qw), ctx.tr("ui.counter.drawer.next_day"), Look::Quiet) && cv.totals) {
        cv.day = services::add_days_to(cv.totals->day, 1);
        refresh_drawer(ctx);
    }
    if (button(ctx, from_end(ctx, row, 0, d.w - 2 * (qw + gap)), print_z, Look::Secondary))
        start_print_z(ctx);
}

} // namespace nafitha::ui
