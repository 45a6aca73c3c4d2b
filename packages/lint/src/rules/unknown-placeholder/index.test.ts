import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { unknownPlaceholder } from "./index.js";

const flow = (message: string): string => `id: a\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: "${message}"\n`;

testRule(unknownPlaceholder, {
  valid: [{ templates: [{ path: "flows/bronze/a.yaml", text: flow("${tenant.vars.warehouse} $${not.a.placeholder} {{ kestra }}") }], tenants: [{ code: "acme", text: "code: acme\nvars: { warehouse: dw }\n" }] }],
  invalid: [
    {
      templates: [{ path: "flows/bronze/a.yaml", text: flow("${tenant.vars.warehous}") }],
      tenants: [{ code: "acme", text: "code: acme\nvars: { warehouse: dw }\n" }],
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 5, column: 15, message: "warehous" }],
    },
  ],
});
