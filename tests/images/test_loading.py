"""Reading images: bit depths and modes, the cached records, ImageFeatures, bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from pitfall.data.image_hashing import hamming
from pitfall.data.images import DESCRIPTORS, ImageFeatures, ImageTable, read_image, read_records

from .synth import save, smooth_field


@pytest.fixture
def picture():
    return smooth_field(np.random.default_rng(0), 64)


def test_modes_and_bit_depths_read_into_unit_range(tmp_path, picture):
    gray16 = picture[..., 0].astype(np.uint16) * 257
    files = {
        "rgb.png": Image.fromarray(picture),
        "gray.png": Image.fromarray(picture[..., 0]),
        "gray16.png": Image.fromarray(gray16),
        "rgba.png": Image.fromarray(picture).convert("RGBA"),
        "palette.gif": Image.fromarray(picture).convert("P"),
        "page.tif": Image.fromarray(picture[..., 1]),
        "photo.jpg": Image.fromarray(picture),
        "bitmap.bmp": Image.fromarray(picture),
    }
    for name, im in files.items():
        im.save(tmp_path / name)
    records = {name: read_image(tmp_path / name) for name in files}
    assert all(r.error is None for r in records.values()), {n: r.error for n, r in records.items()}
    assert records["gray16.png"].descriptors["bit_depth"] == 16
    assert records["rgb.png"].descriptors["bit_depth"] == 8
    assert records["gray.png"].descriptors["channels"] == 1
    assert records["rgba.png"].descriptors["channels"] == 3
    # a 16-bit copy of an 8-bit gray image has the same brightness once scaled to [0, 1]
    assert records["gray16.png"].descriptors["mean"] == pytest.approx(records["gray.png"].descriptors["mean"], abs=1e-6)
    for r in records.values():
        assert 0 <= r.descriptors["min"] <= r.descriptors["mean"] <= r.descriptors["max"] <= 1
        assert r.thumb.shape == (32, 32, 3)
        assert set(DESCRIPTORS) <= set(r.descriptors)


def test_content_hash_follows_pixels_not_file(tmp_path, picture):
    Image.fromarray(picture).save(tmp_path / "a.png")
    Image.fromarray(picture).save(tmp_path / "b.png", compress_level=1)  # other bytes, same pixels
    Image.fromarray(picture).convert("RGBA").save(tmp_path / "c.png")  # opaque alpha channel
    other = picture.copy()
    other[0, 0, 0] ^= 1
    Image.fromarray(other).save(tmp_path / "d.png")
    a, b, c, d = (read_image(tmp_path / f"{x}.png") for x in "abcd")
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "b.png").read_bytes()
    assert a.content == b.content == c.content
    assert d.content != a.content


def test_perceptual_hash_survives_rescaling_and_jpeg(tmp_path, picture):
    im = Image.fromarray(picture)
    im.save(tmp_path / "a.png")
    im.resize((96, 96)).save(tmp_path / "big.png")
    im.save(tmp_path / "a.jpg", quality=80)
    h = np.array([read_image(tmp_path / n).phash for n in ("a.png", "big.png", "a.jpg")], dtype=np.uint64)
    other = read_image(save(tmp_path, "other", smooth_field(np.random.default_rng(9), 64))).phash
    assert hamming(h[:1], h[1:]).max() <= 4
    assert hamming(h[:1], np.array([other], dtype=np.uint64))[0] > 10


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "cannot decode"), (b"\x89PNG\r\n\x1a\nbroken", "cannot decode"), (None, "file not found")],
)
def test_bad_files_become_records_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "x.png"
    if content is not None:
        path.write_bytes(content)
    rec = read_image(path)
    assert rec.error.startswith(reason)
    assert rec.thumb is None and np.isnan(rec.descriptors["std"])


def test_truncated_png_is_unreadable(tmp_path, picture):
    save(tmp_path, "whole", picture)
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    assert read_image(tmp_path / "cut.png").error is not None


def test_table_and_records_relative_to_root(tmp_path, picture):
    save(tmp_path / "imgs", "a", picture)
    paths = ["imgs/a.png", "imgs/missing.png", None]
    table = ImageTable.from_records(paths, read_records(paths, tmp_path))
    assert table.ok.tolist() == [True, False, False]
    assert table.errors == {1: "file not found", 2: "no path"}
    assert np.isnan(table.thumbs[1]).all() and np.isfinite(table.thumbs[0]).all()
    stats = table.statistics(["PNG"])
    assert stats.shape == (3, len(DESCRIPTORS)) and stats[0, -1] == 0 and np.isnan(stats[1]).all()


def test_image_features_learn_and_impute(tmp_path):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(60):  # bright-left vs bright-right halves: pixels carry the label
        a = np.full((40, 40), 60, dtype=np.uint8)
        label = i % 2
        if label:
            a[:, 20:] = 200
        else:
            a[:, :20] = 200
        a = np.clip(a + rng.normal(0, 10, a.shape), 0, 255).astype(np.uint8)
        rows.append((save(tmp_path, f"i{i}", a).name, label))
    frame = pd.DataFrame(rows, columns=["path", "label"])
    feats = ImageFeatures(root=str(tmp_path)).fit(frame[["path"]])
    X = feats.transform(pd.DataFrame({"path": [*frame["path"][:4], "nope.png"]}))
    assert X.shape == (5, len(feats.get_feature_names_out()))
    assert np.isfinite(X).all()
    np.testing.assert_allclose(X[4], feats.fill_)  # the unreadable image gets the training means
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(ImageFeatures(root=str(tmp_path)), StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(frame[["path"]][:40], frame["label"][:40])
    assert (model.predict(frame[["path"]][40:]) == frame["label"][40:]).mean() >= 0.9
