"""Fetch-or-404 for signifier sets: a missing set and another workspace's look the same.
(Entries are fetched through `cycles.access.access_entry`, so a story the user may not read is
a 404 too, and so is its placement.)"""

from django.shortcuts import get_object_or_404

from cycles.models import SignifierSet
from hls.tenancy.models import Workspace


def access_signifier_set(*, workspace: Workspace, signifier_set_id: int) -> SignifierSet:
    return get_object_or_404(SignifierSet, workspace=workspace, pk=signifier_set_id)
