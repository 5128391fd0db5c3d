"""What the catalog needs to know that the spec does not say per endpoint, with its source.

Everything here was reviewed against Boomi's API introduction (the spec's ``info.description``)
and the object pages; the generator reads the spec first and consults these facts only where the
spec is silent. Keep each entry sourced: this is the one place such knowledge may live.
"""

from __future__ import annotations

import re
from typing import Final

#: Query operators and their argument counts: Boomi's documented table (eleven operators) plus
#: CONTAINS and NOT_CONTAINS, which appear only in the spec's operator enums.
OPERATOR_ARGUMENTS: Final[dict[str, int]] = {
    "EQUALS": 1,
    "NOT_EQUALS": 1,
    "LIKE": 1,
    "STARTS_WITH": 1,
    "IS_NULL": 0,
    "IS_NOT_NULL": 0,
    "BETWEEN": 2,
    "GREATER_THAN": 1,
    "GREATER_THAN_OR_EQUAL": 1,
    "LESS_THAN": 1,
    "LESS_THAN_OR_EQUAL": 1,
    "CONTAINS": 1,
    "NOT_CONTAINS": 1,
}

GROUPING_OPERATORS: Final = ("and", "or")

#: Bulk GET takes at most 100 ids unless the endpoint says otherwise (API intro, "Bulk GET
#: operations"); per-endpoint limits are read from descriptions by :data:`BULK_LIMIT_PATTERNS`.
DEFAULT_BULK_GET_LIMIT: Final = 100

BULK_LIMIT_PATTERNS: Final = (
    re.compile(r"limit for the BULK GET operation is (\d+)", re.IGNORECASE),
    re.compile(r"to a maximum of (\d+)", re.IGNORECASE),
)

#: Bulk UPDATE works only for ProcessSchedules, at most 15 objects (API intro, "Bulk UPDATE
#: operations"); every other bulk endpoint's CREATE/UPDATE/DELETE enum values are undocumented.
BULK_EXTRA_TYPES: Final[dict[str, dict[str, int]]] = {"ProcessSchedules": {"UPDATE": 15}}

#: A tag description that says this marks a deprecated object ("... is a deprecated API ...").
DEPRECATION_PATTERN: Final = re.compile(r"\bis a deprecated API\b", re.IGNORECASE)

#: The record field holding an object's id, where neither the path parameter nor an ``id`` or
#: ``<object>Id`` field names it. Each from the object's reference page.
ID_FIELD_OVERRIDES: Final[dict[str, str]] = {
    # GET /AccountSSOConfig/{id}: the id is the account's id.
    "AccountSSOConfig": "accountId",
    # Cloud-attachment properties are addressed by the container (Runtime cloud) id.
    "AccountCloudAttachmentProperties": "containerId",
    "AccountCloudAttachmentPropertiesDefault": "containerId",
    "CloudAttachmentProperties": "runtimeId",
    "RuntimeObservabilitySettings": "runtimeId",
    "RuntimeProperties": "runtimeId",
    # Runtime-scoped settings are addressed by the Runtime (atom) id.
    "AtomCounters": "atomId",
    "AtomPurge": "atomId",
    "AtomSecurityPolicies": "atomId",
    "JavaRollback": "atomId",
    "PersistedProcessProperties": "atomId",
    "RuntimeReleaseSchedule": "atomId",
    "SharedServerInformation": "atomId",
    "SharedWebServer": "atomId",
    # AuditLog entries are addressed by documentId.
    "AuditLog": "documentId",
    # Component-family objects are addressed by componentId (Component's path says so itself).
    "ComponentMetadata": "componentId",
    "OrganizationComponent": "componentId",
    "SharedCommunicationChannelComponent": "componentId",
    "TradingPartnerComponent": "componentId",
    "TradingPartnerProcessingGroup": "componentId",
    # GET /DeployedPackage/{id} takes the deployment id; GET /PackagedComponent/{id} the package id.
    "DeployedPackage": "deploymentId",
    "PackagedComponent": "packageId",
    # Connector is addressed by connectorType (the path parameter).
    "Connector": "type",
    "AccountCloudAttachmentSummary": "runtimeId",
    # Execution records are read by query and by the ExecutionRequest poll, keyed by executionId.
    "ExecutionRecord": "executionId",
    "ListenerStatus": "listenerId",
    "ReleaseIntegrationPackStatus": "requestId",
}

#: The wire root of an async result. The spec names it AsyncOperationTokenResult in ``xml.name``,
#: but the API's XSD and its examples say AsyncOperationResult.
ASYNC_RESULT_ROOT: Final = "AsyncOperationResult"

#: Which xml.name each per-object envelope schema stands for on the wire.
ENVELOPE_ROOTS: Final[dict[str, str]] = {
    "QueryConfig": "QueryConfig",
    "QueryResult": "QueryResult",
    "BulkRequest": "BulkRequest",
    "BulkResult": "BulkResult",
    "AsyncOperationTokenResult": ASYNC_RESULT_ROOT,
}

#: Types whose content is named by the account, not by the spec: connector records carry the
#: account's custom tracked fields as child elements named after each field (the object pages
#: filter on ``customFields/<fieldName>``; Boomi's examples show ``<customNumber>``), while the
#: spec declares a fixed ``fields`` list. Accept both by making the type open.
OPEN_CONTENT_TYPES: Final = frozenset({"customFields"})

#: Fields the spec and the API's own 2021 XSD place differently (the only two disagreements,
#: see reference/README.md). Boomi's examples follow the XSD for ConnectorDocumentDownload, so
#: the generated schema accepts both placements; the sandbox writes the spec's.
DUAL_PLACEMENT: Final = frozenset(
    {
        ("ConnectorDocumentDownload", "message"),
        ("ConnectorDocumentDownload", "statusCode"),
        ("ConnectorDocumentDownload", "url"),
        ("SharedWebServerAuthentication", "cacheAuthenticationTimeout"),
    }
)
