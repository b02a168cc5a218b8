"""An image folder as a data set: ``root/<label>/*.png``, or ``root/train/<label>/`` and
``root/test/<label>/`` when the split is already made.

The frame has a ``path`` column (relative to ``root``) and a ``label`` column (the folder name).
Files with other suffixes (notes, thumbnails databases, hidden files) are left out; the image
files are not opened here, so an unreadable one becomes a PF107 finding, not an error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pitfall.data.images import FITS_SUFFIXES, IMAGE_SUFFIXES
from pitfall.errors import InputError

__all__ = ["PATH_COLUMN", "LABEL_COLUMN", "read_image_folder"]

PATH_COLUMN = "path"
LABEL_COLUMN = "label"
_SUFFIXES = set(IMAGE_SUFFIXES) | set(FITS_SUFFIXES)


def _class_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _frame(root: Path, folder: Path, name: str) -> pd.DataFrame:
    rows = []
    for d in _class_dirs(folder):
        for dirpath, dirnames, filenames in os.walk(d):
            dirnames[:] = sorted(x for x in dirnames if not x.startswith("."))
            for f in sorted(filenames):
                if not f.startswith(".") and Path(f).suffix.lower() in _SUFFIXES:
                    rows.append((Path(dirpath, f).relative_to(root).as_posix(), d.name))
    frame = pd.DataFrame(rows, columns=[PATH_COLUMN, LABEL_COLUMN])
    shown = ", ".join(sorted(_SUFFIXES))
    if frame.empty:
        raise InputError(
            f"{name}: no image files ({shown}) in class folders. "
            f"Put each class's images in a folder named after it: {name}/<label>/image.png."
        )
    classes = frame[LABEL_COLUMN].unique()
    if len(classes) < 2:
        raise InputError(
            f"{name}: only one class folder ({classes[0]!r}) holds images. "
            "Give at least two class folders, one per label."
        )
    return frame


def read_image_folder(root: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The (train, test) frames of an image folder; test is None when pitfall must split.

    Raises:
        InputError: An empty folder, one class only, or a ``train`` folder without ``test``.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder. Give a folder of class folders, root/<label>/image.png.")
    subdirs = {p.name.lower(): p for p in _class_dirs(root)}
    if "train" in subdirs or "test" in subdirs:
        if not ("train" in subdirs and "test" in subdirs):
            missing = "test" if "train" in subdirs else "train"
            raise InputError(
                f"{root}: has a {'train' if missing == 'test' else 'test'} folder but no {missing} folder. "
                f"Add {root / missing}/<label>/, or put the class folders directly in {root}."
            )
        train = _frame(root, subdirs["train"], str(subdirs["train"]))
        test = _frame(root, subdirs["test"], str(subdirs["test"]))
        return train, test
    return _frame(root, root, str(root)), None
