import { Cron } from "croner";
import { BoundedStringCache, hasPebble, isOneOfTypes, SCHEDULE_TRIGGER_TYPES, stringProperty } from "@flowops/flow-model";
import type { Rule } from "../../types.js";

/** The nicknames Kestra's Schedule trigger accepts instead of a cron expression. */
const NICKNAMES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
/** Offsets Java's ZoneId accepts besides region names: `Z`, `+02:00`, `UTC+2`, `GMT-05:30`. */
const ZONE_OFFSET = /^(Z|(UTC|GMT|UT)?[+-]\d{1,2}(:?\d{2}){0,2})$/;

const zoneVerdicts = new BoundedStringCache(checkTimeZone, 2_000);
/** One verdict per distinct cron, apart for 5-field and (withSeconds) 6-field crons. */
const cronVerdicts = {
  minutes: new BoundedStringCache((cron) => checkCron(cron, false), 10_000),
  seconds: new BoundedStringCache((cron) => checkCron(cron, true), 10_000),
};

/** True when Java's `ZoneId.of` would accept the id (IANA names via Intl, plus fixed offsets). */
export function isValidTimeZone(zone: string): boolean {
  return zoneVerdicts.get(zone);
}

function checkTimeZone(zone: string): boolean {
  if (ZONE_OFFSET.test(zone)) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why Kestra would reject a Schedule cron, or undefined when it is fine. */
export function cronProblem(cron: string, withSeconds: boolean): string | undefined {
  return (withSeconds ? cronVerdicts.seconds : cronVerdicts.minutes).get(cron);
}

function checkCron(cron: string, withSeconds: boolean): string | undefined {
  const trimmed = cron.trim();
  if (trimmed.startsWith("@")) return NICKNAMES.has(trimmed) ? undefined : `'${trimmed}' is not one of ${[...NICKNAMES].join(", ")}`;
  const fields = trimmed.split(/\s+/).length;
  const expected = withSeconds ? 6 : 5;
  if (fields !== expected) {
    return withSeconds
      ? `it has ${fields} fields; with withSeconds: true Kestra expects 6 (second minute hour day-of-month month day-of-week)`
      : `it has ${fields} fields; Kestra expects 5 (minute hour day-of-month month day-of-week)${fields === 6 ? ", or set withSeconds: true" : ""}`;
  }
  try {
    new Cron(trimmed, { paused: true });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern:\s*/, "");
  }
}

/** A Schedule trigger whose cron or timezone Kestra would reject. */
export const invalidCron: Rule = {
  meta: {
    id: "invalid-cron",
    description: "A Schedule trigger whose cron (or timezone) Kestra would reject",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/invalid-cron/README.md",
    messages: {
      badCron: "Invalid cron '{{cron}}': {{reason}}",
      missingCron: "A Schedule trigger needs a 'cron' expression, e.g. cron: \"0 6 * * *\"",
      badTimezone: "'{{timezone}}' is not a time zone Kestra knows: use an IANA name such as 'Europe/Paris' or 'UTC'",
    },
  },
  visitFlow({ report }) {
    return {
      trigger({ trigger, path }) {
        const timezone = stringProperty(trigger, "timezone");
        if (timezone !== undefined && !hasPebble(timezone) && !isValidTimeZone(timezone)) {
          report({ messageId: "badTimezone", path: [...path, "timezone"], data: { timezone } });
        }
        if (!isOneOfTypes(stringProperty(trigger, "type"), SCHEDULE_TRIGGER_TYPES)) return;
        const cron = trigger.cron;
        if (cron === undefined || cron === null) {
          report({ messageId: "missingCron", path });
          return;
        }
        const text = String(cron);
        if (hasPebble(text)) return;
        const reason = cronProblem(text, trigger.withSeconds === true || trigger.withSeconds === "true");
        if (reason !== undefined) report({ messageId: "badCron", path: [...path, "cron"], data: { cron: text, reason } });
      },
    };
  },
};
