import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { tenantSchema } from "./index.js";

const template = { path: "flows/bronze/a.yaml", text: "id: a\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n" };

testRule(tenantSchema, {
  valid: [{ templates: [template], tenants: [{ code: "acme", text: "code: acme\nname: Acme\nsources: { aws: true }\nvars: { warehouse: dw }\n" }] }],
  invalid: [
    {
      name: "code differs from the file name",
      templates: [template],
      tenants: [{ code: "acme", text: "code: globex\n" }],
      errors: [{ messageId: REPOSITORY_PROBLEM, file: "tenants/acme.yaml", line: 1, column: 7, message: "file name" }],
    },
    {
      name: "unknown property",
      templates: [template],
      tenants: [{ code: "acme", text: "code: acme\nsourcez: {}\n" }],
      errors: [{ messageId: REPOSITORY_PROBLEM, file: "tenants/acme.yaml", line: 2, column: 10, message: "sourcez" }],
    },
  ],
});
