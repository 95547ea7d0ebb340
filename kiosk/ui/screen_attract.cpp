// The attract screen: what a passer-by sees. Arabic first with English beneath; start, a queue ticket (the
// citizen then picks the service's category), tracking; the reading aids and the speaker. A two-second press on the
// emblem opens the staff login. Portrait stacks everything; landscape puts the name at the start side and the
// actions at the end side. Every height comes from the text it holds, so large text grows the layout instead of
// overlapping it.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace nafitha::ui {

namespace {

// One of the two quick actions: an icon over the action in Arabic and in English.
bool quick(Ctx& ctx, const Rect& r, const char* icon, const char* key, float is, float ar_h, float en_h)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    fill(ctx, r, held ? p.primary_pressed : p.header, ctx.u(22));
    outline(ctx, r, p.on_header, ctx.u(22), ctx.u(3));
    float y = r.y + ctx.u(12);
    draw_icon(ctx, icon, Rect{r.x + (r.w - is) * 0.5f, y, is, is}, p.on_header);
    y += is + ctx.u(6);
    Rect text{r.x + ctx.u(10), y, r.w - ctx.u(20), ar_h};
    label(ctx, text, ctx.tr_in(Lang::Ar, key), ctx.font(36), p.on_header, Align::Center);
    label(ctx, Rect{text.x, y + ar_h, text.w, en_h}, ctx.tr_in(Lang::En, key), ctx.font(26), p.on_header, Align::Center);
    ctx.target(ctx.tr_in(Lang::Ar, key), r);
    ctx.target(ctx.tr_in(Lang::En, key), r);
    return ctx.touch.tap(r);
}

// A reading aid or the speaker: an icon and its name, lit when on.
bool toggle(Ctx& ctx, const Rect& r, const char* icon, std::string_view text, bool on)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    // Lit: the inverse of the bar (the page's surface with the header's colour on it), so that it reads in
    // both palettes.
    ImU32 bg = on ? p.surface : (held ? p.primary_pressed : p.header);
    ImU32 fg = on ? p.primary : p.on_header;
    fill(ctx, r, bg, r.h * 0.5f);
    outline(ctx, r, p.on_header, r.h * 0.5f, ctx.u(3));
    float is = std::min(r.h * 0.55f, ctx.u(56));
    draw_icon(ctx, icon, from_start(ctx, Rect{r.x, r.y + (r.h - is) * 0.5f, r.w, is}, r.h * 0.3f, is), fg);
    label(ctx, from_start(ctx, r, r.h * 0.3f + is + ctx.u(12), r.w - r.h * 0.3f - is - ctx.u(28)), text, ctx.font(28), fg,
          Align::Start);
    ctx.target(text, r);
    return ctx.touch.tap(r);
}

} // namespace

void draw_attract(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    fill(ctx, Rect{0, 0, ctx.size.x, ctx.size.y}, p.header);
    float m = margin(ctx);
    bool wide = !ctx.portrait();
    Rect page{m, m, ctx.size.x - 2 * m, ctx.size.y - 2 * m};
    // Landscape: the name on the start half, the actions on the end half.
    Rect intro = wide ? from_start(ctx, page, 0, page.w * 0.45f) : page;
    Rect actions = wide ? from_end(ctx, page, 0, page.w * 0.55f - m) : page;

    // The bottom row: the speaker and the reading aids, with the privacy promise above them.
    struct Toggle {
        const char* icon;
        const char* key;
        int which;
    };
    static constexpr Toggle kToggles[] = {{"speaker", "ui.voice.toggle", 0},
                                          {"contrast", "ui.access.contrast", 1},
                                          {"text_size", "ui.access.large_text", 2}};
    constexpr int n = static_cast<int>(std::size(kToggles));
    float gap = ctx.u(24);
    float th = std::max(touch_min(ctx), text_h(ctx, ctx.font(28)) + ctx.u(36));
    float toggles_w = actions.w;
    // All in a row when every name fits beside its icon (large text may stack them).
    float need = 0;
    for (const Toggle& t : kToggles)
        need = std::max(need, ctx.labels->measure(ctx.tr(t.key), ctx.font(28)).x);
    need += th * 0.3f + std::min(th * 0.55f, ctx.u(56)) + ctx.u(40);
    float row_w = (toggles_w - static_cast<float>(n - 1) * gap) / static_cast<float>(n);
    int per_row = row_w >= std::max(need, ctx.u(300)) ? n : 1;
    float tw = per_row == n ? row_w : toggles_w;
    int rows = per_row == n ? 1 : n;
    float bottom_h = static_cast<float>(rows) * th + static_cast<float>(rows - 1) * ctx.u(12);
    float privacy_h = paragraph_height(ctx, actions.w, ctx.tr("ui.attract.privacy"), ctx.font(26));
    Rect bottom{actions.x, actions.y + actions.h - bottom_h, actions.w, bottom_h};
    for (int i = 0; i < n; ++i) {
        Rect r = per_row == n ? from_start(ctx, Rect{bottom.x, bottom.y, bottom.w, th}, static_cast<float>(i) * (tw + gap), tw)
                              : Rect{bottom.x, bottom.y + static_cast<float>(i) * (th + ctx.u(12)), bottom.w, th};
        const Toggle& t = kToggles[i];
        bool on = t.which == 0 ? ctx.voice_on : (t.which == 1 ? ctx.theme.contrast == Contrast::High : ctx.theme.text_size == TextSize::Large);
        if (toggle(ctx, r, t.icon, ctx.tr(t.key), on)) {
            if (t.which == 0)
                ctx.voice_on = !ctx.voice_on;
            else if (t.which == 1)
                ctx.theme.contrast = on ? Contrast::Normal : Contrast::High;
            else
                ctx.theme.text_size = on ? TextSize::Normal : TextSize::Large;
        }
    }
    paragraph(ctx, Rect{actions.x, bottom.y - gap - privacy_h, actions.w, privacy_h}, ctx.tr("ui.attract.privacy"), ctx.font(26),
              p.on_header, Align::Center);
    float actions_bottom = bottom.y - 2 * gap - privacy_h;

    // The emblem, the name and the taglines, from the top of their column.
    float es = ctx.u(wide ? 170 : 200);
    float name_h = text_h(ctx, ctx.font(100));
    float tag_ar_h = paragraph_height(ctx, intro.w, ctx.tr_in(Lang::Ar, "ui.attract.tagline"), ctx.font(44));
    float tag_en_h = text_h(ctx, ctx.font(34));
    float intro_h = es + ctx.u(24) + name_h + tag_ar_h + ctx.u(8) + tag_en_h;
    float y = wide ? intro.y + std::max(0.0f, (intro.h - intro_h) * 0.5f) : intro.y + ctx.u(40);
    Rect emblem{intro.x + (intro.w - es) * 0.5f, y, es, es};
    fill(ctx, emblem, p.on_header, es * 0.12f);
    float pane = es * 0.36f, g = es * 0.09f;
    for (int i = 0; i < 4; ++i) {
        float px = emblem.x + g + static_cast<float>(i % 2) * (pane + g);
        float py = emblem.y + g + static_cast<float>(i / 2) * (pane + g);
        canvas(ctx)->AddRectFilled(ImVec2(px, py), ImVec2(px + pane, py + pane), p.header, es * 0.04f);
    }
    if (long_press(ctx, "attract.emblem", emblem, 2.0)) {
        ctx.mode = Mode::Staff;
        ctx.go(ScreenId::StaffLogin);
        return;
    }
    y += es + ctx.u(24);
    label(ctx, Rect{intro.x, y, intro.w, name_h}, ctx.tr_in(Lang::Ar, "app.name"), ctx.font(100), p.on_header, Align::Center);
    y += name_h;
    paragraph_in(ctx, Lang::Ar, Rect{intro.x, y, intro.w, tag_ar_h}, ctx.tr_in(Lang::Ar, "ui.attract.tagline"), ctx.font(44),
                 p.on_header, Align::Center);
    y += tag_ar_h + ctx.u(8);
    paragraph_in(ctx, Lang::En, Rect{intro.x, y, intro.w, tag_en_h}, ctx.tr_in(Lang::En, "ui.attract.tagline"), ctx.font(34),
                 p.on_header, Align::Center);
    y += tag_en_h + ctx.u(48);

    // The start button and the two quick actions, centred in what is left of their column.
    float start_ar_h = text_h(ctx, ctx.font(58)), start_en_h = text_h(ctx, ctx.font(34));
    float bh = start_ar_h + start_en_h + ctx.u(40);
    float is = ctx.u(52);
    float q_ar_h = text_h(ctx, ctx.font(36)), q_en_h = text_h(ctx, ctx.font(26));
    float qh = ctx.u(24) + is + ctx.u(6) + q_ar_h + q_en_h;
    float block_h = bh + ctx.u(48) + qh;
    float top = wide ? actions.y : y;
    float room = actions_bottom - top;
    float by = top + std::max(0.0f, (room - block_h) * 0.5f);
    float bw = std::min(actions.w, ctx.u(820));
    float cx = actions.x + actions.w * 0.5f;
    Rect start{cx - bw * 0.5f, by, bw, bh};
    // The start button pulses gently to invite a touch.
    float pulse = 0.5f + 0.5f * static_cast<float>(std::sin(ctx.now * 2.5));
    Rect glow = start.inset(-ctx.u(8) * pulse);
    canvas(ctx)->AddRectFilled(glow.min(), glow.max(), p.accent, ctx.u(30));
    bool held = ctx.touch.held(start);
    fill(ctx, start, held ? p.surface_pressed : p.surface, ctx.u(26));
    label(ctx, Rect{start.x, start.y + ctx.u(20), start.w, start_ar_h}, ctx.tr_in(Lang::Ar, "ui.attract.start"), ctx.font(58),
          p.primary, Align::Center);
    label(ctx, Rect{start.x, start.y + ctx.u(20) + start_ar_h, start.w, start_en_h}, ctx.tr_in(Lang::En, "ui.attract.start"),
          ctx.font(34), p.primary, Align::Center);
    ctx.target(ctx.tr_in(Lang::Ar, "ui.attract.start"), start);
    ctx.target(ctx.tr_in(Lang::En, "ui.attract.start"), start);
    if (ctx.touch.tap(start)) {
        ctx.session.wipe();
        ctx.go(ScreenId::Language);
        return;
    }
    float qgap = ctx.u(30);
    float qw = std::min((actions.w - qgap) * 0.5f, ctx.u(520));
    Rect row{cx - qw - qgap * 0.5f, start.y + bh + ctx.u(48), 2 * qw + qgap, qh};
    if (quick(ctx, from_start(ctx, row, 0, qw), "ticket", "ui.attract.ticket", is, q_ar_h, q_en_h)) {
        ctx.session.wipe();
        ctx.go(ScreenId::TicketChoice);
        return;
    }
    if (quick(ctx, from_end(ctx, row, 0, qw), "search", "ui.attract.track", is, q_ar_h, q_en_h)) {
        ctx.session.wipe();
        ctx.keyboard.reset_for(true, true);
        ctx.go(ScreenId::Track);
        return;
    }
}

} // namespace nafitha::ui
