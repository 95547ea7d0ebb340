// Technician: the network in detail — enrollment, central's address, TLS and the pinned key's fingerprint, the
// round trip of the last probe of central, every interface with its link and addresses, the sync backlog — a
// check that probes again (off the UI thread), and enrollment (again: moving the terminal to another server).

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void poll_sync(Ctx& ctx);

namespace {

void probe(Ctx& ctx)
{
    StaffView& sv = ctx.staff;
    sv.network_loading = true;
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.network", [b]() -> std::function<void(Ctx&)> {
        auto info = b->network_info();
        if (!info.ok())
            return [e = info.error()](Ctx& cx) {
                cx.staff.network_loading = false;
                cx.staff.tech_message = e.code;
            };
        return [i = *info](Ctx& cx) {
            cx.staff.network_loading = false;
            cx.staff.network = i;
            cx.staff.tech_message = !i.enrolled ? "ui.tech.net.not_enrolled" : i.probe_error.empty() ? "ui.tech.net.ok" : i.probe_error;
        };
    });
}

// Latin text (an address, a URL) kept left to right inside Arabic.
std::string_view ltr(Ctx& ctx, std::string_view s)
{
    std::string& out = ctx.text.next();
    out = "\u2066";
    out += s;
    out += "\u2069";
    return out;
}

} // namespace

void draw_tech_network(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.tech.title"));
    Rect area = tech_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    poll_sync(ctx);
    StaffView& sv = ctx.staff;
    if (!ctx.demo && !sv.network && !sv.network_loading && ctx.session.busy_message.empty())
        probe(ctx);
    const SyncStatus& s = ctx.staff.sync;
    float gap = ctx.u(20);
    float bh = std::max(button_h(ctx), ctx.u(150));
    // Two buttons at the bottom (side by side when they fit, stacked otherwise); the details scroll above them.
    std::string_view check = ctx.tr("ui.tech.network_check");
    const NetworkInfo* n = sv.network ? &*sv.network : nullptr;
    const bool enrolled = s.enrolled || (n && n->enrolled);
    std::string_view enroll = ctx.tr(enrolled ? "ui.provision.move" : "ui.provision.enroll_now");
    float half = (c.w - gap) * 0.5f;
    float need = std::max(ctx.labels->measure(check, ctx.font(40)).x, ctx.labels->measure(enroll, ctx.font(40)).x) + ctx.u(140);
    bool stacked = need > half;
    float foot_h = stacked ? 2 * bh + gap : bh;
    Rect foot{c.x, c.y + c.h - foot_h, c.w, foot_h};
    Rect view = begin_scroll(ctx, Rect{c.x, c.y, c.w, foot.y - gap - c.y});
    float y = view.y - ctx.scroller.offset();
    float rh = ctx.u(90);
    auto row = [&](std::string_view k, std::string_view v, ImU32 colour) {
        y += key_value_row(ctx, Rect{view.x, y, view.w, rh}, k, v, colour, rh);
    };
    row(ctx.tr("ui.sync.enrolled"), ctx.tr(enrolled ? "ui.yes" : "ui.no"), enrolled ? p.success : p.danger);
    if (n && n->enrolled) {
        row(ctx.tr("ui.tech.net.server"), ltr(ctx, n->server_url), p.text);
        row(ctx.tr("ui.tech.net.tls"), ctx.tr(n->tls ? "ui.tech.net.tls_on" : "ui.tech.net.tls_off"), n->tls ? p.success : p.warning_text);
        row(ctx.tr("ui.tech.net.fingerprint"), ltr(ctx, n->fingerprint), p.text);
        if (n->latency_ms >= 0)
            row(ctx.tr("ui.tech.net.latency"), ctx.count("ui.tech.net.latency_ms", n->latency_ms), p.text);
        else
            row(ctx.tr("ui.tech.net.latency"), ctx.tr(n->probe_error.empty() ? std::string_view("ui.tech.net.unreachable") : std::string_view(n->probe_error)), p.danger);
    }
    row(ctx.tr("ui.sync.pending_title"), ctx.number(s.pending), p.text);
    // "No problem" only for an enrolled terminal: one that is not enrolled cannot sync at all.
    std::string_view problem = !s.last_error.empty() ? ctx.tr(s.last_error)
                               : enrolled            ? ctx.tr("ui.sync.no_error")
                                                     : ctx.tr("ui.tech.not_enrolled");
    row(ctx.tr("ui.sync.last_error"), problem, s.last_error.empty() && enrolled ? p.success : p.danger);
    if (n) {
        if (n->interfaces.empty())
            row(ctx.tr("ui.tech.net.interfaces"), ctx.tr("ui.tech.net.no_interface"), p.danger);
        for (const NetInterface& i : n->interfaces) {
            std::string& v = ctx.text.next();
            v = ctx.tr(i.up ? "ui.tech.net.link_up" : "ui.tech.net.link_down");
            for (const std::string& a : i.addresses) {
                v += "  \u2066";
                v += a;
                v += "\u2069";
            }
            row(ltr(ctx, i.name), v, i.up ? p.text : p.danger);
        }
    }
    y += gap;
    if (!sv.tech_message.empty()) {
        std::string_view msg = ctx.tr(sv.tech_message);
        float mh = paragraph_height(ctx, view.w, msg, ctx.font(36));
        y += paragraph(ctx, Rect{view.x, y, view.w, mh}, msg, ctx.font(36), p.text, Align::Center);
    }
    end_scroll(ctx, view, y);

    Rect first = stacked ? Rect{foot.x, foot.y, foot.w, bh} : from_start(ctx, foot, 0, half);
    Rect second = stacked ? Rect{foot.x, foot.y + bh + gap, foot.w, bh} : from_end(ctx, foot, 0, half);
    if (icon_button(ctx, first, "network", check, Look::Primary))
        probe(ctx);
    if (icon_button(ctx, second, "qr", enroll, Look::Secondary)) {
        ctx.provision = ProvisionView{};
        ctx.provision.language = ctx.home_lang;
        ctx.keyboard.reset_for(false, false);
        ctx.go(ScreenId::Provision);
    }
}

} // namespace nafitha::ui
