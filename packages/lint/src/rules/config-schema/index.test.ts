import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { configSchema } from "./index.js";

const template = { path: "flows/bronze/a.yaml", text: "id: a\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n" };

testRule(configSchema, {
  valid: [{ templates: [template], tenants: [{ code: "acme" }], files: [{ path: "flowops.config.yaml", text: "deploy:\n  maxDeleteShare: 0.5\n" }] }],
  invalid: [
    {
      templates: [template],
      tenants: [{ code: "acme" }],
      files: [{ path: "flowops.config.yaml", text: "deploy:\n  maxDeleteShare: 2\n" }],
      errors: [{ messageId: REPOSITORY_PROBLEM, file: "flowops.config.yaml", line: 2, column: 19 }],
    },
  ],
});
