"""Writes focus-2026-11.csv: a small FOCUS 1.2 cost export for the example inventory (November 2026).

Deterministic (no randomness): run ``python examples/costs/generate.py`` to rebuild the file. Daily usage
rows from 2026-11-01 to 2026-11-26 for the resources of ``examples/inventory.json`` (ResourceIds as the
providers' cost exports write them: EC2 instance and volume ids, S3 bucket names, RDS ARNs, Azure ARM ids,
GCP full resource names), billed in USD (AWS, GCP) and EUR (Azure); a reserved instance that is partly
unused, its monthly purchase, tax, a credit, untagged shared spend, and tag keys that drift in case.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

HEADER = [
    "BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName", "BillingCurrency",
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "BilledCost", "EffectiveCost", "ListCost", "ContractedCost",
    "ListUnitPrice", "ContractedUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ConsumedQuantity", "ConsumedUnit", "ServiceName", "ServiceCategory", "ProviderName", "PublisherName",
    "InvoiceIssuerName", "RegionId", "ResourceId", "ResourceName", "ResourceType", "SkuId",
    "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountType", "CommitmentDiscountCategory",
    "CommitmentDiscountStatus", "CommitmentDiscountQuantity", "CommitmentDiscountUnit", "BillingAccountType",
    "SubAccountType", "InvoiceId", "PricingCurrency", "Tags",
]
AWS = ("999999999999", "Acme AWS", "USD", "AWS")
AZURE = ("acme-ea-1234", "Acme Azure EA", "EUR", "Microsoft")
GCP = ("01ABCD-234567-89EFGH", "Acme GCP", "USD", "Google Cloud")
RI = "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-search-c5"

# (billing, sub account, region, resource id, name, type, service, category, hourly list price, unit, tags)
RESOURCES = [
    (AWS, "111111111111", "us-east-1", "i-0a1b2c3d4e5f60001", "payments-api-1", "Instance", "Amazon EC2", "Compute", "0.192", "Hours",
     {"team": "payments", "owner": "payments-oncall@example.com", "cost-center": "CC-1001", "environment": "prod"}),
    (AWS, "111111111111", "us-east-1", "i-0a1b2c3d4e5f60002", "search-indexer", "Instance", "Amazon EC2", "Compute", "0.68", "Hours",
     {"team": "search", "owner": "alice@example.com", "cost-center": "CC-2001", "environment": "prod"}),
    (AWS, "222222222222", "eu-west-1", "i-0a1b2c3d4e5f60003", "spark-driver", "Instance", "Amazon EC2", "Compute", "0.564", "Hours",
     {"team": "data-platform", "Owner": "bob@example.com", "CostCenter": "CC-3001", "environment": "dev"}),
    (AWS, "222222222222", "eu-west-1", "i-0a1b2c3d4e5f60004", "legacy-batch", "Instance", "Amazon EC2", "Compute", "0.111", "Hours", None),
    (AWS, "111111111111", "us-east-1", "vol-0a1b2c3d4e5f60011", "payments-data", "Volume", "Amazon EC2", "Storage", "0.011", "GB-Hours",
     {"team": "payments", "environment": "prod"}),
    (AWS, "111111111111", "us-east-1", "vol-0a1b2c3d4e5f60012", "search-scratch", "Volume", "Amazon EC2", "Storage", "0.0137", "GB-Hours",
     {"team": "search", "environment": "staging"}),
    (AWS, "111111111111", "us-east-1", "eipalloc-0a1b2c3d4e5f60021", "eip-payments", "Elastic IP", "Amazon EC2", "Networking", "0.005", "Hours",
     {"team": "payments"}),
    (AWS, "111111111111", "us-east-1", "arn:aws:rds:us-east-1:111111111111:db:payments-ledger", "payments-ledger", "DB Instance",
     "Amazon RDS", "Databases", "0.25", "Hours", {"team": "payments", "cost-center": "CC-1001", "environment": "prod"}),
    (AWS, "222222222222", "eu-west-1", "acme-data-platform-raw", "acme-data-platform-raw", "Bucket", "Amazon S3", "Storage", "0.046", "GB-Months",
     {"team": "data-platform", "cost-center": "CC-3001", "environment": "prod"}),
    (AZURE, "5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70", "westeurope",
     "/subscriptions/5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70/resourcegroups/rg-data/providers/microsoft.compute/virtualmachines/vm-spark-01",
     "vm-spark-01", "Virtual Machine", "Virtual Machines", "Compute", "0.352", "Hours",
     {"team": "data-platform", "owner": "carol@example.com", "cost-center": "CC-3001", "environment": "prod"}),
    (AZURE, "5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70", "westeurope",
     "/subscriptions/5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70/resourcegroups/rg-data/providers/microsoft.compute/disks/disk-spark-scratch-old",
     "disk-spark-scratch-old", "Disk", "Storage", "Storage", "0.031", "Hours", {"team": "data-platform", "CostCenter": "CC-3001"}),
    (AZURE, "5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70", "westeurope",
     "/subscriptions/5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70/resourcegroups/rg-search/providers/microsoft.network/publicipaddresses/pip-search-canary",
     "pip-search-canary", "Public IP Address", "Virtual Network", "Networking", "0.0046", "Hours", {"team": "search", "environment": "staging"}),
    (GCP, "acme-search-prod", "us-central1",
     "//compute.googleapis.com/projects/acme-search-prod/zones/us-central1-b/instances/search-query-7", "search-query-7",
     "Compute Instance", "Compute Engine", "Compute", "0.19", "Hours", {"team": "search", "cost-center": "cc-2001", "environment": "prod"}),
    (GCP, "acme-search-prod", "us-central1",
     "//compute.googleapis.com/projects/acme-search-prod/zones/us-central1-b/disks/search-query-old-data", "search-query-old-data",
     "Persistent Disk", "Compute Engine", "Storage", "0.0233", "Hours", {"team": "search"}),
    (GCP, "acme-search-prod", "us-central1",
     "//compute.googleapis.com/projects/acme-search-prod/global/snapshots/search-query-7-2020-12-31", "search-query-7-2020-12-31",
     "Snapshot", "Compute Engine", "Storage", "0.0021", "Hours", None),
]


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def row(billing, sub, start, end, category, cost, **extra) -> dict:
    account, account_name, currency, provider = billing
    out = {name: "" for name in HEADER}
    out.update(
        BillingAccountId=account, BillingAccountName=account_name, SubAccountId=sub, SubAccountName=sub,
        BillingCurrency=currency, BillingPeriodStart="2026-11-01T00:00:00Z", BillingPeriodEnd="2026-12-01T00:00:00Z",
        ChargePeriodStart=iso(start), ChargePeriodEnd=iso(end), ChargeCategory=category, ChargeFrequency="Usage-Based",
        BilledCost=str(cost), EffectiveCost=str(cost), ListCost=str(cost), ContractedCost=str(cost),
        PricingCategory="Standard", ProviderName=provider, PublisherName=provider, InvoiceIssuerName=provider,
        BillingAccountType="Billing Account", SubAccountType="Sub Account", InvoiceId="INV-2026-11", PricingCurrency=currency,
    )
    out.update(extra)
    return out


def main() -> None:
    rows = []
    first = datetime(2026, 11, 1)
    for day in range(26):  # data up to 2026-11-27 00:00
        start = first + timedelta(days=day)
        end = start + timedelta(days=1)
        for billing, sub, region, rid, name, rtype, service, category, price, unit, tags in RESOURCES:
            hourly = Decimal(price)
            cost = hourly * 24
            common = dict(
                RegionId=region, ResourceId=rid, ResourceName=name, ResourceType=rtype, ServiceName=service,
                ServiceCategory=category, SkuId=f"SKU-{rtype.upper().replace(' ', '-')}", PricingQuantity="24", PricingUnit=unit,
                ConsumedQuantity="24", ConsumedUnit=unit, ListUnitPrice=price, ContractedUnitPrice=price,
                ChargeDescription=f"{service} {rtype} usage", Tags=json.dumps(tags, separators=(",", ":")) if tags else "NULL",
            )
            if rid == "i-0a1b2c3d4e5f60002":  # covered by a reserved instance at 40 % off
                effective = cost * Decimal("0.6")
                rows.append(row(billing, sub, start, end, "Usage", 0, **common, EffectiveCost=str(effective), PricingCategory="Committed",
                                ListCost=str(cost), ContractedCost=str(cost),
                                CommitmentDiscountId=RI, CommitmentDiscountName="ri-search-c5", CommitmentDiscountType="Reserved Instance",
                                CommitmentDiscountCategory="Usage", CommitmentDiscountStatus="Used", CommitmentDiscountQuantity="24",
                                CommitmentDiscountUnit="Hours"))
            else:
                rows.append(row(billing, sub, start, end, "Usage", cost, **common))
        # the reserved instance covers two instances' hours; one is never used
        rows.append(row(AWS, "111111111111", start, end, "Usage", 0, EffectiveCost=str(Decimal("0.68") * 24 * Decimal("0.6")),
                        ListCost="0", ContractedCost="0", PricingCategory="Committed", RegionId="us-east-1", ResourceId=RI,
                        ResourceName="ri-search-c5", ResourceType="Reserved Instance", ServiceName="Amazon EC2", ServiceCategory="Compute",
                        CommitmentDiscountId=RI, CommitmentDiscountName="ri-search-c5", CommitmentDiscountType="Reserved Instance",
                        CommitmentDiscountCategory="Usage", CommitmentDiscountStatus="Unused", CommitmentDiscountQuantity="24",
                        CommitmentDiscountUnit="Hours", ChargeDescription="Unused reservation hours",
                        Tags=json.dumps({"team": "search"})))
        # untagged shared monitoring spend, no resource
        rows.append(row(AWS, "111111111111", start, end, "Usage", Decimal("3.20"), ServiceName="Amazon CloudWatch",
                        ServiceCategory="Management and Governance", ChargeDescription="Metrics and logs", Tags="NULL"))
    month_end = datetime(2026, 12, 1)
    rows.append(row(AWS, "111111111111", first, month_end, "Purchase", Decimal("979.20"), EffectiveCost="0",
                    ChargeFrequency="Recurring", ServiceName="Amazon EC2", ServiceCategory="Compute", ResourceId=RI,
                    ResourceName="ri-search-c5", CommitmentDiscountId=RI, CommitmentDiscountName="ri-search-c5",
                    CommitmentDiscountType="Reserved Instance", CommitmentDiscountCategory="Usage",
                    ChargeDescription="Reserved instance monthly fee", Tags=json.dumps({"team": "search"})))
    rows.append(row(AWS, "111111111111", first, month_end, "Tax", Decimal("112.40"), ChargeFrequency="Recurring",
                    ServiceName="Tax", ServiceCategory="Other", ChargeDescription="Sales tax", Tags="NULL"))
    rows.append(row(GCP, "acme-search-prod", datetime(2026, 11, 15), datetime(2026, 11, 16), "Credit", Decimal("-25.00"),
                    ServiceName="Compute Engine", ServiceCategory="Compute", ChargeDescription="Sustained use credit", Tags="NULL"))
    target = Path(__file__).with_name("focus-2026-11.csv")
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {target} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
