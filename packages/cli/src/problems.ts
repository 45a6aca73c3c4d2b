import type { RepositoryProblem } from "@flowops/render";

/** `file:line:col: error message [code] (tenant x, env y)`, the form editors and CI logs link. */
export function formatProblem(problem: RepositoryProblem): string {
  const where = [problem.tenant ? `tenant ${problem.tenant}` : "", problem.env ? `env ${problem.env}` : ""].filter(Boolean).join(", ");
  return `${problem.file}:${problem.line}:${problem.column}: error ${problem.message} [${problem.code}]${where ? ` (${where})` : ""}\n`;
}

/** Prints problems, the same problem seen for many tenants once. */
export function printProblems(problems: readonly RepositoryProblem[], write: (text: string) => void): void {
  const seen = new Map<string, RepositoryProblem[]>();
  for (const problem of problems) {
    const key = `${problem.file}:${problem.line}:${problem.column}:${problem.code}:${problem.message.replace(problem.tenant ?? "\u0000", "<tenant>")}`;
    seen.set(key, [...(seen.get(key) ?? []), problem]);
  }
  for (const group of seen.values()) {
    const first = group[0]!;
    if (group.length === 1) write(formatProblem(first));
    else write(formatProblem({ ...first, tenant: `${group.length} tenants: ${[...new Set(group.map((p) => p.tenant))].slice(0, 5).join(", ")}${group.length > 5 ? ", ..." : ""}` }));
  }
}
