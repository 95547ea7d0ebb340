// Satisfaction survey: optional reasons to tap (toggles), then five faces; a tap on a face records the answer
// (with the reasons chosen) and thanks the citizen.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"
#include "kiosk/services/surveys.h"

#include <algorithm>
#include <string>
#include <vector>

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
    // The skip button stays at the foot; the question, the reasons and the faces scroll above it when the
    // screen is short (landscape, large text).
    float foot_h = button_h(ctx);
    float bw = std::min(c.w, ctx.u(600));
    Rect foot{c.x + (c.w - bw) * 0.5f, c.y + c.h - foot_h, bw, foot_h};
    Rect area{c.x, c.y, c.w, foot.y - ctx.u(24) - c.y};
    Rect view = begin_scroll(ctx, area);
    y = view.y - ctx.scroller.offset() + ctx.u(30);
    float qh = paragraph_height(ctx, c.w, ctx.tr("ui.survey.question"), ctx.font(48));
    paragraph(ctx, Rect{c.x, y, c.w, qh}, ctx.tr("ui.survey.question"), ctx.font(48), p.text, Align::Center);
    y += qh + ctx.u(30);
    // Optional reasons the citizen may tap before the rating (codes, journalled as they are: no personal data).
    float rh = paragraph_height(ctx, c.w, ctx.tr("ui.survey.reasons"), ctx.font(30));
    paragraph(ctx, Rect{c.x, y, c.w, rh}, ctx.tr("ui.survey.reasons"), ctx.font(30), p.text_muted, Align::Center);
    y += rh + ctx.u(20);
    {
        const auto& codes = services::survey_reason_codes();
        // The labels' translation keys, made once (a steady frame allocates nothing).
        static const std::vector<std::string> keys = [&codes] {
            std::vector<std::string> k;
            for (const auto& code : codes)
                k.push_back("ui.survey.reason." + code);
            return k;
        }();
        float cg = ctx.u(20);
        // Three a row when every label fits, else two, else one.
        float widest = 0;
        for (const auto& key : keys)
            widest = std::max(widest, ctx.labels->measure(ctx.tr(key), ctx.font(40)).x + ctx.u(40));
        int per_row = 3;
        while (per_row > 1 && (c.w - static_cast<float>(per_row - 1) * cg) / static_cast<float>(per_row) < widest)
            --per_row;
        float cw = std::min((c.w - static_cast<float>(per_row - 1) * cg) / static_cast<float>(per_row), ctx.u(420));
        float ch = button_h(ctx);
        float row_w = static_cast<float>(per_row) * cw + static_cast<float>(per_row - 1) * cg;
        auto& chosen = ses.survey_reasons;
        for (size_t i = 0; i < codes.size(); ++i) {
            size_t n = static_cast<size_t>(per_row);
            Rect line{c.x + (c.w - row_w) * 0.5f, y + static_cast<float>(i / n) * (ch + cg), row_w, ch};
            Rect r = from_start(ctx, line, static_cast<float>(i % n) * (cw + cg), cw);
            auto it = std::find(chosen.begin(), chosen.end(), codes[i]);
            bool on = it != chosen.end();
            // Chosen ones take the primary look; a second tap lets go.
            if (button(ctx, r, ctx.tr(keys[i]), on ? Look::Primary : Look::Secondary)) {
                if (on)
                    chosen.erase(it);
                else
                    chosen.push_back(codes[i]);
            }
        }
        y += static_cast<float>((codes.size() + static_cast<size_t>(per_row) - 1) / static_cast<size_t>(per_row)) * (ch + cg)
             + ctx.u(20);
    }
    // Worst to best from the start side: in Arabic the best answer is on the left.
    float gap = ctx.u(20);
    float fw = std::min((c.w - 4 * gap) / 5.0f, ctx.u(190));
    float total = 5 * fw + 4 * gap;
    float lh = text_h(ctx, ctx.font(26)) + ctx.u(30);
    Rect row{c.x + (c.w - total) * 0.5f, y, total, fw + lh};
    for (int score = 1; score <= 5; ++score) {
        Rect r = from_start(ctx, row, static_cast<float>(score - 1) * (fw + gap), fw);
        r.h = fw + lh;
        bool held = ctx.touch.held(r);
        fill(ctx, r, held ? p.surface_pressed : p.surface, ctx.u(20));
        outline(ctx, r, p.border, ctx.u(20), ctx.u(2));
        ImU32 colour = score <= 2 ? p.danger : (score == 3 ? p.accent : p.success);
        static constexpr const char* kFaces[] = {"face_1", "face_2", "face_3", "face_4", "face_5"};
        static constexpr const char* kScores[] = {"ui.survey.score1", "ui.survey.score2", "ui.survey.score3",
                                                  "ui.survey.score4", "ui.survey.score5"};
        draw_icon(ctx, kFaces[score - 1], Rect{r.x + fw * 0.12f, r.y + fw * 0.1f, fw * 0.76f, fw * 0.76f}, colour);
        label(ctx, Rect{r.x, r.y + fw * 0.9f, r.w, lh}, ctx.tr(kScores[score - 1]), ctx.font(26), p.text, Align::Center);
        ctx.target(ctx.tr(kScores[score - 1]), r);
        if (ctx.touch.tap(r))
            start_survey(ctx, score);
    }
    y += fw + lh + ctx.u(20);
    end_scroll(ctx, view, y);
    if (button(ctx, foot, ctx.tr("ui.survey.skip"), Look::Quiet))
        ctx.end_visit();
}

} // namespace nafitha::ui
