// Font loading: file bytes, FreeType face and HarfBuzz font, each with an owner.

#include "text/font.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ot.h>
#include <hb.h>

namespace nafitha::text {

namespace {

constexpr uintmax_t kMaxFontBytes = 64u << 20;
constexpr const char* kNotoDir = "/usr/share/fonts/truetype/noto/";
constexpr const char* kAmiriDir = "/usr/share/fonts/opentype/fonts-hosny-amiri/";

FontFile noto(const char* name) { return {std::string(kNotoDir) + name, "fonts-noto-core"}; }

} // namespace

class FreeTypeLibrary {
public:
    FreeTypeLibrary() { m_ok = FT_Init_FreeType(&m_lib) == 0; }
    ~FreeTypeLibrary()
    {
        if (m_ok)
            FT_Done_FreeType(m_lib);
    }
    FreeTypeLibrary(const FreeTypeLibrary&) = delete;
    FreeTypeLibrary& operator=(const FreeTypeLibrary&) = delete;
    bool ok() const { return m_ok; }
    FT_Library get() const { return m_lib; }

private:
    FT_Library m_lib = nullptr;
    bool m_ok = false;
};

std::vector<FontFile> default_font_files(ArabicDesign design, Weight weight)
{
    bool bold = weight == Weight::Bold;
    std::vector<FontFile> files;
    switch (design) {
    case ArabicDesign::NotoNaskh:
        files.push_back(noto(bold ? "NotoNaskhArabic-Bold.ttf" : "NotoNaskhArabic-Regular.ttf"));
        break;
    case ArabicDesign::NotoSans:
        files.push_back(noto(bold ? "NotoSansArabic-Bold.ttf" : "NotoSansArabic-Regular.ttf"));
        break;
    case ArabicDesign::Amiri:
        files.push_back({std::string(kAmiriDir) + (bold ? "Amiri-Bold.ttf" : "Amiri-Regular.ttf"), "fonts-hosny-amiri"});
        break;
    }
    files.push_back(noto(bold ? "NotoSans-Bold.ttf" : "NotoSans-Regular.ttf"));
    return files;
}

FontStackConfig default_font_config(ArabicDesign design)
{
    return {default_font_files(design, Weight::Regular), default_font_files(design, Weight::Bold)};
}

struct Face::Impl {
    std::string path;
    std::vector<unsigned char> bytes;
    std::shared_ptr<FreeTypeLibrary> library;
    FT_Face ft = nullptr;
    hb_face_t* hb_face = nullptr;
    hb_font_t* hb = nullptr;
    int upem = 1000;
    int ascender = 0, descender = 0, line_gap = 0;

    ~Impl()
    {
        if (hb)
            hb_font_destroy(hb);
        if (hb_face)
            hb_face_destroy(hb_face);
        if (ft)
            FT_Done_Face(ft);
    }
};

Face::Face(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Face::Face(Face&&) noexcept = default;
Face& Face::operator=(Face&&) noexcept = default;
Face::~Face() = default;

Result<Face> Face::load(const FontFile& file, std::shared_ptr<FreeTypeLibrary> library)
{
    std::string where = file.path + (file.package.empty() ? "" : " (Debian package " + file.package + ")");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file.path, ec))
        return Error::make(kErrFontMissing, "font file not found: " + where, "font");
    auto size = std::filesystem::file_size(file.path, ec);
    if (ec)
        return Error::make(kErrFontMissing, "font file not readable: " + where, "font");
    if (size > kMaxFontBytes)
        return Error::make(kErrFontTooLarge, "font file larger than 64 MiB: " + where, "font");
    if (!library || !library->ok())
        return Error::make(kErrFontCorrupt, "FreeType could not be initialised", "font");

    auto impl = std::make_unique<Impl>();
    impl->path = file.path;
    impl->library = std::move(library);
    impl->bytes.resize(size);
    {
        std::ifstream in(file.path, std::ios::binary);
        if (!in.read(reinterpret_cast<char*>(impl->bytes.data()), std::streamsize(size)))
            return Error::make(kErrFontMissing, "font file not readable: " + where, "font");
    }
    if (size == 0 || FT_New_Memory_Face(impl->library->get(), impl->bytes.data(), FT_Long(size), 0, &impl->ft) != 0) {
        impl->ft = nullptr;
        return Error::make(kErrFontCorrupt, "not a usable font file (FreeType cannot read it): " + where, "font");
    }
    if (!FT_IS_SCALABLE(impl->ft) || impl->ft->units_per_EM == 0)
        return Error::make(kErrFontCorrupt, "font has no scalable outlines: " + where, "font");

    hb_blob_t* blob = hb_blob_create(reinterpret_cast<const char*>(impl->bytes.data()), unsigned(size),
                                     HB_MEMORY_MODE_READONLY, nullptr, nullptr);
    impl->hb_face = hb_face_create(blob, 0);
    hb_blob_destroy(blob);
    if (!impl->hb_face || hb_face_get_glyph_count(impl->hb_face) == 0)
        return Error::make(kErrFontCorrupt, "HarfBuzz cannot read the font: " + where, "font");
    impl->upem = int(hb_face_get_upem(impl->hb_face));
    impl->hb = hb_font_create(impl->hb_face);
    // One unit per font unit, no hinting: the same advances as `hb-shape` prints.
    hb_font_set_scale(impl->hb, impl->upem, impl->upem);

    hb_font_extents_t ext{};
    hb_font_get_h_extents(impl->hb, &ext);
    impl->ascender = ext.ascender;
    impl->descender = ext.descender;
    impl->line_gap = ext.line_gap;
    if (impl->ascender <= 0 && impl->descender >= 0) {
        impl->ascender = impl->ft->ascender;
        impl->descender = impl->ft->descender;
    }
    return Face(std::move(impl));
}

const std::string& Face::path() const { return m_impl->path; }
int Face::units_per_em() const { return m_impl->upem; }
int Face::ascender() const { return m_impl->ascender; }
int Face::descender() const { return m_impl->descender; }
int Face::line_gap() const { return m_impl->line_gap; }
hb_font_t* Face::hb_font() const { return m_impl->hb; }
FT_Face Face::ft_face() const { return m_impl->ft; }

uint32_t Face::glyph_for(char32_t cp) const
{
    hb_codepoint_t g = 0;
    if (!hb_font_get_nominal_glyph(m_impl->hb, cp, &g))
        return 0;
    return g;
}

FontStack::FontStack(FontStack&&) noexcept = default;
FontStack& FontStack::operator=(FontStack&&) noexcept = default;
FontStack::~FontStack() = default;

Result<FontStack> FontStack::load(const FontStackConfig& config)
{
    if (config.regular.empty())
        return Error::make(kErrNoFonts, "no font files configured", "font");
    FontStack stack;
    static std::atomic<uint64_t> next_id{1};
    stack.m_id = next_id++;
    stack.m_library = std::make_shared<FreeTypeLibrary>();
    for (const auto& file : config.regular) {
        auto face = TRY(Face::load(file, stack.m_library));
        stack.m_regular.push_back(FontId(stack.m_faces.size()));
        stack.m_faces.push_back(std::move(face));
    }
    for (const auto& file : config.bold) {
        auto face = TRY(Face::load(file, stack.m_library));
        stack.m_bold.push_back(FontId(stack.m_faces.size()));
        stack.m_faces.push_back(std::move(face));
    }
    return stack;
}

Result<FontStack> FontStack::load(const std::vector<FontFile>& files) { return load(FontStackConfig{files, {}}); }

Result<FontStack> FontStack::load_default(ArabicDesign design) { return load(default_font_config(design)); }

FontId FontStack::face_for(char32_t cp, Weight weight) const
{
    auto ids = chain(weight);
    for (FontId id : ids)
        if (m_faces[id].has_glyph(cp))
            return id;
    return ids.empty() ? FontId(0) : ids.front();
}

} // namespace nafitha::text
