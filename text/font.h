#pragma once
// Fonts: a FontStack is an ordered list of faces (the first face is the primary one, the rest are fallbacks
// tried per cluster). Each Face owns its file bytes, its FreeType face (for rasterisation) and its HarfBuzz
// font (for shaping, at a scale of one unit per font unit, unhinted, the same as `hb-shape`).
//
// Defaults come from Debian packages: fonts-noto-core (Noto Naskh Arabic, Noto Sans Arabic, Noto Sans for
// Latin) and fonts-hosny-amiri (Amiri). A missing or corrupt file is an Error whose detail names the file and
// the Debian package that provides it.
//
// A FontStack is not thread-safe: each thread that lays out or rasterises text owns its own stack (through
// its own TextEngine).

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

typedef struct FT_FaceRec_* FT_Face;
typedef struct FT_LibraryRec_* FT_Library;
typedef struct hb_font_t hb_font_t;
typedef struct hb_face_t hb_face_t;

namespace nafitha::text {

// Error codes (translation keys in assets/i18n/<lang>/text.json).
inline constexpr const char* kErrFontMissing = "error.text.font_missing";
inline constexpr const char* kErrFontCorrupt = "error.text.font_corrupt";
inline constexpr const char* kErrFontTooLarge = "error.text.font_too_large";
inline constexpr const char* kErrNoFonts = "error.text.no_fonts";

// A font file and, for error messages, the Debian package that installs it.
struct FontFile {
    std::string path;
    std::string package;
};

// Which Arabic design a stack starts with.
enum class ArabicDesign { NotoNaskh, NotoSans, Amiri };
// Regular or bold weight.
enum class Weight { Regular, Bold };

// The default stack: the Arabic face of `design` and `weight`, then Noto Sans (Latin, punctuation) of the
// same weight. Paths are Debian's.
std::vector<FontFile> default_font_files(ArabicDesign design = ArabicDesign::NotoNaskh, Weight weight = Weight::Regular);

// Owns FreeType's library handle; shared by the faces of one stack.
class FreeTypeLibrary;

// One loaded face. Move-only; owns every C handle it holds.
class Face {
public:
    // Loads `file` (at most 64 MiB). Errors: font_missing (no such file), font_corrupt (FreeType or
    // HarfBuzz cannot read it), font_too_large.
    static Result<Face> load(const FontFile& file, std::shared_ptr<FreeTypeLibrary> library);

    Face(Face&&) noexcept;
    Face& operator=(Face&&) noexcept;
    Face(const Face&) = delete;
    Face& operator=(const Face&) = delete;
    ~Face();

    const std::string& path() const;
    int units_per_em() const;
    // Horizontal metrics in font units (ascender positive, descender negative).
    int ascender() const;
    int descender() const;
    int line_gap() const;
    // The nominal glyph for a code point, or 0 (.notdef) when the face has none.
    uint32_t glyph_for(char32_t cp) const;
    bool has_glyph(char32_t cp) const { return glyph_for(cp) != 0; }

    hb_font_t* hb_font() const;
    FT_Face ft_face() const;

private:
    struct Impl;
    explicit Face(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Fonts are referred to by their index in the stack (FontId), which is what glyphs and atlas keys carry.
using FontId = uint16_t;

// Files for a stack: a fallback chain per weight. An empty `bold` chain means bold text uses `regular`.
struct FontStackConfig {
    std::vector<FontFile> regular;
    std::vector<FontFile> bold;
};

// Defaults: Regular = {Arabic design Regular, Noto Sans Regular}, Bold = the Bold files of both.
FontStackConfig default_font_config(ArabicDesign design = ArabicDesign::NotoNaskh);

class FontStack {
public:
    // Loads every file in order; the first failure is returned (it names the file and the package). Every
    // face gets a FontId (regular chain first, then bold).
    static Result<FontStack> load(const FontStackConfig& config);
    // One chain used for both weights (the `shape` CLI passes exactly one file: no fallback at all).
    static Result<FontStack> load(const std::vector<FontFile>& files);
    // default_font_config(design).
    static Result<FontStack> load_default(ArabicDesign design = ArabicDesign::NotoNaskh);

    FontStack(FontStack&&) noexcept;
    FontStack& operator=(FontStack&&) noexcept;
    ~FontStack();

    size_t size() const { return m_faces.size(); }
    const Face& face(FontId id) const { return m_faces[id]; }
    // The fallback chain for a weight (never empty for a loaded stack).
    std::span<const FontId> chain(Weight weight) const
    {
        return weight == Weight::Bold && !m_bold.empty() ? std::span<const FontId>(m_bold) : std::span<const FontId>(m_regular);
    }
    // The first face of the chain that has a glyph for `cp`; the chain's first face when none has it.
    FontId face_for(char32_t cp, Weight weight) const;
    // A number unique to this stack object in the process (layout caches key on it).
    uint64_t id() const { return m_id; }

private:
    FontStack() = default;
    std::shared_ptr<FreeTypeLibrary> m_library;
    std::vector<Face> m_faces;
    std::vector<FontId> m_regular;
    std::vector<FontId> m_bold;
    uint64_t m_id = 0;
};

} // namespace nafitha::text
