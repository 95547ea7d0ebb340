#pragma once
// The service catalogue: government entities, categories, services with their forms, documents, fee rules,
// exemptions, processing time and availability per centre. The document format is the JSON of
// assets/catalogue/seed.json (documented in docs/PROTOCOL.md, "Catalogue document").

#include "base/i18n.h"
#include "base/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::services {

// A text in both languages; Arabic first.
struct LocalText {
    std::string ar;
    std::string en;
    const std::string& in(Lang lang) const { return lang == Lang::Ar ? ar : en; }
};

struct Entity {
    std::string code;
    LocalText name;
};

struct Category {
    std::string code;
    std::string entity;       // entity code
    LocalText name;
    std::string queue_prefix; // ticket letter, e.g. "A"
};

struct Centre {
    std::string code;         // "DAM-01"
    LocalText name;
    std::string time_zone;    // IANA name ("Asia/Damascus"); empty = the catalogue's
};

enum class FieldType { Text, ArabicName, NationalId, Phone, Date, Choice, Number, Amount, ScanReference };
std::string_view field_type_name(FieldType type);

struct ChoiceOption {
    std::string value;
    LocalText label;
};

struct FormField {
    std::string name;          // key in FormValues
    FieldType type = FieldType::Text;
    LocalText label;
    LocalText hint;
    bool required = true;
    bool pii = false;          // personal data: stored encrypted, never journalled
    size_t max_length = 100;   // code points, for Text
    int64_t min = 0;           // Number: value range; Amount: minor units
    int64_t max = 0;           // 0 = no upper bound
    std::vector<ChoiceOption> options; // Choice
    bool past_only = false;    // Date: must not be in the future
};

enum class FeeKind { Fixed, ByOption, ByAmount };

struct FeeRule {
    FeeKind kind = FeeKind::Fixed;
    int64_t amount = 0;                    // Fixed: the fee; ByOption/ByAmount: a base service fee added
    std::string field;                     // ByOption: choice field; ByAmount: amount field
    std::map<std::string, int64_t> by_option; // option value -> fee (minor units)
};

struct Exemption {
    std::string code;
    LocalText name;
};

struct Service {
    std::string code;          // "civil.birth_extract"
    std::string entity;
    std::string category;
    LocalText name;
    LocalText description;
    std::vector<LocalText> documents;   // required documents
    FeeRule fee;
    std::vector<Exemption> exemptions;
    int processing_days = 0;            // 0 = same day
    std::vector<std::string> centres;   // centre codes; empty = every centre
    std::vector<FormField> form;
    std::string search_key;             // folded names and descriptions (filled by the parser)

    bool available_at(std::string_view centre) const;
    const FormField* field(std::string_view name) const;
    // Documents to check in person mean a counter visit: a kiosk submission gets its queue ticket.
    bool needs_counter_visit() const { return !documents.empty(); }
};

struct Catalogue {
    int64_t version = 0;
    std::string currency = "SYP";
    std::string time_zone = "Asia/Damascus"; // IANA name (tzdata): local time on screens and paper
    std::vector<Entity> entities;
    std::vector<Category> categories;
    std::vector<Centre> centres;
    std::vector<Service> services;

    const Service* service(std::string_view code) const;
    const Category* category(std::string_view code) const;
    const Entity* entity(std::string_view code) const;
    const Centre* centre(std::string_view code) const;
    // The time zone of `centre`: its own, else the catalogue's. Times are stored in UTC and shown in this zone.
    const std::string& time_zone_at(std::string_view centre) const;
    // Services available at `centre` (every service when empty) in a category (every category when empty).
    std::vector<const Service*> services_in(std::string_view category, std::string_view centre) const;
    // Services whose names or descriptions contain the folded query, in either language.
    std::vector<const Service*> search(std::string_view query, std::string_view centre) const;
};

// Parses and checks a catalogue document; error.catalogue.invalid names what is wrong.
Result<Catalogue> parse_catalogue(const nlohmann::json& document);

// Form values as typed, by field name (strings, any digit form).
using FormValues = std::map<std::string, std::string>;

struct FeeLine {
    LocalText label;
    int64_t amount = 0;  // minor units
};

struct Fee {
    std::vector<FeeLine> lines;
    int64_t total = 0;   // minor units; 0 when exempt
    std::string exemption;          // exemption code applied, or empty
    int64_t waived = 0;  // what the exemption waived
};

// The fee for `values` (already validated/normalised, see forms.h) and an optional exemption code.
Result<Fee> quote_fee(const Service& service, const FormValues& values, std::string_view exemption);

} // namespace nafitha::services
