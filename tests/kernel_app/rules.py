from anjian.core.roles import ENTERPRISE_ROLES, GOVERNMENT_ROLES


def may_approve(user, order) -> bool:
    return user.is_platform_admin or user.role in GOVERNMENT_ROLES


def may_close(user, order) -> bool:
    return user.role in ENTERPRISE_ROLES and user.enterprise_id == order.enterprise_id


def may_open(user, order=None) -> bool:
    return user.is_platform_admin or user.role in GOVERNMENT_ROLES | ENTERPRISE_ROLES
