// One-tap satisfaction survey: five faces; a tap records the answer and thanks the citizen.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <string>

namespace nafitha::ui {

void draw_survey(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.survey.title"), false);
    float m = margin(ctx);
    Rect c = body.inset(m);
    Session& ses = ctx.session;
    float y = c.y + ctx.u(120);
    if (ses.survey_done) {
        label(ctx, Rect{c.x, y, c.w, ctx.u(80)}, ctx.tr("ui.survey.thanks"), ctx.font(52), p.primary, Align::Center);
        y += ctx.u(200);
        float bw = std::min(c.w, ctx.u(700));
        if (button(ctx, Rect{c.x + (c.w - bw) * 0.5f, y, bw, ctx.u(150)}, ctx.tr("ui.done.finish"), Look::Primary))
            ctx.end_visit();
        return;
    }
    paragraph(ctx, Rect{c.x, y, c.w, ctx.u(200)}, ctx.tr("ui.survey.question"), ctx.font(48), p.text, Align::Center);
    y += ctx.u(220);
    // Worst to best from the start side: in Arabic the best answer is on the left.
    float gap = ctx.u(20);
    float fw = std::min((c.w - 4 * gap) / 5.0f, ctx.u(190));
    float total = 5 * fw + 4 * gap;
    Rect row{c.x + (c.w - total) * 0.5f, y, total, fw + ctx.u(80)};
    for (int score = 1; score <= 5; ++score) {
        Rect r = from_start(ctx, row, static_cast<float>(score - 1) * (fw + gap), fw);
        bool held = ctx.touch.held(r);
        fill(ctx, r, held ? p.surface_pressed : p.surface, ctx.u(20));
        outline(ctx, r, p.border, ctx.u(20), ctx.u(2));
        ImU32 colour = score <= 2 ? p.danger : (score == 3 ? p.accent : p.success);
        static constexpr const char* kFaces[] = {"face_1", "face_2", "face_3", "face_4", "face_5"};
        static constexpr const char* kScores[] = {"ui.survey.score1", "ui.survey.score2", "ui.survey.score3",
                                                  "ui.survey.score4", "ui.survey.score5"};
        draw_icon(ctx, kFaces[score - 1], Rect{r.x + fw * 0.12f, r.y + fw * 0.1f, fw * 0.76f, fw * 0.76f}, colour);
        label(ctx, Rect{r.x, r.y + fw * 0.9f, r.w, ctx.u(60)}, ctx.tr(kScores[score - 1]), ctx.font(26), p.text, Align::Center);
        ctx.target(ctx.tr(kScores[score - 1]), r);
        if (ctx.touch.tap(r))
            start_survey(ctx, score);
    }
    y += fw + ctx.u(160);
    float bw = std::min(c.w, ctx.u(600));
    if (button(ctx, Rect{c.x + (c.w - bw) * 0.5f, y, bw, ctx.u(130)}, ctx.tr("ui.survey.skip"), Look::Quiet))
        ctx.end_visit();
}


} // namespace nafitha::ui
