"""Identifier checks of DOMAIN §2: unified social credit code, resident ID, phone."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CREDIT_RE = re.compile(rf"^[{CREDIT_CODE_ALPHABET}]{{18}}$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    index = 31 - total % 31
    return CREDIT_CODE_ALPHABET[0 if index == 31 else index]


def is_valid_credit_code(code: str) -> bool:
    return bool(_CREDIT_RE.match(code or "")) and credit_code_check_char(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if not _CREDIT_RE.match(value or ""):
        raise ValidationError(
            _("统一社会信用代码应为18位，只含数字和大写字母（不含I、O、Z、S、V）"), code="credit_code_format"
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位错误"), code="credit_code_checksum")


def validate_phone(value: str) -> None:
    if value and not _PHONE_RE.match(value):
        raise ValidationError(_("请输入11位手机号码"), code="phone")


def id_number_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str) -> bool:
    value = (value or "").upper()
    return bool(re.match(r"^\d{17}[\dX]$", value)) and id_number_check_char(value[:17]) == value[17]


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if value and len(value) >= 7 else value


def mask_id_number(value: str) -> str:
    return f"{value[:6]}********{value[-4:]}" if value and len(value) >= 10 else value
