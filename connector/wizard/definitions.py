"""From an import plan to its profiles (Boomi's object definitions): which roles, which roots.

A Get or Query returns records (one document per record, rooted at the record's element) and
takes no request document (an id, or filter values); Create, Update and Execute send a request
document and return the action's result; Delete takes an id and returns nothing worth a profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from connector.atomsphere.catalog import Catalog, load_catalog
from connector.contract import Action, ObjectDefinition, ObjectDefinitions, ProfileRole
from connector.wizard.browse import ImportPlan
from connector.wizard.served import ServedSchema
from connector.wizard.xsd_writer import ProfileSpec, render_profile


@dataclass(frozen=True)
class Profile:
    """One generated profile: what it describes and its XSD bytes."""

    spec: ProfileSpec
    data: bytes

    @property
    def file_name(self) -> str:
        return self.spec.file_name


@dataclass(frozen=True)
class ProfileSet:
    """The profiles one action on one object needs; a side is None when it has no document."""

    plan: ImportPlan
    request: Profile | None
    response: Profile | None

    def __iter__(self) -> Iterator[Profile]:
        return iter(p for p in (self.request, self.response) if p is not None)

    def get(self, role: ProfileRole) -> Profile | None:
        return self.request if role is ProfileRole.REQUEST else self.response


def profile_specs(plan: ImportPlan) -> tuple[ProfileSpec | None, ProfileSpec | None]:
    """The (request, response) profiles ``plan`` calls for."""
    request = response = None
    description = plan.description
    if plan.deprecated and "deprecated" not in description.lower():
        description += " Deprecated."
    if plan.request and plan.action in (Action.CREATE, Action.UPDATE, Action.EXECUTE):
        request = ProfileSpec(
            plan.object, plan.action, ProfileRole.REQUEST, plan.request, False, description
        )
    if plan.response and plan.action is not Action.DELETE:
        response = ProfileSpec(
            plan.object,
            plan.action,
            ProfileRole.RESPONSE,
            plan.response,
            plan.records,
            description,
            plan.query if plan.action is Action.QUERY else None,
            tuple((d.property, d.served.qualified_type) for d in plan.type_disagreements),
        )
    return request, response


def build_profiles(
    served: ServedSchema, plan: ImportPlan, catalog: Catalog | None = None
) -> ProfileSet:
    """Render the profiles of ``plan`` from ``served``."""
    catalog = catalog or load_catalog()
    request, response = profile_specs(plan)
    return ProfileSet(
        plan,
        Profile(request, render_profile(served, request, catalog)) if request else None,
        Profile(response, render_profile(served, response, catalog)) if response else None,
    )


def object_definitions(profiles: ProfileSet, namespace: str) -> ObjectDefinitions:
    """The host contract's view of ``profiles``."""

    def definition(profile: Profile | None) -> ObjectDefinition | None:
        if profile is None:
            return None
        return ObjectDefinition(
            object_type=profile.spec.object,
            action=profile.spec.action,
            role=profile.spec.role,
            root_element=profile.spec.root,
            namespace=namespace,
            schema=profile.data.decode("utf-8"),
        )

    return ObjectDefinitions(definition(profiles.request), definition(profiles.response))
