import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './safeRedirect';

describe('safeRedirectPath', () => {
  it('keeps same-origin paths', () => {
    expect(safeRedirectPath('/streams/3?tab=info')).toBe('/streams/3?tab=info');
  });
  it('refuses other origins and odd values', () => {
    expect(safeRedirectPath('//evil.example/x')).toBe('/');
    expect(safeRedirectPath('/\\evil.example')).toBe('/');
    expect(safeRedirectPath('https://evil.example')).toBe('/');
    expect(safeRedirectPath(null)).toBe('/');
    expect(safeRedirectPath('/login')).toBe('/');
  });
});
