import { describe, expect, it } from "vitest";
import { testRule } from "../../testing/rule-tester.js";
import { cronProblem, invalidCron, isValidTimeZone } from "./index.js";

const flow = (trigger: string): string => `id: test
namespace: company.team
tasks:
  - { id: log, type: io.kestra.plugin.core.log.Log, message: hi }
triggers:
  - id: schedule
${trigger}`;

testRule(invalidCron, {
  valid: [
    flow(`    type: io.kestra.plugin.core.trigger.Schedule
    cron: "30 0 * * *"
    timezone: Europe/Paris`),
    flow(`    type: io.kestra.plugin.core.trigger.Schedule
    cron: "@hourly"`),
    flow(`    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/10 * * * * *"
    withSeconds: true`),
    flow(`    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 9 * * MON-FRI"
    timezone: UTC`),
  ],
  invalid: [
    {
      name: "hour out of range",
      yaml: flow(`    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 25 * * *"`),
      errors: [{ messageId: "badCron", line: 8, column: 11, message: "hour" }],
    },
    {
      name: "six fields without withSeconds",
      yaml: flow(`    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 6 * * *"`),
      errors: [{ messageId: "badCron", line: 8, column: 11, message: "withSeconds: true" }],
    },
    {
      name: "unknown nickname, unknown time zone",
      yaml: flow(`    type: io.kestra.plugin.core.trigger.Schedule
    cron: "@every5m"
    timezone: Mars/Olympus`),
      errors: [
        { messageId: "badCron", line: 8, column: 11, message: "@hourly" },
        { messageId: "badTimezone", line: 9, column: 15, message: "'Mars/Olympus'" },
      ],
    },
    {
      name: "missing cron",
      yaml: flow(`    type: io.kestra.plugin.core.trigger.Schedule`),
      errors: [{ messageId: "missingCron", line: 6, column: 5 }],
    },
  ],
});

describe("cronProblem", () => {
  it("follows Kestra's 5-field cron, nicknames and withSeconds", () => {
    expect(cronProblem("0 6 * * *", false)).toBeUndefined();
    expect(cronProblem("@daily", false)).toBeUndefined();
    expect(cronProblem("* * * *", false)).toContain("4 fields");
    expect(cronProblem("0 0 6 * * *", true)).toBeUndefined();
    expect(cronProblem("0 6 * * *", true)).toContain("expects 6");
    expect(cronProblem("61 * * * *", false)).toContain("minute");
  });
  it("knows IANA zones and fixed offsets", () => {
    expect(isValidTimeZone("America/New_York")).toBe(true);
    expect(isValidTimeZone("+02:00")).toBe(true);
    expect(isValidTimeZone("Europe/Atlantis")).toBe(false);
  });
});
