"""Resource classes and kinds: the cross-provider vocabulary, and the native type names of each.

A policy that says ``class: block.volume`` applies to AWS EBS volumes, Azure managed disks and
GCP persistent disks alike, whichever adapter or naming scheme produced them. The whole mapping
is the one literal table :data:`CLASS_TABLE` below; everything else is derived from it.

Native names come from the schemes users' exports use:

* AWS CloudFormation / AWS Config (``AWS::EC2::Instance``),
* AWS ARN / Resource Groups Tagging API ``service:resource-type`` (``ec2:instance``),
* Terraform resource types (``aws_instance``, ``azurerm_managed_disk``, ``google_compute_disk``),
* Azure Resource Manager types (``Microsoft.Compute/virtualMachines``),
* GCP Cloud Asset Inventory asset types (``compute.googleapis.com/Instance``).

Within a class, the table groups the names into **kinds**: the spellings, one per scheme, of one
provider resource kind (``AWS::EC2::Instance`` = ``ec2:instance`` = ``aws_instance``), keyed by
the first. The spellings of a kind are equivalent: a policy naming one selects every spelling of
it (:func:`spellings_of`, applied when a policy is loaded), and two inventory files that spell
one resource's type differently do not conflict (:func:`same_kind`; :func:`spelling_rank` picks
the spelling the merged resource keeps).

Matching is case-insensitive for every scheme (Azure Resource Graph reports types in lower case;
the other schemes have no names that differ only by case).

The vocabulary cannot list every provider type: a name it does not know is allowed in a policy
and selects exactly itself, unless it is a likely misspelling of a name it knows
(:func:`close_names`), which the policy loader reports.
"""

from __future__ import annotations

import re

# class, one-line description, kinds. A kind is one provider resource kind: the tuple of its
# spellings in every naming scheme, its canonical key first (for AWS the CloudFormation / AWS
# Config name where one exists, for Azure the ARM type, for GCP the Cloud Asset Inventory type).
# A spelling that names several kinds is listed in each (the tagging API's
# ``elasticloadbalancing:loadbalancer`` is a classic and a v2 load balancer alike).
CLASS_TABLE: tuple[tuple[str, str, tuple[tuple[str, ...], ...]], ...] = (
    (
        "compute.instance",
        "A virtual machine (EC2 instance, Azure VM, GCE instance).",
        (
            ("AWS::EC2::Instance", "ec2:instance", "aws_instance"),
            ("Microsoft.Compute/virtualMachines", "azurerm_virtual_machine", "azurerm_linux_virtual_machine",
             "azurerm_windows_virtual_machine"),
            ("Microsoft.ClassicCompute/virtualMachines",),
            ("compute.googleapis.com/Instance", "google_compute_instance"),
        ),
    ),
    (
        "compute.scale-group",
        "A group of identical VMs scaled together (Auto Scaling group, VM scale set, managed instance group).",
        (
            ("AWS::AutoScaling::AutoScalingGroup", "autoscaling:autoScalingGroup", "aws_autoscaling_group"),
            ("Microsoft.Compute/virtualMachineScaleSets", "azurerm_virtual_machine_scale_set",
             "azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set"),
            ("compute.googleapis.com/InstanceGroupManager", "google_compute_instance_group_manager"),
            ("compute.googleapis.com/RegionInstanceGroupManager", "google_compute_region_instance_group_manager"),
        ),
    ),
    (
        "compute.image",
        "A machine image (AMI, Azure managed image, GCE image).",
        (
            ("ec2:image", "aws_ami"),
            ("Microsoft.Compute/images", "azurerm_image"),
            ("compute.googleapis.com/Image", "google_compute_image"),
        ),
    ),
    (
        "block.volume",
        "A block-storage volume (EBS volume, Azure managed disk, GCE persistent disk).",
        (
            ("AWS::EC2::Volume", "ec2:volume", "aws_ebs_volume"),
            ("Microsoft.Compute/disks", "azurerm_managed_disk"),
            ("compute.googleapis.com/Disk", "google_compute_disk"),
            ("compute.googleapis.com/RegionDisk", "google_compute_region_disk"),
        ),
    ),
    (
        "block.snapshot",
        "A snapshot of a block-storage volume (EBS snapshot, Azure disk snapshot, GCE snapshot).",
        (
            ("ec2:snapshot", "aws_ebs_snapshot"),
            ("Microsoft.Compute/snapshots", "azurerm_snapshot"),
            ("compute.googleapis.com/Snapshot", "google_compute_snapshot"),
        ),
    ),
    (
        "storage.bucket",
        "An object-storage container (S3 bucket, Azure storage account, GCS bucket).",
        (
            ("AWS::S3::Bucket", "s3:bucket", "aws_s3_bucket"),
            ("Microsoft.Storage/storageAccounts", "azurerm_storage_account"),
            ("storage.googleapis.com/Bucket", "google_storage_bucket"),
        ),
    ),
    (
        "network.public-ip",
        "A reserved public IP address (Elastic IP, Azure public IP, GCP address); billed even when unused.",
        (
            ("AWS::EC2::EIP", "ec2:elastic-ip", "aws_eip"),
            ("Microsoft.Network/publicIPAddresses", "azurerm_public_ip"),
            ("compute.googleapis.com/Address", "google_compute_address"),
            ("compute.googleapis.com/GlobalAddress", "google_compute_global_address"),
        ),
    ),
    (
        "network.load-balancer",
        "A load balancer (ELB/ALB/NLB, Azure load balancer or application gateway, GCP forwarding rule).",
        (
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", "elasticloadbalancing:loadbalancer", "aws_lb", "aws_alb"),
            ("AWS::ElasticLoadBalancing::LoadBalancer", "elasticloadbalancing:loadbalancer", "aws_elb"),
            ("Microsoft.Network/loadBalancers", "azurerm_lb"),
            ("Microsoft.Network/applicationGateways", "azurerm_application_gateway"),
            ("compute.googleapis.com/ForwardingRule", "google_compute_forwarding_rule"),
            ("compute.googleapis.com/GlobalForwardingRule", "google_compute_global_forwarding_rule"),
        ),
    ),
    (
        "network.nat-gateway",
        "A managed NAT gateway (AWS NAT gateway, Azure NAT gateway); billed per hour and per GB.",
        (
            ("AWS::EC2::NatGateway", "ec2:natgateway", "aws_nat_gateway"),
            ("Microsoft.Network/natGateways", "azurerm_nat_gateway"),
        ),
    ),
    (
        "database.instance",
        "A managed database server or database (RDS instance, Azure SQL database / flexible server, Cloud SQL).",
        (
            ("AWS::RDS::DBInstance", "rds:db", "aws_db_instance"),
            ("Microsoft.Sql/servers/databases", "azurerm_mssql_database", "azurerm_sql_database"),
            ("Microsoft.DBforPostgreSQL/flexibleServers", "azurerm_postgresql_flexible_server"),
            ("Microsoft.DBforMySQL/flexibleServers", "azurerm_mysql_flexible_server"),
            ("sqladmin.googleapis.com/Instance", "google_sql_database_instance"),
        ),
    ),
    (
        "database.cluster",
        "A managed database cluster (Aurora / RDS cluster).",
        (("AWS::RDS::DBCluster", "rds:cluster", "aws_rds_cluster"),),
    ),
    (
        "database.snapshot",
        "A manual or automated snapshot of a managed database (RDS DB or cluster snapshot).",
        (
            ("AWS::RDS::DBSnapshot", "rds:snapshot", "aws_db_snapshot"),
            ("AWS::RDS::DBClusterSnapshot", "rds:cluster-snapshot", "aws_db_cluster_snapshot"),
        ),
    ),
    (
        "kubernetes.cluster",
        "A managed Kubernetes control plane (EKS, AKS, GKE).",
        (
            ("AWS::EKS::Cluster", "eks:cluster", "aws_eks_cluster"),
            ("Microsoft.ContainerService/managedClusters", "azurerm_kubernetes_cluster"),
            ("container.googleapis.com/Cluster", "google_container_cluster"),
        ),
    ),
    (
        "function",
        "A serverless function (Lambda, Azure Functions app, Cloud Functions).",
        (
            ("AWS::Lambda::Function", "lambda:function", "aws_lambda_function"),
            # Azure's ARM type of a function app, Microsoft.Web/sites, is every App Service app's
            ("azurerm_function_app", "azurerm_linux_function_app", "azurerm_windows_function_app"),
            ("cloudfunctions.googleapis.com/CloudFunction", "google_cloudfunctions_function"),
            ("cloudfunctions.googleapis.com/Function", "google_cloudfunctions2_function"),
        ),
    ),
)

PROVIDERS: tuple[str, ...] = ("aws", "azure", "gcp", "kubernetes", "other")

CLASSES: dict[str, str] = {name: description for name, description, _ in CLASS_TABLE}

KINDS: dict[str, tuple[str, ...]] = {kind[0]: kind for _, _, kinds in CLASS_TABLE for kind in kinds}
"""Every kind: its canonical key -> its spellings (the key first), as the table writes them."""

_CLASS_BY_TYPE: dict[str, str] = {
    spelling.lower(): name for name, _, kinds in CLASS_TABLE for kind in kinds for spelling in kind
}

_KINDS_BY_TYPE: dict[str, tuple[str, ...]] = {}  # lower-cased spelling -> keys of the kinds it names
_RANK_BY_TYPE: dict[str, int] = {}  # lower-cased spelling -> its best place in a kind (0 = the key)
_TABLE_SPELLING: dict[str, str] = {}  # lower-cased spelling -> the table's spelling
for _key, _spellings in KINDS.items():
    for _place, _spelling in enumerate(_spellings):
        _lowered = _spelling.lower()
        _KINDS_BY_TYPE[_lowered] = _KINDS_BY_TYPE.get(_lowered, ()) + (_key,)
        _RANK_BY_TYPE[_lowered] = min(_place, _RANK_BY_TYPE.get(_lowered, _place))
        _TABLE_SPELLING[_lowered] = _spelling

_SPELLINGS_OF: dict[str, frozenset[str]] = {
    lowered: frozenset(spelling.lower() for key in keys for spelling in KINDS[key])
    for lowered, keys in _KINDS_BY_TYPE.items()
}

_ARN_STYLE_TYPE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9-]+$")


def classify(provider: str | None, type: str | None) -> str | None:  # noqa: A002 - the field is called type
    """The class of a native type name, or None when the type is not in the vocabulary.

    ``provider`` is accepted so that a name used by two providers could be told apart; no name in
    the table needs it today.
    """
    if type.__class__ is not str:
        return None
    return _CLASS_BY_TYPE.get(type.lower())


def provider_of_type(type: str | None) -> str | None:  # noqa: A002
    """Guess the provider from the shape of a native type name; None when the shape is unknown."""
    if type.__class__ is not str or not type:
        return None
    lowered = type.lower()
    if lowered.startswith(("aws::", "aws_")):
        return "aws"
    if lowered.startswith(("microsoft.", "azurerm_", "azapi_", "azuread_")):
        return "azure"
    if lowered.startswith("google_") or ".googleapis.com/" in lowered:
        return "gcp"
    if lowered.startswith("kubernetes_"):
        return "kubernetes"
    if _ARN_STYLE_TYPE.match(type):
        return "aws"
    return None


def kinds_of(type: str | None) -> tuple[str, ...]:  # noqa: A002
    """The keys of the kinds a native type name names (one, or several for a shared spelling); () if unknown."""
    if type.__class__ is not str:
        return ()
    return _KINDS_BY_TYPE.get(type.lower(), ())


def same_kind(a: str | None, b: str | None) -> bool:
    """Whether two native type names spell one kind (``ec2:instance`` and ``AWS::EC2::Instance``)."""
    kinds = kinds_of(a)
    return bool(kinds) and any(kind in kinds for kind in kinds_of(b))


def spelling_rank(type: str) -> tuple[int, int, int]:  # noqa: A002
    """Orders the spellings of one kind, most specific first (for :mod:`engine.inventory.merge`).

    A spelling of one kind before a spelling shared by several; then the kind's key before its
    other spellings, in table order; then the table's own letter case before another case.
    """
    lowered = type.lower()
    return (len(_KINDS_BY_TYPE[lowered]), _RANK_BY_TYPE[lowered], 0 if _TABLE_SPELLING[lowered] == type else 1)


def spellings_of(name: str) -> frozenset[str]:
    """The lower-cased names a ``resource.types`` entry selects: every spelling of every kind it names.

    A class and a name the vocabulary does not know select only themselves.
    """
    lowered = name.lower()
    return _SPELLINGS_OF.get(lowered) or frozenset((lowered,))


def is_known_name(name: str) -> bool:
    """Whether ``name`` (any case) is a class or a spelling of a known kind."""
    lowered = name.lower()
    return lowered in CLASSES or lowered in _CLASS_BY_TYPE


_CLASS_SHAPED = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$")
_WORD = re.compile(r"[a-z0-9]+")


def looks_like_class(name: str) -> bool:
    """Lower-case dotted words (``compute.instance``): the shape of a class, which no provider's type has."""
    return _CLASS_SHAPED.match(name) is not None


def _words(name: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(name.lower()))


# every class and every spelling, with its words, for close_names
_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, _words(name)) for name in (*CLASSES, *dict.fromkeys(s for kind in KINDS.values() for s in kind))
)


def close_names(name: str) -> list[str]:
    """Known classes and spellings that ``name`` is likely a misspelling of, the closest first.

    Close means: the same words with other separators or case (``AWS:EC2:Instance``,
    ``ec2-instance``), or the same words but one, where the known word has at least 6 letters and
    the name's word is one edit away from it (two for words of 8 letters or more; an edit is an
    insertion, deletion, substitution or swap of neighbours): ``AWS::EC2::Instanc``,
    ``Microsoft.Compute/virtualMachine``, ``google_compute_instnace``. Short words are not
    compared, since real services differ in one letter (``AWS::ECS::Cluster`` is not a
    misspelt ``AWS::EKS::Cluster``), nor are names with more or fewer words
    (``aws_ebs_snapshot_copy`` is a type of its own).
    """
    words = _words(name)
    found = []
    for place, (known, known_words) in enumerate(_NAMES):
        if len(known_words) != len(words):
            continue
        differ = [(word, other) for word, other in zip(words, known_words) if word != other]
        if not differ:
            found.append((0, place, known))
        elif len(differ) == 1:
            distance = _typo_distance(*differ[0])
            if distance is not None:
                found.append((distance, place, known))
    return [known for _, _, known in sorted(found)]


def _typo_distance(word: str, known: str) -> int | None:
    """The edit distance when ``word`` is a likely misspelling of ``known``, else None."""
    if len(known) < 6:
        return None
    limit = 1 if len(known) < 8 else 2
    if abs(len(word) - len(known)) > limit:
        return None
    distance = _edit_distance(word, known)
    return distance if distance <= limit else None


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
