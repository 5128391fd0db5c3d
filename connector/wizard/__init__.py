"""The Import Operation wizard: browse object types, generate profiles, write operation files.

The flow, as in Boomi: a connection's served schema (:mod:`.fetch`, :mod:`.served`) and the
catalog's action table give the object types offered for an action (:mod:`.browse`); an object
and action give the profiles the action needs (:mod:`.definitions`), each a self-contained XSD
cut from the served schema (:mod:`.subset`, :mod:`.xsd_writer`); the operation file is written or
refreshed around the user's edits (:mod:`.yaml_writer`); :mod:`.session` does it on disk and
:mod:`.drift` says what changed. The wizard never imports the engine, nor the engine the wizard.
"""

from connector.wizard.browse import Browse, ImportPlan, browse, resolve
from connector.wizard.definitions import Profile, ProfileSet, build_profiles, object_definitions
from connector.wizard.drift import SchemaChanges, compare
from connector.wizard.fetch import SchemaDocument, fetch_schema
from connector.wizard.prompt import Prompter
from connector.wizard.served import ServedSchema, bundled_schema, load_served_schema
from connector.wizard.session import (
    CheckReport,
    Drift,
    Everything,
    FileWrite,
    PendingImport,
    Refresh,
    Workspace,
    check,
    default_name,
    open_schema,
    operation_identity,
    prepare_all,
    prepare_import,
    prepare_refresh,
    prepare_reimport,
)

__all__ = [
    "Browse",
    "CheckReport",
    "Drift",
    "Everything",
    "FileWrite",
    "ImportPlan",
    "PendingImport",
    "Profile",
    "ProfileSet",
    "Prompter",
    "Refresh",
    "SchemaChanges",
    "SchemaDocument",
    "ServedSchema",
    "Workspace",
    "browse",
    "build_profiles",
    "bundled_schema",
    "check",
    "compare",
    "default_name",
    "fetch_schema",
    "load_served_schema",
    "object_definitions",
    "open_schema",
    "operation_identity",
    "prepare_all",
    "prepare_import",
    "prepare_refresh",
    "prepare_reimport",
    "resolve",
]
