#include "kiosk/services/catalogue.h"

#include "base/utf8.h"
#include "kiosk/services/text_normalize.h"

#include <cctype>
#include <set>
#include <stdexcept>

namespace nafitha::services {

using nlohmann::json;

std::string_view field_type_name(FieldType type)
{
    switch (type) {
    case FieldType::Text: return "text";
    case FieldType::ArabicName: return "arabic_name";
    case FieldType::NationalId: return "national_id";
    case FieldType::Phone: return "phone";
    case FieldType::Date: return "date";
    case FieldType::Choice: return "choice";
    case FieldType::Number: return "number";
    case FieldType::Amount: return "amount";
    case FieldType::ScanReference: return "scan_reference";
    }
    return "text";
}

bool Service::available_at(std::string_view centre) const
{
    if (centres.empty() || centre.empty())
        return true;
    for (auto& c : centres)
        if (c == centre)
            return true;
    return false;
}

const FormField* Service::field(std::string_view name) const
{
    for (auto& f : form)
        if (f.name == name)
            return &f;
    return nullptr;
}

template<typename T>
static const T* find_code(const std::vector<T>& items, std::string_view code)
{
    for (auto& item : items)
        if (item.code == code)
            return &item;
    return nullptr;
}

const Service* Catalogue::service(std::string_view code) const { return find_code(services, code); }
const Category* Catalogue::category(std::string_view code) const { return find_code(categories, code); }
const Entity* Catalogue::entity(std::string_view code) const { return find_code(entities, code); }
const Centre* Catalogue::centre(std::string_view code) const { return find_code(centres, code); }

const std::string& Catalogue::time_zone_at(std::string_view code) const
{
    const Centre* c = centre(code);
    return c && !c->time_zone.empty() ? c->time_zone : time_zone;
}

std::vector<const Service*> Catalogue::services_in(std::string_view category, std::string_view centre_code) const
{
    std::vector<const Service*> out;
    for (auto& s : services)
        if ((category.empty() || s.category == category) && s.available_at(centre_code))
            out.push_back(&s);
    return out;
}

std::vector<const Service*> Catalogue::search(std::string_view query, std::string_view centre_code) const
{
    std::vector<const Service*> out;
    if (query.size() > 256)
        return out;
    auto q = fold_for_search(query);
    if (q.empty())
        return services_in({}, centre_code);
    // Every word of the query must appear somewhere in the service's folded texts.
    std::vector<std::string> words;
    size_t start = 0;
    while (start < q.size()) {
        auto end = q.find(' ', start);
        if (end == std::string::npos)
            end = q.size();
        if (end > start)
            words.push_back(q.substr(start, end - start));
        start = end + 1;
    }
    for (auto& s : services) {
        if (!s.available_at(centre_code))
            continue;
        bool all = true;
        for (auto& w : words)
            if (s.search_key.find(w) == std::string::npos) {
                all = false;
                break;
            }
        if (all)
            out.push_back(&s);
    }
    return out;
}

namespace {

struct Invalid : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void invalid(const std::string& what) { throw Invalid(what); }

std::string str(const json& j, const char* key, const std::string& where, size_t max = 2000, bool required = true)
{
    auto it = j.find(key);
    if (it == j.end()) {
        if (required)
            invalid(where + ": missing '" + key + "'");
        return {};
    }
    if (!it->is_string())
        invalid(where + ": '" + key + "' is not a string");
    auto& s = it->get_ref<const std::string&>();
    if (s.size() > max || !utf8::is_valid(s))
        invalid(where + ": '" + key + "' is too long or not UTF-8");
    return s;
}

std::string code(const json& j, const char* key, const std::string& where)
{
    auto s = str(j, key, where, 64);
    if (s.empty())
        invalid(where + ": empty '" + key + "'");
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            invalid(where + ": '" + key + "' has characters other than letters, digits and . _ -");
    return s;
}

LocalText text(const json& j, const char* key, const std::string& where, bool required = true)
{
    auto it = j.find(key);
    if (it == j.end()) {
        if (required)
            invalid(where + ": missing '" + key + "'");
        return {};
    }
    if (!it->is_object())
        invalid(where + ": '" + key + "' is not an {ar, en} object");
    LocalText t{str(*it, "ar", where + "." + key), str(*it, "en", where + "." + key)};
    if (required && (t.ar.empty() || t.en.empty()))
        invalid(where + ": '" + key + "' needs both Arabic and English");
    return t;
}

int64_t integer(const json& j, const char* key, const std::string& where, int64_t fallback, bool required = false)
{
    auto it = j.find(key);
    if (it == j.end()) {
        if (required)
            invalid(where + ": missing '" + key + "'");
        return fallback;
    }
    if (!it->is_number_integer())
        invalid(where + ": '" + key + "' is not an integer");
    return it->get<int64_t>();
}

const json& array(const json& j, const char* key, const std::string& where, size_t max, bool required = true)
{
    static const json empty = json::array();
    auto it = j.find(key);
    if (it == j.end()) {
        if (required)
            invalid(where + ": missing '" + key + "'");
        return empty;
    }
    if (!it->is_array() || it->size() > max)
        invalid(where + ": '" + key + "' is not an array of at most " + std::to_string(max));
    return *it;
}

FieldType field_type(const std::string& name, const std::string& where)
{
    static const std::pair<const char*, FieldType> types[] = {
        {"text", FieldType::Text},       {"arabic_name", FieldType::ArabicName}, {"national_id", FieldType::NationalId},
        {"phone", FieldType::Phone},     {"date", FieldType::Date},              {"choice", FieldType::Choice},
        {"number", FieldType::Number},   {"amount", FieldType::Amount},          {"scan_reference", FieldType::ScanReference},
    };
    for (auto& [n, t] : types)
        if (name == n)
            return t;
    invalid(where + ": unknown field type '" + name + "'");
}

FormField parse_field(const json& j, const std::string& where)
{
    if (!j.is_object())
        invalid(where + ": not an object");
    FormField f;
    f.name = code(j, "name", where);
    f.type = field_type(str(j, "type", where, 32), where);
    f.label = text(j, "label", where);
    f.hint = text(j, "hint", where, false);
    f.required = j.value("required", true);
    f.pii = j.value("pii", f.type == FieldType::ArabicName || f.type == FieldType::NationalId || f.type == FieldType::Phone);
    f.max_length = static_cast<size_t>(integer(j, "max_length", where, 100));
    if (f.max_length < 1 || f.max_length > 500)
        invalid(where + ": max_length must be 1..500");
    f.min = integer(j, "min", where, 0);
    f.max = integer(j, "max", where, 0);
    f.past_only = j.value("past_only", false);
    for (auto& o : array(j, "options", where, 50, f.type == FieldType::Choice)) {
        if (!o.is_object())
            invalid(where + ": an option is not an object");
        f.options.push_back({code(o, "value", where + ".options"), text(o, "label", where + ".options")});
    }
    if (f.type == FieldType::Choice && f.options.empty())
        invalid(where + ": a choice needs options");
    return f;
}

Service parse_service(const json& j, const Catalogue& c, const std::string& where)
{
    if (!j.is_object())
        invalid(where + ": not an object");
    Service s;
    s.code = code(j, "code", where);
    std::string w = where + " (" + s.code + ")";
    s.entity = code(j, "entity", w);
    s.category = code(j, "category", w);
    if (!c.entity(s.entity))
        invalid(w + ": unknown entity '" + s.entity + "'");
    auto cat = c.category(s.category);
    if (!cat || cat->entity != s.entity)
        invalid(w + ": unknown category '" + s.category + "' for its entity");
    s.name = text(j, "name", w);
    s.description = text(j, "description", w);
    for (auto& d : array(j, "documents", w, 30)) {
        if (!d.is_object())
            invalid(w + ": a document is not an {ar, en} object");
        LocalText t{str(d, "ar", w + ".documents"), str(d, "en", w + ".documents")};
        s.documents.push_back(std::move(t));
    }
    s.processing_days = static_cast<int>(integer(j, "processing_days", w, 0));
    if (s.processing_days < 0 || s.processing_days > 365)
        invalid(w + ": processing_days must be 0..365");
    for (auto& centre : array(j, "centres", w, 500, false)) {
        if (!centre.is_string() || !c.centre(centre.get<std::string>()))
            invalid(w + ": unknown centre in 'centres'");
        s.centres.push_back(centre.get<std::string>());
    }
    std::set<std::string> names;
    for (auto& f : array(j, "form", w, 64)) {
        auto field = parse_field(f, w + ".form");
        if (!names.insert(field.name).second)
            invalid(w + ": duplicate field '" + field.name + "'");
        s.form.push_back(std::move(field));
    }
    for (auto& e : array(j, "exemptions", w, 20, false)) {
        if (!e.is_object())
            invalid(w + ": an exemption is not an object");
        s.exemptions.push_back({code(e, "code", w + ".exemptions"), text(e, "name", w + ".exemptions")});
    }
    auto fee = j.find("fee");
    if (fee == j.end() || !fee->is_object())
        invalid(w + ": missing 'fee'");
    auto kind = str(*fee, "kind", w + ".fee", 16);
    s.fee.amount = integer(*fee, "amount", w + ".fee", 0, kind == "fixed");
    if (s.fee.amount < 0)
        invalid(w + ": negative fee");
    if (kind == "fixed") {
        s.fee.kind = FeeKind::Fixed;
    } else if (kind == "by_option") {
        s.fee.kind = FeeKind::ByOption;
        s.fee.field = code(*fee, "field", w + ".fee");
        auto field = s.field(s.fee.field);
        if (!field || field->type != FieldType::Choice)
            invalid(w + ": fee field '" + s.fee.field + "' is not a choice of the form");
        auto options = fee->find("options");
        if (options == fee->end() || !options->is_object())
            invalid(w + ": by_option fee needs 'options'");
        for (auto& o : field->options) {
            auto it = options->find(o.value);
            if (it == options->end() || !it->is_number_integer() || it->get<int64_t>() < 0)
                invalid(w + ": no fee for option '" + o.value + "'");
            s.fee.by_option[o.value] = it->get<int64_t>();
        }
    } else if (kind == "by_amount") {
        s.fee.kind = FeeKind::ByAmount;
        s.fee.field = code(*fee, "field", w + ".fee");
        auto field = s.field(s.fee.field);
        if (!field || field->type != FieldType::Amount || !field->required)
            invalid(w + ": fee field '" + s.fee.field + "' is not a required amount of the form");
    } else {
        invalid(w + ": unknown fee kind '" + kind + "'");
    }
    s.search_key = fold_for_search(s.name.ar + " " + s.name.en + " " + s.description.ar + " " + s.description.en + " " +
                                   s.code);
    return s;
}

} // namespace

Result<Catalogue> parse_catalogue(const json& doc)
{
    try {
        if (!doc.is_object())
            invalid("the catalogue is not an object");
        Catalogue c;
        c.version = integer(doc, "version", "catalogue", 0, true);
        if (c.version < 1)
            invalid("catalogue: version must be >= 1");
        c.currency = str(doc, "currency", "catalogue", 8);
        if (c.currency != "SYP")
            invalid("catalogue: currency must be SYP");
        // An IANA zone name such as "Asia/Damascus" (the formatter checks it against tzdata when it is used).
        auto zone = [](const json& j, const std::string& where) {
            std::string z = str(j, "time_zone", where, 64, false);
            for (char ch : z)
                if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '/' && ch != '_' && ch != '-' && ch != '+')
                    invalid(where + ": time_zone is an IANA name such as Asia/Damascus");
            return z;
        };
        if (std::string z = zone(doc, "catalogue"); !z.empty())
            c.time_zone = z;
        std::set<std::string> codes;
        for (auto& e : array(doc, "entities", "catalogue", 100)) {
            Entity entity{code(e, "code", "entities"), text(e, "name", "entities")};
            if (!codes.insert("e:" + entity.code).second)
                invalid("duplicate entity " + entity.code);
            c.entities.push_back(std::move(entity));
        }
        for (auto& e : array(doc, "categories", "catalogue", 200)) {
            Category cat{code(e, "code", "categories"), code(e, "entity", "categories"), text(e, "name", "categories"),
                         str(e, "queue_prefix", "categories", 2)};
            if (!c.entity(cat.entity))
                invalid("category " + cat.code + ": unknown entity " + cat.entity);
            if (cat.queue_prefix.size() != 1 || cat.queue_prefix[0] < 'A' || cat.queue_prefix[0] > 'Z')
                invalid("category " + cat.code + ": queue_prefix must be one letter A-Z");
            if (!codes.insert("c:" + cat.code).second)
                invalid("duplicate category " + cat.code);
            c.categories.push_back(std::move(cat));
        }
        for (auto& e : array(doc, "centres", "catalogue", 500)) {
            Centre centre{code(e, "code", "centres"), text(e, "name", "centres"), zone(e, "centres")};
            if (!codes.insert("r:" + centre.code).second)
                invalid("duplicate centre " + centre.code);
            c.centres.push_back(std::move(centre));
        }
        size_t i = 0;
        for (auto& s : array(doc, "services", "catalogue", 1000)) {
            auto service = parse_service(s, c, "services[" + std::to_string(i++) + "]");
            if (!codes.insert("s:" + service.code).second)
                invalid("duplicate service " + service.code);
            c.services.push_back(std::move(service));
        }
        if (c.services.empty())
            invalid("the catalogue has no services");
        return c;
    } catch (const Invalid& e) {
        return Error::make("error.catalogue.invalid", e.what());
    } catch (const json::exception& e) {
        return Error::make("error.catalogue.invalid", e.what());
    }
}

Result<Fee> quote_fee(const Service& s, const FormValues& values, std::string_view exemption)
{
    Fee fee;
    static const LocalText service_fee{"رسم الخدمة", "Service fee"};
    switch (s.fee.kind) {
    case FeeKind::Fixed:
        fee.lines.push_back({service_fee, s.fee.amount});
        break;
    case FeeKind::ByOption: {
        auto it = values.find(s.fee.field);
        auto field = s.field(s.fee.field);
        if (it == values.end() || !s.fee.by_option.count(it->second))
            return Error::make("error.fee.option_missing", "no value for fee field " + s.fee.field, s.fee.field);
        if (s.fee.amount > 0)
            fee.lines.push_back({service_fee, s.fee.amount});
        LocalText label = field ? field->label : LocalText{};
        for (auto& o : field->options)
            if (o.value == it->second)
                label = LocalText{label.ar + ": " + o.label.ar, label.en + ": " + o.label.en};
        fee.lines.push_back({label, s.fee.by_option.at(it->second)});
        break;
    }
    case FeeKind::ByAmount: {
        auto it = values.find(s.fee.field);
        if (it == values.end() || it->second.empty() || it->second.size() > 18)
            return Error::make("error.fee.option_missing", "no amount in " + s.fee.field, s.fee.field);
        int64_t amount = 0;
        for (char ch : it->second) {
            if (ch < '0' || ch > '9')
                return Error::make("error.fee.option_missing", "amount not normalised", s.fee.field);
            amount = amount * 10 + (ch - '0');
        }
        fee.lines.push_back({s.field(s.fee.field)->label, amount});
        if (s.fee.amount > 0)
            fee.lines.push_back({service_fee, s.fee.amount});
        break;
    }
    }
    for (auto& line : fee.lines)
        fee.total += line.amount;
    if (!exemption.empty()) {
        bool known = false;
        for (auto& e : s.exemptions)
            known = known || e.code == exemption;
        if (!known)
            return Error::make("error.fee.exemption_unknown", "exemption not offered by " + s.code, "exemption");
        // Bill payments pass money through to the utility: an exemption waives only the service fee.
        int64_t waivable = s.fee.kind == FeeKind::ByAmount ? s.fee.amount : fee.total;
        fee.waived = waivable;
        fee.total -= waivable;
        fee.exemption = std::string(exemption);
    }
    return fee;
}

} // namespace nafitha::services
