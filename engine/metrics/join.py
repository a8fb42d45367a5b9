"""Joining metric series to inventory resources by id.

A series names its resource by an id. It is matched to the resource whose id is the same,
ignoring case (``arn:aws:ec2:...:instance/i-0abc`` = ``ARN:AWS:EC2:...:INSTANCE/I-0ABC``); if no
resource has that id, to the resource whose id **ends with it** after a ``/`` (or, for an ARN
without ``/``, after its last ``:``), ignoring case — the way monitoring tools name resources:
``i-0abc`` for ``arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc`` (CloudWatch's
``InstanceId``), ``app/my-alb/50dc6c495c0c9188`` for a load balancer ARN (CloudWatch's
``LoadBalancer``), ``orders`` for ``arn:aws:rds:...:db:orders`` (``DBInstanceIdentifier``),
``vm-1`` for an Azure VM id, an instance name for a GCP asset name. An id that several resources
end with (two VMs called ``web-1`` in two resource groups) matches none of them: the series is
reported as ambiguous and not used.

The statistics go into the resource's ``utilization`` under the metric's name, replacing
statistics the inventory already had for that metric.
"""

from __future__ import annotations

MAX_LISTED = 5
_AMBIGUOUS = -1


def id_suffixes(resource_id: str) -> list[str]:
    """The trailing parts of an id a series may name it by, longest first."""
    if "/" in resource_id:
        parts = resource_id.split("/")
        return [tail for tail in ("/".join(parts[i:]) for i in range(1, len(parts))) if tail]
    if resource_id.startswith("arn:"):
        tail = resource_id.split(":", 5)[-1].rsplit(":", 1)[-1]
        return [tail] if tail and tail != resource_id else []
    return []


def attach(resources: list[dict], series: dict) -> list[str]:
    """Put the statistics of ``series`` (``{(id lower, metric): (id, stats)}``) into the resources.

    Returns warnings: series that match no resource, or several. The outcome does not depend on the
    order of ``series``: when two series give the same metric of one resource, the one naming it by
    its full id wins, else the one whose id sorts first.
    """
    by_id: dict[str, int] = {}
    for index, resource in enumerate(resources):
        rid = resource.get("id")
        if rid.__class__ is str:
            by_id.setdefault(rid.lower(), index)
    pending = {key for key, _ in series if key not in by_id}
    by_suffix: dict[str, int] = {}  # pending id -> the one resource whose id ends with it, or _AMBIGUOUS
    if pending:
        for index, resource in enumerate(resources):
            rid = resource.get("id")
            if rid.__class__ is not str:
                continue
            for suffix in id_suffixes(rid.lower()):
                if suffix in pending:
                    by_suffix[suffix] = index if by_suffix.get(suffix, index) == index else _AMBIGUOUS
    unmatched: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    chosen: dict[tuple[int, str], tuple[tuple[int, str], str, dict]] = {}  # slot -> (rank, id, stats)
    conflicts: dict[tuple[int, str], list[str]] = {}
    get_id, get_suffix, get_chosen = by_id.get, by_suffix.get, chosen.get
    for (key, metric), (shown, stats) in series.items():
        index = get_id(key)
        rank = (0, key)
        if index is None:
            index = get_suffix(key)
            if index is None:
                unmatched.setdefault(key, shown)
                continue
            if index == _AMBIGUOUS:
                ambiguous.setdefault(key, shown)
                continue
            rank = (1, key)
        slot = (index, metric)
        kept = get_chosen(slot)
        if kept is None:
            chosen[slot] = (rank, shown, stats)
            continue
        conflicts.setdefault(slot, [kept[1]]).append(shown)
        if rank < kept[0]:
            chosen[slot] = (rank, shown, stats)
    by_resource: dict[int, dict] = {}
    for (index, metric), (_, _, stats) in chosen.items():
        by_resource.setdefault(index, {})[metric] = stats
    for index, statistics in by_resource.items():
        resource = resources[index]
        utilization = dict(resource.get("utilization") or {})
        utilization.update(statistics)
        resource["utilization"] = utilization
    warnings = []
    for (index, metric), ids in sorted(conflicts.items()):
        used = chosen[(index, metric)][1]
        others = ", ".join(f"'{i}'" for i in sorted(set(ids) - {used}))
        warnings.append(f"metrics: {others} and '{used}' all give {metric} of resource '{resources[index]['id']}'; using '{used}'")
    if unmatched:
        warnings.append(f"metrics: {len(unmatched)} resource id{'s' if len(unmatched) != 1 else ''} of the metrics "
                        f"match{'es' if len(unmatched) == 1 else ''} no resource of the inventory: {_listed(unmatched)}")
    if ambiguous:
        warnings.append(f"metrics: {len(ambiguous)} resource id{'s' if len(ambiguous) != 1 else ''} of the metrics "
                        f"match{'es' if len(ambiguous) == 1 else ''} the end of several resources' ids; "
                        f"not used (give the full id): {_listed(ambiguous)}")
    return warnings


def _listed(ids: dict[str, str]) -> str:
    shown = [f"'{ids[key]}'" for key in sorted(ids)[:MAX_LISTED]]
    more = len(ids) - MAX_LISTED
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
