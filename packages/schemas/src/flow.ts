import { Type, type Static, type TSchema } from "@sinclair/typebox";
import {
  FLOW_ID_MAX_LENGTH,
  FLOW_ID_PATTERN,
  INPUT_ID_PATTERN,
  INPUT_TYPES,
  NAMESPACE_MAX_LENGTH,
  NAMESPACE_PATTERN,
  PLUGIN_TYPE_PATTERN,
  TASK_ID_MAX_LENGTH,
  TASK_ID_PATTERN,
} from "./patterns.js";

/**
 * Kestra's flow model (KESTRA-API.md §5): the core structure every Kestra version shares. Plugin
 * properties are open (they depend on the server's plugins); nested task lists are validated
 * recursively wherever Kestra's flowable tasks keep them.
 */

const LabelValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** Labels in list form (`[{key, value}]`) or map form (`key: value`). */
export const LabelsSchema = Type.Union(
  [
    Type.Array(Type.Object({ key: Type.String({ minLength: 1 }), value: LabelValue }, { additionalProperties: false })),
    Type.Record(Type.String({ minLength: 1 }), LabelValue),
  ],
  { description: "Labels as a list of {key, value} or as a map" },
);

const TaskCommon = {
  // Kestra reads `id: 1` as the string "1" (Jackson coerces scalars; its own Sequential test flow does it).
  id: Type.Union([Type.String({ pattern: TASK_ID_PATTERN, minLength: 1, maxLength: TASK_ID_MAX_LENGTH }), Type.Integer({ minimum: 0 })]),
  type: Type.String({ pattern: PLUGIN_TYPE_PATTERN }),
  description: Type.Optional(Type.String()),
  disabled: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  allowFailure: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  allowWarning: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  logToFile: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  timeout: Type.Optional(Type.String()),
  runIf: Type.Optional(Type.String()),
  logLevel: Type.Optional(Type.String()),
  retry: Type.Optional(Type.Object({}, { additionalProperties: true })),
  workerGroup: Type.Optional(Type.Object({}, { additionalProperties: true })),
  taskCache: Type.Optional(Type.Object({}, { additionalProperties: true })),
  version: Type.Optional(Type.String()),
};

/**
 * A task. Plugin properties are open; the places where flowable tasks keep child tasks
 * (`tasks`, `errors`, `finally`, `then`, `else`, `cases`, `default`, `afterExecution`) are checked
 * recursively. A Dag's `tasks` hold `{ task, dependsOn }` items, hence the union.
 */
export const TaskSchema = Type.Recursive(
  (Task) => {
    const TaskList = Type.Array(Task);
    return Type.Object(
      {
        ...TaskCommon,
        tasks: Type.Optional(
          Type.Array(
            Type.Union([
              Task,
              Type.Object(
                { task: Task, dependsOn: Type.Optional(Type.Array(Type.String())) },
                { additionalProperties: false },
              ),
            ]),
          ),
        ),
        errors: Type.Optional(TaskList),
        finally: Type.Optional(TaskList),
        afterExecution: Type.Optional(TaskList),
        then: Type.Optional(TaskList),
        else: Type.Optional(TaskList),
        default: Type.Optional(Type.Union([TaskList, Type.Unknown()])),
        cases: Type.Optional(Type.Union([Type.Record(Type.String(), TaskList), Type.String()])),
      },
      { additionalProperties: true },
    );
  },
  { $id: "Task" },
);

export const TriggerSchema = Type.Object(
  {
    id: Type.String({ pattern: TASK_ID_PATTERN, minLength: 1, maxLength: TASK_ID_MAX_LENGTH }),
    type: Type.String({ pattern: PLUGIN_TYPE_PATTERN }),
    description: Type.Optional(Type.String()),
    disabled: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
    conditions: Type.Optional(Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }))),
  },
  { additionalProperties: true },
);

export const InputSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: INPUT_ID_PATTERN })),
    /** Deprecated alias of id. */
    name: Type.Optional(Type.String({ pattern: INPUT_ID_PATTERN })),
    type: Type.Union(INPUT_TYPES.map((t) => Type.Literal(t))),
    required: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.String()),
    dependsOn: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);

export const OutputSchema = Type.Object(
  {
    id: Type.String({ pattern: INPUT_ID_PATTERN }),
    type: Type.Union(INPUT_TYPES.map((t) => Type.Literal(t))),
    value: Type.Unknown(),
    description: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.String()),
    required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const PluginDefaults = Type.Array(
  Type.Object(
    { type: Type.String(), forced: Type.Optional(Type.Boolean()), values: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
    { additionalProperties: false },
  ),
);

const TaskRef = Type.Ref(TaskSchema);

/** A Kestra flow as Kestra's create endpoint accepts it. */
export const FlowSchema = Type.Object(
  {
    id: Type.String({ pattern: FLOW_ID_PATTERN, minLength: 1, maxLength: FLOW_ID_MAX_LENGTH }),
    namespace: Type.String({ pattern: NAMESPACE_PATTERN, minLength: 1, maxLength: NAMESPACE_MAX_LENGTH }),
    revision: Type.Optional(Type.Integer({ minimum: 1 })),
    description: Type.Optional(Type.String()),
    labels: Type.Optional(LabelsSchema),
    inputs: Type.Optional(Type.Array(InputSchema)),
    outputs: Type.Optional(Type.Array(OutputSchema)),
    variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    tasks: Type.Array(TaskRef, { minItems: 1 }),
    errors: Type.Optional(Type.Array(TaskRef)),
    finally: Type.Optional(Type.Array(TaskRef)),
    afterExecution: Type.Optional(Type.Array(TaskRef)),
    listeners: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    triggers: Type.Optional(Type.Array(TriggerSchema)),
    pluginDefaults: Type.Optional(PluginDefaults),
    taskDefaults: Type.Optional(PluginDefaults),
    concurrency: Type.Optional(
      Type.Object(
        {
          limit: Type.Integer({ minimum: 1 }),
          behavior: Type.Optional(Type.Union([Type.Literal("QUEUE"), Type.Literal("CANCEL"), Type.Literal("FAIL")])),
        },
        { additionalProperties: false },
      ),
    ),
    retry: Type.Optional(Type.Object({}, { additionalProperties: true })),
    sla: Type.Optional(Type.Array(Type.Object({ id: Type.String() }, { additionalProperties: true }))),
    disabled: Type.Optional(Type.Boolean()),
    deleted: Type.Optional(Type.Boolean()),
    workerGroup: Type.Optional(Type.Object({}, { additionalProperties: true })),
    tenantId: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: "Flow" },
);

export type KestraFlow = Static<typeof FlowSchema>;
export type KestraTask = Static<typeof TaskSchema>;
export type KestraTrigger = Static<typeof TriggerSchema>;

/** The schemas the flow schema refers to by `$ref`, to register with a validator. */
export const FLOW_SCHEMA_DEPENDENCIES: TSchema[] = [TaskSchema];
