import { describe, expect, it } from "vitest";
import { testRule } from "../../testing/rule-tester.js";
import { hardcodedSecret, isCredentialKey } from "./index.js";

testRule(hardcodedSecret, {
  valid: [
    `id: test
namespace: company.team
inputs:
  - id: password
    type: SECRET
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: jdbc:postgresql://db:5432/app
    username: app
    password: "{{ secret('POSTGRES_PASSWORD') }}"
    sql: select 1
  - id: aws
    type: io.kestra.plugin.aws.s3.List
    accessKeyId: "{{ kv('AWS_ACCESS_KEY_ID') }}"
    secretKeyId: "{{ secret('AWS_SECRET_KEY_ID') }}"
    bucket: data
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    env:
      API_TOKEN: "{{ secret('API_TOKEN') }}"
      PGPASSWORD: $DB_PASSWORD
      GOOGLE_APPLICATION_CREDENTIALS: sa.json
      AZURE_SAS_TOKEN: <sas-token>
  - id: llm
    type: io.kestra.plugin.ai.completion.ChatCompletion
    maxToken: 1024
    commands: [ls]
    description: "password: hunter2 is how NOT to do it"
`,
  ],
  invalid: [
    {
      yaml: `id: test
namespace: company.team
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    password: hunter2
    sql: select 1
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    env:
      AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
      apiKey: 12345
    commands:
      - export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
`,
      errors: [
        { messageId: "literalValue", line: 6, column: 15, message: "'password'" },
        { messageId: "literalValue", line: 11, column: 30, message: "'AWS_SECRET_ACCESS_KEY'" },
        { messageId: "literalValue", line: 12, column: 15 },
        { messageId: "credentialValue", line: 14, column: 9, message: "AWS access key id" },
      ],
    },
    {
      name: "a tenant file",
      templates: [{ path: "flows/bronze/a.yaml", text: "id: a\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n" }],
      tenants: [{ code: "acme", text: "code: acme\nvars:\n  db_password: s3cret\n" }],
      errors: [{ messageId: "literalValue", line: 3, column: 16, file: "tenants/acme.yaml" }],
    },
  ],
});

describe("isCredentialKey", () => {
  it("knows credential names and their look-alikes", () => {
    for (const key of ["password", "db_password", "apiKey", "AWS_SECRET_ACCESS_KEY", "clientSecret", "serviceAccount"]) expect(isCredentialKey(key), key).toBe(true);
    for (const key of ["username", "passwordEnv", "tokenUrl", "secretName", "keyFile", "url", "maxToken"]) expect(isCredentialKey(key), key).toBe(false);
  });
});
