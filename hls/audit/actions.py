"""What each audit action means, in plain words, grouped for the audit log page and its
filter (docs/people-and-privacy.md, "Audit").

Every `action` the code writes (`audit_record(action=...)`, and an API write's
`api.<resource>.<verb>`) has a label here; `tests/audit/test_actions.py` reads the code and
fails when one has none. An action a newer release writes and this one does not know is shown
by its code, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ActionGroup:
    key: str
    label: str | Promise
    actions: dict[str, str | Promise]


GROUPS: tuple[ActionGroup, ...] = (
    ActionGroup(
        "people",
        _("People served"),
        {
            "person.created": _("Recorded a person"),
            "person.updated": _("Changed a person's record"),
            "person.consent_recorded": _("Recorded a person's consent"),
            "person.identity_viewed": _("Saw a person's identity"),
            "person.identity_changed": _("Recorded or changed a person's identity"),
            "person.identity_erased": _("Erased a person's identity"),
            "person.erased": _("Erased a person"),
            "person.subject_access_exported": _("Downloaded everything held about a person"),
        },
    ),
    ActionGroup(
        "members",
        _("Members and roles"),
        {
            "workspace.created": _("Created the workspace"),
            "membership.role_changed": _("Changed a member's role"),
            "membership.removed": _("Removed a member"),
            "invitation.created": _("Invited someone"),
            "invitation.resent": _("Sent an invitation again"),
            "invitation.revoked": _("Withdrew an invitation"),
            "invitation.accepted": _("Accepted an invitation"),
        },
    ),
    ActionGroup(
        "security",
        _("Signing in"),
        {
            "account.two_factor_enabled": _("Turned on two-step sign-in"),
            "account.two_factor_disabled": _("Turned off two-step sign-in"),
            "account.recovery_codes_regenerated": _("Made new recovery codes"),
            "account.recovery_code_used": _("Signed in with a recovery code"),
            "account.sessions_ended": _("Signed out other devices"),
            "workspace.two_factor_required": _(
                "Changed whether admins and stewards need two-step sign-in"
            ),
        },
    ),
    ActionGroup(
        "integrations",
        _("API keys and webhooks"),
        {
            "api_key.create": _("Created an API key"),
            "api_key.used": _("Used an API key (its first use that day)"),
            "api_key.revoke": _("Revoked an API key"),
            "webhook.create": _("Added a webhook"),
            "webhook.update": _("Changed a webhook"),
            "webhook.rotate_secret": _("Gave a webhook a new secret"),
            "webhook.enable": _("Turned a webhook on"),
            "webhook.disable": _("Turned a webhook off"),
            "webhook.auto_disable": _("A webhook was turned off after failing"),
            "webhook.replay": _("Sent a webhook delivery again"),
        },
    ),
    ActionGroup(
        "data",
        _("Data in and out"),
        {
            "dataio.import_uploaded": _("Uploaded a file to import"),
            "dataio.import_started": _("Started an import"),
            "dataio.import_done": _("An import finished"),
            "dataio.import_failed": _("An import failed"),
            "dataio.export_requested": _("Asked for a workspace export"),
            "dataio.export_downloaded": _("Downloaded a workspace export"),
            "report.export_downloaded": _("Downloaded a learning report"),
            "audit.exported": _("Downloaded the audit log"),
            "retention.changed": _("Changed how long identities and drafts are kept"),
            "retention.applied": _("Applied the retention settings"),
        },
    ),
    ActionGroup(
        "learning",
        _("Cycles and learning"),
        {
            "barrier.raised": _("Raised a barrier"),
            "barrier.answered": _("Answered a barrier"),
            "barrier.passed_up": _("Passed a barrier further up"),
            "enabler.created": _("Offered an enabler"),
            "context_question.sent": _("Asked a question back to the cycles"),
            "context_question.answered": _("Answered a question from above"),
            "report.created": _("Started a learning report"),
            "report.published": _("Published a learning report"),
        },
    ),
)

# Writes through the partner API are `api.<resource>.<verb>` (hls.api.base.ApiViewSet.audit).
API_GROUP = "api"
API_GROUP_LABEL = _("Through the API")
API_RESOURCES: dict[str, str | Promise] = {
    "actors": _("an actor on a system map"),
    "barriers": _("a barrier"),
    "cycles": _("a cycle"),
    "enablers": _("an enabler"),
    "entries": _("an entry"),
    "experiments": _("an experiment"),
    "factors": _("a factor on a system map"),
    "links": _("a link between cycles"),
    "measures": _("a measure"),
    "method-runs": _("a method run"),
    "method-templates": _("a method"),
    "outputs": _("a session's output"),
    "people": _("a person"),
    "placements": _("a story's placement"),
    "relationships": _("a link on a system map"),
    "reports": _("a learning report"),
    "scales": _("a scale"),
    "sessions": _("a session"),
    "signifier-sets": _("a signifier set"),
    "systems": _("a system"),
    "themes": _("a theme"),
}
# "%s" is the resource ("an entry").
API_VERBS: dict[str, str | Promise] = {
    "create": _("Added %s through the API"),
    "update": _("Changed %s through the API"),
    "delete": _("Deleted %s through the API"),
    "answer": _("Answered %s through the API"),
    "cancel": _("Cancelled %s through the API"),
    "complete": _("Completed %s through the API"),
    "consent": _("Recorded the consent of %s through the API"),
    "end": _("Ended %s through the API"),
    "export": _("Asked for an export of %s through the API"),
    "phase": _("Moved the phase of %s through the API"),
    "point_add": _("Added a value to %s through the API"),
    "publish": _("Published %s through the API"),
    "section_update": _("Changed a section of %s through the API"),
    "start": _("Started %s through the API"),
}

LABELS: dict[str, str | Promise] = {
    action: label for group in GROUPS for action, label in group.actions.items()
}


def label(action: str) -> str:
    """The action in plain words; an action this release does not know, by its code."""
    if action in LABELS:
        return str(LABELS[action])
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == API_GROUP:
        resource, verb = API_RESOURCES.get(parts[1]), API_VERBS.get(parts[2])
        if resource is not None and verb is not None:
            return str(verb) % resource
    return action


def group_of(action: str) -> str:
    """The key of the group an action is listed under ("" when none)."""
    if action.startswith(API_GROUP + "."):
        return API_GROUP
    return next((group.key for group in GROUPS if action in group.actions), "")


def choices() -> list[tuple[str, object]]:
    """The filter's choices: any action, then each group (all of it, or one action of it);
    the API's writes by resource."""
    found: list[tuple[str, object]] = [("", _("Any action"))]
    for group in GROUPS:
        options: list[tuple[str, object]] = [(f"group:{group.key}", _("All of “%s”") % group.label)]
        options += [(action, text) for action, text in group.actions.items()]
        found.append((str(group.label), options))
    api_options: list[tuple[str, object]] = [
        (f"group:{API_GROUP}", _("All of “%s”") % API_GROUP_LABEL)
    ]
    api_options += [
        (f"api:{resource}", _("Anything done to %s through the API") % noun)
        for resource, noun in sorted(API_RESOURCES.items())
    ]
    found.append((str(API_GROUP_LABEL), api_options))
    return found


def matching(value: str) -> Q | None:
    """The condition on `action` for a filter value from `choices()` (None: not one of them)."""
    if value.startswith("group:"):
        key = value.removeprefix("group:")
        if key == API_GROUP:
            return Q(action__startswith=API_GROUP + ".")
        group = next((g for g in GROUPS if g.key == key), None)
        return Q(action__in=list(group.actions)) if group is not None else None
    if value.startswith("api:"):
        resource = value.removeprefix("api:")
        if resource not in API_RESOURCES:
            return None
        return Q(action__startswith=f"{API_GROUP}.{resource}.")
    if value in LABELS:
        return Q(action=value)
    return None
