#pragma once
// Data-driven forms: every field of a service's form validated and normalised, every problem at once.
// A problem is an Error whose `code` is a translation key (assets/i18n/<lang>/services.json) and whose
// `field` names the field.

#include "base/result.h"
#include "kiosk/services/catalogue.h"

#include <string>
#include <string_view>
#include <vector>

namespace nafitha::services {

// Hard limits on raw input, whatever the field says.
inline constexpr size_t kMaxRawFieldBytes = 1024;
inline constexpr size_t kMaxFormFields = 64;

struct Validation {
    FormValues values;            // normalised values of the fields that passed (absent optional fields omitted)
    std::vector<Error> problems;  // one per bad field, in form order
    bool ok() const { return problems.empty(); }
    const Error* problem(std::string_view field) const;
};

// `today` ("YYYY-MM-DD", the office's local day) bounds past-only dates; empty: today in the default zone.
Validation validate_form(const Service& service, const FormValues& raw, std::string_view today = {});

// The one validation authority for an application. The service must exist and be offered at `centre`
// (error.service.unknown / error.service.unavailable as the single problem, field "service"), every field
// valid (all problems at once, values normalised), and the fee quoted for the claimed `exemption`. Pure:
// it reads only the catalogue snapshot (no database, no lock), so the kiosk's UI asks it as the citizen
// types, and Terminal::submit asks it once more inside its transaction. Nothing else validates a form.
struct Assessment {
    Validation validation;
    Result<Fee> fee = Error::make("error.form.invalid", "not assessed");
    Result<Fee> fee_without_exemption = Error::make("error.form.invalid", "not assessed");
    const Service* service = nullptr;  // into the catalogue given
    bool ok() const { return validation.ok() && fee.ok(); }
};
Assessment assess(const Catalogue& catalogue, std::string_view centre, std::string_view service_code,
                  const FormValues& raw, std::string_view exemption);

// Single-field validators; each returns the normalised value or the problem (field left empty).
Result<std::string> validate_national_id(std::string_view raw);     // 11 digits
Result<std::string> validate_phone(std::string_view raw);           // Syrian mobile -> 09XXXXXXXX
Result<std::string> validate_arabic_name(std::string_view raw, size_t max_length = 80);
Result<std::string> validate_date(std::string_view raw, bool past_only, std::string_view today = {});  // YYYY-MM-DD
Result<std::string> validate_number(std::string_view raw, int64_t min, int64_t max);
Result<std::string> validate_amount(std::string_view raw, int64_t min_minor, int64_t max_minor); // pounds -> minor units
Result<std::string> validate_scan_reference(std::string_view raw);
Result<std::string> validate_text(std::string_view raw, size_t max_length);
Result<std::string> validate_field(const FormField& field, std::string_view raw, std::string_view today = {});
// Today's local day ("YYYY-MM-DD") in an IANA time zone (the default zone when unknown).
std::string local_today(std::string_view time_zone);

} // namespace nafitha::services
