import { Type, type Static } from "@sinclair/typebox";

const Severity = Type.Union([Type.Literal("off"), Type.Literal("info"), Type.Literal("warning"), Type.Literal("error")]);
const EnvVarName = Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" });

const Environment = Type.Object(
  {
    kestra: Type.Optional(
      Type.Object(
        {
          url: Type.Optional(Type.String({ pattern: "^https?://" })),
          tenant: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9_-]*$" })),
          usernameEnv: Type.Optional(EnvVarName),
          passwordEnv: Type.Optional(EnvVarName),
          tokenEnv: Type.Optional(EnvVarName),
        },
        { additionalProperties: false },
      ),
    ),
    vars: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** `flowops.config.yaml`. Every field has a default; credentials are never read from this file. */
export const ConfigSchema = Type.Object(
  {
    flows: Type.Optional(Type.String({ minLength: 1, description: "Folder of flow templates" })),
    tenants: Type.Optional(Type.String({ minLength: 1, description: "Folder of tenant files" })),
    namespace: Type.Optional(Type.String({ minLength: 1, description: "Namespace pattern, e.g. ${tenant.code}.${flow.folder}" })),
    tenantVarsSchema: Type.Optional(Type.String({ minLength: 1, description: "JSON Schema for tenants' vars" })),
    environments: Type.Optional(
      Type.Record(Type.String({ pattern: "^[a-z][a-z0-9_-]*$" }), Type.Union([Environment, Type.Null()])),
    ),
    deploy: Type.Optional(
      Type.Object(
        {
          branch: Type.Optional(Type.String()),
          prune: Type.Optional(Type.Boolean()),
          maxDeleteShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          selfHeal: Type.Optional(Type.Boolean({ description: "The GitHub App overwrites managed flows changed or removed in Kestra by hand (drift) with what Git renders; without it, drift is only reported" })),
          approvals: Type.Optional(Type.Integer({ minimum: 0 })),
          allowedPushers: Type.Optional(Type.Array(Type.String())),
          protectedTenants: Type.Optional(Type.Array(Type.String())),
        },
        { additionalProperties: false },
      ),
    ),
    lint: Type.Optional(
      Type.Object(
        {
          rules: Type.Optional(
            Type.Record(
              Type.String(),
              Type.Union([Severity, Type.Tuple([Severity, Type.Record(Type.String(), Type.Unknown(), { description: "The rule's options (see its README)" })])], {
                description: "A rule's severity, or [severity, options] as in ESLint",
              }),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: "Ownership labels added to every deployed flow" }),
    ),
  },
  { additionalProperties: false, $id: "FlowopsConfig" },
);

export type ConfigFile = Static<typeof ConfigSchema>;
