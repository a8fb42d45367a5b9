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


def id_suffixes(resource_id: str) -> list[str]:
    """The trailing parts of an id a series may name it by, longest first."""
    out = []
    start = resource_id.find("/")
    while start >= 0:
        tail = resource_id[start + 1:]
        if tail:
            out.append(tail)
        start = resource_id.find("/", start + 1)
    if resource_id.startswith("arn:") and not out:
        tail = resource_id.split(":", 5)[-1]
        if ":" in tail:
            out.append(tail.rsplit(":", 1)[-1])
    return out


def attach(resources: list[dict], series: dict) -> list[str]:
    """Put the statistics of ``series`` (``{(id lower, metric): (id, stats)}``) into the resources.

    Returns warnings: series that match no resource, or several.
    """
    by_id: dict[str, int] = {}
    for index, resource in enumerate(resources):
        rid = resource.get("id")
        if isinstance(rid, str):
            by_id.setdefault(rid.lower(), index)
    pending = {key for key, _ in series if key not in by_id}
    by_suffix: dict[str, set[int]] = {}
    if pending:
        for index, resource in enumerate(resources):
            rid = resource.get("id")
            if not isinstance(rid, str):
                continue
            for suffix in id_suffixes(rid.lower()):
                if suffix in pending:
                    by_suffix.setdefault(suffix, set()).add(index)
    unmatched: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    chosen: dict[tuple[int, str], tuple[bool, str, dict]] = {}
    warnings: list[str] = []
    for (key, metric), (shown, stats) in sorted(series.items()):
        index = by_id.get(key)
        exact = index is not None
        if index is None:
            candidates = by_suffix.get(key, ())
            if len(candidates) > 1:
                ambiguous.setdefault(key, shown)
                continue
            if not candidates:
                unmatched.setdefault(key, shown)
                continue
            (index,) = candidates
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
                        f"match{'es' if len(ambiguous) == 1 else ''} the end of several resources' ids; "
                        f"not used (give the full id): {_listed(ambiguous)}")
    return warnings


def _listed(ids: dict[str, str]) -> str:
    shown = [f"'{ids[key]}'" for key in sorted(ids)[:MAX_LISTED]]
    more = len(ids) - MAX_LISTED
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
