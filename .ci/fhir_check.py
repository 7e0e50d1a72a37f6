"""Exports every plan the caller can see as FHIR and checks each bundle.

Usage: fhir_check.py BASE_URL TOKEN

Both bundle types (`collection`, and `?type=transaction`) must parse as FHIR R4B with
fhir.resources, and pass what a FHIR server checks on import: every fullUrl a urn:uuid,
every reference resolving inside the bundle, transaction entries with request method and
url, and the plan's own statements (Patient identifier, Condition addressed, Goal status
following the plan, NPRS measures told apart, ODI as an Observation, the Questionnaire
canonical, the plan version outside meta).
"""

import json
import sys
import urllib.request

from fhir.resources.R4B.bundle import Bundle

BASE, TOKEN = sys.argv[1], sys.argv[2]
GOAL_STATUS = {"draft": "proposed", "active": "active", "completed": "completed", "discontinued": "cancelled"}


def get(path):
    req = urllib.request.Request(BASE + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.headers.get("Content-Type", ""), json.load(resp)


def references(value, out):
    if isinstance(value, dict):
        for key, v in value.items():
            if key == "reference" and isinstance(v, str):
                out.append(v)
            else:
                references(v, out)
    elif isinstance(value, list):
        for v in value:
            references(v, out)


def check(plan, bundle, kind):
    where = f"plan {plan['id']} ({plan['status']}, {kind})"
    Bundle.model_validate(bundle)
    assert bundle["type"] == kind, where
    entries = bundle["entry"]
    urls = {e["fullUrl"] for e in entries}
    assert all(u.startswith("urn:uuid:") for u in urls), where
    assert len(urls) == len(entries), f"{where}: duplicate fullUrl"
    refs = []
    references([e["resource"] for e in entries], refs)
    dangling = [r for r in refs if r not in urls]
    assert not dangling, f"{where}: references outside the bundle: {dangling}"
    by_type = {}
    for e in entries:
        by_type.setdefault(e["resource"]["resourceType"], []).append(e["resource"])
        if kind == "transaction":
            request = e.get("request") or {}
            assert request.get("method") in ("POST", "PUT"), f"{where}: entry without request.method"
            assert request.get("url"), f"{where}: entry without request.url"
    (patient,) = by_type["Patient"]
    assert patient.get("identifier"), f"{where}: Patient without identifier"
    (care_plan,) = by_type["CarePlan"]
    conditions = {c["id"] for c in by_type.get("Condition", [])}
    addressed = [a["reference"] for a in care_plan.get("addresses", [])]
    assert addressed and all(a.removeprefix("urn:uuid:") in conditions for a in addressed), f"{where}: no Condition addressed"
    assert care_plan.get("identifier"), f"{where}: CarePlan without the plan version identifier"
    for goal in by_type.get("Goal", []):
        assert goal["lifecycleStatus"] == GOAL_STATUS[plan["status"]], f"{where}: Goal {goal['lifecycleStatus']}"
    keys = set()
    for obs in by_type.get("Observation", []):
        key = (json.dumps(obs["code"], sort_keys=True), obs.get("effectiveDateTime"))
        assert key not in keys, f"{where}: two Observations with the same code and date"
        keys.add(key)
    scored = {d["reference"] for o in by_type.get("Observation", []) for d in o.get("derivedFrom", [])}
    for qr in by_type.get("QuestionnaireResponse", []):
        assert qr.get("questionnaire", "").startswith("http"), f"{where}: QuestionnaireResponse without a canonical"
        percent = [i for g in qr["item"] for i in g.get("item", []) if i["linkId"] == "odi_percent"]
        if percent:
            assert "urn:uuid:" + qr["id"] in scored, f"{where}: ODI score without an Observation"


def main():
    checked = 0
    page = 1
    while True:
        _, patients = get(f"/api/v1/patients?status=all&page={page}")
        for p in patients["items"]:
            _, plans = get(f"/api/v1/patients/{p['id']}/plans")
            for plan in plans:
                for kind, query in (("collection", ""), ("transaction", "?type=transaction")):
                    content_type, bundle = get(f"/api/v1/plans/{plan['id']}/fhir{query}")
                    assert content_type.startswith("application/fhir+json"), content_type
                    check(plan, bundle, kind)
                    checked += 1
        if page * patients["per_page"] >= patients["total"]:
            break
        page += 1
    assert checked > 0, "no plans to export"
    print(f"{checked} FHIR bundles valid")


if __name__ == "__main__":
    main()
