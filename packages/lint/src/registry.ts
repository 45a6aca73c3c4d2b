import { configSchema } from "./rules/config-schema/index.js";
import { crossTenantReference } from "./rules/cross-tenant-reference/index.js";
import { deprecatedTaskType } from "./rules/deprecated-task-type/index.js";
import { duplicateFlow } from "./rules/duplicate-flow/index.js";
import { duplicateTaskId } from "./rules/duplicate-task-id/index.js";
import { flowCycle } from "./rules/flow-cycle/index.js";
import { flowSchema } from "./rules/flow-schema/index.js";
import { hardcodedSecret } from "./rules/hardcoded-secret/index.js";
import { idMatchesFile } from "./rules/id-matches-file/index.js";
import { invalidCron } from "./rules/invalid-cron/index.js";
import { invalidWhen } from "./rules/invalid-when/index.js";
import { missingUpstream } from "./rules/missing-upstream/index.js";
import { namespacePattern } from "./rules/namespace-pattern/index.js";
import { tenantSchema } from "./rules/tenant-schema/index.js";
import { unknownInputReference } from "./rules/unknown-input-reference/index.js";
import { unknownOutputReference } from "./rules/unknown-output-reference/index.js";
import { unknownPlaceholder } from "./rules/unknown-placeholder/index.js";
import { unknownTaskType } from "./rules/unknown-task-type/index.js";
import { unpinnedImage } from "./rules/unpinned-image/index.js";
import { yamlSyntax } from "./rules/yaml-syntax/index.js";
import type { Rule } from "./types.js";

/** Every rule, in DESIGN.md's order. */
export const ALL_RULES: readonly Rule[] = [
  yamlSyntax,
  flowSchema,
  tenantSchema,
  configSchema,
  idMatchesFile,
  namespacePattern,
  duplicateTaskId,
  duplicateFlow,
  unknownTaskType,
  deprecatedTaskType,
  invalidCron,
  unknownPlaceholder,
  invalidWhen,
  missingUpstream,
  flowCycle,
  crossTenantReference,
  hardcodedSecret,
  unknownOutputReference,
  unknownInputReference,
  unpinnedImage,
];

/** The rule with this id, if registered. */
export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((rule) => rule.meta.id === id);
}
