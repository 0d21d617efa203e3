import io

import pytest
from PIL import Image, ImageChops, ImageStat

from apps.personas import images
from apps.personas.images import portrait_png, scene_png

DEJAVU = images.FONT_DIR / "DejaVuSans-Bold.ttf"
LONG_SCENE = (
    "Дома, вечер с книгой: плед, чай с чабрецом, за окном первый снег, на подоконнике спит кот, "
    "а в колонке тихо играет старый джаз. Суперкалифрагилистикэкспиалидоцийдлинноесловобезединогопробела "
    "проверяет перенос по буквам, а остальной текст проверяет перенос по словам и уменьшение шрифта."
)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _has_text(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    """Whether `box` holds caption text: near-white pixels, which the muted backgrounds never reach."""
    red, green, blue = image.crop(box).split()
    darkest_channel = ImageChops.darker(ImageChops.darker(red, green), blue)
    return darkest_channel.point(lambda v: 255 if v >= 240 else 0).getbbox() is not None


@pytest.fixture
def no_fonts(monkeypatch, tmp_path):
    monkeypatch.setattr(images, "FONT_DIR", tmp_path)
    images._font_path.cache_clear()
    images._font.cache_clear()
    yield
    images._font_path.cache_clear()
    images._font.cache_clear()


@pytest.mark.parametrize("size", [64, 640])
def test_portrait_is_rgb_png_of_requested_size(size):
    image = _open(portrait_png(name="Кайли", seed="kylie", size=size))

    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == (size, size)


@pytest.mark.parametrize(("width", "height"), [(960, 720), (64, 64), (1200, 400)])
def test_scene_is_rgb_png_of_requested_size(width, height):
    image = _open(scene_png(name="Кайли", scene="Дома, вечер с книгой", seed="kylie", width=width, height=height))

    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == (width, height)


def test_same_arguments_give_identical_bytes():
    assert portrait_png(name="Кайли", seed="kylie") == portrait_png(name="Кайли", seed="kylie")
    assert scene_png(name="Кайли", scene="У моря", seed="kylie") == scene_png(
        name="Кайли", scene="У моря", seed="kylie"
    )


def test_different_seeds_give_different_palettes():
    first = portrait_png(name="Кайли", seed="kylie", size=128)
    second = portrait_png(name="Кайли", seed="marta", size=128)

    assert first != second
    first_mean = ImageStat.Stat(_open(first)).mean
    second_mean = ImageStat.Stat(_open(second)).mean
    assert max(abs(a - b) for a, b in zip(first_mean, second_mean, strict=True)) > 3


def test_scene_background_depends_on_scene_text():
    first = _open(scene_png(name="", scene="У моря", seed="kylie", width=320, height=240))
    second = _open(scene_png(name="", scene="В парке", seed="kylie", width=320, height=240))

    assert ImageChops.difference(first.crop((0, 0, 320, 100)), second.crop((0, 0, 320, 100))).getbbox() is not None


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_cyrillic_initials_render_as_distinct_glyphs():
    # A font without Cyrillic draws the same missing-glyph box for every letter, so these would match.
    kaili = portrait_png(name="Кайли", seed="kylie", size=128)
    assert kaili != portrait_png(name="Лайли", seed="kylie", size=128)
    assert kaili != portrait_png(name="", seed="kylie", size=128)


def test_initials_are_first_letters_of_two_words_uppercased():
    assert portrait_png(name="Кайли Миноуг Третья", seed="s", size=128) == portrait_png(
        name="кира мур", seed="s", size=128
    )
    assert portrait_png(name="  «Анна»  ", seed="s", size=128) == portrait_png(name="Алла", seed="s", size=128)


def test_long_scene_caption_stays_inside_the_image():
    width, height = 960, 720
    image = _open(scene_png(name="Кайли Миноуг", scene=LONG_SCENE, seed="kylie", width=width, height=height))
    margin_x, bottom_band = round(width * 0.04), round(height * 0.8)

    assert _has_text(image, (margin_x, bottom_band, width - margin_x, height))
    assert not _has_text(image, (0, bottom_band, margin_x, height))
    assert not _has_text(image, (width - margin_x, bottom_band, width, height))
    assert not _has_text(image, (0, height - 3, width, height))


def test_long_scene_caption_never_climbs_past_the_lower_part():
    width, height = 160, 120
    image = _open(scene_png(name="Кайли Миноуг", scene=LONG_SCENE, seed="kylie", width=width, height=height))

    assert _has_text(image, (0, height // 2, width, height))
    assert not _has_text(image, (0, 0, width, round(height * 0.55)))


def test_long_scene_fits_a_tiny_picture():
    image = _open(scene_png(name="Кайли Миноуг" * 10, scene=LONG_SCENE, seed="kylie", width=64, height=64))

    assert image.size == (64, 64)


def test_empty_scene_and_name_draw_no_caption():
    image = _open(scene_png(name="", scene="", seed="kylie", width=320, height=240))

    assert not _has_text(image, (0, 0, 320, 240))


def test_empty_scene_still_captions_the_name():
    image = _open(scene_png(name="Кайли", scene="", seed="kylie", width=320, height=240))

    assert _has_text(image, (0, 160, 320, 240))


@pytest.mark.parametrize("size", [63, 2049, 0, -640, 640.0, True])
def test_portrait_rejects_invalid_size(size):
    with pytest.raises(ValueError, match="size must be an integer between 64 and 2048"):
        portrait_png(name="Кайли", seed="kylie", size=size)


@pytest.mark.parametrize(("width", "height", "label"), [(63, 720, "width"), (960, 4097, "height"), (5000, 64, "width")])
def test_scene_rejects_invalid_dimensions(width, height, label):
    with pytest.raises(ValueError, match=f"{label} must be an integer between 64 and 4096"):
        scene_png(name="Кайли", scene="", seed="kylie", width=width, height=height)


def test_png_carries_no_text_chunks():
    assert _open(portrait_png(name="Кайли", seed="kylie", size=128)).text == {}
    assert _open(scene_png(name="Кайли", scene="Дома", seed="kylie", width=320, height=240)).text == {}


def test_avatar_is_small():
    assert len(portrait_png(name="Кайли Миноуг", seed="kylie", size=640)) < 200_000


@pytest.mark.usefixtures("no_fonts")
def test_missing_fonts_fall_back_to_the_default_font():
    assert _open(portrait_png(name="Кайли", seed="kylie", size=128)).size == (128, 128)
    assert _open(scene_png(name="Кайли", scene=LONG_SCENE, seed="kylie", width=320, height=240)).size == (320, 240)
