"""No target-like field anywhere (issue 16): measures are for learning, compared only with
their own past, never with a level to reach, a colour, an order among people or cycles. This
reads every model field and every serializer field of the project and fails on a name or a
verbose name with any of the words below, except the clear false positives listed with why."""

import importlib
import pkgutil
import re

from django.apps import apps
from rest_framework import serializers

FORBIDDEN = ("target", "threshold", "goal", "kpi", "rag", "rank", "score", "benchmark", "league")

# (model or serializer, field) → why it is not a target, a rating of people or a league table.
ALLOWED = {
    ("Workspace", "small_count_threshold"): "the privacy floor below which counts are hidden",
    ("PatternsSerializer", "threshold"): "the same privacy floor, said in the API",
    ("AuditEvent", "target_type"): "the kind of object an audit event is about",
    ("AuditEvent", "target_id"): "the object an audit event is about",
    ("Relationship", "target_actor"): "the end a relationship points to, on a system map",
    ("Relationship", "target_factor"): "the end a relationship points to, on a system map",
    ("RelationshipSerializer", "target"): "the end a relationship points to, on a system map",
    ("ContextQuestionTarget", "*"): "a cycle a question was sent to (its addressee)",
    ("ContextQuestion", "targets"): "the cycles a question was sent to",
    ("ContextAnswer", "target"): "the cycle's copy of the question it answers",
    ("EnablerTarget", "*"): "a cycle an enabler is for (its addressee)",
    ("Enabler", "enablertarget"): "the cycles an enabler is for",
    ("Cycle", "enablertarget"): "the enablers offered to a cycle",
}

WORD = re.compile("|".join(FORBIDDEN))
# Words that contain a forbidden one without meaning it.
INNOCENT = ("storage", "average", "paragraph", "fragment", "drag", "leverage", "coverage",
            "encourage", "courage", "ragged", "arrange", "range", "frank", "crank")  # fmt: skip


def _suspect(text: str) -> bool:
    text = text.lower().replace(" ", "_")
    for innocent in INNOCENT:
        text = text.replace(innocent, "")
    return bool(WORD.search(text))


def _allowed(owner: str, name: str) -> bool:
    return any((o in (owner, "*")) and (f in (name, "*")) for o, f in ALLOWED)


def test_no_model_field_names_a_target_or_a_rank() -> None:
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            verbose = str(getattr(field, "verbose_name", "") or "")
            if (_suspect(field.name) or _suspect(verbose)) and not _allowed(
                model.__name__, field.name
            ):
                found.append(f"{model._meta.label}.{field.name} ({verbose})")
    assert not found, f"target-like model fields: {found}"


def _serializers() -> set[type[serializers.BaseSerializer]]:
    for app in ("hls", "systems", "cycles", "stewardship", "dataio"):
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".api" in info.name or info.name.endswith("serializers"):
                importlib.import_module(info.name)
    found: set[type[serializers.BaseSerializer]] = set()
    stack = [serializers.BaseSerializer]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.split(".")[0] in ("hls", "systems", "cycles", "stewardship"):
                found.add(sub)
            stack.append(sub)
    return found


def test_no_serializer_field_names_a_target_or_a_rank() -> None:
    classes = _serializers()
    assert len(classes) > 10, "the serializers were not found"
    found = []
    for cls in classes:
        names = set(getattr(cls, "_declared_fields", {}))
        meta = getattr(cls, "Meta", None)
        fields = getattr(meta, "fields", ())
        if isinstance(fields, (list, tuple)):
            names |= set(fields)
        for name in names:
            if _suspect(name) and not _allowed(cls.__name__, name):
                found.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not found, f"target-like serializer fields: {found}"


def test_the_check_would_catch_one() -> None:
    assert _suspect("target_value")
    assert _suspect("rag_status")
    assert _suspect("Team ranking")
    assert _suspect("kpi")
    assert not _suspect("storage_used")
    assert not _suspect("average_moving_range")
