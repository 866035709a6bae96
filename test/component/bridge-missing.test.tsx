import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Root } from '../../renderer/src/app/Root';
import { FakeBridge, installBridge } from './fake-bridge';

describe('without a working bridge', () => {
  it('renders a plain error screen, in both languages, when window.omo is missing', () => {
    expect(Reflect.get(window, 'omo')).toBeUndefined();
    render(<Root />);
    const screenRoot = screen.getByTestId('bridge-missing');
    expect(screenRoot.textContent).toContain('找不到應用程式橋接');
    expect(screenRoot.textContent).toContain('The app bridge is missing');
    expect(screen.queryByTestId('app-ready')).toBeNull();
  });

  it('treats an object without invoke/on as missing', () => {
    Object.defineProperty(window, 'omo', { value: { hello: true }, configurable: true });
    render(<Root />);
    expect(screen.getByTestId('bridge-missing')).toBeTruthy();
  });

  it('explains a failed start and retries', async () => {
    const bridge = installBridge(new FakeBridge());
    bridge.failNext('app.info', 'storage_unavailable');
    render(<Root />);
    const failed = await screen.findByTestId('app-failed');
    expect(failed.textContent).toContain('無法使用本機資料庫');
    act(() => screen.getByRole('button', { name: '重試' }).click());
    await screen.findByTestId('app-ready');
  });
});
