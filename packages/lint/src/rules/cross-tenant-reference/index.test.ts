import { testRule } from "../../testing/rule-tester.js";
import { crossTenantReference } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";

testRule(crossTenantReference, {
  valid: [
    {
      templates: [
        {
          path: "flows/bronze/a.yaml",
          text: `id: a
${tasks}  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: k
    namespace: \${tenant.code}.silver
  - id: shared
    type: io.kestra.plugin.core.log.Log
    message: "{{ kv('k', 'platform.shared') }}"
`,
        },
      ],
      tenants: [{ code: "acme" }, { code: "acme_eu" }],
    },
    {
      // A namespace the tenant file lists is the tenant's own, as render and deploy judge it.
      templates: [{ path: "flows/bronze/a.yaml", text: `id: a\n${tasks}  - id: get\n    type: io.kestra.plugin.core.kv.Get\n    key: k\n    namespace: legacy.acme.silver\n`, tenants: ["acme"] }],
      tenants: [{ code: "acme", text: "code: acme\nnamespaces: [legacy.acme]\n" }, { code: "beta" }],
    },
  ],
  invalid: [
    {
      // ...and another tenant's, for everyone else.
      templates: [{ path: "flows/bronze/a.yaml", text: `id: a\n${tasks}  - id: get\n    type: io.kestra.plugin.core.kv.Get\n    key: k\n    namespace: legacy.acme.silver\n`, tenants: ["beta"] }],
      tenants: [{ code: "acme", text: "code: acme\nnamespaces: [legacy.acme]\n" }, { code: "beta" }],
      errors: [{ messageId: "otherTenant", line: 7, column: 16, message: "tenant 'acme'" }],
    },
    {
      templates: [
        {
          path: "flows/bronze/a.yaml",
          text: `id: a
${tasks}  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: k
    namespace: acme.silver
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ kv('k', 'acme_eu.gold') }}"
`,
        },
      ],
      tenants: [{ code: "acme" }, { code: "acme_eu" }],
      errors: [
        { messageId: "otherTenant", line: 7, column: 16, message: "tenant 'acme'" },
        { messageId: "otherTenant", line: 10, column: 14, message: "tenant 'acme_eu'" },
      ],
    },
  ],
});
