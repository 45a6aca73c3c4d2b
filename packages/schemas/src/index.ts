export {
  FlowSchema,
  TaskSchema,
  TriggerSchema,
  InputSchema,
  OutputSchema,
  LabelsSchema,
  FLOW_ID_PATTERN,
  FLOW_ID_MAX_LENGTH,
  NAMESPACE_PATTERN,
  NAMESPACE_MAX_LENGTH,
  TASK_ID_PATTERN,
  TASK_ID_MAX_LENGTH,
  INPUT_ID_PATTERN,
  PLUGIN_TYPE_PATTERN,
  INPUT_TYPES,
  type KestraFlow,
  type KestraTask,
  type KestraTrigger,
} from "./flow.js";
export { TenantSchema, TENANT_CODE_PATTERN, TENANT_CODE_MAX_LENGTH, type TenantFile } from "./tenant.js";
export { ConfigSchema, type ConfigFile } from "./config.js";
export { validatorFor, compileJsonSchema, toViolations, type SchemaValidator, type SchemaViolation, type SchemaName } from "./validate.js";
export { exportSchemas } from "./export.js";
