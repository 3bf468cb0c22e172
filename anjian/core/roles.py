"""Roles of SPEC §1 and what kind of actor each one is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    DISTRICT_ADMIN = "district_admin", _("区县管理员")
    DEPARTMENT_OFFICER = "department_officer", _("部门监管员")
    TOWN_ADMIN = "town_admin", _("镇街管理员")
    GRID_INSPECTOR = "grid_inspector", _("网格员")
    ENTERPRISE_ADMIN = "enterprise_admin", _("企业管理员")
    ENTERPRISE_LEADER = "enterprise_leader", _("企业负责人")
    SAFETY_OFFICER = "safety_officer", _("安全管理员")
    EMPLOYEE = "employee", _("员工")
    AGENCY_ADMIN = "agency_admin", _("机构管理员")
    AGENCY_ENGINEER = "agency_engineer", _("注册安全工程师")
    AGENCY_STAFF = "agency_staff", _("机构人员")
    PENDING = "pending", _("待绑定")


GOVERNMENT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.DEPARTMENT_OFFICER, Role.TOWN_ADMIN, Role.GRID_INSPECTOR})
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_LEADER, Role.SAFETY_OFFICER, Role.EMPLOYEE})
AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.AGENCY_ENGINEER, Role.AGENCY_STAFF})
# Government roles that keep the enterprise register (一企一档) of their area: create, edit and move
# enterprises there.
ENTERPRISE_REGISTRARS = frozenset({Role.DISTRICT_ADMIN, Role.TOWN_ADMIN, Role.GRID_INSPECTOR})
# Enterprise roles that may edit their own enterprise's profile.
ENTERPRISE_PROFILE_EDITOR_ROLES = frozenset({Role.ENTERPRISE_ADMIN, Role.SAFETY_OFFICER})
# Enterprise roles that run the enterprise's safety work (assign and verify hazards, keep the
# risk list): everybody of the enterprise but the plain employee.
ENTERPRISE_SAFETY_MANAGERS = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_LEADER, Role.SAFETY_OFFICER})
# Agency roles that do the technical work for their contracted enterprises (not the clerks).
AGENCY_EXPERTS = frozenset({Role.AGENCY_ADMIN, Role.AGENCY_ENGINEER})
