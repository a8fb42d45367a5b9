"""Amazon Resource Names: ``arn:partition:service:region:account:resource``.

The resource part is ``id``, ``type/id`` or ``type:id`` depending on the service; the native type
name we derive is the tagging API's ``service:type`` (``ec2:instance``, ``rds:snapshot``). ARNs of
services without a type in the resource part get the type their console uses (``s3:bucket``).
"""

from __future__ import annotations

from typing import NamedTuple

_TYPE_OF_UNTYPED = {"s3": "bucket", "sns": "topic", "sqs": "queue"}


class Arn(NamedTuple):
    partition: str
    service: str
    region: str | None
    account: str | None
    resource_type: str | None
    resource_id: str

    @property
    def type(self) -> str:
        """``service:resource-type`` (``ec2:instance``), or the bare service when the ARN has no type."""
        return f"{self.service}:{self.resource_type}" if self.resource_type else self.service


def parse_arn(arn: object) -> Arn | None:
    """The parts of an ARN, or None when the text is not one."""
    if arn.__class__ is not str or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[1] or not parts[2] or not parts[5]:
        return None
    _, partition, service, region, account, resource = parts
    cut = min((i for i in (resource.find("/"), resource.find(":")) if i > 0), default=-1)
    if service == "s3":
        resource_type, resource_id = ("object" if "/" in resource else "bucket"), resource
    elif cut > 0:
        resource_type, resource_id = resource[:cut], resource[cut + 1:]
    else:
        resource_type, resource_id = _TYPE_OF_UNTYPED.get(service), resource
    return Arn(partition, service, region or None, account or None, resource_type, resource_id)
