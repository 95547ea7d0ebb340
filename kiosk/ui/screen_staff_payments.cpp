// Payments today and the end-of-day reconciliation: totals by method, and the Z report printed.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void draw_staff_payments(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.tab.payments"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    StaffView& sv = ctx.staff;
    float y = c.y;
    if (!sv.payments) {
        label(ctx, Rect{c.x, y, c.w, ctx.u(80)}, ctx.tr("ui.busy.loading"), ctx.font(36), p.text_muted, Align::Center);
        return;
    }
    const services::DayTotals& s = *sv.payments;
    label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.staff.payments.day", {{"day", ctx.date(s.day)}}), ctx.font(38), p.text);
    y += ctx.u(80);
    float rh = ctx.u(ctx.portrait() ? 90 : 66);
    struct Line {
        const char* key;
        std::string_view value;
    };
    const Line lines[] = {{"ui.staff.payments.count", ctx.number(s.count)},
                          {"ui.staff.payments.cash", ctx.money(s.cash_minor)},
                          {"ui.staff.payments.card", ctx.money(s.card_minor)},
                          {"ui.staff.payments.waived", ctx.money(s.waived_minor)},
                          {"ui.staff.payments.change", ctx.money(s.change_minor)},
                          {"ui.staff.payments.drawer", ctx.money(s.cash_minor)}};
    float ch = rh * 6 + ctx.u(40);
    card(ctx, Rect{c.x, y, c.w, ch});
    float ry = y + ctx.u(20);
    for (const Line& l : lines) {
        Rect row{c.x + ctx.u(30), ry, c.w - ctx.u(60), rh};
        label(ctx, row, ctx.tr(l.key), ctx.font(34), p.text, Align::Start);
        label(ctx, row, l.value, ctx.font(38), p.primary, Align::End);
        ry += rh;
    }
    y += ch + ctx.u(30);
    if (!sv.message.empty()) {
        bool good = sv.message == "ui.staff.payments.z_printed";
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr(sv.message), ctx.font(34), good ? p.success : p.danger, Align::Center);
        y += ctx.u(80);
    }
    float bh = std::max(ctx.u(150), touch_min(ctx));
    if (button(ctx, Rect{c.x, c.y + c.h - bh, c.w, bh}, ctx.tr("ui.staff.payments.z_report"), Look::Primary)) {
        Backend* b = ctx.backend;
        Lang lang = ctx.lang;
        staff_task(ctx, "ui.busy.printing", [b, lang]() -> std::function<void(Ctx&)> {
            auto r = b->print_z_report(lang);
            if (!r.ok())
                return [e = r.error()](Ctx& cx) { cx.staff.message = e.code; };
            return [](Ctx& cx) { cx.staff.message = "ui.staff.payments.z_printed"; };
        });
    }
}


} // namespace nafitha::ui
