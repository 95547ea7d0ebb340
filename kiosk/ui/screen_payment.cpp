// Payment: cash, card or an exemption, through the payment devices. The kiosk takes no money when it could
// not honour it (the out-of-service check runs before this screen is reachable).

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <span>

namespace nafitha::ui {

void draw_payment(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, ctx.tr("ui.payment.title"));
    if (!s)
        return;
    Session& ses = ctx.session;
    float m = margin(ctx);
    Rect c = body.inset(m);
    progress(ctx, Rect{c.x, c.y, c.w, ctx.u(30)}, 3, kFlowSteps);
    float y = c.y + ctx.u(60);
    bool wide = !ctx.portrait();
    Rect all = c;
    if (wide)
        c = from_start(ctx, all, 0, all.w * 0.4f);

    const services::Assessment& q = current_quote(ctx);
    const services::Validation& v = q.validation;
    const Result<services::Fee>& fee = q.fee;
    const Result<services::Fee>& full = q.fee_without_exemption;
    int64_t due = fee.ok() ? fee->total : 0;

    card(ctx, Rect{c.x, y, c.w, ctx.u(180)});
    label(ctx, Rect{c.x, y + ctx.u(20), c.w, ctx.u(50)}, ctx.tr("ui.payment.due"), ctx.font(34), p.text_muted, Align::Center);
    label(ctx, Rect{c.x, y + ctx.u(76), c.w, ctx.u(90)}, ctx.money(due), ctx.font(72), p.primary, Align::Center);
    y += ctx.u(210);
    if (wide) {
        c = from_end(ctx, all, 0, all.w * 0.6f - ctx.u(30));
        y = all.y + ctx.u(60);
    }

    label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.payment.choose"), ctx.font(38), p.text);
    y += ctx.u(80);
    float bh = std::max(ctx.u(150), touch_min(ctx));
    struct Option {
        PayMethod method;
        const char* icon;
        const char* key;
    };
    static constexpr Option kOptions[] = {{PayMethod::Cash, "cash", "ui.payment.cash"},
                                          {PayMethod::Card, "card", "ui.payment.card"},
                                          {PayMethod::Exemption, "exemption", "ui.payment.exemption"}};
    // Exemption is offered only by services that have exemptions.
    std::span<const Option> options(kOptions, s->exemptions.empty() ? 2 : 3);
    bool free_service = full.ok() && full->total == 0;
    if (!free_service) {
        for (const Option& o : options) {
            Rect r{c.x, y, c.w, bh};
            if (icon_button(ctx, r, o.icon, ctx.tr(o.key), ses.method == o.method ? Look::Primary : Look::Quiet)) {
                ses.method = o.method;
                ses.error.clear();
                if (o.method == PayMethod::Exemption && ses.exemption.empty())
                    ses.exemption = s->exemptions.front().code;
            }
            y += bh + ctx.u(20);
        }
        if (ses.method == PayMethod::Exemption) {
            // Which exemption: one button per kind the service allows.
            for (const auto& e : s->exemptions) {
                Rect r{c.x + ctx.u(60), y, c.w - ctx.u(60), ctx.u(110)};
                r = mirror(ctx, r, c);
                if (button(ctx, r, e.name.in(ctx.lang), ses.exemption == e.code ? Look::Secondary : Look::Quiet))
                    ses.exemption = e.code;
                y += ctx.u(130);
            }
            label(ctx, Rect{c.x, y, c.w, ctx.u(50)}, ctx.tr("ui.payment.exemption_note"), ctx.font(30), p.text_muted);
            y += ctx.u(60);
        } else if (ses.method == PayMethod::Cash) {
            label(ctx, Rect{c.x, y, c.w, ctx.u(50)}, ctx.tr("ui.payment.cash_note"), ctx.font(30), p.text_muted);
            y += ctx.u(60);
        } else {
            label(ctx, Rect{c.x, y, c.w, ctx.u(50)}, ctx.tr("ui.payment.card_note"), ctx.font(30), p.text_muted);
            y += ctx.u(60);
        }
    }
    if (!ses.error.empty())
        error_banner(ctx, Rect{c.x, y + ctx.u(10), c.w, ctx.u(100)}, ctx.tr(ses.error));

    c = all;
    float foot_h = ctx.u(150);
    Rect foot{c.x, c.y + c.h - foot_h, c.w, foot_h};
    bool back = false;
    // Once money was taken, there is no going back: only retrying the submission.
    bool paid = ses.payment.has_value();
    std::string_view next = ctx.tr(paid ? "ui.payment.retry" : (due == 0 ? "ui.payment.submit" : "ui.payment.pay"));
    if (footer_nav(ctx, foot, next, fee.ok() && v.ok(), back))
        start_payment_and_submit(ctx);
    else if (back && !paid)
        ctx.back();
}


} // namespace nafitha::ui
