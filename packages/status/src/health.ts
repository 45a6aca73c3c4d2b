import { Cron } from "croner";
import type { ExecutionCounts, StatusSummary, SyncStatus, TenantStatus } from "./types.js";

const DURATION = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** The longest window: Kestra keeps executions longer, but a report over months is a dashboard's job. */
const MAX_WINDOW_MS = 90 * UNIT_MS.d;

/** `24h`, `90m`, `7d` → milliseconds; undefined for anything else (zero, other units, above 90 days). */
export function parseSince(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_WINDOW_MS ? ms : undefined;
}

/**
 * (success + warning) / terminated, where terminated leaves out RETRIED and SKIPPED (superseded or
 * never run) and executions still running; null when nothing terminated, never a made-up 100%.
 */
export function successRate(counts: Pick<ExecutionCounts, "success" | "warning" | "failed" | "killed" | "cancelled">): number | null {
  const ok = counts.success + counts.warning;
  const terminated = ok + counts.failed + counts.killed + counts.cancelled;
  return terminated === 0 ? null : ok / terminated;
}

/** The fleet line: tenants in sync, executions, overall success rate, failures. */
export function summarize(tenants: readonly TenantStatus[]): StatusSummary {
  const sum = (pick: (t: TenantStatus) => number) => tenants.reduce((total, t) => total + pick(t), 0);
  return {
    tenants: tenants.length,
    synced: tenants.filter((t) => t.sync === "synced").length,
    executions: sum((t) => t.executions.total),
    successRate: successRate({
      success: sum((t) => t.executions.success),
      warning: sum((t) => t.executions.warning),
      failed: sum((t) => t.executions.failed),
      killed: sum((t) => t.executions.killed),
      cancelled: sum((t) => t.executions.cancelled),
    }),
    failures: sum((t) => t.executions.failed + t.executions.killed + t.executions.cancelled),
  };
}

/** Sync from flow counts: any missing or drifted flow is out of sync; unmanaged flows alone are not. */
export function syncOf(flows: { missing: number; drifted: number }, unknown: boolean): SyncStatus {
  if (unknown) return "unknown";
  return flows.missing > 0 || flows.drifted > 0 ? "out-of-sync" : "synced";
}

/** True when the tenant needs a look: out of sync or unknown, a failed execution, a missed schedule. */
export function needsAttention(tenant: TenantStatus): boolean {
  return tenant.sync !== "synced" || tenant.failures.length > 0 || tenant.executions.failed + tenant.executions.killed + tenant.executions.cancelled > 0 || tenant.missedSchedules.length > 0;
}

/** Worst first: sync problems, then failures, then missed schedules, then the lowest success rate. */
export function worstFirst(a: TenantStatus, b: TenantStatus): number {
  const syncRank = (t: TenantStatus) => (t.sync === "out-of-sync" ? 0 : t.sync === "unknown" ? 1 : 2);
  const failures = (t: TenantStatus) => t.executions.failed + t.executions.killed + t.executions.cancelled;
  return (
    syncRank(a) - syncRank(b) ||
    failures(b) - failures(a) ||
    b.missedSchedules.length - a.missedSchedules.length ||
    (a.successRate ?? 2) - (b.successRate ?? 2) ||
    String(a.tenant).localeCompare(String(b.tenant))
  );
}

/** Kestra runs `withSeconds: true` crons with 6 fields; croner reads both forms. */
export interface ScheduleDefinition {
  cron: string;
  timezone?: string;
}

/**
 * The slots a cron expected in [from, until], oldest first, at most `limit` (the newest ones).
 * Undefined when the cron or the timezone cannot be read (lint's invalid-cron reports those).
 */
export function expectedSlots(schedule: ScheduleDefinition, from: Date, until: Date, limit = 500): Date[] | undefined {
  let cron: Cron;
  try {
    cron = new Cron(schedule.cron.trim(), { paused: true, ...(schedule.timezone ? { timezone: schedule.timezone } : {}) });
  } catch {
    return undefined;
  }
  const slots: Date[] = [];
  try {
    let next = cron.nextRun(new Date(from.getTime() - 1));
    while (next && next.getTime() <= until.getTime()) {
      slots.push(next);
      if (slots.length > limit) slots.shift();
      next = cron.nextRun(next);
    }
  } catch {
    return undefined;
  }
  return slots;
}

/** How early an execution may start and still count for a slot (clock skew). */
export const SLOT_TOLERANCE_MS = 60_000;

/**
 * The slots with no execution started in [slot − tolerance, next slot) (the last slot: up to now).
 * `starts` are the start times (ms) of the flow's executions around the window.
 */
export function slotsWithoutRun(slots: readonly Date[], starts: readonly number[], now: number): Date[] {
  const sorted = [...starts].sort((a, b) => a - b);
  const missed: Date[] = [];
  slots.forEach((slot, index) => {
    const from = slot.getTime() - SLOT_TOLERANCE_MS;
    const to = index + 1 < slots.length ? slots[index + 1]!.getTime() - SLOT_TOLERANCE_MS : now + 1;
    if (!sorted.some((start) => start >= from && start < to)) missed.push(slot);
  });
  return missed;
}
