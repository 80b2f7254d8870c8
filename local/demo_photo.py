"""A photo for the demo forum, made here rather than taken from anyone (so no licence to keep).

A lake under mountains at sunset, with film grain, 2000 x 1500 pixels. It is stored the way a
phone stores a photo taken holding the phone upright-turned: the pixels lie on their side and
the EXIF Orientation tag (6) says how to turn them, next to the camera's make, model and the
place it was taken. The thumbnail function has to turn it upright and drop all of that.
"""

from __future__ import annotations

import io
import itertools
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SIZE = (2000, 1500)
ORIENTATION_TAG = 0x0112
GPS_IFD = 0x8825


def _vertical_gradient(
    size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]
) -> Image.Image:
    width, height = size
    ramp = Image.linear_gradient("L").resize((width, height))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def _ridge(rng: random.Random, width: int, base: float, roughness: float) -> list[float]:
    """A mountain ridge by midpoint displacement: heights at 2^k + 1 points across."""
    points = [base + rng.uniform(-roughness, roughness) for _ in range(2)]
    spread = roughness
    while len(points) < 257:
        refined = []
        for left, right in itertools.pairwise(points):
            refined += [left, (left + right) / 2 + rng.uniform(-spread, spread)]
        refined.append(points[-1])
        points = refined
        spread *= 0.55
    step = width / (len(points) - 1)
    return [points[int(x / step)] for x in range(width)]


def scene(seed: int = 2026) -> Image.Image:
    """The upright picture."""
    rng = random.Random(seed)
    width, height = SIZE
    horizon = int(height * 0.62)
    picture = _vertical_gradient(SIZE, (38, 52, 110), (250, 170, 110))

    # The sun and its glow, low over the mountains.
    sun = (int(width * 0.62), int(height * 0.30))
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).ellipse((sun[0] - 160, sun[1] - 160, sun[0] + 160, sun[1] + 160), fill=230)
    mask = mask.filter(ImageFilter.GaussianBlur(180))
    picture = Image.composite(Image.new("RGB", SIZE, (255, 205, 140)), picture, mask)
    ImageDraw.Draw(picture).ellipse(
        (sun[0] - 55, sun[1] - 55, sun[0] + 55, sun[1] + 55), fill=(255, 238, 205)
    )

    # Three ranges, far to near: lighter and bluer far away.
    for depth, (colour, base, rough) in enumerate(
        (((112, 92, 140), 0.42, 110.0), ((74, 62, 104), 0.50, 90.0), ((40, 38, 62), 0.58, 70.0))
    ):
        heights = _ridge(rng, width, height * base, rough)
        outline = [(x, heights[x]) for x in range(width)]
        ImageDraw.Draw(picture).polygon([(0, horizon), *outline, (width - 1, horizon)], fill=colour)
        del depth

    # The lake: the sky and mountains mirrored, darker, with ripples.
    above = picture.crop((0, horizon - (height - horizon), width, horizon))
    mirrored = above.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    mirrored = mirrored.filter(ImageFilter.GaussianBlur(3))
    mirrored = Image.blend(mirrored, Image.new("RGB", mirrored.size, (20, 30, 60)), 0.35)
    ripples = ImageDraw.Draw(mirrored)
    for _ in range(260):
        y = int(mirrored.height * rng.random() ** 1.6)
        x = int(sun[0] + rng.gauss(0, 180 + y))
        length = rng.randrange(20, 120)
        shade = rng.randrange(120, 230)
        ripples.line((x, y, x + length, y), fill=(shade, shade - 50, shade - 100), width=2)
    picture.paste(mirrored, (0, horizon))

    # Film grain, as a real sensor adds it.
    grain = Image.effect_noise(SIZE, 18).convert("RGB")
    return Image.blend(picture, ImageChops.add(picture, grain, scale=2.0, offset=-64), 0.25)


def demo_photo() -> bytes:
    """The JPEG as a phone would save it: on its side, with its EXIF."""
    stored = scene().transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x010F] = "Forum"  # Make
    exif[0x0110] = "Demo Camera"  # Model
    exif[0x0132] = "2026:05:17 19:42:08"  # DateTime
    exif[ORIENTATION_TAG] = 6
    exif[GPS_IFD] = {
        1: "N",
        2: (46.0, 33.0, 21.0),
        3: "E",
        4: (7.0, 58.0, 44.0),
    }
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


if __name__ == "__main__":  # python -m local.demo_photo > photo.jpg
    import sys

    sys.stdout.buffer.write(demo_photo())
