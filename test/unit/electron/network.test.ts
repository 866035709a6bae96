import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ElectronNetworkStatus, NETWORK_POLL_INTERVAL_MS } from '../../../main/electron/network';
import { createFakeElectron } from './fake-electron';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ElectronNetworkStatus', () => {
  it('polls net.isOnline() every 5 s and tells listeners about changes only', () => {
    const { net } = createFakeElectron();
    const status = new ElectronNetworkStatus(net);
    const heard = vi.fn();
    status.subscribe(heard);
    expect(NETWORK_POLL_INTERVAL_MS).toBe(5000);
    expect(status.isOnline()).toBe(true);

    net.online = false;
    vi.advanceTimersByTime(4999);
    expect(heard).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(heard.mock.calls).toEqual([[false]]);
    expect(status.isOnline()).toBe(false);

    vi.advanceTimersByTime(15_000);
    expect(heard).toHaveBeenCalledTimes(1);
    net.online = true;
    vi.advanceTimersByTime(5000);
    expect(heard.mock.calls).toEqual([[false], [true]]);
    status.close();
  });

  it('stops polling when closed', () => {
    const { net } = createFakeElectron();
    const status = new ElectronNetworkStatus(net);
    status.close();
    const calls = net.isOnline.mock.calls.length;
    vi.advanceTimersByTime(60_000);
    expect(net.isOnline.mock.calls.length).toBe(calls);
    expect(vi.getTimerCount()).toBe(0);
  });
});
