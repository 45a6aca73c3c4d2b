import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { invalidWhen } from "./index.js";

const flow = (when: string): string => `id: a\ntasks:\n  - id: l\n    $when: ${when}\n    type: io.kestra.plugin.core.log.Log\n    message: x\n  - { id: m, type: io.kestra.plugin.core.log.Log, message: x }\n`;

testRule(invalidWhen, {
  valid: [{ templates: [{ path: "flows/bronze/a.yaml", text: flow("tenant.sources.aws && !tenant.sources.oci") }], tenants: [{ code: "acme", text: "code: acme\nsources: { aws: true, oci: false }\n" }] }],
  invalid: [
    {
      name: "does not parse",
      templates: [{ path: "flows/bronze/a.yaml", text: flow("tenant.sources.aws &&") }],
      tenants: [{ code: "acme", text: "code: acme\nsources: { aws: true }\n" }],
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 4, column: 33 }],
    },
  ],
});
