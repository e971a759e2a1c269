import { describe, expect, it } from 'vitest';
import { insecureContextNotice } from './secureContext';

describe('insecureContextNotice', () => {
  it('is null in a secure context or when the browser does not say', () => {
    expect(insecureContextNotice(true, 'http://localhost:8080/streams/1')).toBeNull();
    expect(insecureContextNotice(undefined, 'http://10.0.0.5/streams/1')).toBeNull();
  });

  it('names the host and the same page over https', () => {
    expect(insecureContextNotice(false, 'http://chorus.example:8080/streams/7?tab=voice')).toEqual({
      host: 'chorus.example:8080',
      httpsUrl: 'https://chorus.example:8080/streams/7?tab=voice',
    });
    expect(insecureContextNotice(false, 'http://192.168.1.20/streams/7')).toEqual({
      host: '192.168.1.20',
      httpsUrl: 'https://192.168.1.20/streams/7',
    });
  });
});
