"""Size limits of the house (docs/CONVENTIONS.md): no Python file outside migrations is longer than
600 lines, and no function (or method) is longer than 80 lines.

Checked over every Python file git knows (tracked, or new and not ignored), so a new file counts
before it is committed. Split a long file by concept (a package with one module per concept, as
`projects/services/` does); split a long function into named steps.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
SKIPPED_DIRS = {"migrations", ".venv", "node_modules", "var", "dist", ".git"}


def python_files(root: Path = ROOT) -> list[Path]:
    """Every Python file of the repository outside migrations (git's view; a plain walk without git)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.splitlines()
        files = [root / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        files = list(root.rglob("*.py"))
    return sorted(f for f in files if f.is_file() and not SKIPPED_DIRS & set(f.relative_to(root).parts[:-1]))


def file_offenders(files: list[Path], *, root: Path = ROOT, limit: int = MAX_FILE_LINES) -> list[str]:
    out = []
    for path in files:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            out.append(f"{path.relative_to(root)}: {count} lines")
    return out


def function_offenders(files: list[Path], *, root: Path = ROOT, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    out = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                count = node.end_lineno - node.lineno + 1
                if count > limit:
                    out.append(f"{path.relative_to(root)}:{node.lineno} {node.name}(): {count} lines")
    return out


def test_there_are_files_to_check():
    files = python_files()
    assert len(files) > 50 and ROOT / "manage.py" in files, files[:5]


def test_no_python_file_is_longer_than_600_lines():
    offenders = file_offenders(python_files())
    assert not offenders, (
        f"Python files over {MAX_FILE_LINES} lines (migrations excepted); split them by concept into a package "
        "(see docs/CONVENTIONS.md):\n  " + "\n  ".join(offenders)
    )


def test_no_function_is_longer_than_80_lines():
    offenders = function_offenders(python_files())
    assert not offenders, (
        f"Functions over {MAX_FUNCTION_LINES} lines (from `def` to the last line); split them into named steps:\n  "
        + "\n  ".join(offenders)
    )


def test_the_checks_catch_a_long_file_and_a_long_function(tmp_path):
    """The checks themselves can fail: a synthetic long file and long function are reported, with their lengths."""
    long_function = "def long():\n" + "    x = 1\n" * 85
    short_function = "async def short():\n    return 1\n"
    (tmp_path / "long.py").write_text(long_function + "\n" * 600)
    (tmp_path / "short.py").write_text(short_function)
    files = sorted(tmp_path.glob("*.py"))
    assert file_offenders(files, root=tmp_path) == ["long.py: 686 lines"]
    assert function_offenders(files, root=tmp_path) == ["long.py:1 long(): 86 lines"]
