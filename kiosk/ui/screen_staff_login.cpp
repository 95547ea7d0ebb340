// Staff login: pick your name, then your PIN on a numeric pad. Works offline (PINs are checked locally).

#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_staff_login(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.staff.login.title"));
    StaffView& sv = ctx.staff;
    float m = margin(ctx);
    Rect c = body.inset(m);
    if (!sv.accounts_loaded && ctx.session.busy_message.empty() && !ctx.demo) {
        Backend* b = ctx.backend;
        staff_task(ctx, "ui.busy.loading", [b]() -> std::function<void(Ctx&)> {
            auto a = b->staff_accounts();
            if (!a.ok())
                return [e = a.error()](Ctx& cx) {
                    cx.staff.accounts_loaded = true;
                    cx.staff.login_error = e.code;
                };
            return [a = *a](Ctx& cx) {
                cx.staff.accounts = a;
                cx.staff.accounts_loaded = true;
            };
        });
    }
    float y = c.y;
    label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.staff.login.who"), ctx.font(36), p.text);
    y += ctx.u(70);
    // Accounts as buttons, two per row.
    float gap = ctx.u(20);
    float bw = (c.w - gap) * 0.5f;
    float bh = std::max(ctx.u(110), touch_min(ctx));
    for (size_t i = 0; i < sv.accounts.size() && i < 8; ++i) {
        Rect r = from_start(ctx, Rect{c.x, y, c.w, bh}, static_cast<float>(i % 2) * (bw + gap), bw);
        bool sel = sv.login == sv.accounts[i].login;
        bool technician = sv.accounts[i].role == services::Role::Technician;
        if (icon_button(ctx, r, technician ? "gear" : "person", sv.accounts[i].full_name, sel ? Look::Primary : Look::Quiet)) {
            sv.login = sv.accounts[i].login;
            sv.pin.clear();
            sv.login_error.clear();
        }
        if (i % 2 == 1 || i + 1 == sv.accounts.size())
            y += bh + gap;
    }
    if (sv.accounts.empty() && sv.accounts_loaded) {
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.staff.login.none"), ctx.font(32), p.text_muted);
        y += ctx.u(70);
    }
    y += ctx.u(20);
    // The PIN as dots (never the digits).
    float pin_h = std::max(ctx.u(50), text_h(ctx, ctx.font(34)) + ctx.u(4));
    label(ctx, Rect{c.x, y, c.w, pin_h}, ctx.tr("ui.staff.login.pin"), ctx.font(34), p.text_muted, Align::Center);
    y += pin_h + ctx.u(10);
    float dot = ctx.u(22);
    size_t n = std::max<size_t>(4, sv.pin.size());
    float total = static_cast<float>(n) * dot * 2.5f;
    for (size_t i = 0; i < n; ++i) {
        ImVec2 centre{c.x + (c.w - total) * 0.5f + (static_cast<float>(i) + 0.5f) * dot * 2.5f, y + dot};
        if (i < sv.pin.size())
            canvas(ctx)->AddCircleFilled(centre, dot, p.primary);
        else
            canvas(ctx)->AddCircle(centre, dot, p.border, 24, ctx.u(3));
    }
    y += dot * 2 + ctx.u(30);
    if (!sv.login_error.empty()) {
        error_banner(ctx, Rect{c.x, y, c.w, ctx.u(90)}, ctx.tr(sv.login_error));
        y += ctx.u(100);
    }
    float kb_h = std::min(ctx.size.y - y - ctx.u(20), ctx.u(620));
    Rect kb{0, ctx.size.y - kb_h, ctx.size.x, kb_h};
    KeyEvent ev = draw_keyboard(ctx, kb, true);
    if (ev.kind == KeyEvent::Kind::Insert && sv.pin.size() < 12) {
        sv.pin += ev.text;
        sv.login_error.clear();
    } else if (ev.kind == KeyEvent::Kind::Backspace && !sv.pin.empty()) {
        // Digits may be Arabic-Indic (two bytes): drop the last code point.
        size_t cut = sv.pin.size() - 1;
        while (cut > 0 && (static_cast<unsigned char>(sv.pin[cut]) & 0xC0) == 0x80)
            --cut;
        sv.pin.erase(cut);
    } else if (ev.kind == KeyEvent::Kind::Done) {
        if (sv.login.empty()) {
            sv.login_error = "ui.staff.login.pick";
            return;
        }
        Backend* b = ctx.backend;
        std::string login = sv.login, pin = sv.pin;
        sv.pin.assign(sv.pin.size(), '\0');
        sv.pin.clear();
        staff_task(ctx, "ui.busy.login", [b, login, pin]() -> std::function<void(Ctx&)> {
            auto s = b->staff_login(login, pin);
            if (!s.ok())
                return [e = s.error()](Ctx& cx) { cx.staff.login_error = e.code; };
            return [s = *s](Ctx& cx) {
                cx.staff.session = s;
                cx.history.clear();
                if (s.role == services::Role::Technician) {
                    cx.mode = Mode::Technician;
                    cx.screen = ScreenId::TechDevices;
                } else {
                    cx.mode = Mode::Staff;
                    cx.screen = ScreenId::StaffQueue;
                    refresh_queue(cx);
                }
            };
        });
    }
}


} // namespace nafitha::ui
