"""Without the images extra (Pillow), scanning images says which extra to install, in one line.

The scan runs in a subprocess whose ``sitecustomize`` puts a finder on ``sys.meta_path`` that
refuses to import ``PIL``: the real import machinery fails exactly as on a machine without
Pillow, and nothing of pitfall is replaced.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from .synth import placed_folder

BLOCKER = textwrap.dedent(
    """
    import sys

    class _NoPillow:
        def find_spec(self, name, path=None, target=None):
            if name == "PIL" or name.startswith("PIL."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NoPillow())
    """
)


def _run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    code = "import sys; from pitfall.cli.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )


def test_the_blocker_really_hides_pillow(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", "import PIL"], capture_output=True, text=True, env=env)
    assert done.returncode != 0 and "No module named 'PIL'" in done.stderr


def test_an_image_folder_without_pillow_is_one_line_naming_the_extra(tmp_path):
    root = placed_folder(tmp_path / "imgs", 20, seed=0)  # written here, where Pillow is installed
    done = _run(tmp_path, "scan", str(root))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "pitfall[images]" in lines[0] and "Traceback" not in done.stderr
    assert "PF107" not in done.stdout and "PF401" not in done.stdout
