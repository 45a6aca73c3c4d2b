export { BoundedStringCache, documentSlot, forgetDocument, hasPebble, isMap, stringProperty, type DocumentSlot, type ValuePath, type YamlMap } from "./values.js";
export {
  EXECUTION_FLOW_CONDITION_TYPES,
  EXECUTION_NAMESPACE_CONDITION_TYPES,
  FLOW_TRIGGER_TYPES,
  FOREACH_ITEM_TYPES,
  IF_TYPES,
  isCoreType,
  isOneOfTypes,
  PLUGIN_TYPE,
  SCHEDULE_ON_DATES_TRIGGER_TYPES,
  SCHEDULE_TRIGGER_TYPES,
  SUBFLOW_TYPES,
} from "./kestra-types.js";
export { CHILD_TASK_LIST_KEYS, collectTasks, collectTriggers, collectTypedNodes, forEachCondition, type TaskRef, type TriggerRef, type TypedKind, type TypedRef } from "./tasks.js";
export { applyPluginDefaults, pluginDefaultsOf, type PluginDefault } from "./plugin-defaults.js";
export { flowReferences, referenceKey, referenceMatches, referenceTargets, type FlowReference } from "./references.js";
export { collectSchedules, type ScheduleRef } from "./schedules.js";
export { collectImages, type ImageRef } from "./images.js";
export {
  collectPebbleReferences,
  collectPebbleScalars,
  collectWatchedScalars,
  pebbleExpressions,
  type KeyedScalar,
  type PebbleExpression,
  type PebbleReference,
  type PebbleRoot,
  type PebbleScalar,
  type ScalarWatch,
  type Watch,
} from "./pebble.js";
export {
  lineColumnAt,
  offsetAt,
  offsetInScalar,
  offsetOfPath,
  parseLocatedYaml,
  scalarStartingAt,
  stepInto,
  type LineColumn,
  type LocatedYaml,
  type ValuePart,
} from "./locate.js";
export { aliasSurvivesKestra2, KESTRA_CORE_TYPES, KESTRA_TYPE_ALIASES } from "./kestra-core-types.js";
