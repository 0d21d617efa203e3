"""Placeholder pictures drawn locally with Pillow: persona avatars and gallery photos.

Everything is derived from the arguments through SHAKE-256, so the same call always returns the same bytes.
Shapes are drawn as masks at twice the size and scaled down with LANCZOS for smooth edges.
"""

import hashlib
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

Color = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# (light, deep) gradient pairs: muted, warm, never garish.
PALETTES: tuple[tuple[Color, Color], ...] = (
    ((236, 196, 180), (134, 88, 114)),  # dusty rose → plum
    ((245, 212, 170), (184, 106, 86)),  # peach → terracotta
    ((204, 216, 188), (72, 112, 110)),  # sage → deep teal
    ((216, 204, 230), (92, 98, 148)),  # lavender → slate blue
    ((232, 218, 182), (118, 122, 84)),  # sand → olive
    ((247, 204, 166), (146, 94, 128)),  # apricot → mauve
    ((194, 212, 224), (56, 80, 114)),  # mist → navy
    ((240, 200, 198), (120, 56, 76)),  # blush → burgundy
    ((238, 204, 134), (164, 86, 60)),  # honey → rust
    ((200, 226, 210), (54, 104, 90)),  # mint → pine
    ((228, 206, 222), (98, 82, 122)),  # lilac → dusk
    ((238, 224, 204), (118, 88, 74)),  # cream → cocoa
)

TEXT_COLOR: Color = (255, 253, 250)
SUPERSAMPLE = 2
MIN_FONT = 7

# A few words hint at the setting; anything else picks a motif from the seed.
MOTIF_WORDS: dict[str, tuple[str, ...]] = {
    "water": ("мор", "пляж", "озер", "река", "реке", "бассейн", "sea", "beach", "lake", "river", "pool"),
    "hills": ("парк", "лес", "горы", "горах", "пикник", "сад", "поле", "поля", "природ", "park", "forest", "mountain"),
    "window": ("дом", "комнат", "кухн", "книг", "кофе", "утр", "home", "room", "kitchen", "book", "morning"),
    "lights": ("вечер", "ночь", "ночн", "город", "кафе", "бар", "концерт", "evening", "night", "city", "cafe", "bar"),
}


class _Dice:
    """Deterministic numbers from text (SHAKE-256 stream), independent of `random`'s global state."""

    def __init__(self, *parts: str) -> None:
        self._data = hashlib.shake_256("\x1f".join(parts).encode()).digest(1024)
        self._pos = 0

    def unit(self) -> float:
        chunk = self._data[self._pos : self._pos + 4]
        self._pos = (self._pos + 4) % len(self._data)
        return int.from_bytes(chunk, "big") / 2**32

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.unit()

    def index(self, length: int) -> int:
        return min(int(self.unit() * length), length - 1)


def _clamp(value: float) -> int:
    return max(0, min(255, round(value)))


@dataclass(frozen=True)
class _Palette:
    light: Color
    deep: Color

    def mix(self, t: float, toward: Color | None = None) -> Color:
        """`t` of the way from light to deep, or from light toward another colour."""
        end = self.deep if toward is None else toward
        return tuple(_clamp(a + (b - a) * t) for a, b in zip(self.light, end, strict=True))  # type: ignore[return-value]


def _palette(dice: _Dice) -> _Palette:
    light, deep = PALETTES[dice.index(len(PALETTES))]

    def jitter(color: Color) -> Color:
        return tuple(_clamp(c + dice.uniform(-10, 10)) for c in color)  # type: ignore[return-value]

    return _Palette(jitter(light), jitter(deep))


@cache
def _font_path(*, bold: bool) -> Path | None:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return path if path.is_file() else None


@cache
def _font(size: int, *, bold: bool = False) -> Font:
    path = _font_path(bold=bold)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def _initials(name: str) -> str:
    """First letter of up to two words, uppercased: 'Кайли Миноуг' -> 'КМ'."""
    letters = []
    for word in unicodedata.normalize("NFC", name).split():
        first = next((ch for ch in word if ch.isalnum()), None)
        if first is not None:
            letters.append(first.upper()[0])
        if len(letters) == 2:
            break
    return "".join(letters)


def _check_dimension(label: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{label} must be an integer between {low} and {high} pixels, got {value!r}")


def _gradient(size: tuple[int, int], palette: _Palette, angle_deg: float) -> Image.Image:
    """Light at one edge, deep at the other, along `angle_deg` (90 = straight down)."""
    width, height = size
    grid_w = 48
    grid_h = max(2, round(grid_w * height / width))
    cos, sin = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    extent = abs(cos) * width / 2 + abs(sin) * height / 2
    values = []
    for gy in range(grid_h):
        y = (gy + 0.5) / grid_h * height - height / 2
        for gx in range(grid_w):
            x = (gx + 0.5) / grid_w * width - width / 2
            t = (x * cos + y * sin) / extent / 2 + 0.5
            values.append(round(255 * max(0.0, min(1.0, t)) ** 1.15))
    mask = Image.new("L", (grid_w, grid_h))
    mask.putdata(values)
    mask = mask.resize(size, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", size, palette.deep), Image.new("RGB", size, palette.light), mask)


def _tint(base: Image.Image, mask: Image.Image, color: Color, opacity: float) -> Image.Image:
    """Paint `color` through an "L" mask at `opacity`."""
    if opacity < 1:
        mask = mask.point(lambda v: round(v * opacity))
    return Image.composite(Image.new("RGB", base.size, color), base, mask)


def _mask(size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    """A supersampled blank mask, its drawing context, and the scale to multiply coordinates by."""
    mask = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    return mask, ImageDraw.Draw(mask), SUPERSAMPLE


def _finish(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    return mask.resize(size, Image.Resampling.LANCZOS)


def _soft(size: tuple[int, int], shapes: Sequence[tuple[float, float, float, float]], blur: float) -> Image.Image:
    """Blurred ellipses (cx, cy, r, strength as 0..1), drawn small and scaled up: cheap and smooth."""
    width, height = size
    small = (max(8, width // 8), max(8, height // 8))
    mask = Image.new("L", small, 0)
    draw = ImageDraw.Draw(mask)
    sx, sy = small[0] / width, small[1] / height
    for cx, cy, radius, strength in shapes:
        box = ((cx - radius) * sx, (cy - radius) * sy, (cx + radius) * sx, (cy + radius) * sy)
        draw.ellipse(box, fill=round(255 * strength))
    mask = mask.filter(ImageFilter.GaussianBlur(blur * small[0]))
    return mask.resize(size, Image.Resampling.BICUBIC)


def _silhouette(size: tuple[int, int], cx: float, top: float, head_r: float) -> Image.Image:
    """Head and shoulders (the familiar "person" glyph) as one mask; coordinates in output pixels."""
    mask, draw, k = _mask(size)
    draw.ellipse(((cx - head_r) * k, top * k, (cx + head_r) * k, (top + 2 * head_r) * k), fill=255)
    body_top = top + 2.32 * head_r
    body = (cx - 2.3 * head_r, body_top, cx + 2.3 * head_r, body_top + 3.4 * head_r)
    draw.ellipse([v * k for v in body], fill=255)
    return _finish(mask, size)


def _background(size: tuple[int, int], palette: _Palette, dice: _Dice) -> Image.Image:
    width, height = size
    image = _gradient(size, palette, dice.uniform(55, 125))
    glow_x = dice.uniform(0.15, 0.85) * width
    glow = _soft(size, [(glow_x, dice.uniform(0.05, 0.3) * height, 0.45 * max(size), 0.9)], blur=0.12)
    image = _tint(image, glow, palette.mix(0.7, (255, 248, 236)), 0.45)
    vignette = _soft(size, [(width / 2, height / 2, 0.62 * max(size), 1.0)], blur=0.1)
    return _tint(image, vignette.point(lambda v: 255 - v), palette.mix(1.35), 0.35)


def _text_box(draw: ImageDraw.ImageDraw, text: str, font: Font) -> tuple[float, float, float, float]:
    return draw.textbbox((0, 0), text, font=font)


def _draw_initials(image: Image.Image, text: str, center: tuple[float, float], room: float, color: Color) -> None:
    """Bold initials whose ink fits in a `room`-wide square centred on `center`."""
    if not text:
        return
    draw = ImageDraw.Draw(image)
    size = max(8, round(room))
    while True:
        font = _font(size, bold=True)
        left, top, right, bottom = _text_box(draw, text, font)
        if (right - left <= room and bottom - top <= room * 0.8) or size <= 8:
            break
        size = max(8, int(size * 0.9))
    x = center[0] - (left + right) / 2
    y = center[1] - (top + bottom) / 2
    draw.text((x, y), text, font=font, fill=color)


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def portrait_png(*, name: str, seed: str, size: int = 640) -> bytes:
    """A square avatar: gradient from a palette chosen by `seed`, a soft silhouette, the initials of `name`."""
    _check_dimension("size", size, 64, 2048)
    dice = _Dice("portrait", seed)
    palette = _palette(dice)
    dims = (size, size)
    image = _background(dims, palette, dice)
    head_r = size * 0.165
    top = size * 0.2
    shadow = _soft(dims, [(size / 2 + size * 0.02, top + 3.2 * head_r, 2.1 * head_r, 0.8)], blur=0.06)
    image = _tint(image, shadow, palette.mix(1.3), 0.22)
    image = _tint(image, _silhouette(dims, size / 2, top, head_r), palette.mix(0.25, (255, 252, 246)), 0.5)
    _draw_initials(image, _initials(name), (size / 2, top + head_r * 1.08), head_r * 1.15, palette.mix(0.95))
    return _encode(image)


def _motif(scene: str, dice: _Dice) -> str:
    tokens = "".join(ch if ch.isalnum() else " " for ch in scene.lower()).split()
    for motif, words in MOTIF_WORDS.items():
        if any(token.startswith(words) for token in tokens):
            return motif
    return tuple(MOTIF_WORDS)[dice.index(len(MOTIF_WORDS))]


def _setting(image: Image.Image, motif: str, palette: _Palette, dice: _Dice) -> Image.Image:
    """A few translucent shapes that suggest where the picture was taken."""
    width, height = image.size
    size = image.size
    light = palette.mix(0.0, (255, 250, 240))
    if motif == "lights":
        dots = [
            (dice.uniform(0, 1) * width, dice.uniform(0.05, 0.62) * height, dice.uniform(0.02, 0.07) * width, 1.0)
            for _ in range(14)
        ]
        return _tint(image, _soft(size, dots, blur=0.008), light, 0.55)
    mask, draw, k = _mask(size)
    if motif == "window":
        left = dice.uniform(0.08, 0.6) * width
        box = (left, 0.1 * height, left + 0.32 * width, 0.62 * height)
        draw.rounded_rectangle([v * k for v in box], radius=0.02 * width * k, fill=255)
        bar = 0.008 * width
        mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        draw.rectangle([(mid_x - bar) * k, box[1] * k, (mid_x + bar) * k, box[3] * k], fill=0)
        draw.rectangle([box[0] * k, (mid_y - bar) * k, box[2] * k, (mid_y + bar) * k], fill=0)
        return _tint(image, _finish(mask, size), light, 0.32)
    if motif == "water":
        sun_x = dice.uniform(0.2, 0.8) * width
        image = _tint(image, _soft(size, [(sun_x, 0.32 * height, 0.09 * width, 1.0)], blur=0.01), light, 0.6)
        for row in range(4):
            y = (0.58 + row * 0.07) * height
            draw.rectangle([0, y * k, width * k, (y + 0.01 * height * (row + 1)) * k], fill=255)
        waves = _finish(mask, size).filter(ImageFilter.GaussianBlur(0.006 * height))
        return _tint(image, waves, light, 0.3)
    sun = (dice.uniform(0.15, 0.85) * width, 0.25 * height, 0.07 * width, 1.0)
    image = _tint(image, _soft(size, [sun], blur=0.01), light, 0.5)
    for offset, depth in ((dice.uniform(-0.3, 0.1), 0.55), (dice.uniform(0.2, 0.6), 0.68)):
        cx = (0.5 + offset) * width
        draw.ellipse([(cx - 0.7 * width) * k, depth * height * k, (cx + 0.7 * width) * k, 1.6 * height * k], fill=255)
    return _tint(image, _finish(mask, size), palette.mix(0.75), 0.35)


def _ellipsize(text: str, font: Font, width: float, draw: ImageDraw.ImageDraw) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text.rstrip() + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _wrap(text: str, font: Font, width: float, draw: ImageDraw.ImageDraw) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if draw.textlength(candidate, font=font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for ch in word:
            if draw.textlength(current + ch, font=font) > width and current:
                lines.append(current)
                current = ""
            current += ch
    if current:
        lines.append(current)
    return lines


def _line_extent(font: Font, draw: ImageDraw.ImageDraw) -> tuple[float, float]:
    """Top and bottom of a line's ink relative to where it is drawn, from tall and deep sample glyphs."""
    _, top, _, bottom = _text_box(draw, "ЙÁgjy|", font)
    return min(top, 0), bottom


@dataclass(frozen=True)
class _Caption:
    lines: tuple[tuple[str, Font], ...]
    height: float


def _layout_caption(
    draw: ImageDraw.ImageDraw, *, name: str, scene: str, width: float, room: float, base: float
) -> _Caption:
    """Shrink the text until the wrapped lines fit in `room`; at the smallest size cut the rest off with '…'."""
    scale = 1.0
    while True:
        name_size = max(MIN_FONT, round(base * 0.044 * scale))
        scene_size = max(MIN_FONT, round(base * 0.033 * scale))
        name_font, scene_font = _font(name_size, bold=True), _font(scene_size)
        lines: list[tuple[str, Font]] = []
        name_line = _ellipsize(" ".join(name.split()), name_font, width, draw)
        if name_line:
            lines.append((name_line, name_font))
        lines.extend((line, scene_font) for line in _wrap(scene, scene_font, width, draw))
        heights = [_line_height(font, draw) for _, font in lines]
        if sum(heights) <= room or name_size == scene_size == MIN_FONT:
            break
        scale *= 0.92
    kept: list[tuple[str, Font]] = []
    used = 0.0
    for (line, font), height in zip(lines, heights, strict=True):
        if used + height > room:
            if kept:
                last, last_font = kept[-1]
                kept[-1] = (_ellipsize(last + "…", last_font, width, draw), last_font)
            break
        kept.append((line, font))
        used += height
    return _Caption(tuple(kept), used)


def _line_height(font: Font, draw: ImageDraw.ImageDraw) -> float:
    top, bottom = _line_extent(font, draw)
    return (bottom - top) * 1.18


def scene_png(*, name: str, scene: str, seed: str, width: int = 960, height: int = 720) -> bytes:
    """A gallery photo placeholder: a setting keyed on `seed` and `scene`, the silhouette, and a caption band
    with the name and the scene text, wrapped and shrunk so that it never leaves the picture."""
    _check_dimension("width", width, 64, 4096)
    _check_dimension("height", height, 64, 4096)
    dice = _Dice("scene", seed, scene)
    palette = _palette(dice)
    size = (width, height)
    image = _background(size, palette, dice)
    image = _setting(image, _motif(scene, dice), palette, dice)
    head_r = min(width, height) * 0.13
    cx = dice.uniform(0.35, 0.65) * width
    image = _tint(image, _silhouette(size, cx, height * 0.22, head_r), palette.mix(0.3, (255, 252, 246)), 0.42)

    draw = ImageDraw.Draw(image)
    margin_x = max(4, round(width * 0.05))
    pad = max(3, round(min(width, height) * 0.035))
    caption = _layout_caption(
        draw,
        name=name,
        scene=scene.strip(),
        width=width - 2 * margin_x,
        room=height * 0.45 - 2 * pad,
        base=min(width, height * 4 / 3),
    )
    if not caption.lines:
        return _encode(image)
    band_top = height - caption.height - 2 * pad
    fade = min(band_top, pad * 4)
    band = Image.new("L", size, 0)
    ImageDraw.Draw(band).rectangle([0, round(band_top), width, height], fill=255)
    if fade >= 1:
        ramp = Image.linear_gradient("L").point(lambda v: round(v * v * (765 - 2 * v) / 65025))
        ramp = ramp.resize((width, round(fade)), Image.Resampling.BICUBIC)
        band.paste(ramp, (0, round(band_top - fade)))
    image = _tint(image, band, palette.mix(1.45), 0.7)

    draw = ImageDraw.Draw(image)
    y = band_top + pad
    for line, font in caption.lines:
        top, _ = _line_extent(font, draw)
        draw.text((margin_x, y - top), line, font=font, fill=TEXT_COLOR)
        y += _line_height(font, draw)
    return _encode(image)
