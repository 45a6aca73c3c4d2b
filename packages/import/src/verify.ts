import { buildRepository, render, type RepositoryProblem } from "@flowops/render";
import { deepEqual } from "./values.js";

/** A flow the imported repository must give back. */
export interface ExpectedFlow {
  tenant: string;
  namespace: string;
  id: string;
  /** The original document, ownership labels removed. */
  document: unknown;
}

export interface RoundTrip {
  /** Flows that did not come back equal, with the reason. */
  failures: { flow: ExpectedFlow; reason: string }[];
  /** Rendered flows that match no original: the import made something up. */
  extra: string[];
  /** Problems the imported repository has when read or rendered. */
  problems: RepositoryProblem[];
  equal: number;
}

/** Renders the imported repository in-process and compares every flow with its original (pure). */
export function verifyRoundTrip(files: ReadonlyMap<string, string>, env: string, expected: readonly ExpectedFlow[]): RoundTrip {
  const repository = buildRepository({ root: "/imported", files, hasTenantsFolder: true });
  const result = render(repository, { envs: [env], ownershipLabels: false });
  const rendered = new Map(result.flows.map((flow) => [`${flow.tenant}/${flow.namespace}/${flow.id}`, flow]));
  const failures: RoundTrip["failures"] = [];
  let equal = 0;
  for (const flow of expected) {
    const key = `${flow.tenant}/${flow.namespace}/${flow.id}`;
    const back = rendered.get(key);
    rendered.delete(key);
    if (!back) failures.push({ flow, reason: "not rendered back" });
    else if (!deepEqual(back.document, flow.document)) failures.push({ flow, reason: `rendered back different at ${firstDifference(flow.document, back.document) || "the root"}` });
    else equal++;
  }
  return { failures, extra: [...rendered.keys()], problems: [...repository.problems, ...result.problems], equal };
}

/** The first key path where two documents differ, for the report. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (deepEqual(a, b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const inner = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (inner !== undefined) return inner;
    }
  }
  return path;
}
