"""The core (`studio/`) does not reach into the domain apps by the back door either.

`lint-imports` (pyproject.toml) checks the import graph: the core never imports `projects`, `rights`
or `generation`. It cannot see a module or model named by a string and loaded at run time:
`apps.get_model("projects", ...)`, `importlib.import_module("projects.demo")`, `import_string(...)`,
`__import__(...)`, a URL `include("projects.api.urls")`, a model field pointing at
`"projects.Project"`. This test reads the core's source (ast) and fails on any of them: a call whose
argument is a string naming a domain app or module, or such a call with a computed argument in a
module that holds a string naming a domain app or module (a list of names loaded in a loop).

The domain plugs into the core at start instead (ProjectsConfig.ready registers the stream
resolver, the project scope rule and the review room's routes; every app registers its demo seeder).

One module is exempt, for `include` only: `studio/api_urls.py`, the project's URL configuration,
which mounts every app's API under /api/v1/ — the HTTP composition root, as `INSTALLED_APPS` in
settings is. Migrations are history and are not read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "studio"
DOMAIN_APPS = ("projects", "rights", "generation", "notifications")
# Calls that load a module or a model named by a string.
DYNAMIC_CALLS = frozenset({
    "get_model", "get_app_config", "import_module", "import_string", "__import__", "include",
    "ForeignKey", "OneToOneField", "ManyToManyField",
})
COMPOSITION_ROOT = {"studio/api_urls.py": frozenset({"include"})}
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def names_domain(value: object) -> bool:
    """A string such as "projects", "projects.demo", "rights.models.UseType" or "generation.ModelProfile"."""
    return isinstance(value, str) and bool(_DOTTED.match(value)) and value.split(".")[0] in DOMAIN_APPS


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _string_args(node: ast.Call) -> list:
    values = [*node.args, *(k.value for k in node.keywords)]
    return [v.value for v in values if isinstance(v, ast.Constant)]


def reaches(source: str, *, exempt: frozenset[str] = frozenset()) -> list[str]:
    """The dynamic reaches into the domain in one module's source, as "line: what"."""
    tree = ast.parse(source)
    domain_strings = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and names_domain(n.value)]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name not in DYNAMIC_CALLS or name in exempt:
            continue
        named = [value for value in _string_args(node) if names_domain(value)]
        if named:
            found.append(f"{node.lineno}: {name}({', '.join(map(repr, named))})")
        elif domain_strings and node.args and not isinstance(node.args[0], ast.Constant):
            first = domain_strings[0]
            found.append(f"{node.lineno}: {name}(<computed>) in a module naming {first.value!r} (line {first.lineno})")
    return found


def core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "migrations" not in p.relative_to(CORE).parts)


def test_the_scan_reads_the_core():
    names = {str(p.relative_to(ROOT)) for p in core_modules()}
    assert {"studio/tenancy/selectors.py", "studio/realtime/selectors.py", "studio/realtime/models.py",
            "studio/tenancy/management/commands/seed_demo.py", "studio/api_urls.py"} <= names


def test_the_core_does_not_reach_into_the_domain_by_name():
    offenders = []
    for path in core_modules():
        relative = str(path.relative_to(ROOT))
        for reach in reaches(path.read_text(encoding="utf-8"), exempt=COMPOSITION_ROOT.get(relative, frozenset())):
            offenders.append(f"{relative}:{reach}")
    assert not offenders, (
        "the core reaches into the domain by name (let the domain register with the core at start instead):\n" + "\n".join(offenders)
    )


def test_the_composition_root_still_mounts_the_domain():
    """The exemption is used for what it says, so it cannot outlive its reason unnoticed."""
    for relative, calls in COMPOSITION_ROOT.items():
        source = (ROOT / relative).read_text(encoding="utf-8")
        assert reaches(source), f"{relative} no longer names the domain; drop it from COMPOSITION_ROOT"
        assert not reaches(source, exempt=calls), f"{relative} reaches the domain beyond {sorted(calls)}"


@pytest.mark.parametrize("source", [
    'from django.apps import apps\nMember = apps.get_model("projects", "ProjectMember")\n',
    'from django.apps import apps\nMember = apps.get_model("projects.ProjectMember")\n',
    'from django.apps import apps\nconfig = apps.get_app_config("rights")\n',
    'import importlib\ndemo = importlib.import_module("generation.demo")\n',
    'from importlib import import_module\ndemo = import_module(name="projects.demo")\n',
    'from django.utils.module_loading import import_string\nseed = import_string("rights.demo.seed")\n',
    'projects = __import__("projects")\n',
    'from django.urls import include, path\nurlpatterns = [path("", include("projects.api.urls"))]\n',
    'from django.db import models\nclass Event(models.Model):\n    project = models.ForeignKey("projects.Project", on_delete=CASCADE)\n',
    # the old seed_demo: names in a list, loaded in a loop
    'import importlib\nSEEDERS = ["studio.tenancy.demo", "projects.demo"]\nfor name in SEEDERS:\n    importlib.import_module(name)\n',
])
def test_the_scan_sees_each_kind_of_reach(source):
    assert reaches(source)


@pytest.mark.parametrize("source", [
    # the core loading its own modules, or modules named by settings
    'from django.utils.module_loading import import_string\nstore = import_string(settings.SESSION_ENGINE + ".SessionStore")\n',
    'import importlib\nimportlib.import_module("studio.tenancy.demo")\n',
    'from django.db import models\nclass Token(models.Model):\n    user = models.ForeignKey("tenancy.User", on_delete=models.CASCADE)\n',
    # words that happen to be app names, outside a reach
    'LABEL = "projects"\nHELP = "rights and generation"\n',
])
def test_the_scan_leaves_the_core_s_own_loading_alone(source):
    assert not reaches(source)
