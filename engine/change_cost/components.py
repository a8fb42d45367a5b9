"""What a planned resource is billed for: its components, each a price key and a quantity.

A resource side (``before`` or ``after`` of a plan entry, a canonical resource) is billed as one or
two **components**:

``instance``
    the resource's size (``t3.nano``, ``db.t3.micro``, ``Standard_D2s_v5``) times the number of
    instances it runs: 1, or the count a scale group or node pool asks for (:data:`QUANTITY`); a
    resource without a size whose class is billed by the hour (:data:`CLASS_PRICED`: a NAT gateway,
    a load balancer, a public IP, a Kubernetes control plane) is priced by its class;
``storage``
    a volume's capacity in GiB at its volume type (``gp3``), or a database's allocated storage at
    its storage type (:data:`STORAGE`).

A value needed to price a component that is known only after apply (``change.unknown``) makes the
component **unknown** (priced never, guessed never). The region is such a value for every component:
a price is asked for a size *in a region*, and a price table's ``*`` row is only what applies where no
row names the region, so an unknown region (an Azure ``location`` read from a data source at apply)
is never priced as "any region". A resource with neither a size nor a class
billed by the hour has no component (usage-priced or free: an IAM role, a Lambda function, a
bucket).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.plans.marks import SENSITIVE

QUANTITY: dict[str, tuple[tuple, ...]] = {
    "aws_autoscaling_group": (("desired_capacity",), ("min_size",)),
    "aws_eks_node_group": (("scaling_config", 0, "desired_size"),),
    "aws_elasticache_cluster": (("num_cache_nodes",),),
    "aws_elasticsearch_domain": (("cluster_config", 0, "instance_count"),),
    "aws_opensearch_domain": (("cluster_config", 0, "instance_count"),),
    "azurerm_linux_virtual_machine_scale_set": (("instances",),),
    "azurerm_windows_virtual_machine_scale_set": (("instances",),),
    "azurerm_virtual_machine_scale_set": (("sku", 0, "capacity"),),
    "azurerm_kubernetes_cluster_node_pool": (("node_count",),),
    "google_container_node_pool": (("node_count",),),
    "google_compute_instance_group_manager": (("target_size",),),
    "google_compute_region_instance_group_manager": (("target_size",),),
}
"""Terraform type -> where the number of instances is (first present wins); other types run one."""

STORAGE: dict[str, tuple[tuple, tuple | None]] = {
    "aws_ebs_volume": (("size",), None),
    "google_compute_disk": (("size",), None),
    "google_compute_region_disk": (("size",), None),
    "azurerm_managed_disk": (("disk_size_gb",), None),
    "aws_db_instance": (("allocated_storage",), ("storage_type",)),
}
"""Terraform type -> (capacity in GiB, the storage type priced per GiB-month; None: the size itself)."""

CLASS_PRICED = frozenset({"network.nat-gateway", "network.load-balancer", "network.public-ip", "kubernetes.cluster"})
"""Classes billed by the hour per resource, priced by their class when they have no size."""

REGION_UNKNOWN = "the region is known only after apply"

VOLUME_CLASSES = frozenset({"block.volume"})  # billed only for their capacity: no instance component


@dataclass(frozen=True)
class Component:
    """One billed part of a resource side: ``key`` (the size, storage type or class) × ``quantity``."""

    name: str  # instance | storage
    key: str | None  # None when unknown
    quantity: Decimal | None  # instances, or GiB; None when unknown
    per: str  # "instance" or "GiB"
    unknown: str | None = None  # what is known only after apply, when the component cannot be priced

    def same_as(self, other: "Component") -> bool:
        return (self.name, self.key, self.quantity, self.unknown) == (other.name, other.key, other.quantity, other.unknown)


def _dig(values: object, path: tuple) -> object:
    for step in path:
        if isinstance(step, int):
            values = values[step] if isinstance(values, list) and len(values) > step else None
        else:
            values = values.get(step) if isinstance(values, dict) else None
    return values


def _pointer(path: tuple) -> str:
    return "/properties/" + "/".join(str(step) for step in path)


def _unknown(resource: dict, pointer: str) -> bool:
    unknown = (resource.get("change") or {}).get("unknown") or ()
    return any(pointer == u or pointer.startswith(u + "/") for u in unknown)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == SENSITIVE:
        return None
    if isinstance(value, int) and value >= 0:
        return Decimal(value)
    if isinstance(value, float) and value >= 0:
        return Decimal(str(value))
    if isinstance(value, str) and value.strip().isdigit():
        return Decimal(value.strip())
    return None


def _quantity(resource: dict) -> tuple[Decimal | None, str | None]:
    """(instances, what is unknown)."""
    paths = QUANTITY.get(resource.get("type"))
    if not paths:
        return Decimal(1), None
    for path in paths:
        if _unknown(resource, _pointer(path)):
            return None, f"{'.'.join(map(str, path))} known only after apply"
        value = _number(_dig(resource.get("properties"), path))
        if value is not None:
            return value, None
    return None, f"no {'.'.join(map(str, paths[0]))} to count its instances by"


def components(resource: dict) -> list[Component]:
    """The billed components of a resource side (see the module doc); empty when it has none."""
    out: list[Component] = []
    resource_class, size = resource.get("class"), resource.get("size")
    size_unknown = _unknown(resource, "/size")
    storage = STORAGE.get(resource.get("type"))
    if resource_class not in VOLUME_CLASSES:
        if size_unknown:
            out.append(Component("instance", None, None, "instance", "the size is known only after apply"))
        elif isinstance(size, str) and size:
            quantity, unknown = _quantity(resource)
            out.append(Component("instance", size, quantity, "instance", unknown))
        elif resource_class in CLASS_PRICED:
            out.append(Component("instance", resource_class, Decimal(1), "instance"))
        elif resource.get("type") in QUANTITY or resource_class in ("compute.instance", "database.instance", "compute.scale-group"):
            out.append(Component("instance", None, None, "instance", "no size to price it by (e.g. a launch template's)"))
    if storage is not None:
        capacity_path, type_path = storage
        if type_path is None:
            key, key_unknown = (None, "the volume type is known only after apply") if size_unknown else (size, None)
        elif _unknown(resource, _pointer(type_path)):
            key, key_unknown = None, f"{'.'.join(map(str, type_path))} known only after apply"
        else:
            found = _dig(resource.get("properties"), type_path)
            key, key_unknown = (found, None) if isinstance(found, str) and found and found != SENSITIVE else (None, None)
        if _unknown(resource, _pointer(capacity_path)):
            out.append(Component("storage", key, None, "GiB", f"{'.'.join(map(str, capacity_path))} known only after apply"))
        elif key_unknown is not None:
            out.append(Component("storage", None, None, "GiB", key_unknown))
        else:
            capacity = _number(_dig(resource.get("properties"), capacity_path))
            if capacity is not None and capacity > 0 and key is not None:
                out.append(Component("storage", key, capacity, "GiB"))
            elif capacity is not None and capacity > 0:
                out.append(Component("storage", None, None, "GiB", f"no {'.'.join(map(str, type_path or ('type',)))} to price it by"))
    if _unknown(resource, "/region"):
        out = [c if c.unknown is not None else Component(c.name, c.key, c.quantity, c.per, REGION_UNKNOWN) for c in out]
    return out
