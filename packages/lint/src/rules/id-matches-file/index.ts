import type { Rule } from "../../types.js";

/** Kestra's flow id rule (KESTRA-API.md §5.1): `^[a-zA-Z0-9][a-zA-Z0-9._-]*`, 1..100 characters. */
const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** Flow ids Kestra 0.20-1.x refuses ("Flow id is a reserved keyword", KESTRA-API.md §5.3). */
const RESERVED_IDS = new Set(["pause", "resume", "force-run", "change-status", "kill", "executions", "search", "source", "disable", "enable"]);

/**
 * A flow id that differs from its file name, or an id Kestra would reject. Render reports the
 * mismatch for templates that state an `id`; this rule checks the rendered id itself.
 */
export const idMatchesFile: Rule = {
  meta: {
    id: "id-matches-file",
    description: "A flow id that differs from its file name, or an id Kestra would reject",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/id-matches-file/README.md",
    messages: {
      mismatch: "Flow id '{{id}}' differs from its file name '{{fileId}}'; rename the file or the id so they match",
      invalidId: "Flow id '{{id}}' is not valid for Kestra: it must match ^[a-zA-Z0-9][a-zA-Z0-9._-]* (letters, digits, '.', '_', '-')",
      tooLong: "Flow id '{{id}}' has {{length}} characters; Kestra allows at most 100",
      reserved: "Flow id '{{id}}' is a keyword Kestra 1.x reserves for its API; choose another id",
    },
  },
  checkFlow({ flow, report }) {
    const written = (flow.document as Record<string, unknown>).id;
    if (typeof written !== "string") return; // a missing id is flow-schema's finding
    const path = ["id"];
    if (!FLOW_ID.test(written)) report({ messageId: "invalidId", path, data: { id: written } });
    else if (written.length > 100) report({ messageId: "tooLong", path, data: { id: written, length: written.length } });
    else if (RESERVED_IDS.has(written)) report({ messageId: "reserved", path, data: { id: written } });
    const slash = flow.templateKey.lastIndexOf("/");
    const fileId = flow.templateKey.slice(slash + 1);
    if (written !== fileId) report({ messageId: "mismatch", path, data: { id: written, fileId } });
  },
};
