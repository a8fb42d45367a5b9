"""Joining metric series to inventory resources by id.

A series names its resource by an id. It is matched to the resource whose id is the same,
ignoring case (``arn:aws:ec2:...:instance/i-0abc`` = ``ARN:AWS:EC2:...:INSTANCE/I-0ABC``); if no
resource has that id, to the resource whose **last id segment** is the same, ignoring case — what
follows the last ``/`` of an ARN, an Azure resource id or a GCP asset name (``i-0abc`` for
``arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc``, as CloudWatch's ``InstanceId`` dimension
names it). A last segment that several resources share (two VMs called ``web-1`` in two resource
groups) matches none of them: the series is reported as ambiguous and not used.

The statistics go into the resource's ``utilization`` under the metric's name, replacing
statistics the inventory already had for that metric.
"""

from __future__ import annotations

_AMBIGUOUS = -1
MAX_LISTED = 5


def last_segment(resource_id: str) -> str | None:
    """``i-0abc`` for an ARN ``...:instance/i-0abc``, ``vm-1`` for ``/subscriptions/.../virtualMachines/vm-1``."""
    if resource_id.startswith("arn:"):
        tail = resource_id.split(":", 5)[-1]
        segment = tail.rsplit("/", 1)[-1] if "/" in tail else tail.rsplit(":", 1)[-1]
    elif "/" in resource_id:
        segment = resource_id.rstrip("/").rsplit("/", 1)[-1]
    else:
        return None
    return segment if segment and segment != resource_id else None


def attach(resources: list[dict], series: dict) -> list[str]:
    """Put the statistics of ``series`` (``{(id lower, metric): (id, stats)}``) into the resources.

    Returns warnings: series that match no resource, or several.
    """
    by_id: dict[str, int] = {}
    by_segment: dict[str, int] = {}
    for index, resource in enumerate(resources):
        rid = resource.get("id")
        if not isinstance(rid, str):
            continue
        by_id.setdefault(rid.lower(), index)
        segment = last_segment(rid)
        if segment is not None:
            key = segment.lower()
            by_segment[key] = _AMBIGUOUS if key in by_segment and by_segment[key] != index else index
    unmatched: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    chosen: dict[tuple[int, str], tuple[bool, str, dict]] = {}
    warnings: list[str] = []
    for (key, metric), (shown, stats) in sorted(series.items()):
        index = by_id.get(key)
        exact = index is not None
        if index is None:
            index = by_segment.get(key)
            if index == _AMBIGUOUS:
                ambiguous.setdefault(key, shown)
                continue
            if index is None:
                unmatched.setdefault(key, shown)
                continue
        slot = (index, metric)
        if slot in chosen:
            kept_exact, kept_id, _ = chosen[slot]
            resource_id = resources[index]["id"]
            if kept_exact or not exact:
                warnings.append(f"metrics: '{shown}' and '{kept_id}' both give {metric} of resource '{resource_id}'; "
                                f"using '{kept_id}'")
                continue
            warnings.append(f"metrics: '{shown}' and '{kept_id}' both give {metric} of resource '{resource_id}'; using '{shown}'")
        chosen[slot] = (exact, shown, stats)
    for (index, metric), (_, _, stats) in chosen.items():
        resource = resources[index]
        utilization = dict(resource.get("utilization") or {})
        utilization[metric] = stats
        resource["utilization"] = utilization
    if unmatched:
        warnings.append(f"metrics: {len(unmatched)} resource id{'s' if len(unmatched) != 1 else ''} of the metrics "
                        f"match{'es' if len(unmatched) == 1 else ''} no resource of the inventory: {_listed(unmatched)}")
    if ambiguous:
        warnings.append(f"metrics: {len(ambiguous)} resource id{'s' if len(ambiguous) != 1 else ''} of the metrics "
                        f"match{'es' if len(ambiguous) == 1 else ''} the last id segment of several resources; "
                        f"not used (give the full id): {_listed(ambiguous)}")
    return warnings


def _listed(ids: dict[str, str]) -> str:
    shown = [f"'{ids[key]}'" for key in sorted(ids)[:MAX_LISTED]]
    more = len(ids) - MAX_LISTED
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
