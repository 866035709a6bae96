import type { ReportCounters, ReportRow } from '../../preload/contract';

/**
 * The platform's report rows plus this computer's broadcasts it does not have yet (not reported): rows of the same
 * day, channel and sender are added together, so a broadcast is counted once — by the platform once reported, by
 * this computer until then.
 */
export function mergeReportRows(platform: readonly ReportRow[], unreported: readonly ReportRow[]): ReportRow[] {
  const merged = new Map<string, ReportRow>();
  for (const row of [...platform, ...unreported]) {
    const key = `${row.day}\u0000${row.channel}\u0000${row.senderId}`;
    const existing = merged.get(key);
    if (existing === undefined) merged.set(key, { ...row });
    else {
      existing.messages += row.messages;
      existing.officialLinks += row.officialLinks;
      existing.otherLinks += row.otherLinks;
    }
  }
  return [...merged.values()].sort(
    (a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel) || a.senderName.localeCompare(b.senderName) || a.senderId.localeCompare(b.senderId),
  );
}

export function sumCounters(rows: readonly ReportCounters[]): ReportCounters {
  const totals: ReportCounters = { messages: 0, officialLinks: 0, otherLinks: 0 };
  for (const row of rows) {
    totals.messages += row.messages;
    totals.officialLinks += row.officialLinks;
    totals.otherLinks += row.otherLinks;
  }
  return totals;
}
