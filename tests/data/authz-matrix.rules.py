#!/usr/bin/env python3
"""Writes authz-matrix.tsv (beside this file) from the access rules of api/src/auth/policy.rs and
design.md ("Identity and access"), written out once per operation below. The TSV is what the
test reads (tests/tests/api/authz_matrix_tests.rs); change the rules here and run
`python3 tests/data/authz-matrix.rules.py`, or edit a cell of the TSV by hand (then mirror it here).
A new operation needs a row (the test names the operations it misses), and a request in
authz-matrix.requests.tsv when it takes a query or a body."""
import os
COLS = ["admin","coord_own","coord_other_prov","cw_own","cw_peer","cw_other_centre","cw_other_prov",
        "partner_ref","partner_noref","hotline_own","hotline_other","analyst","auditor",
        "deactivated","expired","anonymous"]
ROLE = {"admin":"admin","coord_own":"coordinator","coord_other_prov":"coordinator",
        "cw_own":"case_worker","cw_peer":"case_worker","cw_other_centre":"case_worker","cw_other_prov":"case_worker",
        "partner_ref":"partner","partner_noref":"partner","hotline_own":"hotline","hotline_other":"hotline",
        "analyst":"analyst","auditor":"auditor"}
ALL = set(ROLE.values())
C,W,P,H,AD,AN,AU = "coordinator","case_worker","partner","hotline","admin","analyst","auditor"
# scope kinds: what an allowed role gets per column
IN = "allow"
SCOPES = {
 "-": {},
 # case or child record: coordinator subtree, case worker's organization; partners an empty scope
 "case": {"coord_other_prov":"404","cw_other_centre":"404","cw_other_prov":"404","partner_ref":"404","partner_noref":"404"},
 "report": {"coord_other_prov":"404","cw_other_prov":"404","partner_ref":"404","partner_noref":"404","hotline_other":"404"},
 "referral": {"coord_other_prov":"404","cw_other_centre":"404","cw_other_prov":"404","partner_noref":"404"},
 "transfer": {"coord_other_prov":"404","cw_other_centre":"404","cw_other_prov":"404","partner_ref":"404","partner_noref":"404"},
 "user": {"coord_other_prov":"404"},
 "stats": {"coord_other_prov":"404"},
 # a service: coordinators manage services of their subtree only; capacity by the provider's people
 "service_manage": {"coord_other_prov":"403"},
 "capacity": {"coord_own":"403","coord_other_prov":"403","cw_own":"403","cw_peer":"403","cw_other_centre":"403","cw_other_prov":"403","partner_noref":"403"},
 # referral answers (receiving organization) and cancel (sending side)
 "receive": {"coord_own":"403","coord_other_prov":"404","cw_own":"403","cw_peer":"403","cw_other_centre":"404","cw_other_prov":"404","partner_noref":"404"},
 "send": {"coord_other_prov":"404","cw_other_centre":"404","cw_other_prov":"404","partner_ref":"403","partner_noref":"403"},
 # a case's sensitive contents (attachments' files): its coordinators and assigned workers only
 "sensitive": {"coord_other_prov":"404","cw_peer":"403","cw_other_centre":"404","cw_other_prov":"404","partner_ref":"404","partner_noref":"404"},
 # protocols: admins the national one, coordinators the variants of their subtree
 "protocol_manage": {"coord_other_prov":"403"},
 # action plans: coordinators and analysts within their subtree, admins everywhere; a plan of
 # another province does not exist for its coordinator, who may not plan for it either
 "plan": {"coord_other_prov":"404"},
 "plan_create": {"coord_other_prov":"403"},
 # transfer decision: only the receiving side's coordinator (coord_own is the sending side)
 "decide_transfer": {"coord_own":"403","coord_other_prov":"404"},
 # break-the-glass grants: a coordinator's own (another's does not exist for them)
 "grant": {"coord_other_prov":"404"},
 # webhooks: the fixtures belong to the partner's organization
 "webhook": {"hotline_own":"404","hotline_other":"404"},
}
def listify(s):  # lists answer 200 without the foreign record
    return {k:("empty" if v=="404" else v) for k,v in SCOPES[s].items()}
OPS = []
def op(key, roles, scope="-", public=False, lst=False, note=""):
    OPS.append((key, roles, scope, public, lst, note))
R_CASE = {C,W,P}; M_CASE={C,W}; R_CHILD={C,W,P}; M_CHILD={C,W}
op("POST /api/v1/auth/login", ALL, public="any")
op("POST /api/v1/auth/refresh", ALL, public="any")
op("POST /api/v1/auth/logout", ALL, public="any")
op("POST /api/v1/auth/token", ALL, public="any")
op("GET /healthz", ALL, public=True); op("GET /readyz", ALL, public=True)
op("GET /api/v1/territories", ALL, public=True); op("GET /api/v1/territories/{code}", ALL, public=True)
op("PATCH /api/v1/territories/{code}", {AD})
op("GET /api/v1/reference", ALL, public=True); op("GET /api/v1/reference/{list}", ALL, public=True)
op("GET /api/v1/me", ALL); op("PATCH /api/v1/me", ALL)
op("GET /api/v1/users", {AD,C}, "user", lst=True); op("POST /api/v1/users", {AD})
op("GET /api/v1/users/{id}", {AD,C}, "user"); op("PATCH /api/v1/users/{id}", {AD}); op("DELETE /api/v1/users/{id}", {AD})
op("GET /api/v1/organizations", ALL); op("POST /api/v1/organizations", {AD}); op("GET /api/v1/organizations/{code}", ALL)
op("PATCH /api/v1/organizations/{code}", {AD}); op("DELETE /api/v1/organizations/{code}", {AD})
op("GET /api/v1/clients", {AD}); op("POST /api/v1/clients", {AD}); op("GET /api/v1/clients/{id}", {AD})
op("PATCH /api/v1/clients/{id}", {AD}); op("DELETE /api/v1/clients/{id}", {AD}); op("POST /api/v1/clients/{id}/secret-rotation", {AD})
op("GET /api/v1/audit", {AU})
op("GET /api/v1/audit/verification", {AU})
op("POST /api/v1/reports", {C,W,P,H}); op("GET /api/v1/reports", {C,W,P,H}, "report", lst=True)
op("GET /api/v1/reports/{id}", {C,W,P,H}, "report"); op("POST /api/v1/reports/{id}/screening", {C,W}, "report")
op("GET /api/v1/children/matches", {C,W}); op("POST /api/v1/children", M_CHILD)
op("GET /api/v1/children", R_CHILD, "case", lst=True); op("GET /api/v1/children/{id}", R_CHILD, "case")
op("PATCH /api/v1/children/{id}", M_CHILD, "case"); op("POST /api/v1/children/{id}/merge", {C}, "case")
op("POST /api/v1/children/{id}/merges/{merge_id}/undo", {C}, "case"); op("GET /api/v1/children/{id}/access-log", {C}, "case")
op("GET /api/v1/children/{id}/merges", {C}, "case")
op("GET /api/v1/children/{id}/export", {C}, "case")
op("GET /api/v1/children/{id}/cases", R_CASE, "case")
op("GET /api/v1/children/{id}/consents", R_CHILD, "case"); op("POST /api/v1/children/{id}/consents", M_CHILD, "case")
op("POST /api/v1/children/{id}/consents/{consent_id}/withdraw", M_CHILD, "case")
op("GET /api/v1/children/{id}/guardians", R_CHILD, "case"); op("POST /api/v1/children/{id}/guardians", M_CHILD, "case")
op("PATCH /api/v1/children/{id}/guardians/{guardian_id}", M_CHILD, "case"); op("DELETE /api/v1/children/{id}/guardians/{guardian_id}", M_CHILD, "case")
op("GET /api/v1/children/{id}/siblings", R_CHILD, "case"); op("POST /api/v1/children/{id}/siblings", M_CHILD, "case")
op("DELETE /api/v1/children/{id}/siblings/{link_id}", M_CHILD, "case")
op("GET /api/v1/children/{id}/placements", R_CHILD, "case"); op("POST /api/v1/children/{id}/placements", M_CHILD, "case")
op("GET /api/v1/children/{id}/placements/{placement_id}", R_CHILD, "case"); op("PATCH /api/v1/children/{id}/placements/{placement_id}", M_CHILD, "case")
op("GET /api/v1/cases", R_CASE, "case", lst=True); op("GET /api/v1/cases/{id}", R_CASE, "case"); op("PATCH /api/v1/cases/{id}", M_CASE, "case")
op("GET /api/v1/cases/{id}/timeline", R_CASE, "case"); op("POST /api/v1/cases/{id}/transitions", M_CASE, "case")
for sub, item in [("assessments","assessment_id"),("judicial-measures","measure_id"),("notes","note_id"),("services","service_id"),("attachments","attachment_id")]:
    op(f"GET /api/v1/cases/{{id}}/{sub}", R_CASE, "case"); op(f"POST /api/v1/cases/{{id}}/{sub}", M_CASE, "case")
    op(f"GET /api/v1/cases/{{id}}/{sub}/{{{item}}}", R_CASE, "sensitive" if sub == "attachments" else "case")
op("PATCH /api/v1/cases/{id}/judicial-measures/{measure_id}", M_CASE, "case")
op("GET /api/v1/cases/{id}/plan", R_CASE, "case"); op("PUT /api/v1/cases/{id}/plan", M_CASE, "case")
op("GET /api/v1/cases/{id}/referrals", R_CASE, "case"); op("POST /api/v1/cases/{id}/referrals", M_CASE, "case")
op("POST /api/v1/cases/{id}/transfers", M_CASE, "case")
op("GET /api/v1/cases/{id}/legal-hold", R_CASE, "case"); op("PUT /api/v1/cases/{id}/legal-hold", {C}, "case")
op("DELETE /api/v1/cases/{id}/legal-hold", {C}, "case")
# break-the-glass: coordinators open (an unknown case in the body: 422, nothing changes) and end
# their own grants; auditors read every grant
op("POST /api/v1/access-grants", {C}); op("GET /api/v1/access-grants", {C,AU}, "grant", lst=True)
op("GET /api/v1/access-grants/{id}", {C,AU}, "grant"); op("POST /api/v1/access-grants/{id}/end", {C}, "grant")
op("GET /api/v1/assessment-instruments", {C,W})
op("GET /api/v1/approval-rules", {C}); op("PUT /api/v1/approval-rules/{kind}", {C})
op("GET /api/v1/approvals", R_CASE, "case", lst=True); op("GET /api/v1/approvals/{id}", R_CASE, "case")
op("POST /api/v1/approvals/{id}/decision", {C}, "case")
op("GET /api/v1/transfers", R_CASE, "transfer", lst=True); op("GET /api/v1/transfers/{id}", R_CASE, "transfer")
op("POST /api/v1/transfers/{id}/decision", {C}, "decide_transfer")
op("GET /api/v1/referrals", {C,W,P}, "referral", lst=True); op("GET /api/v1/referrals/{id}", {C,W,P}, "referral")
for v in ["accept","decline","start","complete"]:
    op(f"POST /api/v1/referrals/{{id}}/{v}", {C,W,P}, "receive")
op("POST /api/v1/referrals/{id}/cancel", {C,W,P}, "send")
op("GET /api/v1/services", ALL); op("POST /api/v1/services", {AD,C}); op("GET /api/v1/services/{id}", ALL)
op("PATCH /api/v1/services/{id}", {AD,C}, "service_manage"); op("PUT /api/v1/services/{id}/capacity", {C,W,P}, "capacity")
for p in ["GET /api/v1/hsds/","GET /api/v1/hsds/services","GET /api/v1/hsds/services/{id}","GET /api/v1/hsds/organizations","GET /api/v1/hsds/organizations/{id}"]:
    op(p, ALL)
op("GET /api/v1/statistics", {AD,AN,C}, "stats"); op("GET /api/v1/statistics/indicators/{code}", {AD,AN,C}, "stats")
op("GET /api/v1/statistics/dashboard", {AD,AN,C}, "stats"); op("GET /api/v1/statistics/territories/{code}/report", {AD,AN,C}, "stats")
op("GET /api/v1/statistics/referrals", {AD,AN,C,P})
op("GET /api/v1/statistics/territories/{code}/diagnostic", {AD,AN,C}, "stats"); op("PUT /api/v1/statistics/territories/{code}/diagnostic/needs", {C}, "stats")
op("GET /api/v1/protocols", {AD,C,W}); op("POST /api/v1/protocols", {AD,C}, "protocol_manage"); op("GET /api/v1/protocols/{id}", {AD,C,W})
op("PATCH /api/v1/protocols/{id}", {AD,C}, "protocol_manage"); op("POST /api/v1/protocols/{id}/publish", {AD,C}, "protocol_manage")
op("GET /api/v1/plans", {AD,C,AN}, "plan", lst=True); op("POST /api/v1/plans", {C}, "plan_create")
op("GET /api/v1/plans/{id}", {AD,C,AN}, "plan"); op("PATCH /api/v1/plans/{id}", {C}, "plan")
op("GET /api/v1/plans/{id}/progress", {AD,C,AN}, "plan"); op("POST /api/v1/plans/{id}/progress", {C}, "plan")
op("GET /api/v1/programme", {AD,C,AN}); op("PUT /api/v1/programme", {AD}); op("GET /api/v1/programme/objectives/{code}", {AD,C,AN})
op("GET /api/v1/alerts", {C,W})
op("GET /api/v1/cases/{id}/actions", {C,W}, "case"); op("GET /api/v1/reports/{id}/actions", {C,W}, "report")
op("GET /api/v1/protocol-actions/{id}", {C,W}, "case"); op("POST /api/v1/protocol-actions/{id}/completion", {C,W}, "case")
op("POST /api/v1/protocol-actions/{id}/waiver", {C}, "case")
op("POST /api/v1/events/tickets", ALL); op("GET /api/v1/events", ALL, public="any")  # a ticket, not a bearer token
# webhooks: partners and hotlines, their own organization's (the fixtures are ngo-rabat's)
op("POST /api/v1/webhooks", {P,H}); op("GET /api/v1/webhooks", {P,H})
for p in ["GET /api/v1/webhooks/{id}","DELETE /api/v1/webhooks/{id}","POST /api/v1/webhooks/{id}/secret-rotation","GET /api/v1/webhooks/{id}/deliveries"]:
    op(p, {P,H}, "webhook")
out = ["# The authorization matrix (issue 10): one row per operation of the served OpenAPI document, one",
"# column per actor and scope. Cells: allow (any status but 401, 403, 404 and 5xx: a write may",
"# still answer 409, 412 or 422, since bodies are validated after the role check), empty (200, and",
"# the body names none of the column's foreign records), 403 (role never allowed), 404 (record",
"# out of scope), 401 (no valid session), any (authentication endpoints: any status but 5xx).",
"# Columns and their records are described in tests/src/authz.rs. Written by",
"# authz-matrix.rules.py (the rules per operation); keep the two in step.",
"operation\t" + "\t".join(COLS)]
for key, roles, scope, public, lst, note in OPS:
    cells=[]
    for c in COLS:
        if public == "any": cells.append("any"); continue
        if c in ("deactivated","expired","anonymous"):
            cells.append("allow" if public else "401"); continue
        r = ROLE[c]
        if public: cells.append("allow"); continue
        if r not in roles: cells.append("403"); continue
        s = listify(scope) if lst else SCOPES[scope]
        cells.append(s.get(c, "allow"))
    out.append(key + "\t" + "\t".join(cells))
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "authz-matrix.tsv"), "w").write("\n".join(out)+"\n")
print(len(OPS), len(OPS)*len(COLS))
