// Ids, patterns and limits of Kestra's model and of flowops' files, apart from the TypeBox schemas
// that use them: the packages that need only these never load TypeBox.

/** Flow id: `^[a-zA-Z0-9][a-zA-Z0-9._-]*`, 1..100 (AbstractFlow.java). */
export const FLOW_ID_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9._-]*$";
export const FLOW_ID_MAX_LENGTH = 100;
/** Namespace: lower case only, 1..150. */
export const NAMESPACE_PATTERN = "^[a-z0-9][a-z0-9._-]*$";
export const NAMESPACE_MAX_LENGTH = 150;
/** Task and trigger ids: no dots (TaskInterface.java); at most 256 characters (Task.java). */
export const TASK_ID_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9_-]*$";
export const TASK_ID_MAX_LENGTH = 256;
/** Input and output ids allow dots. */
export const INPUT_ID_PATTERN = "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$";
/** A dotted Java identifier, as the EE OpenAPI spec prints Kestra's type regex. */
export const PLUGIN_TYPE_PATTERN = "^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$";

export const INPUT_TYPES = [
  "STRING", "ENUM", "SELECT", "INT", "FLOAT", "BOOLEAN", "BOOL", "DATETIME", "DATE", "TIME",
  "DURATION", "FILE", "JSON", "URI", "SECRET", "ARRAY", "MULTISELECT", "YAML", "EMAIL",
] as const;

/** A tenant code: it becomes a namespace root and a file name, so only safe characters. */
export const TENANT_CODE_PATTERN = "^[a-z][a-z0-9_]*$";
export const TENANT_CODE_MAX_LENGTH = 64;
