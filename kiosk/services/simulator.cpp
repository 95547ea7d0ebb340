#include "kiosk/services/simulator.h"

#include <array>
#include <cstdio>

namespace nafitha::services {

namespace {

constexpr std::array kFirstNames = {"محمد", "أحمد", "علي", "عمر", "خالد", "سامر", "يوسف", "حسن", "رامي", "فادي",
                                    "فاطمة", "مريم", "سارة", "ليلى", "رنا", "هدى", "نور", "ريم", "لينا", "آمنة"};
constexpr std::array kFamilyNames = {"الخطيب", "الحلبي", "الشامي", "العلي", "حداد", "السيد", "الأحمد", "درويش",
                                     "الحمصي", "النجار", "قباني", "العمر", "الزعبي", "المصري", "سليمان"};
constexpr std::array kAddresses = {"دمشق - المزة - شارع الجلاء", "دمشق - باب توما", "حلب - العزيزية",
                                   "حمص - الإنشاءات", "اللاذقية - الزراعة", "قطنا - الحي الشرقي"};
constexpr std::array kActivities = {"بيع مواد غذائية", "صيانة هواتف", "مكتبة وقرطاسية", "ألبسة جاهزة", "صيدلية"};
constexpr std::array kTradeNames = {"مؤسسة النور", "محلات الشام", "دار الياسمين", "ورشة الأمل", "مكتبة الفجر"};

template<typename T>
const char* pick(const T& list, std::mt19937_64& rng)
{
    return list[std::uniform_int_distribution<size_t>(0, list.size() - 1)(rng)];
}

int64_t uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }

std::string digits(std::mt19937_64& rng, int n)
{
    std::string s;
    for (int i = 0; i < n; ++i)
        s.push_back(static_cast<char>('0' + uniform(rng, 0, 9)));
    return s;
}

// Some citizens type Arabic-Indic digits.
std::string maybe_arabic_digits(const std::string& ascii, std::mt19937_64& rng)
{
    if (uniform(rng, 0, 2) != 0)
        return ascii;
    std::string out;
    for (char c : ascii) {
        if (c >= '0' && c <= '9') {
            out += "\xD9";
            out.push_back(static_cast<char>(0xA0 + (c - '0')));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace

FormValues simulated_form(const Service& service, std::mt19937_64& rng)
{
    FormValues v;
    for (auto& f : service.form) {
        if (!f.required && uniform(rng, 0, 2) == 0)
            continue;
        switch (f.type) {
        case FieldType::ArabicName:
            v[f.name] = f.max_length <= 40 ? std::string(pick(kFirstNames, rng))
                                           : std::string(pick(kFirstNames, rng)) + " " + pick(kFirstNames, rng) + " " +
                                                 pick(kFamilyNames, rng);
            break;
        case FieldType::NationalId: v[f.name] = maybe_arabic_digits("0" + digits(rng, 10), rng); break;
        case FieldType::Phone: v[f.name] = maybe_arabic_digits("09" + std::to_string(uniform(rng, 3, 9)) + digits(rng, 7), rng); break;
        case FieldType::Date: {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int(uniform(rng, 1950, 2005)), int(uniform(rng, 1, 12)),
                          int(uniform(rng, 1, 28)));
            v[f.name] = buf;
            break;
        }
        case FieldType::Choice: v[f.name] = f.options[static_cast<size_t>(uniform(rng, 0, int64_t(f.options.size()) - 1))].value; break;
        case FieldType::Number: {
            int64_t hi = f.max > 0 ? std::min<int64_t>(f.max, f.min + (f.name == "copies" ? 2 : 100000)) : f.min + 1000;
            v[f.name] = std::to_string(uniform(rng, std::max<int64_t>(f.min, 1), hi));
            break;
        }
        case FieldType::Amount: v[f.name] = std::to_string(uniform(rng, 5, 150) * 1000); break;
        case FieldType::ScanReference: {
            static const char* hex = "0123456789ABCDEF";
            std::string s = "SCN-";
            for (int i = 0; i < 8; ++i)
                s.push_back(hex[uniform(rng, 0, 15)]);
            v[f.name] = s;
            break;
        }
        case FieldType::Text:
            if (f.name == "address")
                v[f.name] = pick(kAddresses, rng);
            else if (f.name == "activity")
                v[f.name] = pick(kActivities, rng);
            else if (f.name == "trade_name")
                v[f.name] = pick(kTradeNames, rng);
            else if (f.name == "case_number")
                v[f.name] = std::to_string(uniform(rng, 1, 9999)) + "/" + std::to_string(uniform(rng, 2018, 2026));
            else if (f.name == "old_passport")
                v[f.name] = "N" + digits(rng, 9);
            else
                v[f.name] = digits(rng, std::min<int>(6, static_cast<int>(f.max_length)));
            break;
        }
    }
    return v;
}

Result<int64_t> Simulator::ensure_clerk(Terminal& terminal)
{
    for (auto& s : TRY(terminal.staff()))
        if (s.login == "sim.clerk")
            return s.id;
    auto s = TRY(terminal.create_staff({"sim.clerk", "موظف المحاكاة", Role::Clerk, "246810"}));
    return s.id;
}

Result<ZClose> Simulator::close_drawer(int64_t difference_minor)
{
    int64_t supervisor = 0;
    for (auto& s : TRY(m_terminal.staff()))
        if (s.login == "sim.supervisor")
            supervisor = s.id;
    if (supervisor == 0)
        supervisor = TRY(m_terminal.create_staff({"sim.supervisor", "مشرف المحاكاة", Role::Supervisor, "135790"})).id;
    auto totals = TRY(m_terminal.day_totals());
    return m_terminal.close_day(totals.day, std::max<int64_t>(0, totals.expected_cash_minor + difference_minor), supervisor);
}

Result<VisitOutcome> Simulator::visit()
{
    auto cat = m_terminal.catalogue();
    auto services = cat->services_in({}, m_terminal.centre());
    if (services.empty())
        return Error::make("error.service.unavailable", "no service at this centre");
    auto& service = *services[static_cast<size_t>(uniform(m_rng, 0, int64_t(services.size()) - 1))];
    VisitOutcome out;
    out.service_code = service.code;
    if (m_abandon_every > 0 && ++m_visits % m_abandon_every == 0)
        TRY(m_terminal.record_visit_abandoned(service.code, "form", "timeout"));

    SubmitRequest req(service.code, simulated_form(service, m_rng));
    if (!service.exemptions.empty() && uniform(m_rng, 0, 9) == 0)
        req.exemption = service.exemptions.front().code;

    // About four in ten visits go through the queue to a counter; the rest are self-service at the kiosk.
    std::optional<Ticket> ticket;
    if (uniform(m_rng, 0, 9) < 4) {
        if (m_no_show_every > 0 && ++m_queued % m_no_show_every == 0) {
            TRY(m_terminal.issue_ticket(service.category));
            if (auto absent = TRY(m_terminal.call_next(service.category, 1, m_clerk)))
                TRY(m_terminal.no_show(absent->id));
        }
        TRY(m_terminal.issue_ticket(service.category));
        ticket = TRY(m_terminal.call_next(service.category, static_cast<int>(uniform(m_rng, 1, 4)), m_clerk));
        if (ticket) {
            req.channel = Channel::Counter;
            req.staff_id = m_clerk;
            req.ticket_id = ticket->id;
            out.ticket = true;
        }
    }
    auto fee = TRY(m_terminal.assess(service.code, req.values, req.exemption).fee);
    std::optional<PaymentRequest> payment;
    if (fee.total > 0) {
        if (req.channel == Channel::Counter || uniform(m_rng, 0, 1) == 0) {
            // Cash, rounded up to the next 5,000 SYP note.
            int64_t note = 500000;
            payment = PaymentRequest::cash((fee.total + note - 1) / note * note, req.staff_id);
        } else {
            payment = PaymentRequest::card("A" + std::to_string(uniform(m_rng, 100000, 999999)), req.staff_id);
        }
    }
    // An exemption claimed at the counter: the clerk notes the supporting document seen.
    if (req.channel == Channel::Counter && !req.exemption.empty() && fee.total == 0) {
        payment = PaymentRequest::exempt(req.exemption, req.staff_id);
        payment->document = "بطاقة " + std::to_string(uniform(m_rng, 1000, 9999));
    }
    auto sub = TRY(m_terminal.submit(req, payment));
    out.reference = sub.application.reference;
    out.paid_minor = sub.application.paid_minor;
    if (m_on_committed)
        m_on_committed(out.reference, out.service_code);
    if (ticket)
        TRY(m_terminal.serve(ticket->id, out.reference));
    if (uniform(m_rng, 0, 9) < 3) {
        static constexpr std::array reasons = {"", "", "خدمة سريعة", "الانتظار طويل", "الموظف متعاون"};
        // (The same random draws as before reason codes existed, in the same order: seeded runs stay the same.)
        int rating = static_cast<int>(uniform(m_rng, 1, 5));
        std::string text = pick(reasons, m_rng);
        // A citizen who is not satisfied taps a reason, one of the codes in turn (no random draw).
        std::vector<std::string> codes;
        if (rating <= 3)
            codes.push_back(survey_reason_codes()[static_cast<size_t>(m_surveys++) % survey_reason_codes().size()]);
        TRY(m_terminal.record_survey({out.reference, ticket ? std::optional<int64_t>(ticket->id) : std::nullopt, rating, text, codes}));
        out.survey = true;
    }
    return out;
}

} // namespace nafitha::services
