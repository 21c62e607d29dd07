"""Nothing a workspace owns is forgotten by its export: a matrix generated from the code. Every
model that belongs to a workspace is carried by a file of the export or left out on purpose,
with why (dataio/coverage.py); a new model in neither fails here until someone decides."""

from pathlib import Path

from django.apps import apps

from dataio.coverage import EXPORTED, NOT_EXPORTED, not_exported_table
from dataio.exports import RESOURCES
from hls.tenancy.models import Workspace, WorkspaceOwned

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-export.md"


def _workspace_models() -> set[type]:
    """Models under a workspace: `WorkspaceOwned`, or any other with a foreign key to one."""
    return {
        model
        for model in apps.get_models()
        if issubclass(model, WorkspaceOwned)
        or any(f.many_to_one and f.related_model is Workspace for f in model._meta.get_fields())
    }


def test_every_workspace_model_is_exported_or_left_out_with_why() -> None:
    models = _workspace_models()
    assert len(models) > 90  # the matrix reads the real registry
    assert not set(EXPORTED) & set(NOT_EXPORTED)
    undecided = sorted(m._meta.label for m in models - set(EXPORTED) - set(NOT_EXPORTED))
    assert undecided == [], (
        "Say in dataio/coverage.py which export file carries these (and add it to "
        "dataio/exports.py RESOURCES), or why the export leaves them out."
    )
    gone = sorted(m._meta.label for m in set(EXPORTED) | set(NOT_EXPORTED) if m not in models)
    assert gone == []
    assert all(why.strip() for why in NOT_EXPORTED.values())


def test_every_file_carries_a_model_and_every_file_named_exists() -> None:
    named = {name for files in EXPORTED.values() for name in files}
    assert named == set(RESOURCES)


def test_the_docs_list_every_file_and_every_model_left_out() -> None:
    text = DOCS.read_text()
    assert not_exported_table() in text, "paste dataio.coverage.not_exported_table() in the docs"
    missing = [name for name in RESOURCES if f"`{name}`" not in text]
    assert missing == []
