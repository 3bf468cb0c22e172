"""The dual-prevention export: the document validates against its JSON Schema (with format
checking), the schema really constrains, the download is scoped, the command writes the file."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator

from anjian.risks import dual_prevention, services
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db

EXPORT = reverse("risks:dual-prevention-export")


def validator() -> Draft202012Validator:
    return Draft202012Validator(dual_prevention.schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def chain_with_failure(world):
    from anjian.hazards.tests.factories import photo

    actor = world.enterprise_admin_a
    chain = risk_chain(actor, world.enterprise_a, cycle="shift")
    services.point_check(actor=actor, point=chain.inspection_point, results=[{"task": chain.task.pk, "passed": True}])
    [failed] = services.point_check(
        actor=actor,
        point=chain.inspection_point,
        results=[{"task": chain.task.pk, "passed": False, "note": "压力表指针超红线", "photos": [photo()]}],
    )
    return chain, failed


def test_export_validates_against_the_schema(world, chain_with_failure):
    chain, failed = chain_with_failure
    Draft202012Validator.check_schema(dual_prevention.schema())
    document = dual_prevention.export_enterprise(world.enterprise_a)
    errors = sorted(validator().iter_errors(document), key=str)
    assert not errors, [e.message for e in errors]
    assert dual_prevention.reference_errors(document) == []

    assert document["enterprise"]["credit_code"] == world.enterprise_a.credit_code
    assert document["generated_at"].endswith("+08:00")
    [unit] = document["risk_units"]
    assert unit["id"] == f"U{chain.risk_point.pk}" and unit["kind"] == "device"
    assert unit["level"] == {"code": 2, "name": "较大风险", "colour": "orange"}  # LEC 270
    assert unit["accident_types"] == ["容器爆炸"]
    assert unit["assessment"]["method"] == "LEC" and unit["assessment"]["score"] == 270
    [event] = document["risk_events"]
    assert event["unit_id"] == unit["id"] and event["accident_type"] == "容器爆炸"
    [measure] = document["control_measures"]
    assert (measure["kind"], measure["kind_name"], measure["owning_level"]) == ("engineering", "工程技术", "department")
    [task] = document["inspection_tasks"]
    assert task["cycle"] == {"unit": "hour", "number": 12} and task["measure_id"] == measure["id"]
    records = {r["result"]: r for r in document["inspection_records"]}
    assert set(records) == {"normal", "abnormal"}
    assert records["abnormal"]["hazard_id"] == f"H{failed.hazard_id}"
    assert records["normal"]["hazard_id"] is None


def test_records_older_than_thirty_days_are_left_out(world, chain_with_failure):
    later = timezone.now() + dt.timedelta(days=dual_prevention.RECORD_DAYS + 1)
    document = dual_prevention.export_enterprise(world.enterprise_a, now=later)
    assert document["inspection_records"] == []
    assert not list(validator().iter_errors(document))


def test_measure_kinds_map_to_the_national_four(world):
    actor = world.enterprise_admin_a
    chain = risk_chain(actor, world.enterprise_a)
    for kind, level in (("training", "post"), ("emergency", "company"), ("maintenance", "team")):
        services.control_measure_create(
            actor=actor, event=chain.event, data={"kind": kind, "description": kind, "owning_level": level}
        )
    document = dual_prevention.export_enterprise(world.enterprise_a)
    kinds = {m["description"]: (m["kind"], m["owning_level"]) for m in document["control_measures"]}
    assert kinds["training"] == ("operation", "post")
    assert kinds["emergency"] == ("emergency", "company")
    assert kinds["maintenance"] == ("maintenance", "team")
    assert not list(validator().iter_errors(document))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("enterprise", "credit_code"), "not-a-code"),
        (("generated_at",), "2024-01-01 08:00"),
        (("risk_units", 0, "level"), {"code": 1, "name": "重大风险", "colour": "blue"}),
        (("risk_units", 0, "kind"), "equipment"),
        (("risk_units", 0, "accident_types"), ["爆炸"]),
        (("risk_events", 0, "unit_id"), "12"),
        (("control_measures", 0, "kind"), "management"),
        (("control_measures", 0, "kind_name"), "应急措施"),
        (("control_measures", 0, "owning_level"), "workshop"),
        (("inspection_tasks", 0, "cycle"), {"unit": "shift", "number": 1}),
        (("inspection_tasks", 0, "cycle", "number"), 0),
        (("inspection_tasks", 0, "starts_on"), "2024-13-45"),
        (("inspection_records", -1, "hazard_id"), None),
        (("inspection_records", 0, "result"), "ok"),
    ],
)
def test_a_broken_document_fails_validation(world, chain_with_failure, path, value):
    document = dual_prevention.export_enterprise(world.enterprise_a)
    broken = copy.deepcopy(document)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not list(validator().iter_errors(document))
    assert list(validator().iter_errors(broken)), f"{path} = {value!r} should be refused"


def test_missing_required_field_and_extra_field_fail(world, chain_with_failure):
    document = dual_prevention.export_enterprise(world.enterprise_a)
    missing = copy.deepcopy(document)
    del missing["risk_units"][0]["name"]
    extra = copy.deepcopy(document)
    extra["control_measures"][0]["colour"] = "red"
    assert list(validator().iter_errors(missing)) and list(validator().iter_errors(extra))


def test_reference_errors_find_dangling_ids(world, chain_with_failure):
    document = dual_prevention.export_enterprise(world.enterprise_a)
    document["control_measures"][0]["event_id"] = "E999999"
    assert dual_prevention.reference_errors(document) == [
        f"control_measures {document['control_measures'][0]['id']}: event_id E999999 is not in risk_events"
    ]


@pytest.mark.parametrize(
    "who", ["enterprise_admin_a", "employee_a", "town_admin_a", "district_admin", "platform_admin"]
)
def test_download_for_users_in_scope(client, world, chain_with_failure, who):
    client.force_login(getattr(world, who))
    response = client.get(EXPORT, {"enterprise": world.enterprise_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f"dual-prevention-{world.enterprise_a.credit_code}" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert not list(validator().iter_errors(document))


def test_enterprise_user_gets_his_own_without_a_parameter(client, world, chain_with_failure):
    client.force_login(world.enterprise_admin_a)
    response = client.get(EXPORT)
    assert json.loads(response.content)["enterprise"]["credit_code"] == world.enterprise_a.credit_code


@pytest.mark.parametrize("outsider", ["enterprise_admin_b", "town_admin_b"])
def test_outsiders_get_404(client, world, chain_with_failure, outsider):
    client.force_login(getattr(world, outsider))
    assert client.get(EXPORT, {"enterprise": world.enterprise_a.pk}).status_code == 404
    assert client.get(EXPORT, {"enterprise": "x"}).status_code == 404


def test_government_user_picks_an_enterprise(client, world):
    client.force_login(world.town_admin_a)
    page = client.get(EXPORT).content.decode()
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page


def test_management_command_writes_the_document(world, chain_with_failure, tmp_path):
    target = tmp_path / "out.json"
    call_command("export_dual_prevention", "--enterprise", world.enterprise_a.credit_code.lower(), "--output", target)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["enterprise"]["name"] == world.enterprise_a.name
    assert not list(validator().iter_errors(document))


def test_management_command_refuses_an_unknown_code(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_dual_prevention", "--enterprise", "91320585MA00000000")
