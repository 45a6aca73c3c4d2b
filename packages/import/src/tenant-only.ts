import { parseDocument, type Document } from "yaml";
import { escapeNode } from "./factor.js";
import { removeOwnershipLabels } from "./ownership.js";
import { STRINGIFY } from "./repository-files.js";

/**
 * One tenant's flow as written, as a template only that tenant renders: literal `${` escaped, the
 * namespace stated, `$when` on the tenant code, ownership labels removed.
 */
export function tenantOnlyTemplate(text: string, tenant: string, namespace: string): string {
  const document = parseDocument(text, { uniqueKeys: true });
  removeOwnershipLabels(document);
  if (document.contents) escapeNode(document.contents);
  if (!document.has("namespace")) document.set("namespace", namespace);
  const root = document.contents as { items?: unknown[] } | null;
  root?.items?.unshift(document.createPair("$when", `tenant.code == "${tenant}"`));
  return stringifyLike(document, text);
}

/** Writes a document back in its own text's list indentation (`key:\n- a` or `key:\n  - a`). */
export function stringifyLike(document: Document, original: string): string {
  const flushLists = /^( *)[^\s#][^\n]*:[ \t]*\n\1- /m.test(original);
  return document.toString({ ...STRINGIFY, indentSeq: !flushLists });
}
