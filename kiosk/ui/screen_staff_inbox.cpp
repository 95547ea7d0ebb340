// The applications inbox: submitted and paid applications waiting for a decision; review one and decide.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_staff_inbox(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.tab.inbox"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    StaffView& sv = ctx.staff;
    float detail_h = sv.selected.empty() ? 0 : ctx.u(330);
    Rect view{c.x, c.y, c.w, c.h - detail_h - (detail_h > 0 ? ctx.u(20) : 0)};
    if (sv.inbox.empty()) {
        label(ctx, Rect{c.x, c.y, c.w, ctx.u(80)}, ctx.tr("ui.staff.inbox.empty"), ctx.font(38), p.text_muted, Align::Center);
        return;
    }
    float rh = std::max(ctx.u(120), touch_min(ctx));
    float gap = ctx.u(14);
    ctx.scroller.update(ctx.touch, view, static_cast<float>(sv.inbox.size()) * (rh + gap), ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    for (size_t i = 0; i < sv.inbox.size(); ++i) {
        const services::InboxItem& it = sv.inbox[i];
        Rect r{view.x, view.y + static_cast<float>(i) * (rh + gap) - ctx.scroller.offset(), view.w, rh};
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        bool sel = sv.selected == it.reference;
        bool held = ctx.touch.held(r);
        fill(ctx, r, sel ? p.surface_pressed : (held ? p.surface_pressed : p.surface), ctx.u(14));
        outline(ctx, r, sel ? p.primary : p.border, ctx.u(14), ctx.u(sel ? 4 : 2));
        std::string_view name = it.service_code;
        if (ctx.catalogue) {
            if (const auto* s = ctx.catalogue->service(it.service_code))
                name = s->name.in(ctx.lang);
        }
        Rect inner = r.inset(ctx.u(20));
        label(ctx, Rect{inner.x, inner.y, inner.w, inner.h * 0.55f}, name, ctx.font(34), p.text);
        std::string& who = ctx.text.next();
        who.append(it.reference).append("   ").append(it.applicant_hint);
        label(ctx, Rect{inner.x, inner.y + inner.h * 0.55f, inner.w, inner.h * 0.45f}, who, ctx.font(28), p.text_muted);
        label(ctx, Rect{inner.x, inner.y, inner.w, inner.h * 0.55f}, ctx.tr(status_key(it.status)), ctx.font(30), p.accent,
              Align::End);
        ctx.target(name, r);
        if (ctx.touch.tap(r) && view.contains(ctx.touch.pos()))
            sv.selected = sel ? std::string() : it.reference;
    }
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();
    if (sv.selected.empty())
        return;
    Rect d{c.x, c.y + c.h - detail_h, c.w, detail_h};
    card(ctx, d);
    Rect inner = d.inset(ctx.u(24));
    label(ctx, Rect{inner.x, inner.y, inner.w, ctx.u(60)}, ctx.tr("ui.staff.inbox.decide", {{"ref", sv.selected}}), ctx.font(34), p.text);
    if (!sv.message.empty())
        label(ctx, Rect{inner.x, inner.y + ctx.u(60), inner.w, ctx.u(50)}, ctx.tr(sv.message), ctx.font(30), p.danger);
    float gap2 = ctx.u(16);
    float bw = (inner.w - 3 * gap2) / 4.0f;
    Rect row{inner.x, inner.y + inner.h - ctx.u(140), inner.w, ctx.u(140)};
    struct Decision {
        services::AppStatus status;
        const char* key;
        Look look;
    };
    const Decision decisions[] = {{services::AppStatus::InReview, "ui.staff.inbox.review", Look::Quiet},
                                  {services::AppStatus::Approved, "ui.staff.inbox.approve", Look::Primary},
                                  {services::AppStatus::Rejected, "ui.staff.inbox.reject", Look::Danger},
                                  {services::AppStatus::Ready, "ui.staff.inbox.ready", Look::Secondary}};
    for (int i = 0; i < 4; ++i) {
        if (button(ctx, from_start(ctx, row, static_cast<float>(i) * (bw + gap2), bw), ctx.tr(decisions[i].key), decisions[i].look)) {
            Backend* b = ctx.backend;
            std::string ref = sv.selected;
            services::AppStatus status = decisions[i].status;
            staff_task(ctx, "ui.busy.working", [b, ref, status]() -> std::function<void(Ctx&)> {
                auto r = b->decide(ref, status, "");
                if (!r.ok())
                    return [e = r.error()](Ctx& cx) { cx.staff.message = e.code; };
                auto items = b->inbox();
                std::vector<services::InboxItem> list = items.ok() ? *items : std::vector<services::InboxItem>{};
                return [list](Ctx& cx) {
                    cx.staff.inbox = list;
                    cx.staff.message.clear();
                    cx.staff.selected.clear();
                };
            });
        }
    }
}


} // namespace nafitha::ui
