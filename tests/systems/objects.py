"""Objects for the outsider matrix (tests/outsider_objects.py): the systems URL keywords."""

from tests.factories import (
    ActorFactory,
    FactorFactory,
    MapSnapshotFactory,
    RelationshipFactory,
    ScaleFactory,
    SystemFactory,
)

MAKERS = {
    "scale_id": lambda workspace, membership: ScaleFactory(workspace=workspace).pk,
    "system_id": lambda workspace, membership: SystemFactory(workspace=workspace).pk,
    "actor_id": lambda workspace, membership: ActorFactory(workspace=workspace).pk,
    "factor_id": lambda workspace, membership: FactorFactory(workspace=workspace).pk,
    "relationship_id": lambda workspace, membership: RelationshipFactory(workspace=workspace).pk,
    "snapshot_id": lambda workspace, membership: MapSnapshotFactory(workspace=workspace).pk,
}
