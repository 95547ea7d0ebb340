// Satisfaction surveys tied to an application or a ticket.

#include "kiosk/services/surveys.h"

#include "base/utf8.h"
#include "kiosk/services/forms.h"
#include "kiosk/services/pii.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"

#include <algorithm>

namespace nafitha::services {

std::string survey_context(int64_t survey_id) { return "survey:" + std::to_string(survey_id); }

const std::vector<std::string>& survey_reason_codes()
{
    static const std::vector<std::string> codes = {"long_wait", "unclear_steps", "fees", "staff", "machine_problem", "other"};
    return codes;
}

Result<std::string> Terminal::survey_reason(int64_t survey_id) const
{
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached("SELECT reason, typeof(reason) FROM surveys WHERE id = ?1"));
    st.bind(1, survey_id);
    if (!TRY(st.step()))
        return Error::make("error.survey.unknown", "no survey " + std::to_string(survey_id));
    if (st.text(1) != "blob")
        return st.text(0); // empty (no reason)
    return m_vault->open(st.blob(0), survey_context(survey_id));
}

Result<void> Terminal::record_survey(const SurveyRequest& request)
{
    if (request.rating < 1 || request.rating > 5)
        return Error::make("error.survey.rating", "rating is 1..5", "rating");
    std::string reason;
    if (!request.reason.empty()) {
        auto r = validate_text(request.reason, kMaxSurveyReasonChars);
        if (!r.ok()) {
            auto e = r.release_error();
            e.field = "reason";
            return e;
        }
        reason = r.release_value();
    }
    // Reason codes: known ones only, each once, in the list's order (what the citizen tapped, not how often).
    const auto& known = survey_reason_codes();
    for (const auto& code : request.reasons)
        if (std::find(known.begin(), known.end(), code) == known.end())
            return Error::make("error.survey.reason_code", "unknown survey reason code", "reasons");
    nlohmann::json codes = nlohmann::json::array();
    for (const auto& code : known)
        if (std::find(request.reasons.begin(), request.reasons.end(), code) != request.reasons.end())
            codes.push_back(code);
    if (request.reference.empty() && !request.ticket_id)
        return Error::make("error.survey.no_subject", "a survey needs an application or a ticket", "reference");
    std::lock_guard lock(m_mutex);
    std::optional<int64_t> app_id;
    nlohmann::json entry = {{"rating", request.rating}, {"centre", m_options.centre}, {"time", now_iso()},
                            {"has_reason", !reason.empty()}, {"reasons", std::move(codes)}};
    if (!request.reference.empty()) {
        auto app = TRY(application_locked(request.reference));
        app_id = app.id;
        entry["reference"] = app.reference;
        entry["service_code"] = app.service_code;
    }
    if (request.ticket_id) {
        auto t = TRY(ticket_locked(*request.ticket_id));
        entry["ticket_id"] = t.id;
        entry["category"] = t.category;
    }
    // The reason is free text a citizen typed: it may hold personal data, so it stays on the terminal, sealed with
    // the personal-data key (context "survey:<id>"); the journal says only whether there is one.
    auto tx = TRY(db::Transaction::begin(m_db));
    int64_t id = TRY(m_db.scalar_int64("SELECT COALESCE(MAX(id), 0) + 1 FROM surveys", 1));
    auto st = TRY(m_db.cached("INSERT INTO surveys (id, application_id, ticket_id, rating, reason, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    st.bind(1, id).bind(2, app_id).bind(3, request.ticket_id).bind(4, int64_t{request.rating});
    if (reason.empty())
        st.bind(5, std::string());
    else
        st.bind_blob(5, m_vault->seal(reason, survey_context(id)));
    st.bind(6, now_iso());
    TRY(st.run());
    entry["survey_id"] = id;
    TRY(journal::append(m_db, m_identity, "survey.recorded", std::move(entry)));
    return journal::commit(m_db, m_identity, tx);
}

Result<void> Terminal::record_visit_abandoned(const std::string& service_code, const std::string& last_step, const std::string& reason)
{
    bool step_ok = !last_step.empty() && last_step.size() <= 32
                   && std::all_of(last_step.begin(), last_step.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (!step_ok || (reason != "timeout" && reason != "cancel"))
        return Error::make("error.visit.step", "a step is 1 to 32 of a-z and _, a reason timeout or cancel");
    auto cat = catalogue();
    const Service* service = cat ? cat->service(service_code) : nullptr;
    if (!service)
        return Error::make("error.service.unknown", "no service " + service_code, "service");
    std::lock_guard lock(m_mutex);
    auto tx = TRY(db::Transaction::begin(m_db));
    TRY(journal::append(m_db, m_identity, "visit.abandoned",
                        {{"service_code", service->code},
                         {"entity", service->entity},
                         {"category", service->category},
                         {"centre", m_options.centre},
                         {"channel", "kiosk"},
                         {"last_step", last_step},
                         {"reason", reason},
                         {"time", now_iso()}}));
    return journal::commit(m_db, m_identity, tx);
}

} // namespace nafitha::services
