"""Per-document values: parameters, filter arguments and the object id.

Each input document gets its own :class:`DocumentValues`: parameters are resolved against that
document and the run's context (once each), and a value that is missing is a problem with that
document — answered on it, never a reason to stop the batch.
"""

from __future__ import annotations

from functools import cached_property

from lxml import etree

from connector.atomsphere.partner import PROCESS_PROPERTY
from connector.atomsphere.query import Expression
from connector.atomsphere.responses import field_value
from connector.contract import ExecutionContext
from connector.documents import Document
from connector.engine.config import OperationConfig, OperationOptions
from connector.engine.filters import Argument, ParamRef, bind
from connector.engine.overrides import Overrides, document_overrides
from connector.parameters import ParameterError
from connector.xml import parse_xml


class DocumentValues:
    """The values one input document binds."""

    def __init__(
        self, operation: OperationConfig, document: Document, context: ExecutionContext
    ) -> None:
        self.operation = operation
        self.document = document
        self.context = context
        self._resolved: dict[str, str | None] = {}

    @cached_property
    def root(self) -> etree._Element:
        """The document parsed (once); raises XMLInputError when it is not XML."""
        return parse_xml(self.document.data, source="input document")

    @cached_property
    def overrides(self) -> Overrides:
        """The document's dynamic operation properties applied; raises when one is invalid."""
        return document_overrides(
            self.operation.options, self.document.dynamic_operation_properties
        )

    @property
    def options(self) -> OperationOptions:
        """The operation's options as this document sees them (its overrides first)."""
        return self.overrides.options

    def value(self, argument: Argument) -> str:
        if not isinstance(argument, ParamRef):
            return argument.value
        name = argument.name
        if name not in self._resolved:
            parameter = self.operation.parameters[name]
            self._resolved[name] = parameter.resolve(self.document, self.context)
        found = self._resolved[name]
        if found is None:
            raise ParameterError(f"parameter {name} has no value for this document")
        return found

    def override_account(self) -> str | None:
        """The sub-account this document acts on (Partner API), None for the account itself.

        The process property ``boomiPartnerApi-overrideAccountId``, when set, wins over the
        operation's ``override_account:``: it is how a process picks the account at run time.
        """
        found = str(self.context.process_properties.get(PROCESS_PROPERTY) or "").strip()
        if not found and self.operation.override_account is not None:
            found = self.value(self.operation.override_account).strip()
        return found or None

    def expression(self) -> Expression | None:
        """The operation's filter with this document's values."""
        return bind(self.operation.filter, self.value)

    def object_id(self) -> str:
        """The id from the document's ``id`` override, else the operation's ``id:``, else the
        document's id field."""
        if self.overrides.object_id is not None:
            return self.overrides.object_id
        if self.operation.id is not None:
            found = self.value(self.operation.id).strip()
            if not found:
                raise ParameterError("the id is empty for this document")
            return found
        id_field = self.operation.object.id_field
        if not id_field:
            raise ParameterError(
                f"{self.operation.object.name} has no id field; set the operation's id:"
            )
        if not self.document.data.strip():
            raise ParameterError(f"the document is empty, so it carries no {id_field}")
        found_in_doc = field_value(self.root, id_field)
        if not found_in_doc:
            raise ParameterError(
                f"the document has no {id_field} (attribute or element of its root) and the "
                "operation sets no id:"
            )
        return found_in_doc
