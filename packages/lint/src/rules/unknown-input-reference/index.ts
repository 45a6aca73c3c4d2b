import { isMap, stringProperty } from "@flowops/flow-model";
import { OncePerString } from "../../once-per-string.js";
import type { Rule } from "../../types.js";

/**
 * `{{ inputs.x }}` where the flow declares no input x; `inputs.my-key` must be `inputs['my-key']`.
 * A reference guarded against a missing value (`inputs.x ?? 'd'`, `| default(...)`, `is defined`)
 * is deliberate and not reported.
 */
/** The input a dotted key reads: its shortest prefix naming an input or a group of them (`inputs.request` is the map of inputs `request.name`, ...), else its first part. */
function dottedInputId(key: string, known: ReadonlySet<string>, declared: readonly string[]): string {
  const parts = key.split(".");
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join("."));
  return prefixes.find((prefix) => known.has(prefix) || declared.some((input) => input.startsWith(`${prefix}.`))) ?? parts[0] ?? "";
}

export const unknownInputReference: Rule = {
  meta: {
    id: "unknown-input-reference",
    description: "`{{ inputs.x }}` where the flow declares no input x",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/unknown-input-reference/README.md",
    messages: {
      unknownInput: "'inputs.{{id}}' refers to no input of this flow; declared: {{declared}}",
      dashedKey: "'inputs.{{id}}' reads as a subtraction in Pebble; write inputs['{{id}}'] (Kestra refuses dashed keys without brackets)",
    },
  },
  visitFlow({ flow, report }) {
    const declared: string[] = [];
    const known = new Set<string>();
    // Each id once per string (made on the first reference to check).
    let seen: OncePerString | undefined;
    return {
      flow() {
        const inputs = (flow.document as Record<string, unknown>).inputs;
        if (!Array.isArray(inputs)) return;
        for (const input of inputs) {
          const id = isMap(input) ? (stringProperty(input, "id") ?? stringProperty(input, "name")) : undefined;
          if (id !== undefined) {
            declared.push(id);
            known.add(id);
          }
        }
      },
      pebbleReference(reference) {
        if (reference.root !== "inputs" || reference.guarded) return;
        // Input ids may hold dots: `inputs.a.b` is input `a.b`, or property `b` of input `a`.
        const id = reference.key.includes(".") ? dottedInputId(reference.key, known, declared) : reference.key;
        if (!(seen ??= new OncePerString()).first(reference.path, id)) return;
        const within = { index: reference.index, text: reference.text };
        if (!known.has(id) && !declared.some((input) => input.startsWith(`${id}.`))) {
          report({ messageId: "unknownInput", path: reference.path, within, data: { id, declared: declared.length > 0 ? declared.join(", ") : "none" } });
        } else if (!reference.bracket && id.includes("-")) report({ messageId: "dashedKey", path: reference.path, within, data: { id } });
      },
    };
  },
};
