import { api } from '../bridge';
import { presetRange, rangeProblem } from '../features/reports/model';
import { dayEnd, dayStart, utcOffsetMinutes } from '../i18n/dates';
import type { ReportRange, ReportSlice, SliceCreator } from './types';

/** The latest report.get: an answer for a range the user has changed since is dropped. */
let reportRequest = 0;

/** The range first shown: the last 30 days (resolved from today when the report loads). */
const INITIAL_RANGE: ReportRange = { preset: 'last30', from: '', to: '' };

/** 報表 › 導購連結報表: the counters over a range of the user's calendar days. */
export const createReportSlice: SliceCreator<ReportSlice> = (set, get) => ({
  reportRange: INITIAL_RANGE,
  report: null,
  reportState: 'idle',
  reportError: null,

  setReportPreset: (preset) => {
    const range = get().reportRange;
    set({ reportRange: preset === 'custom' ? { ...range, preset } : { preset, ...presetRange(preset, new Date()) } });
    void get().loadReport();
  },

  setReportDates: (from, to) => {
    set({ reportRange: { preset: 'custom', from, to } });
    void get().loadReport();
  },

  loadReport: async () => {
    let range = get().reportRange;
    // A preset means "ending today": resolved again on every load, so a window left open past midnight moves on.
    if (range.preset !== 'custom') {
      range = { preset: range.preset, ...presetRange(range.preset, new Date()) };
      set({ reportRange: range });
    }
    const request = ++reportRequest;
    const from = dayStart(range.from);
    const to = dayEnd(range.to);
    // Dates the contract would refuse are explained next to the inputs; the last report stays until they are fixed.
    if (rangeProblem(range.from, range.to) !== null || from === null || to === null) {
      set({ reportState: 'idle', reportError: null });
      return;
    }
    set({ reportState: 'loading', reportError: null });
    const result = await api.getReport({ from, to, utcOffsetMinutes: utcOffsetMinutes() });
    if (request !== reportRequest) return;
    if (result.ok) set({ report: result.value, reportState: 'ready' });
    else set({ reportState: 'failed', reportError: result.error.code });
  },
});

/** For tests: forget a report request in flight between cases. */
export function resetReportModule(): void {
  reportRequest = 0;
}
