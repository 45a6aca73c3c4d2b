import { describe, expect, it } from "vitest";
import { registerSecret } from "@flowops/redact";
import { driftCheckSummary, driftFingerprint, driftIssueBody, driftMarker, driftTable, parseDriftMarker, DRIFT_CHECK_FLOWS, DRIFT_ISSUE_FLOWS, type DriftReportInput } from "./drift.js";
import type { FlowDrift } from "./types.js";

const changed: FlowDrift = { tenant: "customer_1", namespace: "customer_1.bronze", id: "aws_costs", kind: "changed", liveRevision: 3, liveHash: "a".repeat(64) };
const missing: FlowDrift = { tenant: "customer_2", namespace: "customer_2.bronze", id: "aws_costs", kind: "missing" };
const extra: FlowDrift = { tenant: "customer_3", namespace: "customer_3.silver", id: "old", kind: "not-in-git", liveRevision: 1, liveHash: "b".repeat(64) };
const SHA = "0123456789abcdef0123456789abcdef01234567";

function flows(count: number): FlowDrift[] {
  return Array.from({ length: count }, (_, i) => ({ tenant: `t${i}`, namespace: `t${i}.bronze`, id: `flow_${String(i).padStart(3, "0")}`, kind: "changed" as const, liveHash: String(i) }));
}

function input(drift: FlowDrift[], extraFields: Partial<DriftReportInput> = {}): DriftReportInput {
  return { env: "staging", sha: SHA, branch: "main", drift, selfHeal: false, prune: false, at: new Date("2026-12-01T10:00:00Z"), ...extraFields };
}

describe("driftFingerprint", () => {
  it("is the same whatever order the plan listed the flows in", () => {
    expect(driftFingerprint("staging", [changed, missing, extra])).toBe(driftFingerprint("staging", [extra, changed, missing]));
  });

  it("changes with another edit of a drifted flow, another kind, another flow or another environment", () => {
    const base = driftFingerprint("staging", [changed, missing]);
    expect(driftFingerprint("staging", [{ ...changed, liveHash: "c".repeat(64) }, missing])).not.toBe(base);
    expect(driftFingerprint("staging", [{ ...changed, kind: "not-in-git" }, missing])).not.toBe(base);
    expect(driftFingerprint("staging", [changed])).not.toBe(base);
    expect(driftFingerprint("production", [changed, missing])).not.toBe(base);
  });
});

describe("drift marker", () => {
  it("round-trips through an issue body and belongs to one environment", () => {
    const marker = { env: "staging", fingerprint: driftFingerprint("staging", [changed]), sha: SHA, healFailed: true };
    const body = `${driftMarker(marker)}\nsome text`;
    expect(parseDriftMarker(body, "staging")).toEqual(marker);
    expect(parseDriftMarker(body, "production")).toBeNull();
    expect(parseDriftMarker("a person's issue", "staging")).toBeNull();
    expect(parseDriftMarker(driftMarker({ ...marker, healFailed: false }), "staging")?.healFailed).toBe(false);
  });
});

describe("drift report text", () => {
  it("lists flows by namespace and id, capped, saying how many more there are", () => {
    const table = driftTable(flows(DRIFT_ISSUE_FLOWS + 7), DRIFT_ISSUE_FLOWS, "staging");
    expect(table.split("\n").filter((line) => line.includes("`flow_"))).toHaveLength(DRIFT_ISSUE_FLOWS);
    expect(table).toContain("… and 7 more");
    expect(table).toContain("flowops plan --env staging --diff");
    expect(driftTable(flows(3), DRIFT_ISSUE_FLOWS, "staging")).not.toContain("more");
  });

  it("lets only name characters of Kestra's answers into the table: no markup, link or mention", () => {
    const table = driftTable([{ ...changed, tenant: "x | [click](https://evil.example) @org/team" }], DRIFT_ISSUE_FLOWS, "staging");
    expect(table).not.toMatch(/\]\(|@org|evil\.example\)/);
    expect(table.split("\n")[2]!.split("|")).toHaveLength(6);
  });

  it("keeps the issue body and the check summary within their caps however many flows drifted", () => {
    const many = flows(5000);
    const body = driftIssueBody(input(many), { env: "staging", fingerprint: driftFingerprint("staging", many), sha: SHA, healFailed: false });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("5000 changed in Kestra");
    expect(body).toContain(`… and ${5000 - DRIFT_ISSUE_FLOWS} more`);
    const summary = driftCheckSummary(input(many), "https://github.com/acme/flows/issues/7");
    expect(summary).toContain(`… and ${5000 - DRIFT_CHECK_FLOWS} more`);
    expect(summary).toContain("https://github.com/acme/flows/issues/7");
  });

  it("says what happens next: report only, self-heal, and what prune leaves", () => {
    const marker = { env: "staging", fingerprint: "f".repeat(32), sha: SHA, healFailed: false };
    expect(driftIssueBody(input([changed, extra]), marker)).toMatch(/selfHeal` is off.*deploy\.prune` is off/s);
    expect(driftIssueBody(input([changed, extra], { selfHeal: true, prune: true }), marker)).toMatch(/selfHeal` is on.*deletes flows Git no longer renders/s);
    expect(driftIssueBody(input([changed], { selfHeal: true, healError: "Failed for customer_1" }), marker)).toContain("did not finish: Failed for customer_1");
  });

  it("never carries a secret, even one that reached an error text", () => {
    registerSecret("Kestra-S3cret-pass");
    const marker = { env: "staging", fingerprint: "f".repeat(32), sha: SHA, healFailed: true };
    const body = driftIssueBody(input([changed], { selfHeal: true, healError: "401 for user:Kestra-S3cret-pass" }), marker);
    expect(body).not.toContain("Kestra-S3cret-pass");
    expect(body).toContain(driftMarker(marker));
  });
});
