import { isOneOfTypes, SCHEDULE_ON_DATES_TRIGGER_TYPES, SCHEDULE_TRIGGER_TYPES } from "./kestra-types.js";
import { applyPluginDefaults } from "./plugin-defaults.js";
import { collectTriggers } from "./tasks.js";
import { memoized, stringProperty, type ValuePath } from "./values.js";

/** A Schedule (or ScheduleOnDates) trigger: when the flow runs on its own. */
export interface ScheduleRef {
  /** The trigger's id, or `#<index>` when it states none. */
  triggerId: string;
  type: string;
  cron?: unknown;
  timezone?: unknown;
  dates?: unknown;
  path: ValuePath;
}

/** Every schedule of a flow, with plugin defaults applied (a default may give the timezone). */
export const collectSchedules: (document: unknown) => readonly ScheduleRef[] = memoized((document) => {
  const out: ScheduleRef[] = [];
  collectTriggers(applyPluginDefaults(document)).forEach(({ trigger, path }, index) => {
    const type = stringProperty(trigger, "type");
    if (!isOneOfTypes(type, SCHEDULE_TRIGGER_TYPES) && !isOneOfTypes(type, SCHEDULE_ON_DATES_TRIGGER_TYPES)) return;
    out.push({
      triggerId: stringProperty(trigger, "id") ?? `#${index}`,
      type: type!,
      ...("cron" in trigger ? { cron: trigger.cron } : {}),
      ...("timezone" in trigger ? { timezone: trigger.timezone } : {}),
      ...("dates" in trigger ? { dates: trigger.dates } : {}),
      path,
    });
  });
  return out;
});
