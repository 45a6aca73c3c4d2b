import { DEFAULT_NAMESPACE_PATTERN } from "@flowops/render";
import { TENANT_CODE_PATTERN } from "@flowops/schemas";

/** A namespace read back into the tenant code and the template folder (`a/b` for `a.b`). */
export interface NamespaceMatch {
  tenant: string;
  folder: string;
}

const TENANT = TENANT_CODE_PATTERN.replace(/^\^|\$$/g, "");
const FOLDER = "[a-z0-9][a-z0-9_-]*(?:\\.[a-z0-9][a-z0-9_-]*)*";

/**
 * Compiles a namespace pattern (`${tenant.code}.${flow.folder}` by default) into a matcher.
 * Only `${tenant.code}` and `${flow.folder}` can be read back from a namespace; any other
 * placeholder is refused with the reason.
 */
export function namespaceMatcher(pattern: string = DEFAULT_NAMESPACE_PATTERN): (namespace: string) => NamespaceMatch | undefined {
  let source = "";
  let tenantGroup = false;
  let folderGroup = false;
  let rest = pattern;
  while (rest.length > 0) {
    const at = rest.indexOf("${");
    if (at < 0) {
      source += escapeRegExp(rest);
      break;
    }
    source += escapeRegExp(rest.slice(0, at));
    const close = rest.indexOf("}", at);
    if (close < 0) throw new Error(`namespace pattern "${pattern}": unterminated placeholder`);
    const path = rest.slice(at + 2, close).trim();
    if (path === "tenant.code" && !tenantGroup) {
      source += `(?<tenant>${TENANT})`;
      tenantGroup = true;
    } else if (path === "flow.folder" && !folderGroup) {
      source += `(?<folder>${FOLDER})`;
      folderGroup = true;
    } else {
      throw new Error(`namespace pattern "${pattern}": \${${path}} cannot be read back from a namespace; use \${tenant.code} and \${flow.folder} once each`);
    }
    rest = rest.slice(close + 1);
  }
  if (!tenantGroup) throw new Error(`namespace pattern "${pattern}" has no \${tenant.code}: the tenant of a flow cannot be recognised`);
  const regex = new RegExp(`^${source}$`);
  return (namespace) => {
    const match = regex.exec(namespace);
    if (!match?.groups) return undefined;
    return { tenant: match.groups.tenant!, folder: (match.groups.folder ?? "").split(".").join("/") };
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
