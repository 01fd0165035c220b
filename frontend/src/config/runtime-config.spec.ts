import { describe, expect, it } from 'vitest';
import { parseRuntimeConfig } from './runtime-config';

describe('parseRuntimeConfig', () => {
  it('keeps an absolute API URL, without a trailing slash', () => {
    expect(parseRuntimeConfig({ apiBaseUrl: 'http://nvr.lan:3000/' }, 'http://dash:8080')).toEqual({
      apiBaseUrl: 'http://nvr.lan:3000',
    });
  });

  it('resolves a path against the page origin, for a proxied API', () => {
    expect(parseRuntimeConfig({ apiBaseUrl: '/api', apiToken: 'secret' }, 'https://dash.example')).toEqual({
      apiBaseUrl: 'https://dash.example/api',
      apiToken: 'secret',
    });
  });

  it('names the bad key', () => {
    expect(() => parseRuntimeConfig({ apiBaseUrl: 'ftp://x' }, 'http://a')).toThrow(/apiBaseUrl/);
    expect(() => parseRuntimeConfig({}, 'http://a')).toThrow(/apiBaseUrl/);
    expect(() => parseRuntimeConfig({ apiBaseUrl: 'http://a', apiToken: '' }, 'http://a')).toThrow(/apiToken/);
  });
});
