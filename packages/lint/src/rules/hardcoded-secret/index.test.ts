import { describe, expect, it } from "vitest";
import { testRule } from "../../testing/rule-tester.js";
import { allowList, hardcodedSecret, isCredentialKey } from "./index.js";

testRule(hardcodedSecret, {
  valid: [
    {
      name: "connection strings and credentials that are only a path, a host or a reference",
      yaml: `id: test
namespace: company.team
tasks:
  - id: duck
    type: io.kestra.plugin.jdbc.duckdb.Query
    connection_string: hn.db
    url: jdbc:postgresql://db:5432/app
    uri: "mongodb://{{ secret('MONGO_USER') }}:{{ secret('MONGO_PASSWORD') }}@mongo:27017"
    other: "postgresql://app:$DB_PASSWORD@db/app"
    serviceAccount: "{{ secret('GCP_SA') }}"
    sql: select 1
`,
    },
    {
      name: "values in the rule's allow-list (flowops.config.yaml: [severity, { allow }])",
      yaml: `id: test
namespace: company.team
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
      - psql postgresql://demo:demo@localhost/demo
`,
      files: [{ path: "flowops.config.yaml", text: "lint:\n  rules:\n    hardcoded-secret: [warning, { allow: [AKIAIOSFODNN7EXAMPLE, /^demo$/] }]\n" }],
    },
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
      name: "the same credential-shaped string in two places, each found; a different string its own kind",
      yaml: `id: test
namespace: company.team
tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: mongodb://user:pass@host:27017
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: mongodb://user:pass@host:27017
  - id: three
    type: io.kestra.plugin.core.log.Log
    message: AKIAIOSFODNN7EXAMPLE
`,
      errors: [
        { messageId: "credentialValue", line: 6, column: 29, message: "a password in a URI" },
        { messageId: "credentialValue", line: 9, column: 29, message: "a password in a URI" },
        { messageId: "credentialValue", line: 12, column: 14, message: "an AWS access key id" },
      ],
    },
    {
      name: "credentials by value shape: a password in a URI, a token inside a block scalar",
      yaml: `id: test
namespace: company.team
tasks:
  - id: mongo
    type: io.kestra.plugin.mongodb.Find
    connection:
      uri: mongodb://user:pass@host:27017
    database: db
  - id: sh
    type: io.kestra.plugin.scripts.shell.Script
    script: |
      set -e
      curl -H "Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB" https://api.github.com
  - id: ado
    type: io.kestra.plugin.jdbc.sqlserver.Query
    connection_string: "Server=db;User Id=app;Password=Sup3rS3cret;"
`,
      errors: [
        { messageId: "credentialValue", line: 7, column: 27, message: "a password in a URI" },
        { messageId: "credentialValue", line: 13, column: 37, message: "a GitHub token" },
        { messageId: "credentialValue", line: 16, column: 56, message: "a password in a connection string" },
      ],
    },
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
        { messageId: "credentialValue", line: 14, column: 34, message: "AWS access key id" },
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

describe("allowList", () => {
  it("is read once per options object, each options object with its own list", () => {
    const demo = { allow: ["demo", "/^ex-\\d+$/g"] };
    const other = { allow: ["other"] };
    expect(allowList(demo)).toBe(allowList(demo));
    expect(allowList(other)).not.toBe(allowList(demo));
    expect(["demo", "other", "ex-1", "ex-1", "ex-x"].map(allowList(demo))).toEqual([true, false, true, true, false]);
    expect(["demo", "other", "ex-1"].map(allowList(other))).toEqual([false, true, false]);
    expect(allowList({}).call(undefined, "demo")).toBe(false);
  });
});
