// The schemas' values come from json-schemas.ts (plain copies of the TypeBox ones) and the patterns
// from patterns.ts: importing this package does not load TypeBox. flow.ts, tenant.ts and config.ts
// contribute types only.
export { FlowSchema, TaskSchema, TriggerSchema, InputSchema, OutputSchema, LabelsSchema, TenantSchema, ConfigSchema, type JsonSchema } from "./json-schemas.js";
export {
  FLOW_ID_PATTERN,
  FLOW_ID_MAX_LENGTH,
  NAMESPACE_PATTERN,
  NAMESPACE_MAX_LENGTH,
  TASK_ID_PATTERN,
  TASK_ID_MAX_LENGTH,
  INPUT_ID_PATTERN,
  PLUGIN_TYPE_PATTERN,
  INPUT_TYPES,
  TENANT_CODE_PATTERN,
  TENANT_CODE_MAX_LENGTH,
} from "./patterns.js";
export type { KestraFlow, KestraTask, KestraTrigger } from "./flow.js";
export type { TenantFile } from "./tenant.js";
export type { ConfigFile } from "./config.js";
export { validatorFor, compileJsonSchema, toViolations, type SchemaValidator, type SchemaViolation, type SchemaName } from "./validate.js";
export { exportSchemas } from "./export.js";
