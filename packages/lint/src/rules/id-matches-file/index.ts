import type { Rule } from "../../types.js";

/** Flow ids Kestra 0.20-1.x refuses ("Flow id is a reserved keyword", KESTRA-API.md §5.3). */
const RESERVED_IDS = new Set(["pause", "resume", "force-run", "change-status", "kill", "executions", "search", "source", "disable", "enable"]);

/**
 * A flow id that differs from its file name, or an id Kestra would reject. `render` reports ids
 * outside Kestra's pattern (and leaves those flows out); this rule adds the file-name match (in a
 * multi-tenant repository, where the file name is the id) and Kestra 1.x's reserved ids.
 */
export const idMatchesFile: Rule = {
  meta: {
    id: "id-matches-file",
    description: "A flow id that differs from its file name, or an id Kestra would reject",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/id-matches-file/README.md",
    messages: {
      mismatch: "Flow id '{{id}}' differs from its file name '{{fileId}}'; rename the file or the id so they match",
      reserved: "Flow id '{{id}}' is a keyword Kestra 1.x reserves for its API; choose another id",
    },
  },
  checkFlow({ flow, facts, report }) {
    const written = (flow.document as Record<string, unknown>).id;
    if (typeof written !== "string") return; // a missing id is flow-schema's finding
    const path = ["id"];
    if (RESERVED_IDS.has(written)) report({ messageId: "reserved", path, data: { id: written } });
    // A plain Kestra repository deploys each file as written: Kestra does not tie ids to file names.
    if (facts.repository.mode !== "multi-tenant") return;
    const slash = flow.templateKey.lastIndexOf("/");
    const fileId = flow.templateKey.slice(slash + 1);
    if (written !== fileId) report({ messageId: "mismatch", path, data: { id: written, fileId } });
  },
};
