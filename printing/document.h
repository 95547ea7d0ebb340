#pragma once
// The document model: what a receipt, ticket or report says, independent of paper width. A document is a
// list of blocks laid out top to bottom; text is laid out with text/ (bidi, shaping, wrapping), so Arabic
// comes out joined and right to left. "Start" is the right edge in an Arabic document.

#include "base/i18n.h"
#include "printing/bitmap.h"

#include <string>
#include <variant>
#include <vector>

namespace nafitha::printing {

enum class TextSize { Small, Normal, Large, Title, Huge };
enum class TextWeight { Regular, Bold };
enum class BlockAlign { Start, Center, End };
// Document: the paragraph takes the document's direction (RTL in Arabic). Own: the paragraph's first
// strong letter decides (a sample sentence in the other language).
enum class TextDirection { Document, Own };

struct TextBlock {
    std::string text;                      // UTF-8; newlines start new paragraphs
    TextSize size = TextSize::Normal;
    TextWeight weight = TextWeight::Regular;
    BlockAlign align = BlockAlign::Start;
    TextDirection direction = TextDirection::Document;
};

// A label at the start side and its value at the end side; when both do not fit on one line the value
// moves under the label, aligned to the end.
struct KeyValueBlock {
    std::string key;
    std::string value;
    TextWeight weight = TextWeight::Regular;
    TextSize size = TextSize::Normal;
};

enum class RuleStyle { Solid, Dashed, Double };
struct SeparatorBlock {
    RuleStyle style = RuleStyle::Dashed;
};

struct QrBlock {
    std::string payload;
    int module_dots = 0;                   // 0: as large as fits, at most 6 dots a module
};

struct ImageBlock {
    GrayImage image;                       // ink coverage
    int width_dots = 0;                    // 0: the image's own width (shrunk to fit)
    Tone tone = Tone::Dither;
};

struct SpacingBlock {
    int dots = 12;
};

using Block = std::variant<TextBlock, KeyValueBlock, SeparatorBlock, QrBlock, ImageBlock, SpacingBlock>;

struct Document {
    Lang lang = Lang::Ar;
    std::vector<Block> blocks;

    Document& text(std::string t, TextSize size = TextSize::Normal, TextWeight weight = TextWeight::Regular,
                   BlockAlign align = BlockAlign::Start)
    {
        blocks.push_back(TextBlock{std::move(t), size, weight, align});
        return *this;
    }
    Document& row(std::string key, std::string value, TextWeight weight = TextWeight::Regular)
    {
        blocks.push_back(KeyValueBlock{std::move(key), std::move(value), weight});
        return *this;
    }
    Document& separator(RuleStyle style = RuleStyle::Dashed)
    {
        blocks.push_back(SeparatorBlock{style});
        return *this;
    }
    Document& qr(std::string payload)
    {
        blocks.push_back(QrBlock{std::move(payload)});
        return *this;
    }
    Document& image(GrayImage image, int width_dots = 0, Tone tone = Tone::Dither)
    {
        blocks.push_back(ImageBlock{std::move(image), width_dots, tone});
        return *this;
    }
    Document& space(int dots = 12)
    {
        blocks.push_back(SpacingBlock{dots});
        return *this;
    }
};

// Limits on input: a text block or value of more than kMaxBlockText bytes, or more than kMaxBlocks
// blocks, is error.printing.text_too_long / error.printing.too_many_blocks.
inline constexpr size_t kMaxBlockText = 4096;
inline constexpr size_t kMaxBlocks = 400;

} // namespace nafitha::printing
