// The retry schedule of deliveries: its own module, so that reading the configuration does not load
// the dispatcher and every channel.

/**
 * Delays before each retry (Standard Webhooks' schedule, continued at 10 hours to about three
 * days): the first attempt is immediate, then 5 s, 5 min, 30 min, 2 h, 5 h and 10 h six times.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, ...Array<number>(6).fill(36_000_000)];

/** The delay before retry `attempt` (1-based), jittered by ±20%, or null after the last. Pure. */
export function retryDelay(schedule: readonly number[], attempt: number, random: number): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random));
}
