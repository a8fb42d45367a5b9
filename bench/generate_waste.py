"""Generate the seeded data of the rightsizing and waste benchmark (``bench/run_waste.py``).

    python bench/generate_waste.py --resources 100000 --seed 1 --out-dir bench/data

Writes four files (``N`` is the size label, e.g. ``100k``):

``waste-N.json``
    A canonical costwarden inventory: the inventory benchmark's generator
    (``bench/generate_inventory.py``, imported and extended, not copied) with what the rightsizing
    and waste policies read (see "What is in it" below). Variant (a) of ``bench/run_waste.py``:
    utilization statistics precomputed in the inventory.
``waste-N-bare.json``
    The same resources without ``utilization``. Variant (b): the statistics come from the metrics file.
``waste-N-metrics.csv``
    Raw samples (``resource_id,metric,timestamp,period,value``, the documented ``--metrics`` CSV)
    from which the engine computes, over the 30-day lookback window before the as-of date, the
    same ``p95``, ``max`` and ``days`` as the statistics of ``waste-N.json``: a series of ``n``
    samples has its ``ceil(0.95 n)``-th smallest value equal to the inventory's p95 and its largest
    equal to the inventory's max (for ``n >= 20``), and ``days × 86400 / period`` samples. So both
    variants must produce the same findings and savings (``run_waste.py`` checks it).
``waste-prices.csv``
    A price table (``--prices``) for every size of the built-in size ladders, the volume types,
    and the classes priced by class (public IPs, load balancers, snapshots), with region-specific
    rows for a few regions; about 4 % of the ladder sizes and two volume types are left out, so
    that the unpriced path is exercised.

What is in it (on top of the inventory benchmark's mix, which stays the same otherwise)
    * ~5 % load balancers (AWS ALB/NLB, Azure load balancers, GCP forwarding rules), with their
      targets / backend pools (about 12 % with none) and, for about half, ``healthy_hosts`` and
      ``requests`` statistics (some idle: no healthy host or no request over 30 days; some idle
      on too few days);
    * instance sizes from the size ladders (``policies/rightsizing/size-ladders.yaml``): 40 % from
      the example approved list of ``allowed-instance-sizes`` (as the inventory benchmark's 75 %),
      the rest weighted towards common families and small sizes, with previous generations (t2,
      m4, c4, r4, Azure v2/v3, GCP n1/c2), burstable families, and ~1 % GPU sizes no ladder knows;
    * utilization statistics for about half the instances, in every state the rightsizing policy
      distinguishes: busy (CPU p95 >= 20 %), oversized with a fitting smaller size, memory-bound
      (nothing fits), too few days of CPU data, memory measured on too few days, exactly at the
      trigger (p95 20.0 % or 14 days), idle (no network traffic over 30 days: also ``zero-usage``);
    * ~6 % of the instances under a commitment (``properties.commitment``), half of them already
      ended on the as-of date;
    * public IPs with their provider documents: AWS ``AllocationId`` / ``AssociationId`` (EC2 API
      field names), Azure ``ipConfiguration`` or ``natGateway``, GCP ``users``;
    * volumes with their capacity in their provider's field (``Size``, ``diskSizeGB``, ``sizeGb``)
      and AWS types including the previous-generation gp2, io1 and magnetic ``standard``;
      snapshots with theirs (``VolumeSize``, ``diskSizeGB``, ``diskSizeGb``).

The same seed and size give byte-identical files.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate_inventory  # noqa: E402  (bench/generate_inventory.py)

AS_OF = "2026-11-27"  # the as-of date of every benchmark (bench/run.py uses the same)
AS_OF_INSTANT = datetime(2026, 11, 27, tzinfo=timezone.utc)
PERIOD = 21600  # seconds per metric sample (6-hourly): 120 samples for 30 days
LADDERS_FILE = ROOT / "policies" / "rightsizing" / "size-ladders.yaml"

LOAD_BALANCER_SHARE = 0.05
MEASURED_SHARE = 0.5  # instances with utilization statistics
COMMITMENT_SHARE = 0.06

# family -> weight, per provider (families of the built-in size ladders)
FAMILY_WEIGHTS = {
    "aws": {"t3": 12, "t3a": 3, "t4g": 3, "t2": 4, "m5": 14, "m6i": 10, "m7i": 10, "m6g": 4, "m7g": 4, "m4": 5,
            "c5": 7, "c6i": 5, "c7i": 4, "c7g": 2, "c4": 3, "r5": 5, "r6i": 3, "r7i": 2, "r4": 2},
    "azure": {"B": 10, "Bsv2": 4, "Dv2": 3, "DSv2": 3, "Dv3": 5, "Dsv3": 8, "Dv4": 3, "Dsv4": 5, "Dv5": 6, "Dsv5": 14,
              "Dasv5": 5, "Dpsv5": 2, "Ev3": 2, "Esv3": 3, "Ev4": 2, "Esv4": 3, "Ev5": 3, "Esv5": 5},
    "gcp": {"e2-shared": 10, "e2-standard": 12, "e2-highmem": 4, "e2-highcpu": 3, "n1-standard": 10, "n1-highmem": 3,
            "n1-highcpu": 2, "n2-standard": 16, "n2-highmem": 6, "n2-highcpu": 4, "n2d-standard": 6, "n2d-highmem": 2,
            "n2d-highcpu": 2, "c2-standard": 4, "c3-standard": 4, "c3-highmem": 2, "c3-highcpu": 2},
}
POSITION_WEIGHTS = (30, 30, 20, 10, 5, 2, 1, 1, 1, 1, 1)  # smallest sizes are the most common
UNKNOWN_SIZES = {"aws": ("p3.2xlarge", "g5.xlarge"), "azure": ("Standard_NC6s_v3",), "gcp": ("a2-highgpu-1g",)}
UNKNOWN_SHARE = 0.02
APPROVED_SHARE = 0.4  # instances on a size of the example approved list; the others follow FAMILY_WEIGHTS
AWS_VOLUME_TYPES = ("gp3", "gp3", "gp3", "gp3", "gp2", "gp2", "gp2", "io1", "io2", "st1", "sc1", "standard")

# scenario -> share of the measured instances (see _machine_utilization)
SCENARIOS = (("busy", 0.43), ("oversized", 0.28), ("memory-bound", 0.08), ("short", 0.08), ("memory-short", 0.03),
             ("boundary", 0.05), ("idle", 0.05))

# --- prices ----------------------------------------------------------------------------------------
# on-demand USD per hour of the family's 2-vCPU size (or per vCPU-pair), illustrative list prices
AWS_PAIR_PRICE = {"m4": "0.10", "m5": "0.096", "m6i": "0.096", "m6g": "0.077", "m7i": "0.1008", "m7g": "0.0816",
                  "c4": "0.10", "c5": "0.085", "c6i": "0.085", "c7i": "0.08925", "c7g": "0.0725", "r4": "0.133",
                  "r5": "0.126", "r6i": "0.126", "r7i": "0.1323"}
AZURE_PAIR_PRICE = {"Dv2": "0.114", "DSv2": "0.114", "Dv3": "0.096", "Dsv3": "0.096", "Dv4": "0.096", "Dsv4": "0.096",
                    "Dv5": "0.096", "Dsv5": "0.096", "Dasv5": "0.086", "Dpsv5": "0.077", "Ev3": "0.126",
                    "Esv3": "0.126", "Ev4": "0.126", "Esv4": "0.126", "Ev5": "0.126", "Esv5": "0.126"}
GCP_PAIR_PRICE = {"e2-standard": "0.067", "e2-highmem": "0.0904", "e2-highcpu": "0.0494", "n1-standard": "0.095",
                  "n1-highmem": "0.1184", "n1-highcpu": "0.0709", "n2-standard": "0.0971", "n2-highmem": "0.131",
                  "n2-highcpu": "0.0717", "n2d-standard": "0.0845", "n2d-highmem": "0.114", "n2d-highcpu": "0.0624",
                  "c2-standard": "0.1044", "c3-standard": "0.1007", "c3-highmem": "0.1299", "c3-highcpu": "0.0882"}
# burstable families: USD per hour per GiB of memory
BURSTABLE_GIB_PRICE = {"t2": "0.0116", "t3": "0.0104", "t3a": "0.0094", "t4g": "0.0084", "B": "0.0104",
                       "Bsv2": "0.0094", "e2-shared": "0.0084"}
UNKNOWN_PRICES = {"p3.2xlarge": "3.06", "g5.xlarge": "1.006", "Standard_NC6s_v3": "3.06", "a2-highgpu-1g": "3.673"}
STORAGE_PRICES = {  # USD per GiB-month; sc1, UltraSSD_LRS and hyperdisk-balanced are left out on purpose
    "aws": {"gp3": "0.08", "gp2": "0.10", "io1": "0.125", "io2": "0.125", "st1": "0.045", "standard": "0.05",
            "block.snapshot": "0.05"},
    "azure": {"Premium_LRS": "0.15", "StandardSSD_LRS": "0.075", "Standard_LRS": "0.045", "PremiumV2_LRS": "0.12",
              "block.snapshot": "0.05"},
    "gcp": {"pd-balanced": "0.10", "pd-ssd": "0.17", "pd-standard": "0.04", "block.snapshot": "0.026"},
}
CLASS_PRICES = {  # USD per hour
    "aws": {"network.public-ip": "0.005", "network.load-balancer": "0.0225"},
    "azure": {"network.public-ip": "0.005", "network.load-balancer": "0.025"},
    "gcp": {"network.public-ip": "0.01", "network.load-balancer": "0.025"},
}
REGION_FACTORS = {"aws": {"eu-west-1": "1.1", "sa-east-1": "1.55"}, "azure": {"westeurope": "1.12"}, "gcp": {}}
UNPRICED_SHARE = 0.04  # ladder sizes left out of the price table


def load_ladders(path: Path = LADDERS_FILE) -> dict:
    """``{provider: {family: {"burstable": bool, "architecture": str, "sizes": [(size, vcpu, memory_gib), ...]}}}``."""
    ladders: dict = {}
    with open(path, encoding="utf-8") as handle:
        for doc in yaml.safe_load_all(handle):
            if not doc or doc.get("kind") != "SizeLadders":
                continue
            for family in doc["families"]:
                ladders.setdefault(doc["provider"], {})[family["family"]] = {
                    "burstable": family.get("burstable", False),
                    "architecture": family.get("architecture", "x86_64"),
                    "sizes": [(s["size"], s["vcpu"], s["memory_gib"]) for s in family["sizes"]],
                }
    return ladders


def label(count: int) -> str:
    if count >= 1000 and count % 1000 == 0:
        return f"{count // 1000}k"
    return str(count)


def paths(count: int, directory: Path) -> dict[str, Path]:
    name = label(count)
    return {
        "inventory": directory / f"waste-{name}.json",
        "bare": directory / f"waste-{name}-bare.json",
        "metrics": directory / f"waste-{name}-metrics.csv",
        "prices": directory / "waste-prices.csv",
    }


class WasteGenerator(generate_inventory.Generator):
    """The inventory benchmark's generator, with what the rightsizing and waste policies read."""

    def __init__(self, seed: int, ladders: dict):
        super().__init__(seed)
        self.ladders = ladders
        self.family_choices = {p: tuple(FAMILY_WEIGHTS[p]) for p in FAMILY_WEIGHTS}
        self.family_weights = {p: tuple(FAMILY_WEIGHTS[p].values()) for p in FAMILY_WEIGHTS}
        self.scenario_names, self.scenario_weights = zip(*SCENARIOS)

    # --- overrides of the base generator -------------------------------------------------------

    def _size(self, provider: str) -> str:
        rng = self.rng
        if rng.random() < APPROVED_SHARE:  # the sizes of the example approved list (allowed-instance-sizes)
            return rng.choice(generate_inventory.APPROVED_SIZES[provider])
        if rng.random() < UNKNOWN_SHARE:
            return rng.choice(UNKNOWN_SIZES[provider])
        family = rng.choices(self.family_choices[provider], self.family_weights[provider])[0]
        sizes = self.ladders[provider][family]["sizes"]
        return rng.choices(sizes, POSITION_WEIGHTS[:len(sizes)])[0][0]

    def _utilization(self) -> dict:
        return {}  # filled in by _instance, which knows the size

    def resource(self) -> dict:
        if self.rng.random() < LOAD_BALANCER_SHARE:
            return self._load_balancer()
        resource = super().resource()
        getattr(self, "_" + generate_inventory.KIND_OF_TYPE[resource["type"]])(resource)
        return resource

    # --- what the waste and rightsizing policies read, per kind ---------------------------------

    def _instance(self, r: dict) -> None:
        rng = self.rng
        utilization = self._machine_utilization() if rng.random() < MEASURED_SHARE else None
        if utilization:
            r["utilization"] = utilization
        else:
            del r["utilization"]
        if rng.random() < COMMITMENT_SHARE:
            ended = rng.random() < 0.5
            ends = AS_OF_INSTANT + timedelta(days=rng.randrange(-300, -1) if ended else rng.randrange(1, 700))
            kind = {"aws": ("reservation", "savings-plan"), "azure": ("reservation", "savings-plan"),
                    "gcp": ("committed-use",)}[r["provider"]]
            r["properties"]["commitment"] = {"type": rng.choice(kind), "id": f"commit-{self._hex(12)}",
                                             "ends": ends.strftime("%Y-%m-%d")}

    def _volume(self, r: dict) -> None:
        if r["provider"] == "aws":
            r["size"] = self.rng.choice(AWS_VOLUME_TYPES)
            properties = r["properties"]
            r["properties"] = {"Size": properties["size_gib"], "Encrypted": properties["encrypted"],
                               "Iops": properties["iops"]}

    def _snapshot(self, r: dict) -> None:
        if r["provider"] == "aws":
            properties = r["properties"]
            r["properties"] = {"VolumeSize": properties["volume_size_gib"], "StorageTier": properties["storage_tier"]}

    def _bucket(self, r: dict) -> None:
        pass

    def _ip(self, r: dict) -> None:
        rng = self.rng
        attached = bool(r.get("relationships"))
        provider = r["provider"]
        if provider == "aws":
            properties = {"AllocationId": r["id"], "PublicIp": r["properties"]["public_ip"], "Domain": "vpc"}
            if attached:
                properties["AssociationId"] = f"eipassoc-{self._hex(17)}"
                properties["InstanceId"] = r["relationships"][0]["id"]
            r["properties"] = properties
        elif provider == "azure":
            if attached:
                if rng.random() < 0.1:
                    r["properties"]["natGateway"] = {"id": r["id"].rsplit("/providers/", 1)[0]
                                                     + f"/providers/Microsoft.Network/natGateways/nat-{self._hex(6)}"}
                else:
                    nic = r["relationships"][0]["id"].rsplit("/", 1)[-1]
                    r["properties"]["ipConfiguration"] = {"id": r["id"].rsplit("/providers/", 1)[0]
                                                          + f"/providers/Microsoft.Network/networkInterfaces/{nic}-nic"
                                                          "/ipConfigurations/ipconfig1"}
        elif attached:
            r["properties"]["users"] = [r["relationships"][0]["id"]]

    def _load_balancer(self) -> dict:
        rng = self.rng
        self.serial += 1
        provider = rng.choices(self.provider_choices, self.provider_weights)[0]
        team = rng.choices(self.team_values, self.team_weights)[0]
        env = rng.choice(generate_inventory.ENVIRONMENTS)
        app = rng.choice(generate_inventory.APPS)
        name = f"{app}-{env}-lb-{self.serial:06d}"
        empty = rng.random() < 0.12
        members = [] if empty else list(dict.fromkeys(rng.choice(self.recent_instances[provider] or ["none"])
                                                      for _ in range(rng.randrange(1, 5))))
        if provider == "aws":
            account = rng.choice(self.aws_accounts)
            region = rng.choice(generate_inventory.AWS_REGIONS)
            kind = rng.choices(("app", "net"), (4, 1))[0]
            rid = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{kind}/{name}/{self._hex(16)}"
            r = self._base(rid, "AWS::ElasticLoadBalancingV2::LoadBalancer", "aws", account, region, name, None, "active")
            r["properties"] = {"Type": "application" if kind == "app" else "network", "Scheme": "internet-facing",
                               "DNSName": f"{name}-{rng.randrange(10**9)}.{region}.elb.amazonaws.com",
                               "targets": [{"id": m, "port": 443} for m in members]}
        elif provider == "azure":
            subscription = rng.choice(self.azure_subscriptions)
            region = rng.choice(generate_inventory.AZURE_REGIONS)
            group = f"rg-{app}-{env}"
            rid = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/loadBalancers/{name}"
            r = self._base(rid, "Microsoft.Network/loadBalancers", "azure", subscription, region, name, "Standard",
                           "Succeeded")
            pools = [] if empty else [{"name": "backend", "backendIPConfigurations": [
                {"id": f"{m}/ipConfigurations/ipconfig1"} for m in members]}]
            r["properties"] = {"resourceGroup": group, "sku": {"name": "Standard"}, "backendAddressPools": pools,
                               "frontendIPConfigurations": [{"name": "frontend"}]}
        else:
            project = rng.choice(self.gcp_projects)
            region = rng.choice(generate_inventory.GCP_REGIONS)
            rid = f"//compute.googleapis.com/projects/{project}/regions/{region}/forwardingRules/{name}"
            r = self._base(rid, "compute.googleapis.com/ForwardingRule", "gcp", project, region, name, None, None)
            r["properties"] = {"IPAddress": f"34.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                               "loadBalancingScheme": "EXTERNAL_MANAGED", "portRange": "443-443",
                               "targets": [{"instance": m} for m in members]}
        if rng.random() < 0.5:
            r["utilization"] = self._balancer_utilization(empty)
        r["tags"] = self._tags(provider, "load-balancer", team, env, name, app)
        return r

    # --- statistics --------------------------------------------------------------------------------

    def _stats(self, p95: float, days: int, top: float = 100.0, spread: float = 2.0, integral: bool = False) -> dict:
        """Statistics of one series, as the engine computes them from samples of PERIOD seconds
        (percent with one decimal, or whole numbers for counts and bytes)."""
        rng = self.rng
        places = 0 if integral else 1
        high = round(min(top, p95 * rng.uniform(1.05, spread)), places) if p95 else 0.0
        high = float(max(high, p95))
        return {"p95": p95, "p99": float(round(p95 + (high - p95) * rng.uniform(0.3, 0.9), places)), "max": high,
                "avg": round(p95 * rng.uniform(0.3, 0.7), 1), "days": days, "samples": days * 86400 // PERIOD,
                "period": PERIOD}

    def _machine_utilization(self) -> dict:
        rng = self.rng
        scenario = rng.choices(self.scenario_names, self.scenario_weights)[0]
        days = 30 if rng.random() < 0.8 else rng.randrange(14, 30)
        low = round(rng.uniform(0.5, 19.9), 1)  # below the trigger (p95 < 20)
        memory = None
        network = None
        if scenario == "busy":
            cpu = self._stats(round(rng.uniform(20.0, 95.0), 1), days)
        elif scenario == "oversized":
            cpu = self._stats(low, days)
            if rng.random() < 0.4:
                memory = self._stats(round(rng.uniform(5.0, 30.0), 1), days, spread=1.3)
        elif scenario == "memory-bound":
            cpu = self._stats(low, days)
            memory = self._stats(round(rng.uniform(40.0, 69.9), 1), days, spread=1.3)
        elif scenario == "short":
            cpu = self._stats(low, rng.randrange(3, 14))
        elif scenario == "memory-short":
            cpu = self._stats(low, days)
            memory = self._stats(round(rng.uniform(5.0, 30.0), 1), rng.randrange(5, 14), spread=1.3)
        elif scenario == "boundary":  # exactly at the trigger: 20.0 does not trigger; 14 days is enough
            cpu = self._stats(20.0, days) if rng.random() < 0.5 else self._stats(low, 14)
        else:  # idle: almost no CPU and no network traffic at all
            cpu = self._stats(round(rng.uniform(0.1, 1.5), 1), 30)
            network = self._stats(0.0, 30, integral=True)
        if network is None and rng.random() < 0.6:
            network = self._stats(float(rng.randrange(50_000, 500_000_000)), cpu["days"], top=1e12, integral=True)
        out = {"cpu": cpu}
        if memory is not None:
            out["memory"] = memory
        if network is not None:
            out["network_in"] = network
        return out

    def _balancer_utilization(self, empty: bool) -> dict:
        rng = self.rng
        what = rng.random()
        if empty or what < 0.08:  # no healthy target over the window (or too few days of it)
            days = 30 if rng.random() < 0.8 else rng.randrange(3, 14)
            hosts = self._stats(0.0, days, integral=True)
            requests = self._stats(0.0 if rng.random() < 0.7 else float(rng.randrange(1, 50)), days, top=1e9,
                                   integral=True)
        else:
            hosts = self._stats(float(rng.randrange(1, 12)), 30, top=64, integral=True)
            requests = self._stats(float(rng.randrange(1, 200_000)) if rng.random() < 0.95 else 0.0, 30, top=1e9,
                                   integral=True)
        return {"healthy_hosts": hosts, "requests": requests}


def generate(resources: int, seed: int = 1) -> dict:
    """The inventory document (variant (a), statistics in the inventory), deterministic for (resources, seed)."""
    generator = WasteGenerator(seed, load_ladders())
    items = [generator.resource() for _ in range(resources)]
    return {
        "apiVersion": generate_inventory.API_VERSION,
        "kind": "Inventory",
        "metadata": {"generator": "bench/generate_waste.py", "seed": seed, "resources": resources, "as_of": AS_OF},
        "resources": items,
    }


def bare(doc: dict) -> dict:
    """The same inventory without utilization statistics (variant (b): they come from the metrics file)."""
    resources = [{k: v for k, v in r.items() if k != "utilization"} for r in doc["resources"]]
    return {**doc, "metadata": {**doc["metadata"], "utilization": "from the metrics file"}, "resources": resources}


# --- the metrics file ----------------------------------------------------------------------------------

METRIC_NAMES = {  # costwarden metric -> the name each provider's export uses (read through the engine's aliases)
    "aws": {"cpu": "CPUUtilization", "memory": "mem_used_percent", "network_in": "NetworkIn",
            "healthy_hosts": "HealthyHostCount", "requests": "RequestCount"},
    "azure": {"cpu": "Percentage CPU", "memory": "memory", "network_in": "Network In Total",
              "healthy_hosts": "healthy_hosts", "requests": "requests"},
    "gcp": {"cpu": "cpu", "memory": "memory", "network_in": "network_in", "healthy_hosts": "healthy_hosts",
            "requests": "requests"},
}


def series_id(resource: dict) -> str:
    """How a monitoring export names the resource: CloudWatch's LoadBalancer dimension (``app/NAME/HEX``,
    joined by the end of the ARN) for AWS load balancers, the full id otherwise."""
    rid = resource["id"]
    if resource["provider"] == "aws" and rid.startswith("arn:aws:elasticloadbalancing:"):
        return rid.split(":loadbalancer/", 1)[1]
    return rid


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def samples(stats: dict, rng: random.Random, integral: bool) -> list[float]:
    """Sample values (in time order) whose nearest-rank p95 and max are the statistics' (for n >= 20)."""
    n = stats["samples"]
    p95, high = stats["p95"], stats["max"]
    rank = math.ceil(0.95 * n)  # the p95 is the rank-th smallest value
    step = 1.0 if integral else 0.1
    values = [p95]
    for _ in range(rank - 1):  # at or below the p95
        values.append(round(rng.uniform(0.0, p95) / step) * step if p95 else 0.0)
    above = n - rank
    for index in range(above):  # above it, up to the max (the max itself once)
        if index == 0 or high <= p95:
            values.append(high)
        else:
            value = round(rng.uniform(p95 + step, high) / step) * step
            values.append(min(max(value, p95 + step), high))
    if not integral:
        values = [round(v, 1) for v in values]
    rng.shuffle(values)
    return values


def write_metrics(doc: dict, out: Path, seed: int = 1) -> int:
    """The raw samples behind every statistic of the inventory, atomically; returns the number of rows."""
    rng = random.Random(seed * 7919 + 17)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = str(out) + ".tmp"
    rows = 0
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("resource_id,metric,timestamp,period,value\n")
        for resource in doc["resources"]:
            utilization = resource.get("utilization")
            if not utilization:
                continue
            rid = series_id(resource)
            if "," in rid or '"' in rid:
                rid = '"' + rid.replace('"', '""') + '"'
            names = METRIC_NAMES[resource["provider"]]
            for metric, stats in utilization.items():
                name = names[metric]
                integral = metric in ("network_in", "healthy_hosts", "requests")
                values = samples(stats, rng, integral)
                start = AS_OF_INSTANT - timedelta(seconds=stats["samples"] * stats["period"])
                period = stats["period"]
                lines = []
                for index, value in enumerate(values):
                    when = start + timedelta(seconds=index * period)
                    lines.append(f"{rid},{name},{when:%Y-%m-%dT%H:%M:%SZ},{period},{_number(value)}\n")
                handle.write("".join(lines))
                rows += len(values)
    os.replace(temporary, out)
    return rows


# --- the price table ---------------------------------------------------------------------------------


def price_rows(ladders: dict, seed: int = 1) -> list[tuple[str, str, str, str, str]]:
    """(provider, region, size, price, unit) rows of the price table, deterministic for the seed."""
    from decimal import Decimal

    rng = random.Random(seed * 104729 + 3)
    rows = []
    pair_prices = {"aws": AWS_PAIR_PRICE, "azure": AZURE_PAIR_PRICE, "gcp": GCP_PAIR_PRICE}
    for provider in ("aws", "azure", "gcp"):
        for family, ladder in ladders[provider].items():
            for size, vcpu, memory in ladder["sizes"]:
                if rng.random() < UNPRICED_SHARE:
                    continue
                if ladder["burstable"]:
                    hourly = Decimal(BURSTABLE_GIB_PRICE[family]) * Decimal(str(memory))
                else:
                    hourly = Decimal(pair_prices[provider][family]) * Decimal(str(vcpu)) / 2
                rows.append((provider, "*", size, hourly, "hour"))
                for region, factor in REGION_FACTORS[provider].items():
                    rows.append((provider, region, size, hourly * Decimal(factor), "hour"))
        for size in UNKNOWN_SIZES[provider]:
            rows.append((provider, "*", size, Decimal(UNKNOWN_PRICES[size]), "hour"))
        for size, price in STORAGE_PRICES[provider].items():
            rows.append((provider, "*", size, Decimal(price), "gib-month"))
        for size, price in CLASS_PRICES[provider].items():
            rows.append((provider, "*", size, Decimal(price), "hour"))
            for region, factor in REGION_FACTORS[provider].items():
                rows.append((provider, region, size, Decimal(price) * Decimal(factor), "hour"))
    return [(p, region, size, _decimal_text(price.quantize(Decimal("0.000001"))), unit)
            for p, region, size, price, unit in rows]


def _decimal_text(value) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def write_prices(out: Path, seed: int = 1) -> int:
    rows = price_rows(load_ladders(), seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = str(out) + ".tmp"
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("provider,region,size,price,currency,unit\n")
        for provider, region, size, price, unit in rows:
            handle.write(f"{provider},{region},{size},{price},USD,{unit}\n")
    os.replace(temporary, out)
    return len(rows)


def write_all(count: int, seed: int, directory: Path, log=None) -> dict[str, Path]:
    """Generate and write the four files; returns their paths."""
    files = paths(count, directory)
    doc = generate(count, seed)
    generate_inventory.write(doc, str(files["inventory"]))
    generate_inventory.write(bare(doc), str(files["bare"]))
    rows = write_metrics(doc, files["metrics"], seed)
    prices = write_prices(files["prices"], seed)
    if log:
        for key, path in files.items():
            log(f"wrote {path}: {path.stat().st_size / 1e6:.1f} MB")
        log(f"{count} resources, {rows} metric samples, {prices} price rows (seed {seed})")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000, help="number of resources (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out-dir", default=str(BENCH / "data"), help="output folder (default bench/data)")
    args = parser.parse_args(argv)
    if args.resources < 1:
        parser.error("--resources must be >= 1")
    write_all(args.resources, args.seed, Path(args.out_dir), log=lambda text: print(text, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
