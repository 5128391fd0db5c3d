"""Word lists that make generated records read like a real account's."""

from __future__ import annotations

from typing import Final

SUBJECTS: Final = (
    "Order",
    "Invoice",
    "Customer",
    "Inventory",
    "Shipment",
    "Payment",
    "Supplier",
    "Product",
    "Employee",
    "Ticket",
    "Lead",
    "Contract",
    "Refund",
    "Price List",
    "Purchase Order",
    "Asset",
)
VERBS: Final = (
    "Sync",
    "Import",
    "Export",
    "Intake",
    "Publisher",
    "Listener",
    "Reconciliation",
    "Archive",
    "Enrichment",
    "Notification",
    "Router",
    "Batch Load",
)
SYSTEMS: Final = (
    "Salesforce",
    "NetSuite",
    "SAP",
    "Workday",
    "Shopify",
    "ServiceNow",
    "Snowflake",
    "Dynamics",
    "Zendesk",
    "HubSpot",
    "Oracle EBS",
    "SFTP",
)
PEOPLE: Final = (
    "ana.silva",
    "ben.okafor",
    "chen.wei",
    "dana.kowalski",
    "emil.larsen",
    "fatima.haddad",
    "george.miller",
    "hana.sato",
    "ivan.petrov",
    "julia.rossi",
)
MESSAGES: Final = (
    "Connection timed out after 30000 ms",
    "Unable to parse document: unexpected end of file",
    "Login failed for user integration_user",
    "HTTP 500 returned by the target endpoint",
    "Document rejected by the map: required field customerId is empty",
    "Data process step failed: script error on line 12",
)
CONNECTOR_TYPES: Final = (
    ("http", "HTTP Client"),
    ("database", "Database"),
    ("ftp", "FTP"),
    ("sftp", "SFTP"),
    ("disk", "Disk"),
    ("mail", "Mail"),
    ("salesforce", "Salesforce"),
    ("netsuite", "NetSuite"),
    ("wss", "Web Services Server"),
    ("as2", "AS2 Client"),
    ("jms", "JMS"),
    ("boomi-atomsphere", "Boomi AtomSphere API"),
)
QUEUES: Final = ("orders-inbound", "invoices-outbound", "customer-events", "retry-queue")
#: IANA zones, as Boomi's "valid time zones" list names them.
TIME_ZONES: Final = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Etc/UTC",
)
#: The folders under a runtime's installation directory.
RUNTIME_DIRECTORIES: Final = ("execution", "logs", "data", "processes", "settings", "work", "tmp")
CITIES: Final = (
    ("Chesterbrook", "PA", "19087", "United States"),
    ("Austin", "TX", "78701", "United States"),
    ("Toronto", "ON", "M5V 2T6", "Canada"),
    ("Manchester", "", "M1 1AE", "United Kingdom"),
    ("Sydney", "NSW", "2000", "Australia"),
)
