import { Type, type Static } from "@sinclair/typebox";
import { NAMESPACE_MAX_LENGTH, NAMESPACE_PATTERN, TENANT_CODE_MAX_LENGTH, TENANT_CODE_PATTERN } from "./patterns.js";

const FlowSwitch = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: "false: the flow is not rendered for this tenant at all" })),
    disabled: Type.Optional(Type.Boolean({ description: "true: deployed with Kestra's `disabled: true` (visible, not running)" })),
  },
  { additionalProperties: false },
);

/** `tenants/<code>.yaml`. Platform-specific data goes under `vars`, checked by the config's `tenantVarsSchema`. */
export const TenantSchema = Type.Object(
  {
    code: Type.String({ pattern: TENANT_CODE_PATTERN, maxLength: TENANT_CODE_MAX_LENGTH, description: "Must equal the file name" }),
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    namespaces: Type.Optional(
      Type.Array(Type.String({ pattern: NAMESPACE_PATTERN, maxLength: NAMESPACE_MAX_LENGTH }), {
        uniqueItems: true,
        description: "Namespaces (each with everything below it) this tenant's flows may also be written into, besides the root the config's namespace pattern gives it; they may not overlap another tenant's",
      }),
    ),
    environments: Type.Optional(Type.Array(Type.String({ pattern: "^[a-z][a-z0-9_-]*$" }), { uniqueItems: true })),
    sources: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
    schedule: Type.Optional(Type.String()),
    timezone: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
    vars: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    flows: Type.Optional(Type.Record(Type.String(), FlowSwitch, { description: "Per-flow switches keyed by template path, e.g. gold/carbon_forecast" })),
  },
  { additionalProperties: false, $id: "Tenant" },
);

export type TenantFile = Static<typeof TenantSchema>;
