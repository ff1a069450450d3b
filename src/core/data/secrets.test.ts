import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secrets.ts';

describe('connection secrets', () => {
  const box = createSecretBox('server-secret-0123456789');

  it('round-trips and never contains the plain text', () => {
    const sealed = box.seal('p@ssw0rd-ünïcode', 'uuid-1');
    expect(sealed).not.toContain('p@ssw0rd');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'uuid-1')).toBe('p@ssw0rd-ünïcode');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses another row, another server secret, or a tampered envelope', () => {
    const sealed = box.seal('secret', 'uuid-1');
    expect(() => box.open(sealed, 'uuid-2')).toThrow();
    expect(() => createSecretBox('another-server-secret-xyz').open(sealed, 'uuid-1')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'uuid-1')).toThrow();
  });

  it('keeps one key per purpose: a sealed webhook secret does not open as a connection password', () => {
    const schedules = createSecretBox('server-secret-0123456789', 'schedule-destinations');
    const sealed = schedules.seal('hmac-secret', 'uuid-1');
    expect(schedules.open(sealed, 'uuid-1')).toBe('hmac-secret');
    expect(() => box.open(sealed, 'uuid-1')).toThrow();
  });
});
