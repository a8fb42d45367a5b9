"""Generate a seeded, realistic costwarden inventory file for the benchmarks.

    python bench/generate_inventory.py --resources 100000 --seed 1 --out bench/data/inventory-100k.json

The output is costwarden's canonical inventory document (see ``engine/inventory/resource.py``)::

    {"apiVersion": "costwarden/v1", "kind": "Inventory", "metadata": {...}, "resources": [...]}

What is in it
    * providers: AWS 50 %, Azure 25 %, GCP 25 %;
    * per provider, native type names of five classes: instances (~40 %), volumes (~25 %),
      snapshots (~15 %), buckets / storage accounts (~10 %), public IPs (~10 %);
    * ids in each provider's real shape (``i-0abc...``, ARM ids, ``//compute.googleapis.com/...``),
      12-digit AWS account ids as strings (some with a leading 0), Azure subscription GUIDs,
      GCP project ids; real region names; instance sizes, volume SKUs, states, ``created_at``,
      a few ``properties`` (and CPU ``utilization`` statistics for instances), volume -> instance
      relationships;
    * tags: ``team``, ``owner``, ``cost-center``, ``environment``, plus noise (``Name``, ``app``,
      ``managed-by``, ``aws:cloudformation:...``, ``kubernetes.io/cluster/...`` ...). GCP labels
      follow GCP's rules (lower-case keys, values without ``@`` or capitals). Team and owner
      values come mostly (~93 %) from the example team directory (``examples/ownership.yaml``:
      team ids, aliases, members' emails), the rest are unknown teams and people, so owner
      resolution and the built-in "known team" policies behave as on a real estate;
    * sizes mostly from the built-in approved-size list, snapshots mostly younger than 90 days,
      ~13 % stopped instances, ~20 % unattached volumes: the built-in library finds a realistic
      number of problems, not one per resource.

Tag problems
    Each resource independently has a tag problem with probability ``--violation-rate``
    (default 0.20). A problem is one or two of: ``owner`` missing, spelled ``Owner`` /
    ``OWNER``, or empty; ``cost-center`` missing or spelled ``CostCenter`` / ``costcenter`` /
    ``cost_center`` / ``Cost-Center``; ``environment`` missing, spelled ``Environment`` / ``env``,
    or holding a value outside {prod, staging, dev} (``production``, ``Prod``, ``test``, ``qa``).
    Every problem violates the benchmark policy ("compute instances need ``owner`` and
    ``cost-center``, ``environment`` in {prod, staging, dev}", exact key matching), so about 20 %
    of the instances it selects fail it. (Under the built-in library's ``normalized`` matching
    some of them, e.g. ``Environment``, are not problems: that is the point of the modes.) Empty values are ``""`` only (never whitespace-only), so that
    Cloud Custodian's ``empty`` value test means the same thing as costwarden's "blank counts as
    missing". No key-only (``true``) tags: AWS's ``Tags`` list shape has no such thing.

The same seed and size give a byte-identical file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

API_VERSION = "costwarden/v1"

# (value, weight): team ids and aliases of examples/ownership.yaml, then values no directory knows
TEAMS = (
    ("payments", 30), ("search", 22), ("data-platform", 25), ("finops", 5), ("payment", 3), ("billing-api", 2),
    ("search-infra", 3), ("data", 2), ("dataplatform", 1),
    ("backend", 3), ("paymnets", 1), ("ml-infra", 3),
)
# members of examples/ownership.yaml, then people it does not know
PEOPLE = (("alice", 25), ("bob", 25), ("carol", 25), ("dan", 15), ("mallory", 4), ("trent", 3), ("victor", 3))
APPROVED_SIZES = {
    "aws": ("t3.micro", "t3.small", "t3.medium", "m7i.large", "m7i.xlarge", "c7i.large", "r7i.large"),
    "azure": ("Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5"),
    "gcp": ("e2-medium", "n2-standard-2", "n2-standard-4"),
}
ENVIRONMENTS = ("prod", "prod", "prod", "staging", "dev", "dev")  # weighted: prod is most common
BAD_ENV_VALUES = ("production", "Prod", "test", "qa", "PROD", "development")
APPS = ("checkout-api", "search-indexer", "ledger", "recommender", "web-frontend", "etl", "kafka", "postgres",
        "redis", "airflow", "spark", "jenkins", "grafana", "auth", "notifications")

AWS_REGIONS = ("us-east-1", "us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
               "ap-northeast-1", "sa-east-1")
AZURE_REGIONS = ("eastus", "eastus2", "westeurope", "northeurope", "westus2", "uksouth", "southeastasia", "centralus")
GCP_REGIONS = ("us-central1", "us-east1", "europe-west1", "europe-west4", "asia-southeast1", "us-west1")

OTHER_SIZES = {  # sizes outside the approved list: older generations, big or special machines
    "aws": ("t3.large", "m5.large", "m5.xlarge", "m6i.2xlarge", "c5.xlarge", "c6g.2xlarge", "r6i.4xlarge", "m4.large",
            "c4.xlarge", "p3.2xlarge", "g5.xlarge"),
    "azure": ("Standard_D2s_v3", "Standard_D8s_v5", "Standard_E4s_v5", "Standard_F4s_v2", "Standard_NC6s_v3",
              "Standard_A2_v2"),
    "gcp": ("e2-micro", "e2-standard-4", "n1-standard-4", "n2-standard-8", "n2d-highmem-4", "c2-standard-8",
            "a2-highgpu-1g"),
}
AWS_VOLUME_TYPES = ("gp3", "gp3", "gp2", "io2", "st1", "sc1")
AZURE_DISK_SKUS = ("Premium_LRS", "StandardSSD_LRS", "Standard_LRS", "UltraSSD_LRS", "PremiumV2_LRS")
GCP_DISK_TYPES = ("pd-balanced", "pd-ssd", "pd-standard", "hyperdisk-balanced")
STORAGE_CLASSES = {"aws": ("STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA", "GLACIER"),
                   "azure": ("Hot", "Cool", "Archive"),
                   "gcp": ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")}

# class -> per provider (type, weight within the provider)
TYPES = {
    "aws": (("AWS::EC2::Instance", 40), ("AWS::EC2::Volume", 25), ("ec2:snapshot", 15), ("AWS::S3::Bucket", 10),
            ("AWS::EC2::EIP", 10)),
    "azure": (("Microsoft.Compute/virtualMachines", 40), ("Microsoft.Compute/disks", 25),
              ("Microsoft.Compute/snapshots", 15), ("Microsoft.Storage/storageAccounts", 10),
              ("Microsoft.Network/publicIPAddresses", 10)),
    "gcp": (("compute.googleapis.com/Instance", 40), ("compute.googleapis.com/Disk", 25),
            ("compute.googleapis.com/Snapshot", 15), ("storage.googleapis.com/Bucket", 10),
            ("compute.googleapis.com/Address", 10)),
}
KIND_OF_TYPE = {
    "AWS::EC2::Instance": "instance", "Microsoft.Compute/virtualMachines": "instance",
    "compute.googleapis.com/Instance": "instance",
    "AWS::EC2::Volume": "volume", "Microsoft.Compute/disks": "volume", "compute.googleapis.com/Disk": "volume",
    "ec2:snapshot": "snapshot", "Microsoft.Compute/snapshots": "snapshot", "compute.googleapis.com/Snapshot": "snapshot",
    "AWS::S3::Bucket": "bucket", "Microsoft.Storage/storageAccounts": "bucket", "storage.googleapis.com/Bucket": "bucket",
    "AWS::EC2::EIP": "ip", "Microsoft.Network/publicIPAddresses": "ip", "compute.googleapis.com/Address": "ip",
}
PROVIDERS = (("aws", 50), ("azure", 25), ("gcp", 25))

EPOCH = datetime(2022, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = int((datetime(2026, 11, 20, tzinfo=timezone.utc) - EPOCH).total_seconds())
RECENT_START = datetime(2026, 9, 1, tzinfo=timezone.utc)
RECENT_SECONDS = int((datetime(2026, 11, 26, tzinfo=timezone.utc) - RECENT_START).total_seconds())


class Generator:
    def __init__(self, seed: int, violation_rate: float = 0.20):
        self.rng = random.Random(seed)
        self.violation_rate = violation_rate
        rng = self.rng
        self.aws_accounts = [f"{rng.randrange(10**11, 10**12):012d}" for _ in range(24)]
        self.aws_accounts[:3] = ["012345678901", "098765432109", "004455667788"]  # leading zeros happen
        self.azure_subscriptions = [self._guid() for _ in range(10)]
        self.gcp_projects = [f"{team}-{env}-{rng.randrange(100000, 999999)}" for team in ("payments", "search", "data", "finops")
                             for env in ("prod", "dev")]
        self.team_values, self.team_weights = zip(*TEAMS)
        self.people, self.people_weights = zip(*PEOPLE)
        self.provider_choices, self.provider_weights = zip(*PROVIDERS)
        self.type_choices = {p: tuple(t for t, _ in TYPES[p]) for p in TYPES}
        self.type_weights = {p: tuple(w for _, w in TYPES[p]) for p in TYPES}
        self.recent_instances: dict[str, list[str]] = {"aws": [], "azure": [], "gcp": []}
        self.serial = 0

    # --- small helpers -------------------------------------------------------------------------

    def _hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(digits * 4):0{digits}x}"

    def _guid(self) -> str:
        h = self._hex(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _created_at(self, recent: bool = False) -> str:
        if recent and self.rng.random() < 0.7:  # most snapshots are younger than a 90-day retention
            when = RECENT_START + timedelta(seconds=self.rng.randrange(RECENT_SECONDS))
        else:
            when = EPOCH + timedelta(seconds=self.rng.randrange(SPAN_SECONDS))
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _size(self, provider: str) -> str:
        sizes = APPROVED_SIZES if self.rng.random() < 0.75 else OTHER_SIZES
        return self.rng.choice(sizes[provider])

    # --- tags ----------------------------------------------------------------------------------

    def _tags(self, provider: str, kind: str, team: str, env: str, name: str, app: str) -> dict:
        rng = self.rng
        gcp = provider == "gcp"
        person = rng.choices(self.people, self.people_weights)[0]
        if gcp:  # GCP label values: lower case, digits, '_' and '-'; no '@'
            owner = person if rng.random() < 0.6 else team
        else:
            owner = f"{person}@example.com" if rng.random() < 0.7 else team
        tags: dict[str, str] = {}
        if not gcp:
            tags["Name"] = name
        tags["team"] = team
        tags["owner"] = owner
        tags["cost-center"] = (f"cc-{rng.randrange(1000, 9999)}" if gcp else f"CC-{rng.randrange(1000, 9999)}")
        tags["environment"] = env
        # noise tags, realistic per provider
        if rng.random() < 0.7:
            tags["app"] = app
        if rng.random() < 0.5:
            tags["managed-by"] = rng.choice(("terraform", "terraform", "pulumi", "cloudformation", "manual"))
        if provider == "aws":
            if rng.random() < 0.2:
                tags["aws:cloudformation:stack-name"] = f"{app}-{env}"
            if kind == "instance" and rng.random() < 0.25:
                tags[f"kubernetes.io/cluster/{team}-{env}"] = "owned"
            if rng.random() < 0.15:
                tags["Backup"] = rng.choice(("daily", "weekly", "none"))
        elif provider == "azure":
            if rng.random() < 0.3:
                tags["createdBy"] = f"{rng.choices(self.people, self.people_weights)[0]}@example.com"
            if rng.random() < 0.2:
                tags["ms-resource-usage"] = "azure-cloud-shell"
        else:
            if rng.random() < 0.3:
                tags["goog-managed-by"] = "gke"
        if rng.random() < 0.1:
            tags["project"] = rng.choice(APPS)
        if rng.random() < self.violation_rate:
            self._break(tags, provider)
            if rng.random() < 0.25:
                self._break(tags, provider)
        return tags

    def _break(self, tags: dict, provider: str) -> None:
        """One tag problem that violates the benchmark policy (exact keys owner, cost-center, environment)."""
        rng = self.rng
        gcp = provider == "gcp"
        what = rng.random()
        if what < 0.35:  # owner
            value = tags.pop("owner", None) or "unknown"
            how = rng.random()
            if how < 0.4:
                pass  # missing
            elif how < 0.8 and not gcp:
                tags[rng.choice(("Owner", "Owner", "OWNER"))] = value
            elif how < 0.8:
                tags["owner_name"] = value
            else:
                tags["owner"] = ""
        elif what < 0.70:  # cost-center
            value = tags.pop("cost-center", None) or "CC-0000"
            how = rng.random()
            if how < 0.35:
                pass
            elif gcp:
                tags[rng.choice(("costcenter", "cost_center"))] = value
            else:
                tags[rng.choice(("CostCenter", "CostCenter", "costcenter", "cost_center", "Cost-Center"))] = value
        else:  # environment
            how = rng.random()
            value = tags.pop("environment", None) or "prod"
            if how < 0.3:
                pass
            elif how < 0.6 and not gcp:
                tags[rng.choice(("Environment", "Environment", "env", "Env"))] = value
            elif how < 0.6:
                tags["env"] = value
            else:
                bad = rng.choice(BAD_ENV_VALUES)
                tags["environment"] = bad.lower() if gcp else bad

    # --- resources -----------------------------------------------------------------------------

    def resource(self) -> dict:
        rng = self.rng
        self.serial += 1
        provider = rng.choices(self.provider_choices, self.provider_weights)[0]
        rtype = rng.choices(self.type_choices[provider], self.type_weights[provider])[0]
        kind = KIND_OF_TYPE[rtype]
        team = rng.choices(self.team_values, self.team_weights)[0]
        env = rng.choice(ENVIRONMENTS)
        app = rng.choice(APPS)
        name = f"{app}-{env}-{self.serial:06d}"
        build = getattr(self, f"_{provider}")
        resource = build(kind, rtype, name, env)
        resource["tags"] = self._tags(provider, kind, team, env, name, app)
        if kind == "instance":
            self.recent_instances[provider].append(resource["id"])
            if len(self.recent_instances[provider]) > 64:
                del self.recent_instances[provider][:32]
        return resource

    def _base(self, rid: str, rtype: str, provider: str, account: str, region: str | None, name: str,
              size: str | None, state: str | None, recent: bool = False) -> dict:
        return {
            "id": rid,
            "type": rtype,
            "provider": provider,
            "account": account,
            "region": region,
            "name": name,
            "size": size,
            "state": state,
            "created_at": self._created_at(recent),
        }

    def _attach(self, resource: dict, provider: str, probability: float) -> bool:
        instances = self.recent_instances[provider]
        if instances and self.rng.random() < probability:
            resource["relationships"] = [{"type": "attached-to", "id": self.rng.choice(instances)}]
            return True
        return False

    def _utilization(self) -> dict:
        rng = self.rng
        p95 = round(rng.betavariate(1.3, 4.0) * 100, 1)
        return {"cpu": {"p95": p95, "max": round(min(100.0, p95 * rng.uniform(1.0, 2.2)), 1),
                        "avg": round(p95 * rng.uniform(0.3, 0.7), 1), "days": 30}}

    def _aws(self, kind: str, rtype: str, name: str, env: str) -> dict:
        rng = self.rng
        account = rng.choice(self.aws_accounts)
        region = rng.choice(AWS_REGIONS)
        if kind == "instance":
            size = self._size("aws")
            r = self._base(f"i-{self._hex(17)}", rtype, "aws", account, region, name, size,
                           rng.choices(("running", "stopped", "terminated"), (85, 13, 2))[0])
            r["properties"] = {"platform": rng.choice(("linux", "linux", "windows")), "tenancy": "default",
                               "lifecycle": rng.choices(("on-demand", "spot"), (9, 1))[0],
                               "image_id": f"ami-{self._hex(17)}", "availability_zone": region + rng.choice("abc")}
            r["utilization"] = self._utilization()
        elif kind == "volume":
            r = self._base(f"vol-{self._hex(17)}", rtype, "aws", account, region, name, rng.choice(AWS_VOLUME_TYPES), None)
            r["state"] = "in-use" if self._attach(r, "aws", 0.8) else "available"
            r["properties"] = {"size_gib": rng.choice((8, 20, 50, 100, 200, 500, 1000)), "encrypted": rng.random() < 0.9,
                               "iops": rng.choice((3000, 3000, 6000, 16000))}
        elif kind == "snapshot":
            r = self._base(f"snap-{self._hex(17)}", rtype, "aws", account, region, name, None, "completed", True)
            r["properties"] = {"volume_size_gib": rng.choice((8, 20, 50, 100, 500)), "storage_tier": "standard"}
        elif kind == "bucket":
            bucket = f"{name}-{self._hex(6)}"
            r = self._base(f"arn:aws:s3:::{bucket}", rtype, "aws", account, region, bucket, None, None)
            r["properties"] = {"storage_class": rng.choice(STORAGE_CLASSES["aws"]), "versioning": rng.random() < 0.5,
                               "size_bytes": rng.randrange(0, 5 * 10**12)}
        else:
            r = self._base(f"eipalloc-{self._hex(17)}", rtype, "aws", account, region, name, None, None)
            r["state"] = "associated" if self._attach(r, "aws", 0.85) else "unassociated"
            r["properties"] = {"public_ip": f"{rng.randrange(3, 54)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                               "domain": "vpc"}
        return r

    def _azure(self, kind: str, rtype: str, name: str, env: str) -> dict:
        rng = self.rng
        subscription = rng.choice(self.azure_subscriptions)
        region = rng.choice(AZURE_REGIONS)
        group = f"rg-{name.rsplit('-', 1)[0]}"
        rid = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{rtype}/{name}"
        if kind == "instance":
            r = self._base(rid, rtype, "azure", subscription, region, name, self._size("azure"),
                           rng.choices(("running", "deallocated", "stopped"), (85, 12, 3))[0])
            r["properties"] = {"resourceGroup": group, "osType": rng.choice(("Linux", "Linux", "Windows")),
                               "priority": rng.choices(("Regular", "Spot"), (9, 1))[0], "zones": [rng.choice("123")]}
            r["utilization"] = self._utilization()
        elif kind == "volume":
            r = self._base(rid, rtype, "azure", subscription, region, name, rng.choice(AZURE_DISK_SKUS), None)
            r["state"] = "Attached" if self._attach(r, "azure", 0.8) else "Unattached"
            r["properties"] = {"resourceGroup": group, "diskSizeGB": rng.choice((32, 64, 128, 256, 512, 1024))}
        elif kind == "snapshot":
            r = self._base(rid, rtype, "azure", subscription, region, name, "Standard_LRS", "Succeeded", True)
            r["properties"] = {"resourceGroup": group, "diskSizeGB": rng.choice((32, 128, 512)), "incremental": True}
        elif kind == "bucket":
            account = f"st{self._hex(10)}"
            rid = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{rtype}/{account}"
            r = self._base(rid, rtype, "azure", subscription, region, account,
                           rng.choice(("Standard_LRS", "Standard_GRS", "Standard_ZRS")), "Succeeded")
            r["properties"] = {"resourceGroup": group, "accessTier": rng.choice(STORAGE_CLASSES["azure"]), "kind": "StorageV2"}
        else:
            r = self._base(rid, rtype, "azure", subscription, region, name, rng.choice(("Standard", "Basic")), None)
            r["state"] = "Associated" if self._attach(r, "azure", 0.85) else "Unassociated"
            r["properties"] = {"resourceGroup": group, "publicIPAllocationMethod": "Static",
                               "ipAddress": f"20.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"}
        return r

    def _gcp(self, kind: str, rtype: str, name: str, env: str) -> dict:
        rng = self.rng
        project = rng.choice(self.gcp_projects)
        region = rng.choice(GCP_REGIONS)
        zone = f"{region}-{rng.choice('abc')}"
        if kind == "instance":
            rid = f"//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{name}"
            r = self._base(rid, rtype, "gcp", project, region, name, self._size("gcp"),
                           rng.choices(("RUNNING", "TERMINATED", "SUSPENDED"), (85, 13, 2))[0])
            r["properties"] = {"zone": zone, "scheduling": {"preemptible": rng.random() < 0.1},
                               "cpuPlatform": rng.choice(("Intel Cascade Lake", "AMD Milan", "Intel Ice Lake"))}
            r["utilization"] = self._utilization()
        elif kind == "volume":
            rid = f"//compute.googleapis.com/projects/{project}/zones/{zone}/disks/{name}"
            r = self._base(rid, rtype, "gcp", project, region, name, rng.choice(GCP_DISK_TYPES), None)
            r["state"] = "READY"
            self._attach(r, "gcp", 0.8)
            r["properties"] = {"zone": zone, "sizeGb": str(rng.choice((10, 50, 100, 250, 500, 1000)))}
        elif kind == "snapshot":
            rid = f"//compute.googleapis.com/projects/{project}/global/snapshots/{name}"
            r = self._base(rid, rtype, "gcp", project, None, name, None, "READY", True)
            r["properties"] = {"diskSizeGb": str(rng.choice((10, 100, 500))), "storageBytes": str(rng.randrange(10**6, 10**11))}
        elif kind == "bucket":
            bucket = f"{project}-{name}"
            rid = f"//storage.googleapis.com/{bucket}"
            r = self._base(rid, rtype, "gcp", project, region, bucket, None, None)
            r["properties"] = {"storageClass": rng.choice(STORAGE_CLASSES["gcp"]), "location": region.upper()}
        else:
            rid = f"//compute.googleapis.com/projects/{project}/regions/{region}/addresses/{name}"
            r = self._base(rid, rtype, "gcp", project, region, name, None, None)
            r["state"] = "IN_USE" if self._attach(r, "gcp", 0.85) else "RESERVED"
            r["properties"] = {"addressType": "EXTERNAL", "networkTier": rng.choice(("PREMIUM", "STANDARD"))}
        return r


def generate(resources: int, seed: int = 1, violation_rate: float = 0.20) -> dict:
    """The inventory document (a dict), deterministic for (resources, seed, violation_rate)."""
    generator = Generator(seed, violation_rate)
    items = [generator.resource() for _ in range(resources)]
    return {
        "apiVersion": API_VERSION,
        "kind": "Inventory",
        "metadata": {"generator": "bench/generate_inventory.py", "seed": seed, "resources": resources,
                     "violation_rate": violation_rate},
        "resources": items,
    }


def write(doc: dict, out: str) -> None:
    """Write one resource per line (a valid JSON document), atomically."""
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    head = {k: v for k, v in doc.items() if k != "resources"}
    temporary = out + ".tmp"
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(head, ensure_ascii=False)[:-1])
        handle.write(', "resources": [\n')
        resources = doc["resources"]
        last = len(resources) - 1
        for index, resource in enumerate(resources):
            handle.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
            handle.write(",\n" if index < last else "\n")
        handle.write("]}\n")
    os.replace(temporary, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=10_000, help="number of resources (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--violation-rate", type=float, default=0.20,
                        help="share of resources with a tag problem (default 0.20)")
    parser.add_argument("--out", required=True, help="output file")
    args = parser.parse_args(argv)
    if args.resources < 0:
        parser.error("--resources must be >= 0")
    write(generate(args.resources, args.seed, args.violation_rate), args.out)
    size = os.path.getsize(args.out)
    print(f"wrote {args.out}: {args.resources} resources, {size / 1e6:.1f} MB (seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
