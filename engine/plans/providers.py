"""Providers: which cloud a plan's resource belongs to, and what its provider configuration says.

``provider_name`` is ``aws`` in Terraform 0.12 plans and a source address such as
``registry.terraform.io/hashicorp/aws`` (``registry.opentofu.org/hashicorp/aws`` for OpenTofu)
since 0.13; the last segment names the provider (:data:`PROVIDERS_BY_NAME`).

The plan's ``configuration.provider_config`` holds each provider block's arguments as expressions.
Constant ones (``region = "us-east-1"``, not ``region = var.region``) give a resource's region,
account and default tags when its own attributes do not (:class:`ProviderConfigs`). A resource in
a child module uses its module's own provider block when there is one, else (for the default,
unaliased provider) its parent's, up to the root, as Terraform does; an aliased provider that a
module receives through ``providers = {...}`` cannot be traced in the JSON and gives nothing.
"""

from __future__ import annotations

import re

PROVIDERS_BY_NAME: dict[str, str] = {
    "aws": "aws",
    "awscc": "aws",
    "azurerm": "azure",
    "azapi": "azure",
    "azuread": "azure",
    "azurestack": "azure",
    "google": "gcp",
    "google-beta": "gcp",
    "kubernetes": "kubernetes",
}
"""The last segment of a provider source address -> costwarden's provider (anything else: ``other``)."""


def provider_of(provider_name: object, tf_type: str) -> str:
    """costwarden's provider of a resource change, from ``provider_name`` (else the type's prefix)."""
    if provider_name.__class__ is str and provider_name:
        return PROVIDERS_BY_NAME.get(provider_name.rstrip("/").rsplit("/", 1)[-1].lower(), "other")
    prefix = tf_type.split("_", 1)[0]
    return PROVIDERS_BY_NAME.get(prefix, "other")


def constant(expressions: object, *keys: object) -> object:
    """The constant value of ``expressions[k1]...`` (an expression object with ``constant_value``, or a
    list of nested blocks indexed by an int), or None when absent or not a constant."""
    value = expressions
    for key in keys:
        if key.__class__ is int:
            if value.__class__ is not list or len(value) <= key:
                return None
        elif value.__class__ is not dict:
            return None
        value = value[key] if key.__class__ is int else value.get(key)
    if value.__class__ is dict and "constant_value" in value:
        return value["constant_value"]
    return None


class ProviderConfigs:
    """The provider blocks of a plan's configuration, and the one a resource uses."""

    def __init__(self, configuration: object):
        configs = configuration.get("provider_config") if configuration.__class__ is dict else None
        self.configs: dict = configs if configs.__class__ is dict else {}

    def expressions_for(self, module_path: tuple[str, ...], config_key: object) -> dict | None:
        """The ``expressions`` of the provider block a resource uses (``config_key``: its configuration's
        ``provider_config_key``), or None when there is none that can be told."""
        configs = self.configs
        if not configs:
            return None
        key = config_key if config_key.__class__ is str and config_key else None
        if key is not None:
            entry = configs.get(key)
            if entry.__class__ is dict and entry.get("expressions").__class__ is dict:
                return entry["expressions"]
        local = key.rsplit(":", 1)[-1] if key else None
        if local is None:
            return None
        for depth in range(len(module_path), 0, -1):
            entry = configs.get("module." + ".module.".join(module_path[:depth]) + ":" + local)
            if entry.__class__ is not dict:
                continue
            if entry.get("expressions").__class__ is dict:
                return entry["expressions"]
            if "." in local or entry.get("alias"):
                return None  # an aliased provider passed in by the parent: which one is not in the JSON
        entry = configs.get(local)
        if entry.__class__ is dict and entry.get("expressions").__class__ is dict:
            return entry["expressions"]
        return None


# --- what a provider block says ---------------------------------------------------------------------

_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


def config_region(provider: str, expressions: dict | None) -> str | None:
    if not expressions:
        return None
    if provider == "gcp":
        region = constant(expressions, "region")
        if region.__class__ is str and region:
            return region
        zone = constant(expressions, "zone")
        if zone.__class__ is str:
            match = _GCP_ZONE.match(zone)
            return match.group(1) if match else None
        return None
    if provider == "aws":
        region = constant(expressions, "region")
        return region if region.__class__ is str and region else None
    return None


def config_account(provider: str, expressions: dict | None) -> str | None:
    if not expressions:
        return None
    if provider == "aws":
        allowed = constant(expressions, "allowed_account_ids")
        if allowed.__class__ is list and len(allowed) == 1:
            return str(allowed[0])
        return None
    if provider == "azure":
        value = constant(expressions, "subscription_id")
    elif provider == "gcp":
        value = constant(expressions, "project")
    else:
        return None
    return value if value.__class__ is str and value else None


def config_default_tags(provider: str, expressions: dict | None) -> dict | None:
    """The provider's default tags (AWS ``default_tags { tags = {...} }``, Google ``default_labels``) when constant."""
    if not expressions:
        return None
    if provider == "aws":
        tags = constant(expressions, "default_tags", 0, "tags")
    elif provider == "gcp":
        tags = constant(expressions, "default_labels")
    else:
        return None
    return tags if tags.__class__ is dict else None
