import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXPLORER_CSP, EXPLORER_DIRECTORY, createExplorerRoutes } from '../../src/http/explorer.js';

/** The explorer's routes alone on a port; other paths answer 418 so a fall-through shows. */
async function serve(): Promise<string> {
  const routes = createExplorerRoutes();
  const http = createServer((request, response) => {
    if (!routes(request, response)) response.writeHead(418).end('not the explorer');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

const ASSETS = [
  ['/', 'text/html; charset=utf-8', 'index.html'],
  ['/explorer/explorer.js', 'text/javascript; charset=utf-8', 'dist/explorer.js'],
  ['/explorer/style.css', 'text/css; charset=utf-8', 'style.css'],
  ['/explorer/favicon.svg', 'image/svg+xml', 'favicon.svg'],
] as const;

describe('the explorer routes', () => {
  it.each(ASSETS)('serve %s as %s, revalidated by ETag, under a strict CSP', async (path, type, file) => {
    const origin = await serve();
    const response = await fetch(`${origin}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(EXPLORER_DIRECTORY, file)))).toBe(true);
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{27}"$/);

    const again = await fetch(`${origin}${path}`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    const head = await fetch(`${origin}${path}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(readFileSync(join(EXPLORER_DIRECTORY, file)).length));
  });

  it('keep the CSP without exceptions: the page has no inline script or style and loads nothing from elsewhere', () => {
    expect(EXPLORER_CSP).toMatch(/^default-src 'self';/);
    expect(EXPLORER_CSP).not.toMatch(/unsafe|\*|https?:/);
    const html = readFileSync(join(EXPLORER_DIRECTORY, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((script) => script[0])).toEqual(['<script type="module" src="/explorer/explorer.js"></script>']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(readFileSync(join(EXPLORER_DIRECTORY, 'dist/explorer.js'), 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('answer 405 to other methods and 404 to unknown explorer paths', async () => {
    const origin = await serve();
    const post = await fetch(`${origin}/`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    for (const path of ['/explorer', '/explorer/', '/explorer/missing.js', '/explorer/../package.json', '/explorer/dist/explorer.js']) {
      const response = await fetch(`${origin}${path}`);
      expect([path, response.status]).toEqual([path, path === '/explorer/../package.json' ? 418 : 404]);
    }
  });

  it('leave every other path to the caller', async () => {
    const origin = await serve();
    for (const path of ['/graphql', '/blocks', '/index.html', '/favicon.ico']) expect((await fetch(`${origin}${path}`)).status).toBe(418);
    expect((await fetch(`${origin}/?from=bookmark`)).status).toBe(200);
  });
});
