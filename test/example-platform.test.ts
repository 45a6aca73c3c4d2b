import { readRepository, render } from "@flowops/render";
import { FLOW_ID_PATTERN, NAMESPACE_PATTERN, validatorFor } from "@flowops/schemas";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support.js";

describe("the example platform", async () => {
  const repository = await readRepository({ cwd: repoRoot });
  const { flows, problems } = render(repository);

  it("reads and renders without a problem", () => {
    expect([...repository.problems, ...problems]).toEqual([]);
    // No counts: the example platform is edited freely (a test here must not break when it is).
    expect(repository.mode).toBe("multi-tenant");
    expect(flows.length).toBeGreaterThan(0);
  });

  it("renders flows Kestra would accept: the flow schema, id and namespace rules", () => {
    const validate = validatorFor("flow");
    const id = new RegExp(FLOW_ID_PATTERN);
    const namespace = new RegExp(NAMESPACE_PATTERN);
    for (const flow of flows) {
      expect(validate(flow.document), `${flow.env}/${flow.namespace}/${flow.id}`).toEqual([]);
      expect(flow.id).toMatch(id);
      expect(flow.namespace).toMatch(namespace);
      expect(flow.namespace.startsWith(`${flow.tenant}.`)).toBe(true);
    }
  });

  it("deploys exactly the source that parses to each rendered document, with the ownership labels", () => {
    for (const flow of flows) {
      const parsed = parse(flow.source, { uniqueKeys: true, strict: true }) as Record<string, unknown>;
      expect(parsed).toEqual(flow.document);
      expect(parsed.labels).toMatchObject({ "managed-by": "flowops", "system.readOnly": "true" });
    }
  });

  it("uses the platform's building blocks: pods from pinned images, flow triggers, a subflow, per-tenant switches", () => {
    const sources = flows.map((f) => f.source).join("\n");
    expect(sources).toContain("io.kestra.plugin.kubernetes");
    expect(sources).toContain("io.kestra.plugin.core.trigger.Flow");
    expect(sources).toContain("io.kestra.plugin.core.flow.Subflow");
    expect(sources).not.toMatch(/image: [^\n]*:latest\b/);
    expect(flows.some((f) => f.document.disabled === true)).toBe(true);
    const perTenant = new Map<string, number>();
    for (const flow of flows.filter((f) => f.env === "staging")) perTenant.set(flow.tenant!, (perTenant.get(flow.tenant!) ?? 0) + 1);
    expect(new Set(perTenant.values()).size).toBeGreaterThan(1);
  });
});
