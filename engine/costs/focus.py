"""The FOCUS columns costwarden knows: when each appeared, its type, whether the engine needs it.

FOCUS 1.0 has 43 columns, 1.1 has 50, 1.2 has 57 and 1.3 has 65 (1.3 adds ``ServiceProviderName``
and ``HostProviderName``, which replace the deprecated ``ProviderName``/``PublisherName``). The
version of a file is the newest one whose new columns appear in its header.

Columns the reader types explicitly (DATA.md): money and quantities are ``DECIMAL(38,12)``
(exact, never floating point), the period columns are timestamps read with their offset and
converted to UTC, ``Tags`` is JSON, and everything else — account ids first of all — stays
text. A column of the catalogue that a file lacks reads as null; columns outside the catalogue
(``x_`` custom columns, the FinOps Foundation sample's ``Id``) are ignored.
"""

from __future__ import annotations

DECIMAL = "decimal"
TIMESTAMP = "timestamp"
JSON = "json"
TEXT = "text"

# name: (version it appeared in, kind)
COLUMNS: dict[str, tuple[str, str]] = {
    "AvailabilityZone": ("1.0", TEXT),
    "BilledCost": ("1.0", DECIMAL),
    "BillingAccountId": ("1.0", TEXT),
    "BillingAccountName": ("1.0", TEXT),
    "BillingCurrency": ("1.0", TEXT),
    "BillingPeriodEnd": ("1.0", TIMESTAMP),
    "BillingPeriodStart": ("1.0", TIMESTAMP),
    "ChargeCategory": ("1.0", TEXT),
    "ChargeClass": ("1.0", TEXT),
    "ChargeDescription": ("1.0", TEXT),
    "ChargeFrequency": ("1.0", TEXT),
    "ChargePeriodEnd": ("1.0", TIMESTAMP),
    "ChargePeriodStart": ("1.0", TIMESTAMP),
    "CommitmentDiscountCategory": ("1.0", TEXT),
    "CommitmentDiscountId": ("1.0", TEXT),
    "CommitmentDiscountName": ("1.0", TEXT),
    "CommitmentDiscountStatus": ("1.0", TEXT),
    "CommitmentDiscountType": ("1.0", TEXT),
    "ConsumedQuantity": ("1.0", DECIMAL),
    "ConsumedUnit": ("1.0", TEXT),
    "ContractedCost": ("1.0", DECIMAL),
    "ContractedUnitPrice": ("1.0", DECIMAL),
    "EffectiveCost": ("1.0", DECIMAL),
    "InvoiceIssuerName": ("1.0", TEXT),
    "ListCost": ("1.0", DECIMAL),
    "ListUnitPrice": ("1.0", DECIMAL),
    "PricingCategory": ("1.0", TEXT),
    "PricingQuantity": ("1.0", DECIMAL),
    "PricingUnit": ("1.0", TEXT),
    "ProviderName": ("1.0", TEXT),
    "PublisherName": ("1.0", TEXT),
    "RegionId": ("1.0", TEXT),
    "RegionName": ("1.0", TEXT),
    "ResourceId": ("1.0", TEXT),
    "ResourceName": ("1.0", TEXT),
    "ResourceType": ("1.0", TEXT),
    "ServiceCategory": ("1.0", TEXT),
    "ServiceName": ("1.0", TEXT),
    "SkuId": ("1.0", TEXT),
    "SkuPriceId": ("1.0", TEXT),
    "SubAccountId": ("1.0", TEXT),
    "SubAccountName": ("1.0", TEXT),
    "Tags": ("1.0", JSON),
    "CapacityReservationId": ("1.1", TEXT),
    "CapacityReservationStatus": ("1.1", TEXT),
    "CommitmentDiscountQuantity": ("1.1", DECIMAL),
    "CommitmentDiscountUnit": ("1.1", TEXT),
    "ServiceSubcategory": ("1.1", TEXT),
    "SkuMeter": ("1.1", TEXT),
    "SkuPriceDetails": ("1.1", TEXT),  # JSON in the spec; unused here, so never parsed
    "BillingAccountType": ("1.2", TEXT),
    "InvoiceId": ("1.2", TEXT),
    "PricingCurrency": ("1.2", TEXT),
    "PricingCurrencyContractedUnitPrice": ("1.2", DECIMAL),
    "PricingCurrencyEffectiveCost": ("1.2", DECIMAL),
    "PricingCurrencyListUnitPrice": ("1.2", DECIMAL),
    "SubAccountType": ("1.2", TEXT),
    "AllocatedMethodDetails": ("1.3", TEXT),
    "AllocatedMethodId": ("1.3", TEXT),
    "AllocatedResourceId": ("1.3", TEXT),
    "AllocatedResourceName": ("1.3", TEXT),
    "AllocatedTags": ("1.3", TEXT),
    "ContractApplied": ("1.3", TEXT),
    "HostProviderName": ("1.3", TEXT),
    "ServiceProviderName": ("1.3", TEXT),
}

CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")

# Mandatory in every version and needed by every cost policy: a file without them is not FOCUS.
REQUIRED = (
    "BilledCost",
    "BillingCurrency",
    "ChargeCategory",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "EffectiveCost",
)

# What the engine keeps from each file (loaded once into the snapshot table).
USED = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency",
    "ChargeCategory", "ChargeClass", "ChargePeriodStart", "ChargePeriodEnd",
    "BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
    "ResourceId", "ResourceName", "ResourceType", "RegionId", "AvailabilityZone",
    "ServiceName", "ServiceCategory", "ServiceSubcategory", "SkuId", "SkuPriceId",
    "PricingCategory", "PricingQuantity", "PricingUnit", "ConsumedQuantity", "ConsumedUnit",
    "ListUnitPrice", "ContractedUnitPrice",
    "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountType",
    "CommitmentDiscountCategory", "CommitmentDiscountStatus",
    "CommitmentDiscountQuantity", "CommitmentDiscountUnit",
    "ProviderName", "PublisherName", "ServiceProviderName", "HostProviderName", "InvoiceIssuerName",
    "Tags",
)

# Columns a cost policy's scope may name (text columns of the catalogue).
SCOPE_COLUMNS = tuple(sorted(name for name in USED if COLUMNS[name][1] == TEXT))


def detect_version(columns) -> str:
    """The FOCUS version of a header: the newest version with one of its new columns present."""
    present = set(columns)
    found = "1.0"
    for name in present:
        entry = COLUMNS.get(name)
        if entry is not None and entry[0] > found:
            found = entry[0]
    return found
