import { describe, expect, it } from "vitest";
import { testRule } from "../../testing/rule-tester.js";
import { imageTag, unpinnedImage } from "./index.js";

testRule(unpinnedImage, {
  valid: [
    `id: test
namespace: company.team
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12-slim
    script: print(1)
  - id: dbt
    type: io.kestra.plugin.dbt.cli.DbtCLI
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
    containerImage: "ghcr.io/kestra-io/dbt@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  - id: dyn
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: "{{ inputs.image }}"
    commands: [ls]
`,
  ],
  invalid: [
    {
      yaml: `id: test
namespace: company.team
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python
    script: print(1)
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands: [ls]
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
    docker:
      image: registry.example.com:5000/tools/shell:latest
`,
      errors: [
        { messageId: "noTag", line: 6, column: 21, message: "'python'" },
        { messageId: "latest", line: 14, column: 14 },
      ],
    },
  ],
});

describe("imageTag", () => {
  it("reads tags past a registry port and knows digests", () => {
    expect(imageTag("registry:5000/a/b")).toBeUndefined();
    expect(imageTag("registry:5000/a/b:1.0")).toBe("1.0");
    expect(imageTag("a/b@sha256:abc")).toBe("digest");
  });
});
